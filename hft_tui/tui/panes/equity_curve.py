"""The running realised PnL of a period as a terminal plot: braille dots (2x4 per cell), a
step at each closed trade, the zero line's row, the ends and the time span labelled. Drawn from data alone
(no clock, no randomness), so a snapshot of it is the same on every run."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget

from hft_tui.clock import iso_utc
from hft_tui.tui.formatting import signed

BRAILLE_BASE = 0x2800
# The dot bits of a braille cell, by (column, row) of its 2x4 grid.
DOT_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
LABEL_W = 11


def step_dots(points: Sequence[tuple[int, float]], start_ns: int, end_ns: int,
              width: int, height: int) -> tuple[list[str], float, float]:
    """``points`` (time, value) as a step line from 0 at ``start_ns`` to ``end_ns`` in
    ``width`` x ``height`` braille cells; returns the rows, top first, and the value range."""
    low = min(0.0, *(v for _, v in points)) if points else 0.0
    high = max(0.0, *(v for _, v in points)) if points else 0.0
    if high - low < 1e-9:
        low, high = low - 1.0, high + 1.0
    cols, rows = width * 2, height * 4
    span = max(end_ns - start_ns, 1)
    grid = [[0] * width for _ in range(height)]

    def dot_row(value: float) -> int:
        return round((high - value) / (high - low) * (rows - 1))

    value, index, previous = 0.0, 0, dot_row(0.0)
    for x in range(cols):
        t = start_ns + span * (x + 1) // cols
        while index < len(points) and points[index][0] <= t:
            value = points[index][1]
            index += 1
        y = dot_row(value)
        for row in range(min(previous, y), max(previous, y) + 1):  # join the step vertically
            grid[row // 4][x // 2] |= DOT_BITS[x % 2][row % 4]
        previous = y
    return ["".join(chr(BRAILLE_BASE + bits) for bits in line) for line in grid], low, high


class EquityCurve(Widget):
    """``show(points, start_ns, end_ns)``; redraws to its own size."""

    DEFAULT_CSS = """
    EquityCurve { height: 1fr; min-height: 3; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._points: tuple[tuple[int, float], ...] = ()
        self._span = (0, 1)

    def show(self, points: Sequence[tuple[int, float]], start_ns: int, end_ns: int) -> None:
        self._points, self._span = tuple(points), (start_ns, end_ns)
        self.refresh()

    def render(self) -> Text:
        width, height = self.size.width - LABEL_W, self.size.height - 1  # the last row: the time axis
        if width < 4 or height < 1:
            return Text("")
        if not self._points:
            return Text("no trade closed in this period: nothing to plot", style="dim")
        lines, low, high = step_dots(self._points, *self._span, width, height)
        final = self._points[-1][1]
        colour = "green" if final >= 0 else "red"
        zero_row = round(high / (high - low) * (height - 1))
        text = Text(no_wrap=True, overflow="crop")
        for row, line in enumerate(lines):
            label = signed(high) if row == 0 else signed(low) if row == height - 1 else \
                "0" if row == zero_row else ""
            text.append(f"{label:>{LABEL_W - 1}} ", style="dim")
            text.append(line, style=colour)
            text.append("\n")
        start, end = (iso_utc(ts)[5:19].replace("T", " ") for ts in self._span)
        text.append(" " * LABEL_W + start + f"{end + ' UTC':>{width - len(start)}}", style="dim")
        return text
