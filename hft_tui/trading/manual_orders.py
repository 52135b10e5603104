"""Manual trading: the operator's own orders, exits and cancels, through the one risk gate.

The engine journals every command durably before it reaches these functions, as it does for
every operator command, so a replay re-applies them at the same event and decides the same.
A manual entry is a trade of strategy ``manual``: its exits (take-profit and stop-loss where
the operator gave them, the ``[exits]`` defaults elsewhere) are watched by the engine like
any strategy's. ``preview`` answers the order dialog's question before anything is sent:
what the order would cross, cost and risk now, and whether the gate would let it through.
"""

from __future__ import annotations

import math

from hft_tui.trading.commands import (
    MANUAL_STRATEGY,
    CancelOrder,
    CommandResult,
    OrderPreview,
    PlaceOrder,
    SetExits,
)
from hft_tui.trading.core import TradingCore
from hft_tui.trading.trade_lifecycle import PendingEntry
from hft_tui.model import Liquidity, MarketRules, Order, OrderType, Priority, ReasonCode, Side, Signal
from hft_tui.signals.decision import Decision
from hft_tui.signals.exits import ExitRules
from hft_tui.wal.record_types import ExitRulesArmed, OrderRejected

# A quantity or price this close to the grid (in steps) is on it: floats from text fields.
_GRID_SLACK = 1e-9


class Refused(ValueError):
    """An order the operator must fix before it can be sent: one line, and its reason code."""

    def __init__(self, code: ReasonCode, line: str) -> None:
        super().__init__(line)
        self.code = code
        self.line = line


def _on_grid(value: float, step: float) -> bool:
    if step <= 0:
        return True  # no published grid
    steps = value / step
    return abs(steps - round(steps)) <= _GRID_SLACK * max(1.0, abs(steps))


def _floor_to_lots(qty: float, lot: float) -> float:
    return round(math.floor(qty / lot + _GRID_SLACK) * lot, 12) if lot > 0 else qty


def _number(value: float | None, what: str) -> float | None:
    if value is None:
        return None
    if not (math.isfinite(value) and value > 0):
        raise Refused(ReasonCode.RISK_INVALID_ORDER, f"{what} must be a number above 0, not {value:g}")
    return value


def _fmt(value: float) -> str:
    return f"{value:,.8f}".rstrip("0").rstrip(".")


