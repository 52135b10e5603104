"""The newest WAL records, newest at the bottom, coloured by record type."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from hft_tui.snapshot import WalLine

TYPE_COLOURS = {
    "session_start": "mode-sim",
    "session_stop": "mode-sim",
    "kill": "halted",
    "risk": "reducing",
    "order": "accent",
    "fill": "bid",
    "signal": "secondary",
    "decision": "secondary",
    "param": "primary",
    "pause": "primary",
    "feed": "muted",
    "error": "halted",
}


class WalTailPane(Widget):
    """Redraws only when the WAL has new records."""

    DEFAULT_CSS = """
    WalTailPane { height: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: tuple[WalLine, ...] = ()
        self._last_seq = -1
        self.border_title = "WAL"

    def show(self, lines: tuple[WalLine, ...], wal_seq: int) -> None:
        if wal_seq == self._last_seq:
            return
        self._lines, self._last_seq = lines, wal_seq
        self.refresh()

    def _colour(self, record_type: str) -> str:
        name = TYPE_COLOURS.get(record_type, "foreground")
        theme = self.app.current_theme
        return theme.variables.get(name) or getattr(theme, name, None) or "white"

    def render(self) -> Text:
        height = max(self.content_size.height, 1)
        text = Text(no_wrap=True, overflow="ellipsis")
        for line in self._lines[-height:]:
            text.append(f"{line.seq:>6} ", style="dim")
            text.append(f"{line.ts[11:19]} ", style="dim")
            text.append(f"{line.type:<13} ", style=f"bold {self._colour(line.type)}")
            text.append(line.summary + "\n")
        text.rstrip()
        return text
