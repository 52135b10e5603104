"""Price: hand-drawn candles of recent mids, from a bounded history the pane keeps itself.

Plain box-drawing and block characters render the same on every terminal and cost few
bytes over SSH. Up candles have a solid body, down candles a shaded one, so direction
reads without colour.
"""

from __future__ import annotations

from collections import deque

from rich.text import Text
from textual.widget import Widget

from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.tui.formatting import NS_PER_S, decimals_for, signed, theme_colour

HISTORY_CANDLES = 240
AXIS_W = 11
UP_BODY, DOWN_BODY, WICK = "█", "▒", "│"


class CandleSeries:
    """Mid prices folded into fixed-width time buckets (open, high, low, close), bounded."""

    __slots__ = ("bucket_ns", "candles")

    def __init__(self, bucket_s: float, max_candles: int = HISTORY_CANDLES) -> None:
        self.bucket_ns = int(bucket_s * NS_PER_S)
        # [bucket, open, high, low, close]: mutated in place while its bucket is current
        self.candles: deque[list[float]] = deque(maxlen=max_candles)

    def add(self, ts_ns: int, price: float) -> None:
        """Fold one observation in; a new bucket starts a new candle."""
        bucket = ts_ns // self.bucket_ns
        if self.candles and self.candles[-1][0] == bucket:
            candle = self.candles[-1]
            candle[2] = max(candle[2], price)
            candle[3] = min(candle[3], price)
            candle[4] = price
        elif not self.candles or bucket > self.candles[-1][0]:
            self.candles.append([bucket, price, price, price, price])


class PriceChartPane(Widget, can_focus=True):
    """Keeps candles for every symbol, draws the selected one."""

    DEFAULT_CSS = """
    PriceChartPane { height: 1fr; text-wrap: nowrap; text-overflow: clip; }
    """

    def __init__(self, *, bucket_s: float = 5.0, id: str | None = None) -> None:
        super().__init__(id=id)
        self._bucket_s = bucket_s
        self._series: dict[str, CandleSeries] = {}
        self._books: dict[str, object] = {}
        self._symbol = ""
        self._tick = 0.0
        self._change_pct: float | None = None
        self.border_title = "2 Price"

    def show(self, snapshot: EngineSnapshot, symbol: str) -> None:
        """Sample every symbol's mid (once per new book), redraw if the selected one moved."""
        changed = symbol != self._symbol
        for name, view in snapshot.views.items():
            book = view.book
            if book is None or self._books.get(name) is book:
                continue
            self._books[name] = book
            mid = book.mid
            if mid is None:
                continue
            series = self._series.get(name)
            if series is None:
                series = self._series[name] = CandleSeries(self._bucket_s)
            series.add(snapshot.ts_ns, mid)
            changed = changed or name == symbol
        if not changed:
            return
        view = snapshot.views.get(symbol)
        self._symbol = symbol
        self._tick = view.tick_size if view is not None else 0.0
        self._change_pct = view.change_pct if view is not None else None
        self.border_title = f"2 Price {symbol} · {self._bucket_s:g}s candles"
        self.refresh()

    def redraw(self) -> None:
        self.refresh()

    def render(self) -> Text:
        series = self._series.get(self._symbol)
        muted = theme_colour(self, "muted")
        if series is None or not series.candles:
            return Text("waiting for prices…", style=muted)
        width, height = self.content_size.width, self.content_size.height
        plot_w = max(1, width - AXIS_W)
        rows = max(1, height - 1)
        candles = list(series.candles)[-plot_w:]
        high = max(c[2] for c in candles)
        low = min(c[3] for c in candles)
        span = high - low or max(abs(high) * 1e-6, 1e-12)
        decimals = decimals_for(self._tick) if self._tick > 0 else 2
        up, down = theme_colour(self, "pnl-up"), theme_colour(self, "pnl-down")

        def row_of(price: float) -> int:
            return min(rows - 1, int((high - price) / span * (rows - 1) + 0.5))

        cells = [[(" ", "")] * len(candles) for _ in range(rows)]
        for x, (_, open_, hi, lo, close) in enumerate(candles):
            rising = close >= open_
            style = up if rising else down
            body_top, body_bottom = sorted((row_of(open_), row_of(close)))
            for y in range(row_of(hi), row_of(lo) + 1):
                in_body = body_top <= y <= body_bottom
                char = (UP_BODY if rising else DOWN_BODY) if in_body else WICK
                cells[y][x] = (char, style)
        last = candles[-1][4]
        text = Text(no_wrap=True, overflow="crop")
        change = self._change_pct
        text.append(f"last {last:,.{decimals}f}", style="bold")
        if change is not None:
            arrow = "▲" if change > 0 else "▼" if change < 0 else "·"
            text.append(f"  {signed(change)}% {arrow}", style=up if change > 0 else down if change < 0 else muted)
        if width >= 60:
            text.append(f"  hi {high:,.{decimals}f}  lo {low:,.{decimals}f}", style=muted)
        text.append("\n")
        padding = " " * (plot_w - len(candles))  # newest candle sits against the axis
        for y in range(rows):
            text.append(padding)
            _append_runs(text, cells[y])
            if y in (0, rows - 1) or y == row_of(last):
                label = high if y == 0 else low if y == rows - 1 else last
                text.append(f" {label:>{AXIS_W - 1},.{decimals}f}", style="bold" if y == row_of(last) else muted)
            text.append("\n")
        text.rstrip()
        return text


def _append_runs(text: Text, cells: list[tuple[str, str]]) -> None:
    """Append one row, one span per run of equal style (fewer spans, fewer escape codes)."""
    start = 0
    for i in range(1, len(cells) + 1):
        if i == len(cells) or cells[i][1] != cells[start][1]:
            text.append("".join(c[0] for c in cells[start:i]), style=cells[start][1] or None)
            start = i
