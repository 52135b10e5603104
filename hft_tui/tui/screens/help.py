"""Every key (as currently mapped), the panes and what the states mean."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from hft_tui.tui.bindings import KeyRow

STATES_TEXT = """\
● ACTIVE    trading normally
▼ REDUCING  a risk budget passed its soft limit: only orders that reduce exposure; ends by itself
■ HALTED    kill switch, daily loss or drawdown limit: nothing but cancels and exits, until a reset
Feed (header: the worst traded symbol, age of the oldest book): ● LIVE · … CONNECTING ·
  ↻ RESYNCING · ◌ STALE · ⊘ REJECTING (every book refused; the code says why). New entries
  on a symbol that is not live are frozen; exits and the kill still work. ✉ N: unread notices (n).
◇ SIM built-in market · ◆ PAPER real data, simulated fills · ▲▲ LIVE ▲▲ real orders
PnL and sides always carry a sign or arrow: + ▲ up / long / buy, - ▼ down / short / sell."""


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 100; max-width: 98%; height: auto; max-height: 96%; padding: 0 1;
        border: thick $primary; background: $surface;
    }
    """
    BINDINGS = [Binding("escape,q,f1,question_mark", "close", "Close")]

    def __init__(self, keys: list[KeyRow], session: str) -> None:
        """``keys``: one row per action; ``session``: mode and exchange."""
        super().__init__()
        self._keys = keys
        self._session = session

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("action", no_wrap=True)
        table.add_column("binding id", style="italic", no_wrap=True)
        table.add_column("detail", style="dim", ratio=1)
        table.add_row(Text("key", style="underline"), Text("action", style="underline"),
                      Text("id ([ui.keymap])", style="underline"), "")
        for row in self._keys:
            table.add_row(row.keys, row.name, row.ids, row.detail)
        with VerticalScroll() as box:
            box.border_title = "Help"
            box.border_subtitle = "esc: close"
            yield Static(Text(self._session, style="bold"))
            yield Static(table)
            yield Static(Text(STATES_TEXT))

    def action_close(self) -> None:
        self.dismiss(None)
