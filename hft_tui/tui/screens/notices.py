"""The operator's notices: broker warnings, reconcile differences, recoveries, kills, feed and
risk changes, newest first, kept until acknowledged. ``a`` acknowledges every one shown."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from hft_tui.model import Notice
from hft_tui.tui.formatting import clock_hms


def notices_table(notices: tuple[Notice, ...]) -> Table:
    """Newest first: unread ones marked ``●`` and bold, read ones dim."""
    table = Table(box=None, show_header=True, padding=(0, 1), expand=True, header_style="bold")
    table.add_column(" ", no_wrap=True, width=1)
    table.add_column("time", no_wrap=True)
    table.add_column("from", no_wrap=True)
    table.add_column("notice", ratio=1, overflow="fold")
    for notice in sorted(notices, key=lambda n: n.seq, reverse=True):
        style = "dim" if notice.acknowledged else "bold"
        times = f" ×{notice.count} (last {clock_hms(notice.last_ts_ns)})" if notice.count > 1 else ""
        table.add_row(Text(" " if notice.acknowledged else "●", style=style), clock_hms(notice.ts_ns),
                      notice.source, Text(notice.text + times, style=style))
    return table


class NoticesScreen(ModalScreen[int | None]):
    """Dismissed with the seq to acknowledge up to (``a``), or None (esc)."""

    DEFAULT_CSS = """
    NoticesScreen { align: center middle; }
    NoticesScreen > VerticalScroll {
        width: 110; max-width: 98%; height: auto; max-height: 90%; padding: 0 1;
        border: thick $warning; background: $surface;
    }
    """
    BINDINGS = [Binding("escape,q,n", "close", "Close"), Binding("a", "acknowledge", "Acknowledge all")]

    def __init__(self, notices: tuple[Notice, ...], unacknowledged: int, evicted: int) -> None:
        super().__init__()
        self._notices = notices
        self._unacknowledged = unacknowledged
        self._evicted = evicted

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = f"Notices — {self._unacknowledged} unread"
            box.border_subtitle = "a: acknowledge all · esc: close"
            if not self._notices:
                yield Static(Text("No notices: nothing for the operator yet.", style="dim"))
                return
            yield Static(notices_table(self._notices))
            if self._evicted:
                yield Static(Text(f"{self._evicted} older unread notice(s) are only in the WAL "
                                  "(hft-tui wal tail, or the WAL pane's notices filter).", style="bold"))

    def action_acknowledge(self) -> None:
        self.dismiss(max((n.seq for n in self._notices), default=0) or None)

    def action_close(self) -> None:
        self.dismiss(None)
