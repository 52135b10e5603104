"""The newest WAL records, newest at the bottom, coloured by record type, filterable by type;
by default only what an operator acts on (``ACT_ON_TYPES`` in ``wal/record_types``).

The engine hands over a bounded tail with every snapshot, so this pane never reads the
WAL itself and can never block on it.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from hft_tui.session.engine_snapshot import EngineSnapshot, WalLine
from hft_tui.tui.formatting import theme_colour
from hft_tui.wal.record_types import ACT_ON_TYPES, Tone, Topic, tone_of, types_about

# The theme colour of each tone of record (the record types' tones are in wal/record_types).
TONE_COLOURS = {
    Tone.ALARM: "halted",
    Tone.RISK: "reducing",
    Tone.ORDER: "accent",
    Tone.FILL: "bid",
    Tone.SIGNAL: "secondary",
    Tone.OPERATOR: "primary",
    Tone.SESSION: "mode-sim",
    Tone.QUIET: "muted",
}
# (label, record types or None for every type); the first is the default: what an operator
# acts on (routine records such as risk snapshots, signals and sanitizer counts are one ``w``
# away). Then everything, then one per topic: every record type is in at least one.
WAL_FILTERS: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("to act on", ACT_ON_TYPES),
    ("all", None),
    *((topic.value, types_about(topic)) for topic in Topic),
)


def type_colour(record_type: str) -> str:
    """The theme colour a record type is shown in (the foreground for an unknown type)."""
    tone = tone_of(record_type)
    return "foreground" if tone is None else TONE_COLOURS[tone]


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
            text.append(f"{line.type:<13} ", style=f"bold {theme_colour(self, type_colour(line.type))}")
            text.append(line.summary)
        return text
