"""Properties of the risk gate over random sequences of orders, fills, cancels and price moves."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from hypothesis import given, settings
from hypothesis import strategies as st
from risk_builders import BTC, ETH, SECOND_NS, T0_NS, context, order

from hft_tui.model import Order, OrderStatus, Side
from hft_tui.risk.risk_gate import RiskGate
from hft_tui.risk.settings import RiskSettings
from hft_tui.risk.trading_state import TradingState

SETTINGS = RiskSettings(
    max_position_qty={BTC: 3.0},
    default_max_position_qty=40.0,
    max_position_notional=400.0,
    max_gross_notional=600.0,
    max_net_notional=450.0,
    max_concentration=0.5,
    max_open_orders=6,
    max_orders_per_window=50,
    price_band_bps=200.0,
)
EQUITY = 1_000.0
SLACK = 1e-9
QTY = st.integers(1, 300).map(lambda n: n / 100)

submit = st.tuples(
    st.just("submit"), st.sampled_from([BTC, ETH]), st.sampled_from(list(Side)), QTY,
    st.one_of(st.none(), st.integers(-250, 250)), st.booleans(),
)
fill = st.tuples(st.just("fill"), st.integers(0, 20), st.sampled_from([0.5, 1.0]))
cancel = st.tuples(st.just("cancel"), st.integers(0, 20))
move = st.tuples(st.just("move"), st.sampled_from([BTC, ETH]), st.integers(-30, 30))
set_state = st.tuples(st.just("state"), st.sampled_from(list(TradingState)))
actions = st.lists(st.one_of(submit, submit, fill, fill, cancel, move, set_state), max_size=60)


@dataclass
class Book:
    """A minimal exchange and portfolio: positions, resting orders, marks, time."""

    gate: RiskGate = field(default_factory=lambda: RiskGate(SETTINGS))
    state: TradingState = TradingState.ACTIVE
    positions: dict[str, float] = field(default_factory=lambda: {BTC: 0.0, ETH: 0.0})
    marks: dict[str, float] = field(default_factory=lambda: {BTC: 100.0, ETH: 10.0})
    open_orders: list[Order] = field(default_factory=list)
    ts_ns: int = T0_NS

    def ctx(self):  # noqa: ANN201 - RiskContext
        return context(
            state=self.state, positions=self.positions, marks=self.marks, equity=EQUITY,
            open_orders=self.open_orders, ts_ns=self.ts_ns,
        )

    def reachable(self, symbol: str, extra: Order | None = None) -> tuple[float, float]:
        """Lowest and highest position any subset of fills of the open orders (and ``extra``) can reach."""
        pos = self.positions[symbol]
        low = high = pos
        for o in [*self.open_orders, *([extra] if extra else [])]:
            if o.symbol == symbol:
                if o.side is Side.BUY:
                    high += o.remaining_qty
                else:
                    low -= o.remaining_qty
        return low, high

    def worst_abs(self, symbol: str, extra: Order | None = None) -> float:
        low, high = self.reachable(symbol, extra)
        return max(abs(low), abs(high))

    def gross(self, extra: Order | None = None) -> float:
        return sum(self.worst_abs(s, extra) * self.marks[s] for s in self.positions)

    def fill(self, index: int, fraction: float) -> None:
        if not self.open_orders:
            return
        o = self.open_orders[index % len(self.open_orders)]
        qty = o.remaining_qty * fraction
        self.positions[o.symbol] += o.side.sign * qty
        done = replace(o, filled_qty=o.filled_qty + qty, status=OrderStatus.PARTIALLY_FILLED)
        self.open_orders.remove(o)
        if done.remaining_qty > 1e-12:
            self.open_orders.append(done)


def run(book: Book, steps: list[tuple], on_accept) -> None:  # noqa: ANN001 - callback
    for step in steps:
        book.ts_ns += SECOND_NS // 3
        kind = step[0]
        if kind == "submit":
            _, symbol, side, qty, offset_bps, reduce_only = step
            price = None if offset_bps is None else book.marks[symbol] * (1 + offset_bps / 1e4)
            new = order(side, qty, symbol=symbol, price=price, reduce_only=reduce_only)
            if book.gate.check(new, book.ctx()) is None:
                on_accept(book, new)
                book.gate.record_submission(book.ts_ns)
                book.open_orders.append(new)
        elif kind == "fill":
            book.fill(step[1], step[2])
        elif kind == "cancel" and book.open_orders:
            book.open_orders.pop(step[1] % len(book.open_orders))
        elif kind == "move":
            book.marks[step[1]] *= 1 + step[2] / 100
        elif kind == "state":
            book.state = step[1]


@settings(max_examples=300)
@given(actions)
def test_no_sequence_carries_a_position_past_its_quantity_limit(steps: list[tuple]) -> None:
    book = Book()

    def accepted(b: Book, new: Order) -> None:
        for symbol in b.positions:
            low, high = b.reachable(symbol, new)
            assert max(abs(low), abs(high)) <= SETTINGS.position_qty_limit(symbol) + SLACK

    run(book, steps, accepted)
    for symbol, qty in book.positions.items():
        assert abs(qty) <= SETTINGS.position_qty_limit(symbol) + SLACK


@settings(max_examples=300)
@given(actions)
def test_an_accepted_order_never_pushes_notional_exposure_up_past_a_limit(steps: list[tuple]) -> None:
    def accepted(b: Book, new: Order) -> None:
        mark = b.marks[new.symbol]
        before, after = b.worst_abs(new.symbol) * mark, b.worst_abs(new.symbol, new) * mark
        assert after <= max(before, SETTINGS.max_position_notional) + SLACK
        assert after <= max(before, SETTINGS.max_concentration * EQUITY) + SLACK
        assert b.gross(new) <= max(b.gross(), SETTINGS.max_gross_notional) + SLACK

    run(Book(), steps, accepted)


@settings(max_examples=300)
@given(actions)
def test_nothing_that_adds_exposure_passes_while_reducing_or_halted(steps: list[tuple]) -> None:
    def accepted(b: Book, new: Order) -> None:
        if b.state is TradingState.ACTIVE:
            return
        if b.state is TradingState.HALTED:
            assert new.reduce_only
        position = b.positions[new.symbol]
        assert position != 0 and new.side.sign * position < 0
        # Even if every open order fills, the position can only shrink towards zero.
        low, high = b.reachable(new.symbol, new)
        if position > 0:
            assert low >= -SLACK
        else:
            assert high <= SLACK
        assert b.worst_abs(new.symbol, new) <= b.worst_abs(new.symbol) + SLACK

    run(Book(), steps, accepted)


@settings(max_examples=200)
@given(actions, st.sampled_from(list(TradingState)), st.booleans())
def test_a_flatten_always_passes_whatever_came_before(
    steps: list[tuple], state: TradingState, price_gone: bool
) -> None:
    book = Book()
    run(book, steps, lambda b, o: None)
    book.state = state
    if price_gone:
        book.marks[BTC] = float("nan")
    # A kill cancels the resting orders first, then flattens each position.
    book.open_orders.clear()
    for symbol, qty in book.positions.items():
        if abs(qty) > 1e-12:
            flatten = order(Side.SELL if qty > 0 else Side.BUY, abs(qty), symbol=symbol, reduce_only=True)
            assert book.gate.check(flatten, book.ctx()) is None


@settings(max_examples=300)
@given(
    st.integers(-500, 500).filter(bool).map(lambda n: n / 100),
    st.lists(QTY, max_size=4),
    QTY,
    st.sampled_from([TradingState.REDUCING, TradingState.HALTED]),
)
def test_an_exit_passes_a_reduce_only_state_iff_the_other_exits_leave_room_for_it(
    position: float, resting_qtys: list[float], qty: float, state: TradingState
) -> None:
    exit_side = Side.SELL if position > 0 else Side.BUY
    resting = [order(exit_side, q, price=100.0) for q in resting_qtys]
    ctx = context(state=state, positions={BTC: position}, open_orders=resting)
    room = abs(position) - sum(resting_qtys)
    accepted = RiskGate(SETTINGS).check(order(exit_side, qty, reduce_only=True), ctx) is None
    if qty <= room - 1e-9:
        assert accepted
    elif qty > room + 1e-9:
        assert not accepted