class _Checked:
    """A manual order that passed the dialog's checks, with what it crosses now."""

    __slots__ = ("symbol", "side", "qty", "limit", "rules", "mid", "price", "liquidity", "fee",
                 "fillable_qty", "take_profit", "stop_loss", "adds_to")

    def __init__(self, core: TradingCore, command: PlaceOrder) -> None:
        symbol = command.symbol
        rules = core.rules.get(symbol)
        if rules is None:
            raise Refused(ReasonCode.UNKNOWN_SYMBOL,
                          f"unknown symbol {symbol!r}; this engine trades {', '.join(core.symbols)}")
        try:
            side = Side(command.side)
        except ValueError:
            raise Refused(ReasonCode.RISK_INVALID_ORDER, f"side must be buy or sell, not {command.side!r}") from None
        book = core.books.get(symbol)
        if book is None or book.mid is None:
            raise Refused(ReasonCode.RISK_NO_PRICE, f"no price for {symbol} yet: the order cannot be judged")
        limit = _number(command.price, "limit price")
        if limit is not None and not _on_grid(limit, rules.tick_size):
            raise Refused(ReasonCode.OFF_TICK,
                          f"limit price {_fmt(limit)} is off {symbol}'s {_fmt(rules.tick_size)} tick grid")
        qty = self._qty(command, rules, side, book.mid, limit, core)
        self.symbol, self.side, self.qty, self.limit, self.rules, self.mid = symbol, side, qty, limit, rules, book.mid
        if limit is None:
            estimate = core.fee_models[symbol].estimate_cost(book, side, qty, Liquidity.TAKER)
            assert estimate is not None  # a two-sided book and qty > 0
            self.fillable_qty = estimate.fillable_qty
            self.price = estimate.avg_price if estimate.fillable_qty > 0 else book.mid
            self.liquidity = Liquidity.TAKER
        else:
            self._refuse_fat_finger(core, book.mid, limit)
            touch = (book.asks if side is Side.BUY else book.bids).item(0, 0)
            marketable = limit >= touch if side is Side.BUY else limit <= touch
            self.fillable_qty = None
            self.price = limit
            self.liquidity = Liquidity.TAKER if marketable else Liquidity.MAKER
        self.fee = core.fee_models[symbol].fee(qty * self.price, self.liquidity)
        self.take_profit = _number(command.take_profit, "take-profit")
        self.stop_loss = _number(command.stop_loss, "stop-loss")
        self.adds_to = core.exits.rules(symbol) if core.lots_held(symbol) else None
        if self.adds_to is not None and (self.take_profit is not None or self.stop_loss is not None):
            raise Refused(ReasonCode.RISK_INVALID_ORDER,
                          f"{symbol} already has a position: move its exits instead of giving the order new ones")
        if not command.reduce_only:
            check_exit_levels(side, self.price, self.take_profit, self.stop_loss, "the order's price")

    @staticmethod
    def _qty(command: PlaceOrder, rules: MarketRules, side: Side, mid: float, limit: float | None,
             core: TradingCore) -> float:
        notional = command.notional
        if notional is not None and command.qty:
            raise Refused(ReasonCode.RISK_INVALID_ORDER, "give the size as a quantity or as a notional, not both")
        if notional is not None:
            notional = _number(notional, "notional")
            assert notional is not None
            book = core.books[command.symbol]
            assert book is not None
            reference = limit if limit is not None else (book.asks if side is Side.BUY else book.bids).item(0, 0)
            qty = _floor_to_lots(notional / reference, rules.lot_size)
            if qty <= 0:
                raise Refused(ReasonCode.RISK_MIN_NOTIONAL,
                              f"notional {_fmt(notional)} is less than one lot ({_fmt(rules.lot_size)} "
                              f"{command.symbol} is {_fmt(rules.lot_size * reference)})")
            return qty
        if not (math.isfinite(command.qty) and command.qty > 0):
            raise Refused(ReasonCode.RISK_INVALID_ORDER, "size is 0: give a quantity or a notional above 0")
        if not _on_grid(command.qty, rules.lot_size):
            below = _floor_to_lots(command.qty, rules.lot_size)
            nearest = (f"nearest {_fmt(below)} or {_fmt(below + rules.lot_size)}" if below
                       else "less than one lot")
            raise Refused(ReasonCode.OFF_LOT, f"quantity {_fmt(command.qty)} is off {command.symbol}'s "
                                              f"{_fmt(rules.lot_size)} lot grid ({nearest})")
        if command.qty < rules.min_qty * (1 - _GRID_SLACK):
            raise Refused(ReasonCode.RISK_MIN_NOTIONAL,
                          f"quantity {_fmt(command.qty)} is below {command.symbol}'s minimum {_fmt(rules.min_qty)}")
        return round(command.qty, 12)

    def _refuse_fat_finger(self, core: TradingCore, mid: float, limit: float) -> None:
        band_bps = core.gate.settings.price_band_bps
        away_bps = (limit - mid) / mid * 1e4
        if abs(away_bps) <= band_bps:
            return
        where = "above" if away_bps > 0 else "below"
        crosses = (away_bps > 0) == (self.side is Side.BUY)
        what = "would cross the book that far" if crosses else "would rest that far away"
        raise Refused(ReasonCode.RISK_PRICE_BAND,
                      f"{self.side.value} limit {_fmt(limit)} is {abs(away_bps) / 100:.2f}% {where} the mid "
                      f"{_fmt(round(mid, 8))} and {what}: the band is {band_bps / 100:.2f}% (a fat finger?)")

    def order(self, core: TradingCore, command: PlaceOrder, client_id: str | None = None) -> Order:
        """The order itself: with the session's next client id, or ``client_id`` for a preview."""
        if client_id is None:
            return core.new_order(self.symbol, self.side, self.qty, strategy=MANUAL_STRATEGY,
                                  reduce_only=command.reduce_only, price=self.limit)
        return Order(client_id=client_id, symbol=self.symbol, side=self.side,
                     type=OrderType.MARKET if self.limit is None else OrderType.LIMIT, qty=self.qty,
                     price=self.limit, created_ts_ns=core.clock.now_ns(), strategy=MANUAL_STRATEGY,
                     reduce_only=command.reduce_only)


