"""Open positions (marked to mid, PnL, TP/SL, age), working orders, and the account totals."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical

from hft_tui.session.engine_snapshot import AccountView, EngineSnapshot, OrderView, PositionView
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
from hft_tui.tui.panes.fitted_table import FittedTable
from hft_tui.tui.panes.table_rows import Row, selected_key

POSITION_COLUMNS = (("symbol", 8), ("side", 7), ("uPnL", 10), ("qty", 7), ("entry", 10), ("mark", 10),
                    ("rPnL", 11), ("TP / SL", 19), ("age", 6))
ORDER_COLUMNS = (("symbol", 9), ("side", 7), ("filled/qty", 10), ("price", 10), ("state", 9),
                 ("type", 8), ("order", 10), ("age", 6))


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
        self._positions: dict[str, PositionView] = {}
        self._orders: dict[str, OrderView] = {}
        self.border_title = "4 Positions & orders"

    def compose(self) -> ComposeResult:
        yield FittedTable(POSITION_COLUMNS, id="position-rows")
        yield FittedTable(ORDER_COLUMNS, id="order-rows", classes="-empty")

    @property
    def position_table(self) -> FittedTable:
        return self.query_one("#position-rows", FittedTable)

    def show(self, snapshot: EngineSnapshot, symbol: str) -> None:
        """Take positions, orders and the account; ages count whole seconds."""
        second = snapshot.ts_ns // NS_PER_S
        key = (snapshot.positions, snapshot.orders, snapshot.account,
               second if snapshot.positions or snapshot.orders else 0)
        if key == self._key:
            return
        self._key = key
        self._positions = {p.symbol: p for p in snapshot.positions}
        self._orders = {o.client_id: o for o in snapshot.orders}
        now_ns = snapshot.ts_ns
        self.position_table.set_rows([self._position_row(p, now_ns) for p in snapshot.positions])
        orders = self.query_one("#order-rows", FittedTable)
        orders.set_class(not snapshot.orders, "-empty")
        orders.set_rows([self._order_row(o, now_ns) for o in snapshot.orders])
        held = f"{sum(not p.dust for p in snapshot.positions)} pos · {len(snapshot.orders)} ord"
        self.border_title = f"4 Positions & orders ({held})"
        self.border_subtitle = account_line(snapshot.account)

    def redraw(self) -> None:
        self._key = None

    def selected_position(self) -> PositionView | None:
        """The position under the cursor (the first one until the operator moves)."""
        key = selected_key(self.position_table)
        return None if key is None else self._positions.get(key)

    def selected_order(self) -> OrderView | None:
        """The working order under the cursor of the orders table (the first until moved)."""
        key = selected_key(self.query_one("#order-rows", FittedTable))
        return None if key is None else self._orders.get(key)

    def _position_row(self, position: PositionView, now_ns: int) -> Row:
        targets = f"{_price(position.take_profit)} / {_price(position.stop_loss)}"
        return (position.symbol, [
            Text(position.symbol, style="bold"),
            Text("dust", style=theme_colour(self, "muted")) if position.dust else side_text(self, position.side),
            pnl_text(self, position.unrealized_pnl),
            f"{position.qty:.3g} {position.symbol.split('/')[0]}" if position.dust else f"{position.qty:.4g}",
            _price(position.entry_price),
            _price(position.mark_price),
            pnl_text(self, position.realized_pnl),
            targets,
            age((now_ns - position.opened_ts_ns) / NS_PER_S),
        ])

    def _order_row(self, order: OrderView, now_ns: int) -> Row:
        reduce = " RO" if order.reduce_only else ""
        return (order.client_id, [
            order.symbol,
            side_text(self, order.side),
            f"{order.filled_qty:.4g}/{order.qty:.4g}",
            _price(order.price),
            order.status,
            order.type + reduce,
            Text(order.client_id[-10:], style=theme_colour(self, "muted")),
            age((now_ns - order.created_ts_ns) / NS_PER_S),
        ])
