"""Order book ladder: asks above, bids below, size, cumulative size, depth bars, spread."""

from __future__ import annotations

import numpy as np
from rich.text import Text

from hft_tui.model import FeedState
from hft_tui.session.engine_snapshot import EngineSnapshot, SymbolView
from hft_tui.tui.panes.row_diff import RowDiffPane
from hft_tui.tui.formatting import FEED_BADGES, decimals_for, depth_bar, theme_colour

PRICE_W, QTY_W = 10, 8
# Below this content width the cumulative column gives its room to the depth bars.
CUM_MIN_WIDTH = 44


class OrderBookPane(RowDiffPane, can_focus=True):
    """Renders the selected symbol's book; redraws only when a new book object arrives."""

    DEFAULT_CSS = """
    OrderBookPane { height: 1fr; text-wrap: nowrap; text-overflow: clip; }
    """

    def __init__(self, *, max_depth: int = 20, id: str | None = None) -> None:
        super().__init__(id=id)
        self.max_depth = max_depth
        self._view: SymbolView | None = None
        self.border_title = "1 Book"

    def show(self, snapshot: EngineSnapshot, symbol: str) -> None:
        """Take the selected symbol's view from ``snapshot``."""
        view = snapshot.views.get(symbol)
        if view is None:
            return
        previous = self._view
        if (previous is not None and view.symbol == previous.symbol and view.book is previous.book
                and view.feed_state is previous.feed_state):
            return
        if previous is None or previous.symbol != view.symbol:
            self.border_title = f"1 Book {view.symbol}"
        if previous is None or previous.feed_state is not view.feed_state:
            badge, _ = FEED_BADGES[view.feed_state]
            self.border_subtitle = f"feed {badge}"
        self._view = view
        self.update_rows()

    def compose_rows(self) -> Text:
        view = self._view
        if view is None or view.book is None:
            return Text("waiting for the first book…", style=theme_colour(self, "muted"))
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
        show_cum = width >= CUM_MIN_WIDTH
        bar_w = max(0, width - PRICE_W - QTY_W * (2 if show_cum else 1) - (3 if show_cum else 2))
        text = Text(no_wrap=True, overflow="crop")
        header = f"{'price':>{PRICE_W}} {'size':>{QTY_W}} " + (f"{'cum':>{QTY_W}} " if show_cum else "")
        text.append(header + "depth".ljust(bar_w) + "\n", style=theme_colour(self, "muted"))
        ask_style, bid_style = theme_colour(self, "ask"), theme_colour(self, "bid")
        for i in range(len(asks) - 1, -1, -1):
            self._append_level(text, asks[i], ask_cum[i], max_cum, decimals, ask_style, bar_w, show_cum)
        self._append_spread_line(text, view, tick, decimals, width)
        for i in range(len(bids)):
            self._append_level(text, bids[i], bid_cum[i], max_cum, decimals, bid_style, bar_w, show_cum)
        text.rstrip()
        return text

    @staticmethod
    def _append_level(text: Text, level: np.ndarray, cum: float, max_cum: float, decimals: int,
                      style: str, bar_w: int, show_cum: bool) -> None:
        price, qty = float(level[0]), float(level[1])
        text.append(f"{price:>{PRICE_W}.{decimals}f} ", style=f"bold {style}")
        text.append(f"{qty:>{QTY_W}.3f} {cum:>{QTY_W}.3f} " if show_cum else f"{qty:>{QTY_W}.3f} ")
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
        mid = book.mid
        line.append(f" mid {mid:,.{decimals + 1}f}" if mid is not None else " mid —", style="bold")
        line.append(f" spr {ticks:.0f}t {book.spread_bps or 0.0:.1f}bp")
        line.append(f" imb{imbalance:+.2f}", style=theme_colour(self, "bid" if imbalance > 0 else "ask")
                    if imbalance else "")
        if view.feed_state is not FeedState.LIVE:  # not live: say so where the eye is
            line.append(f" {badge}", style=f"bold {theme_colour(self, badge_colour)}")
        line.truncate(width)
        text.append_text(line)
        text.append("\n")
