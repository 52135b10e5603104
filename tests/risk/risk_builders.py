"""Small builders for risk tests: orders, market rules and gate contexts with sane defaults."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from hft_tui.model import MarketRules, Order, OrderType, Side
from hft_tui.risk.drb_state import DrbState
from hft_tui.risk.risk_gate import RiskContext
from hft_tui.risk.trading_state import TradingState, TradingStateMachine

BTC = "BTC/USDT"
ETH = "ETH/USDT"
T0_NS = 1_767_225_600 * 1_000_000_000  # 2026-01-01T00:00:00Z
SECOND_NS = 1_000_000_000

_ids = itertools.count(1)


def order(
    side: Side,
    qty: float,
    *,
    symbol: str = BTC,
    price: float | None = None,
    reduce_only: bool = False,
    filled_qty: float = 0.0,
) -> Order:
    """A market order, or a limit order when ``price`` is given."""
    kind = OrderType.MARKET if price is None else OrderType.LIMIT
    return Order(
        client_id=f"o{next(_ids)}",
        symbol=symbol,
        side=side,
        type=kind,
        qty=qty,
        price=price,
        created_ts_ns=T0_NS,
        reduce_only=reduce_only,
        filled_qty=filled_qty,
    )


def rules(symbol: str = BTC, *, min_notional: float = 5.0, spot: bool = False) -> MarketRules:
    return MarketRules(symbol=symbol, tick_size=0.1, lot_size=0.0001, min_notional=min_notional, spot=spot)


def context(
    *,
    state: TradingState = TradingState.ACTIVE,
    positions: Mapping[str, float] | None = None,
    marks: Mapping[str, float | None] | None = None,
    equity: float = 100_000.0,
    open_orders: Sequence[Order] = (),
    market_rules: Mapping[str, MarketRules] | None = None,
    ts_ns: int = T0_NS,
) -> RiskContext:
    """A gate context: BTC at 100 and ETH at 10 unless told otherwise."""
    return RiskContext(
        ts_ns=ts_ns,
        trading_state=state,
        positions_qty=dict(positions or {}),
        marks=dict(marks if marks is not None else {BTC: 100.0, ETH: 10.0}),
        equity=equity,
        open_orders=list(open_orders),
        rules=dict(market_rules if market_rules is not None else {BTC: rules(BTC), ETH: rules(ETH)}),
    )


def follow(machine: TradingStateMachine, drb: DrbState | None, ts_ns: int) -> None:
    """What the engine does with every published guard state: forward its verdict."""
    if drb is not None:
        machine.transition(drb.desired_state, drb.reason, ts_ns)