def check_exit_levels(side: Side, price: float, take_profit: float | None, stop_loss: float | None,
                  against: str) -> None:
    """A long's target is above ``price`` and its stop below; a short's the other way round."""
    long = side is Side.BUY
    position = "long" if long else "short"
    if take_profit is not None and (take_profit <= price if long else take_profit >= price):
        raise Refused(ReasonCode.RISK_INVALID_ORDER,
                      f"take-profit {_fmt(take_profit)} is not {'above' if long else 'below'} {against} "
                      f"{_fmt(round(price, 8))}: a {position}'s target is {'higher' if long else 'lower'}")
    if stop_loss is not None and (stop_loss >= price if long else stop_loss <= price):
        raise Refused(ReasonCode.RISK_INVALID_ORDER,
                      f"stop-loss {_fmt(stop_loss)} is not {'below' if long else 'above'} {against} "
                      f"{_fmt(round(price, 8))}: a {position}'s stop is {'lower' if long else 'higher'}")


def _gate_code(core: TradingCore, order: Order) -> ReasonCode | None:
    return core.gate.check(order, core.risk_context())


def _gate_reason(core: TradingCore, order: Order, code: ReasonCode) -> str:
    """What the gate's ``code`` means for ``order``; for the position limit, the symbol's limits
    and what it holds, so that the operator sees how much would pass."""
    if code is not ReasonCode.RISK_MAX_POSITION:
        return code.description
    risk, rules = core.settings.risk, core.rules[order.symbol]
    base = rules.base or order.symbol.partition("/")[0]  # the simulator's rules name no base
    limits = [f"{_fmt(risk.max_position_notional)} {rules.quote} at the mark"]
    qty_limit = risk.position_qty_limit(order.symbol)
    if math.isfinite(qty_limit):
        limits.insert(0, f"{_fmt(qty_limit)} {base}")
    held = core.portfolio.position(order.symbol).qty
    return f"{order.symbol} allows a position of at most {' and '.join(limits)}; it holds {_fmt(held)} {base}"


def preview(core: TradingCore, command: PlaceOrder) -> CommandResult:
    """What ``command`` would do now (nothing is journaled, nothing changes); ok iff it would pass."""
    try:
        checked = _Checked(core, command)
    except Refused as exc:
        return CommandResult(False, exc.line)
    order = checked.order(core, command, client_id="preview")
    code = _gate_code(core, order)
    reason = _gate_reason(core, order, code) if code is not None else ""
    take_profit, stop_loss = checked.take_profit, checked.stop_loss
    tp_default = sl_default = False
    if checked.adds_to is not None:  # the position's own exits will close the whole of it
        take_profit, stop_loss = checked.adds_to.take_profit, checked.adds_to.stop_loss
    elif not command.reduce_only and (take_profit is None or stop_loss is None):
        rules = ExitRules.for_entry(checked.symbol, checked.side, checked.price, 0, core.settings.exits,
                                    take_profit=take_profit, stop_loss=stop_loss)
        tp_default, sl_default = take_profit is None and rules.take_profit is not None, \
            stop_loss is None and rules.stop_loss is not None
        take_profit, stop_loss = rules.take_profit, rules.stop_loss
    risk = None
    if stop_loss is not None and not command.reduce_only:
        exit_fee = core.fee_models[checked.symbol].fee(checked.qty * stop_loss, Liquidity.TAKER)
        risk = checked.qty * abs(checked.price - stop_loss) + checked.fee + exit_fee
    result = OrderPreview(
        symbol=checked.symbol, side=checked.side.value,
        order_type="market" if checked.limit is None else "limit", qty=checked.qty, price=checked.price,
        mid=checked.mid, notional=checked.qty * checked.price, fee=checked.fee, liquidity=checked.liquidity.value,
        take_profit=None if command.reduce_only else take_profit,
        stop_loss=None if command.reduce_only else stop_loss,
        take_profit_default=tp_default, stop_loss_default=sl_default, risk_to_stop=risk, equity=core.portfolio.equity(),
        gate_code=code.value if code is not None else "", gate_reason=reason,
        trading_state=core.state.state.value, reduce_only=command.reduce_only, fillable_qty=checked.fillable_qty)
    verdict = ("the risk gate would pass it" if code is None
               else f"the risk gate would refuse it: {code.value} ({reason})")
    return CommandResult(code is None, f"{checked.side.value} {_fmt(checked.qty)} {checked.symbol}: {verdict}",
                         preview=result)


