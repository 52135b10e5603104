"""The newest WAL records, newest at the bottom, coloured by record type, filterable by type;
by default only what an operator acts on (``TO_ACT_ON``).

The engine hands over a bounded tail with every snapshot, so this pane never reads the
WAL itself and can never block on it.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from hft_tui.snapshot import EngineSnapshot, WalLine
from hft_tui.tui.formatting import theme_colour

TYPE_COLOURS = {
    "session_start": "mode-sim",
    "session_stop": "mode-sim",
    "kill": "halted",
    "flatten": "halted",
    "flatten_incomplete": "halted",
    "risk": "reducing",
    "state": "reducing",
    "order": "accent",
    "order_update": "accent",
    "order_rejected": "reducing",
    "cancel": "accent",
    "fill": "bid",
    "trade_closed": "bid",
    "signal": "secondary",
    "exit_rules": "secondary",
    "param": "primary",
    "pause": "primary",
    "feed": "muted",
    "rejection": "muted",
    "error": "halted",
}
# What an operator acts on: orders and fills, every change of state, commands and notices.
# Routine records (risk snapshots every few seconds, signals, sanitizer counts) are one ``w`` away.
TO_ACT_ON = frozenset({
    "order", "order_update", "order_rejected", "cancel", "fill", "trade_closed", "flatten",
    "flatten_incomplete", "flat_confirmed", "kill", "command", "state", "pause", "param", "hold",
    "feed", "notice", "error", "reconcile", "account", "recovery", "session_start", "session_stop",
    "corrupt_record", "wal_repair",
})
# (label, record types or None for every type); the first is the default. ``w`` cycles.
WAL_FILTERS: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("to act on", TO_ACT_ON),
    ("all", None),
    ("orders & fills", frozenset({"order", "order_update", "order_rejected", "cancel", "fill",
                                  "trade_closed", "flatten", "flatten_incomplete"})),
    ("signals", frozenset({"signal", "exit_rules"})),
    ("risk & state", frozenset({"risk", "state", "kill", "flatten", "flatten_incomplete"})),
    ("operator", frozenset({"param", "pause", "kill", "flatten", "session_start", "session_stop"})),
    ("feed & errors", frozenset({"feed", "rejection", "error"})),
)


class WalTailPane(Widget, can_focus=True):
    """Redraws only when the WAL has new records or the filter changes."""

    DEFAULT_CSS = """
    WalTailPane { height: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: tuple[WalLine, ...] = ()
        self._last_seq = -1
        self._filter_index = 0
        self.border_title = "9 WAL"
        self.border_subtitle = f"w: filter {self.filter_label}"

    @property
    def filter_label(self) -> str:
        return WAL_FILTERS[self._filter_index][0]

    def show(self, snapshot: EngineSnapshot, symbol: str) -> None:
        """Take the WAL tail."""
        if snapshot.wal_seq == self._last_seq:
            return
        self._lines, self._last_seq = snapshot.wal_tail, snapshot.wal_seq
        self.refresh()

    def redraw(self) -> None:
        self.refresh()

    def next_filter(self) -> str:
        """Show the next group of record types; returns its label."""
        self._filter_index = (self._filter_index + 1) % len(WAL_FILTERS)
        self.border_subtitle = f"w: filter {self.filter_label}"
        self.refresh()
        return self.filter_label

    def visible_lines(self, height: int) -> list[WalLine]:
        """The newest ``height`` records that pass the filter."""
        types = WAL_FILTERS[self._filter_index][1]
        picked: list[WalLine] = []
        for line in reversed(self._lines):
            if types is None or line.type in types:
                picked.append(line)
                if len(picked) == height:
                    break
        picked.reverse()
        return picked

    def render(self) -> Text:
        height = max(self.content_size.height, 1)
        lines = self.visible_lines(height)
        if not lines:
            return Text(f"no {self.filter_label} records yet", style=theme_colour(self, "muted"))
        text = Text(no_wrap=True, overflow="ellipsis")
        muted = theme_colour(self, "muted")
        for i, line in enumerate(lines):
            if i:
                text.append("\n")
            text.append(f"{line.seq:>6} ", style=muted)
            text.append(f"{line.ts[11:19]} ", style=muted)
            text.append(f"{line.type:<13} ", style=f"bold {theme_colour(self, TYPE_COLOURS.get(line.type, 'foreground'))}")
            text.append(line.summary)
        return text
