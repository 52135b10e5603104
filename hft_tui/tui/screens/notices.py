"""The operator's notices: broker warnings, reconcile differences, recoveries, kills, feed and
risk changes, newest first, kept until acknowledged (across restarts: the journal has them).
``a`` acknowledges every one shown; the view follows the engine while it is open."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from hft_tui.model import Notice
from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.tui.formatting import clock_hms

# How often an open notices view looks at the latest snapshot (it redraws only on a change).
FOLLOW_S = 0.25


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
    """Dismissed with the seq to acknowledge up to (``a``), or None (esc). Follows the engine
    while open: a notice that arrives, or an acknowledgement from another workstation, shows."""

    DEFAULT_CSS = """
    NoticesScreen { align: center middle; }
    NoticesScreen > VerticalScroll {
        width: 110; max-width: 98%; height: auto; max-height: 90%; padding: 0 1;
        border: thick $warning; background: $surface;
    }
    """
    BINDINGS = [Binding("escape,q,n", "close", "Close"), Binding("a", "acknowledge", "Acknowledge all")]

    def __init__(self, snapshot: Callable[[], EngineSnapshot]) -> None:
        super().__init__()
        self._snapshot = snapshot
        self._shown: tuple[tuple[Notice, ...], int, int] | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_subtitle = "a: acknowledge all · esc: close"
            yield Static(id="notices-list")
            yield Static(id="notices-evicted")

    def on_mount(self) -> None:
        self.follow()
        self.set_interval(FOLLOW_S, self.follow)

    def follow(self) -> None:
        """Show the engine's notices as the latest snapshot has them, if they changed."""
        snapshot = self._snapshot()
        shown = (snapshot.notices, snapshot.notices_unread, snapshot.notices_evicted)
        if shown == self._shown:
            return
        self._shown = shown
        notices, unread, evicted = shown
        self.query_one(VerticalScroll).border_title = f"Notices — {unread} unread"
        self.query_one("#notices-list", Static).update(
            notices_table(notices) if notices else Text("No notices: nothing for the operator yet.", style="dim"))
        only_in_wal = self.query_one("#notices-evicted", Static)
        only_in_wal.display = bool(evicted)
        only_in_wal.update(Text(f"{evicted} older unread notice(s) are only in the WAL "
                                "(hft-tui wal tail, or the WAL pane's notices filter).", style="bold"))

    @property
    def notices(self) -> tuple[Notice, ...]:
        """What the view shows now."""
        return self._shown[0] if self._shown is not None else ()

    def action_acknowledge(self) -> None:
        self.dismiss(max((n.seq for n in self.notices), default=0) or None)

    def action_close(self) -> None:
        self.dismiss(None)
