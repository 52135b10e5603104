"""The pre-trade risk gate: the one door to the broker.

``RiskGate.check`` answers one question per order: may it go out, and if not, why (a
reason code from the registry). Exposure limits are judged on the worst case the open
orders allow: every open order on the order's side may still fill, none on the other side
is counted on, so no sequence of fills can carry a position past a limit the gate approved.

Orders flagged ``reduce_only`` that really reduce are always admitted, in every trading
state and past every limit, rate limit, price band and feed freeze: kill and flatten must
never be blocked. An exposure limit rejects only an order that makes its measure worse, so an order
that moves a book over a lowered limit back towards it is never refused.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hft_tui.model import MarketRules, Order, OrderType, ReasonCode, Side
from hft_tui.risk.settings import RiskSettings
from hft_tui.risk.trading_state import TradingState

# Quantities are floats: a flatten of 0.3 against open exits 0.1 + 0.2 must still count as reducing.
_QTY_REL_TOLERANCE = 1e-9
_FLAT_QTY = 1e-12


@dataclass(frozen=True, slots=True)
class RiskContext:
    """What the gate needs to know about the book at the moment of one check.

    The mappings are the engine's own (not copied): a context is valid for one check only.
    ``positions_qty`` is signed (base units), ``marks`` are mids (None when unknown),
    ``open_orders`` must include orders submitted but not yet acknowledged and exclude
    orders the engine has already asked to cancel. ``frozen`` maps the symbols whose feed is
    not live to the reason code: new exposure there is refused, reducing orders still pass.
    """

    ts_ns: int
    trading_state: TradingState
    positions_qty: Mapping[str, float]
    marks: Mapping[str, float | None]
    equity: float
    open_orders: Sequence[Order]
    rules: Mapping[str, MarketRules]
    frozen: Mapping[str, ReasonCode] = field(default_factory=dict)


def is_reducing(order: Order, position_qty: float, other_reducing_qty: float = 0.0) -> bool:
    """True iff ``order`` can only shrink the position: opposite side, and no larger than the
    position left after ``other_reducing_qty`` of other open orders on that side."""
    if abs(position_qty) < _FLAT_QTY or order.side.sign * position_qty > 0:
        return False
    size = abs(position_qty)
    return 0.0 < order.qty <= size - other_reducing_qty + _QTY_REL_TOLERANCE * size


class RiskGate:
    """Pre-trade checks against ``RiskSettings``; keeps its own order-rate window."""

    __slots__ = ("_settings", "_recent_ts_ns", "_window_ns")

    def __init__(self, settings: RiskSettings) -> None:
        self._settings = settings
        # The limit is hit iff the N-th latest submission is inside the window, so N suffice.
        self._recent_ts_ns: deque[int] = deque(maxlen=settings.max_orders_per_window)
        self._window_ns = int(settings.order_window_s * 1e9)

    @property
    def settings(self) -> RiskSettings:
        return self._settings

    def record_submission(self, ts_ns: int) -> None:
        """Count one order sent to the broker (call it for every submission, reduce-only too)."""
        self._recent_ts_ns.append(ts_ns)

    def rate_limited(self, ts_ns: int) -> bool:
        """True while ``max_orders_per_window`` submissions lie within the window ending at ``ts_ns``."""
        recent = self._recent_ts_ns
        return len(recent) == recent.maxlen and recent[0] > ts_ns - self._window_ns

    def check(self, order: Order, ctx: RiskContext) -> ReasonCode | None:
        """None if ``order`` may go to the broker, else the reason code of the first failed check."""
        if not _well_formed(order):
            return ReasonCode.RISK_INVALID_ORDER
        position_qty = ctx.positions_qty.get(order.symbol, 0.0)
        reducing = is_reducing(order, position_qty, _other_reducing_qty(order, position_qty, ctx.open_orders))
        if order.reduce_only:
            return None if reducing else ReasonCode.REDUCE_ONLY_WOULD_INCREASE
        state = ctx.trading_state
        if state.severity >= TradingState.HALTED.severity or (state is TradingState.REDUCING and not reducing):
            return ReasonCode.RISK_REDUCE_ONLY
        if not reducing and order.symbol in ctx.frozen:
            return ctx.frozen[order.symbol]
        rules = ctx.rules.get(order.symbol)
        if rules is None:
            return ReasonCode.UNKNOWN_SYMBOL
        mark = _valid_price(ctx.marks.get(order.symbol))
        if mark is None:
            return ReasonCode.RISK_NO_PRICE
        if self.rate_limited(ctx.ts_ns):
            return ReasonCode.RISK_RATE_LIMIT
        if _count_open(order, ctx.open_orders) >= self._settings.max_open_orders:
            return ReasonCode.RISK_MAX_OPEN_ORDERS
        if order.type is OrderType.LIMIT:
            assert order.price is not None  # _well_formed guarantees it
            if abs(order.price - mark) / mark * 1e4 > self._settings.price_band_bps:
                return ReasonCode.RISK_PRICE_BAND
            notional = order.qty * order.price
        else:
            notional = order.qty * mark
        if notional < rules.min_notional:
            return ReasonCode.RISK_MIN_NOTIONAL
        return self._exposure_reason(order, ctx, mark, rules.spot)

    def _exposure_reason(self, order: Order, ctx: RiskContext, mark: float, spot: bool) -> ReasonCode | None:
        """Position, concentration, gross and net limits on the worst case of open orders."""
        s = self._settings
        buys: dict[str, float] = {}
        sells: dict[str, float] = {}
        for other in ctx.open_orders:
            if other.is_open and other.client_id != order.client_id:
                side_book = buys if other.side is Side.BUY else sells
                side_book[other.symbol] = side_book.get(other.symbol, 0.0) + other.remaining_qty

        gross_before = gross_after = 0.0
        net_long_before = net_short_before = net_long_after = net_short_after = 0.0
        symbol_before = symbol_after = 0.0
        symbols = {order.symbol, *ctx.positions_qty, *buys, *sells}
        for symbol in symbols:
            position = ctx.positions_qty.get(symbol, 0.0)
            # Every reachable position lies in [short_qty, long_qty] whatever fills or cancels.
            long_qty = position + buys.get(symbol, 0.0)
            short_qty = position - sells.get(symbol, 0.0)
            if symbol == order.symbol:
                price = mark
                long_after, short_after = long_qty, short_qty
                if order.side is Side.BUY:
                    long_after += order.qty
                else:
                    short_after -= order.qty
                if spot and short_after < -_QTY_REL_TOLERANCE * max(abs(position), 1.0):
                    return ReasonCode.SPOT_NO_SHORT
                symbol_before = max(abs(long_qty), abs(short_qty))
                symbol_after = max(abs(long_after), abs(short_after))
            else:
                if abs(long_qty) < _FLAT_QTY and abs(short_qty) < _FLAT_QTY:
                    continue
                known = _valid_price(ctx.marks.get(symbol))
                if known is None:
                    # Gross and net cannot be judged without pricing every exposure.
                    return ReasonCode.RISK_NO_PRICE
                price = known
                long_after, short_after = long_qty, short_qty
            gross_before += max(abs(long_qty), abs(short_qty)) * price
            gross_after += max(abs(long_after), abs(short_after)) * price
            net_long_before += long_qty * price
            net_short_before += short_qty * price
            net_long_after += long_after * price
            net_short_after += short_after * price

        position_reason = _position_limit_reason(s, order.symbol, symbol_before, symbol_after, mark)
        if position_reason is not None:
            return position_reason
        equity = ctx.equity if math.isfinite(ctx.equity) and ctx.equity > 0 else 0.0
        if _worse_beyond(symbol_before * mark, symbol_after * mark, s.max_concentration * equity):
            return ReasonCode.RISK_CONCENTRATION
        if _worse_beyond(gross_before, gross_after, min(s.max_gross_notional, s.max_gross_leverage * equity)):
            return ReasonCode.RISK_MAX_GROSS
        net_before = max(abs(net_long_before), abs(net_short_before))
        net_after = max(abs(net_long_after), abs(net_short_after))
        if _worse_beyond(net_before, net_after, min(s.max_net_notional, s.max_net_leverage * equity)):
            return ReasonCode.RISK_MAX_NET
        return None


def position_limit_reason(settings: RiskSettings, symbol: str, side: Side, position_qty: float,
                          qty: float, mark: float) -> ReasonCode | None:
    """RISK_MAX_POSITION if an order of ``qty`` on ``side`` takes ``symbol`` past its per-symbol
    position limits (base units and notional at ``mark``) as ``RiskGate.check`` judges them,
    the position held (``position_qty``, signed, dust included) counted; else None. For an order
    with no other order open in ``symbol`` (an entry): sizing asks it so that it never proposes
    an entry the gate refuses for its size."""
    before = abs(position_qty)
    after = max(before, abs(position_qty + side.sign * qty))
    return _position_limit_reason(settings, symbol, before, after, mark)


def _position_limit_reason(settings: RiskSettings, symbol: str, before: float, after: float,
                           mark: float) -> ReasonCode | None:
    """The per-symbol limits on the symbol's worst-case absolute position before/after an order."""
    if _worse_beyond(before, after, settings.position_qty_limit(symbol)):
        return ReasonCode.RISK_MAX_POSITION
    if _worse_beyond(before * mark, after * mark, settings.max_position_notional):
        return ReasonCode.RISK_MAX_POSITION
    return None


def _well_formed(order: Order) -> bool:
    if not (math.isfinite(order.qty) and order.qty > 0):
        return False
    if order.price is None:
        return order.type is OrderType.MARKET
    return math.isfinite(order.price) and order.price > 0


def _valid_price(price: float | None) -> float | None:
    return price if price is not None and math.isfinite(price) and price > 0 else None


def _other_reducing_qty(order: Order, position_qty: float, open_orders: Sequence[Order]) -> float:
    """Remaining qty of the other open orders that would also shrink the position."""
    if abs(position_qty) < _FLAT_QTY:
        return 0.0
    reducing_side = Side.SELL if position_qty > 0 else Side.BUY
    total = 0.0
    for other in open_orders:
        if (
            other.symbol == order.symbol
            and other.side is reducing_side
            and other.is_open
            and other.client_id != order.client_id
        ):
            total += other.remaining_qty
    return total


def _count_open(order: Order, open_orders: Sequence[Order]) -> int:
    return sum(1 for other in open_orders if other.is_open and other.client_id != order.client_id)


def _worse_beyond(before: float, after: float, limit: float) -> bool:
    """The order breaches a limit only if it pushes the measure up and past it."""
    return after > limit and after > before
