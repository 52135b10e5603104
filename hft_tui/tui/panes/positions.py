"""Open positions (marked to mid, PnL, TP/SL, age), working orders, and the account totals."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable

from hft_tui.snapshot import AccountView, EngineSnapshot, OrderView, PositionView
from hft_tui.tui.formatting import (
    NS_PER_S,
    age,
    money,
    pnl_text,
    price_decimals,
    side_text,
    signed,
    theme_colour,
)
from hft_tui.tui.panes.table_rows import Row, replace_rows


def _price(value: float | None) -> str:
    return "—" if value is None else f"{value:,.{price_decimals(value)}f}"


def account_line(account: AccountView | None) -> str:
    """The totals line: equity, unrealised, realised, fees (signs spelled out)."""
    if account is None:
        return "no account yet"
    return (f"eq {money(account.equity)} · uPnL {signed(account.unrealized_pnl)}"
            f" · rPnL {signed(account.realized_pnl)} · fees {money(account.fees_paid)}")


class PositionsPane(Vertical, can_focus=False):
    """Two tables (positions, orders); rebuilt when they change or a shown age ticks over."""

    DEFAULT_CSS = """
    PositionsPane { height: 1fr; }
    PositionsPane > #position-rows { height: auto; max-height: 70%; }
    PositionsPane > #order-rows { height: 1fr; }
    PositionsPane > #order-rows.-empty { display: none; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._key: tuple[object, ...] | None = None
        self.border_title = "4 Positions & orders"

    def compose(self) -> ComposeResult:
        yield DataTable(id="position-rows", cursor_type="row")
        yield DataTable(id="order-rows", cursor_type="row", classes="-empty")

    def on_mount(self) -> None:
        self.query_one("#position-rows", DataTable).add_columns(
            "symbol", "side", "qty", "entry", "mark", "uPnL", "rPnL", "TP / SL", "age")
        self.query_one("#order-rows", DataTable).add_columns(
            "order", "symbol", "side", "type", "filled/qty", "price", "state", "age")

    @property
    def position_table(self) -> DataTable:
        return self.query_one("#position-rows", DataTable)

    def show(self, snapshot: EngineSnapshot, symbol: str) -> None:
        """Take positions, orders and the account; ages count whole seconds."""
        second = snapshot.ts_ns // NS_PER_S
        key = (snapshot.positions, snapshot.orders, snapshot.account,
               second if snapshot.positions or snapshot.orders else 0)
        if key == self._key:
            return
        self._key = key
        now_ns = snapshot.ts_ns
        replace_rows(self.position_table, [self._position_row(p, now_ns) for p in snapshot.positions]
                     or [("none", [Text("no open positions", style=theme_colour(self, "muted"))]
                          + [""] * 8)])
        orders = self.query_one("#order-rows", DataTable)
        orders.set_class(not snapshot.orders, "-empty")
        replace_rows(orders, [self._order_row(o, now_ns) for o in snapshot.orders])
        self.border_subtitle = account_line(snapshot.account)

    def redraw(self) -> None:
        self._key = None

    def _position_row(self, position: PositionView, now_ns: int) -> Row:
        targets = f"{_price(position.take_profit)} / {_price(position.stop_loss)}"
        return (position.symbol, [
            Text(position.symbol, style="bold"),
            side_text(self, position.side),
            f"{position.qty:.4g}",
            _price(position.entry_price),
            _price(position.mark_price),
            pnl_text(self, position.unrealized_pnl),
            pnl_text(self, position.realized_pnl),
            targets,
            age((now_ns - position.opened_ts_ns) / NS_PER_S),
        ])

    def _order_row(self, order: OrderView, now_ns: int) -> Row:
        reduce = " RO" if order.reduce_only else ""
        return (order.client_id, [
            Text(order.client_id[-10:], style=theme_colour(self, "muted")),
            order.symbol,
            side_text(self, order.side),
            order.type + reduce,
            f"{order.filled_qty:.4g}/{order.qty:.4g}",
            _price(order.price),
            order.status,
            age((now_ns - order.created_ts_ns) / NS_PER_S),
        ])
