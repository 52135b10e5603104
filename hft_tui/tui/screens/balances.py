"""Balances. LIVE: free, locked and total per asset as the exchange last reported them (the
account reads of ``session/live_account.py``), what of each is held outside the engine (never
flattened), and when it was read. SIM and PAPER have no exchange account: the screen says so
and shows the paper account the engine keeps instead."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from hft_tui.clock import iso_utc
from hft_tui.session.engine_snapshot import BalancesView, EngineSnapshot
from hft_tui.tui.formatting import age_text, money, signed

REDRAW_S = 1.0


def _qty(value: float) -> str:
    return f"{value:,.8f}".rstrip("0").rstrip(".") if value else "0"


def exchange_balances(balances: BalancesView, now_ns: int) -> RenderableType:
    """One row per asset: free, locked, total, and what of it is held outside the engine."""
    table = Table(box=None, padding=(0, 1), expand=True, header_style="bold")
    table.add_column("asset", no_wrap=True)
    for label in ("free", "locked", "total", "outside the engine"):
        table.add_column(label, justify="right", no_wrap=True)
    for row in balances.assets:
        outside = Text(_qty(row.external) + " (never flattened)", style="yellow") if row.external else Text("-", style="dim")
        table.add_row(row.asset, _qty(row.free), _qty(row.locked), _qty(row.total), outside)
    when = Text(f"as the exchange reported them at {iso_utc(balances.read_ts_ns)[11:19]} UTC "
                f"({age_text(now_ns - balances.read_ts_ns)} ago), by its balance stream or a REST read",
                style="dim")
    return Group(when, table)


def paper_account(snapshot: EngineSnapshot) -> RenderableType:
    """What SIM and PAPER have instead of exchange balances: the engine's own paper account."""
    intro = Text(f"{snapshot.mode}: no exchange account is read in this mode. The paper account the engine "
                 "keeps (fills simulated against the book, fees from the fee model):", style="bold")
    account = snapshot.account
    if account is None:
        return Group(intro, Text("no account yet", style="dim"))
    table = Table(box=None, padding=(0, 1), show_header=False)
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    for label, value in (("equity", money(account.equity)), ("initial equity", money(account.initial_equity)),
                         ("realised PnL (net)", signed(account.realized_pnl)),
                         ("unrealised PnL", signed(account.unrealized_pnl)), ("fees paid", money(account.fees_paid)),
                         ("gross exposure", money(account.gross_exposure)),
                         ("net exposure", signed(account.net_exposure))):
        table.add_row(label, value)
    return Group(intro, table)


class BalancesScreen(ModalScreen[None]):
    """Redrawn from the newest snapshot every second while open."""

    DEFAULT_CSS = """
    BalancesScreen { align: center middle; }
    BalancesScreen > Vertical { width: 100%; height: 100%; border: round $accent; background: $surface; }
    BalancesScreen Static { padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,b", "close", "Close")]

    def __init__(self, snapshot: Callable[[], EngineSnapshot], now_ns: Callable[[], int]) -> None:
        super().__init__()
        self._snapshot = snapshot
        self._now_ns = now_ns

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_subtitle = "esc close"
            yield Static(id="balances-body")

    def on_mount(self) -> None:
        self.show()
        self.set_interval(REDRAW_S, self.show)

    def show(self) -> None:
        snapshot = self._snapshot()
        box = self.query_one(Vertical)
        if snapshot.mode.upper() != "LIVE":
            box.border_title = f"Balances — {snapshot.mode}: the paper account"
            body: RenderableType = paper_account(snapshot)
        elif snapshot.balances is None:
            box.border_title = f"Balances — LIVE on {snapshot.exchange}"
            body = Text("The account has not been read yet (it is read once reconciliation is done).", style="bold")
        else:
            box.border_title = f"Balances — LIVE on {snapshot.exchange}"
            body = exchange_balances(snapshot.balances, self._now_ns())
        self.query_one("#balances-body", Static).update(body)

    def action_close(self) -> None:
        self.dismiss(None)
