"""Order book ladder: asks above, bids below, size, cumulative size, depth bars, spread."""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text
from textual.widget import Widget

from hft_tui.model import FeedState
from hft_tui.snapshot import SymbolView

BAR_CHARS = " ▏▎▍▌▋▊▉█"
FEED_BADGES = {
    FeedState.LIVE: ("● live", "bid"),
    FeedState.STALE: ("◌ STALE", "halted"),
    FeedState.RESYNCING: ("↻ resync", "reducing"),
    FeedState.CONNECTING: ("… connecting", "muted"),
}


def depth_bar(fraction: float, width: int) -> str:
    """A left-aligned bar of ``width`` cells filled to ``fraction`` with eighth-blocks."""
    eighths = int(round(max(0.0, min(fraction, 1.0)) * width * 8))
    full, part = divmod(eighths, 8)
    bar = "█" * full + (BAR_CHARS[part] if part else "")
    return bar.ljust(width)


def decimals_for(tick: float) -> int:
    """How many decimals show a price on a ``tick`` grid exactly."""
    return max(0, -int(math.floor(math.log10(tick)))) if tick > 0 else 2


class OrderBookPane(Widget):
    """Renders one symbol's book; redraws only when a new book object arrives."""

    DEFAULT_CSS = """
    OrderBookPane { height: 1fr; }
    """

    def __init__(self, *, max_depth: int = 20, id: str | None = None) -> None:
        super().__init__(id=id)
        self.max_depth = max_depth
        self._view: SymbolView | None = None
        self.border_title = "Order book"

    def show(self, view: SymbolView) -> None:
        if self._view is not None and view.book is self._view.book and view.feed_state is self._view.feed_state:
            return
        self._view = view
        self.refresh()

    def _colour(self, name: str) -> str:
        return self.app.current_theme.variables.get(name, "white")

    def render(self) -> Text:
        view = self._view
        if view is None or view.book is None:
            return Text("waiting for the first book…", style=self._colour("muted"))
        book = view.book
        width = self.content_size.width
        rows_per_side = max(1, min(self.max_depth, (self.content_size.height - 2) // 2))
        asks = book.asks[:rows_per_side]
        bids = book.bids[:rows_per_side]
        tick = view.tick_size
        decimals = decimals_for(tick)
        ask_cum = np.cumsum(asks[:, 1]) if len(asks) else np.zeros(0)
        bid_cum = np.cumsum(bids[:, 1]) if len(bids) else np.zeros(0)
        max_cum = max(ask_cum[-1] if len(ask_cum) else 0.0, bid_cum[-1] if len(bid_cum) else 0.0, 1e-12)
        price_w, qty_w = 12, 9
        bar_w = max(0, width - price_w - 2 * qty_w - 3)
        text = Text(no_wrap=True, overflow="crop")
        header = f"{'price':>{price_w}} {'size':>{qty_w}} {'cum':>{qty_w}} "
        text.append(header + "depth".ljust(bar_w) + "\n", style=self._colour("muted"))
        ask_style, bid_style = self._colour("ask"), self._colour("bid")
        for i in range(len(asks) - 1, -1, -1):
            self._append_level(text, asks[i], ask_cum[i], max_cum, decimals, ask_style,
                               price_w, qty_w, bar_w)
        self._append_spread_line(text, view, tick, decimals, width)
        for i in range(len(bids)):
            self._append_level(text, bids[i], bid_cum[i], max_cum, decimals, bid_style,
                               price_w, qty_w, bar_w)
        text.rstrip()
        return text

    @staticmethod
    def _append_level(text: Text, level: np.ndarray, cum: float, max_cum: float, decimals: int,
                      style: str, price_w: int, qty_w: int, bar_w: int) -> None:
        price, qty = float(level[0]), float(level[1])
        text.append(f"{price:>{price_w}.{decimals}f} ", style=f"bold {style}")
        text.append(f"{qty:>{qty_w}.3f} {cum:>{qty_w}.3f} ")
        text.append(depth_bar(cum / max_cum, bar_w) + "\n", style=style)

    def _append_spread_line(self, text: Text, view: SymbolView, tick: float, decimals: int,
                            width: int) -> None:
        book = view.book
        assert book is not None
        spread = book.spread or 0.0
        ticks = spread / tick if tick > 0 else 0.0
        imbalance = book.imbalance(10) or 0.0
        badge, badge_colour = FEED_BADGES[view.feed_state]
        line = Text(no_wrap=True, overflow="crop")
        line.append(f" mid {book.mid:,.{decimals + 1}f}", style="bold")
        line.append(f"  spr {ticks:.0f}t {book.spread_bps or 0.0:.2f}bps")
        line.append(f"  imb {imbalance:+.2f}")
        line.append(f"  {badge}", style=self._colour(badge_colour))
        line.truncate(width)
        text.append_text(line)
        text.append("\n")