def place(core: TradingCore, command: PlaceOrder) -> CommandResult:
    """Send a manual order (its command record is already durable): checked, gated, journaled."""
    try:
        checked = _Checked(core, command)
    except Refused as exc:
        core.wal.write(OrderRejected(code=exc.code.value, symbol=command.symbol, side=command.side,
                                     strategy=MANUAL_STRATEGY, detail=exc.line))
        return CommandResult(False, f"refused: {exc.line}")
    order = checked.order(core, command)
    code = _gate_code(core, order)
    if code is not None:
        core.wal.write(OrderRejected(client_id=order.client_id, code=code.value, symbol=order.symbol,
                                     side=order.side.value, qty=order.qty, strategy=MANUAL_STRATEGY))
        return CommandResult(False, f"rejected by the risk gate: {code.value} ({_gate_reason(core, order, code)})")
    entry = None
    if not command.reduce_only:
        now_ns = core.clock.now_ns()
        signal = Signal(order.symbol, order.side, 1.0, Priority.CRITICAL, (ReasonCode.MANUAL_ENTRY,),
                        MANUAL_STRATEGY, now_ns, now_ns, take_profit=checked.take_profit,
                        stop_loss=checked.stop_loss)
        entry = PendingEntry(signal, Decision(signal, True, (ReasonCode.MANUAL_ENTRY,), 1.0, now_ns))
    core.send(order, ReasonCode.MANUAL_ENTRY.value, entry=entry)
    return CommandResult(True, f"order {order.client_id} sent: {order.side.value} {_fmt(order.qty)} {order.symbol}"
                               f" {'at market' if order.price is None else f'limit {_fmt(order.price)}'}")


def set_exits(core: TradingCore, command: SetExits) -> CommandResult:
    """Move an open position's take-profit and stop-loss, checked against the mark now."""
    symbol = command.symbol
    rules = core.exits.rules(symbol)
    if rules is None:
        return CommandResult(False, f"no open position on {symbol!r} whose exits the engine manages")
    exiting = core.exits.exiting(symbol)
    if exiting is not None:
        return CommandResult(False, f"{symbol} is already closing ({exiting.value}): its exits cannot move")
    book = core.books.get(symbol)
    if book is None or book.mid is None:
        return CommandResult(False, f"no price for {symbol}: the levels cannot be checked against the mark")
    mark = book.mid
    try:
        take_profit = _number(command.take_profit, "take-profit")
        stop_loss = _number(command.stop_loss, "stop-loss")
        check_exit_levels(rules.side, mark, take_profit, stop_loss, "the mark")
    except Refused as exc:
        return CommandResult(False, exc.line)
    amended = core.exits.amend(symbol, take_profit=take_profit, stop_loss=stop_loss)
    core.wal.write(ExitRulesArmed.from_payload(amended.to_record()))
    shown = lambda level: "none" if level is None else _fmt(level)  # noqa: E731
    return CommandResult(True, f"{symbol}: take-profit {shown(take_profit)}, stop-loss {shown(stop_loss)}")


def cancel(core: TradingCore, command: CancelOrder) -> CommandResult:
    """Cancel one working order (the paper broker at once; LIVE through the cancel lane)."""
    order = core.orders.get(command.client_id)
    if order is None or not order.is_open:
        return CommandResult(False, f"no working order {command.client_id!r}")
    core.cancel(order)
    return CommandResult(True, f"cancelling {order.client_id} ({order.side.value} {_fmt(order.qty)} {order.symbol})")
