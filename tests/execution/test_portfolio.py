"""Portfolio PnL, exposure, day PnL and high-water mark against hand-computed numbers."""

from __future__ import annotations

import pytest

from hft_tui.execution.portfolio import Portfolio
from hft_tui.model import Fill, Liquidity, Side

T0 = 1_700_000_000_000_000_000


def fill(symbol: str, side: Side, qty: float, price: float, fee: float = 0.0, ts_ns: int = T0) -> Fill:
    return Fill("c", symbol, side, qty, price, fee, Liquidity.TAKER, ts_ns)


def test_round_trip_realises_pnl_net_of_fees() -> None:
    book = Portfolio(10_000.0)
    book.on_fill(fill("BTC", Side.BUY, 2.0, 100.0, fee=0.1))
    book.on_fill(fill("BTC", Side.SELL, 2.0, 105.0, fee=0.1))
    # +10 price PnL - 0.2 fees
    assert book.realized_pnl() == pytest.approx(9.8)
    assert book.equity() == pytest.approx(10_009.8)
    assert book.positions() == {}
    assert book.snapshot().fees_paid == pytest.approx(0.2)


def test_unrealised_pnl_follows_the_marks_long_and_short() -> None:
    book = Portfolio(1_000.0)
    book.on_fill(fill("BTC", Side.BUY, 1.0, 100.0))
    book.on_fill(fill("ETH", Side.SELL, 10.0, 20.0))
    book.mark("BTC", 110.0)
    book.mark("ETH", 19.0)
    assert book.unrealized_pnl() == pytest.approx(10.0 + 10.0)
    assert book.equity() == pytest.approx(1_020.0)
    assert book.notional("ETH") == pytest.approx(-190.0)
    assert book.gross_exposure() == pytest.approx(110.0 + 190.0)
    assert book.net_exposure() == pytest.approx(110.0 - 190.0)


def test_a_position_is_marked_at_its_fill_until_a_book_marks_it() -> None:
    book = Portfolio(1_000.0)
    book.on_fill(fill("BTC", Side.BUY, 1.0, 100.0))
    assert book.unrealized_pnl() == 0.0
    assert book.notional("BTC") == pytest.approx(100.0)


def test_day_pnl_counts_from_the_day_start() -> None:
    book = Portfolio(1_000.0)
    book.on_fill(fill("BTC", Side.BUY, 1.0, 100.0))
    book.mark("BTC", 105.0)
    assert book.day_pnl() == pytest.approx(5.0)
    book.reset_day(T0 + 1)
    book.mark("BTC", 103.0)
    assert book.day_pnl() == pytest.approx(-2.0)
    snap = book.snapshot()
    assert snap.day_pnl == pytest.approx(-2.0)
    assert snap.day_start_ts_ns == T0 + 1


def test_high_water_mark_and_drawdown() -> None:
    book = Portfolio(1_000.0)
    book.on_fill(fill("BTC", Side.BUY, 1.0, 100.0))
    book.mark("BTC", 150.0)
    book.mark("BTC", 120.0)
    snap = book.snapshot()
    assert snap.high_water_mark == pytest.approx(1_050.0)
    assert snap.equity == pytest.approx(1_020.0)
    assert snap.drawdown_pct == pytest.approx(30.0 / 1_050.0 * 100.0)


def test_snapshot_is_a_frozen_copy() -> None:
    book = Portfolio(1_000.0)
    book.on_fill(fill("BTC", Side.BUY, 1.0, 100.0))
    snap = book.snapshot()
    book.mark("BTC", 200.0)
    assert snap.unrealized_pnl == 0.0
    assert snap.notional_by_symbol == {"BTC": 100.0}
    assert [p.symbol for p in snap.positions] == ["BTC"]
    with pytest.raises(TypeError):
        snap.notional_by_symbol["BTC"] = 0.0  # type: ignore[index]


def test_equity_sums_the_open_positions_in_first_traded_order_to_the_bit() -> None:
    # Equity is summed over the open positions only (every book asks for it), in the order the
    # symbols first traded, as the sum over every position was: a reopened symbol keeps its place.
    book = Portfolio(10_000.0)
    for symbol, price in (("A", 0.1), ("B", 3e4), ("C", 7.3)):
        book.on_fill(fill(symbol, Side.BUY, 3.0, price))
    book.on_fill(fill("A", Side.SELL, 3.0, 0.1))
    book.on_fill(fill("A", Side.BUY, 1.0, 0.2))
    marks = {"A": 0.30000000000000004, "B": 30_000.3, "C": 7.1}
    for symbol, mark in marks.items():
        book.mark(symbol, mark)
    a, b, c = ((marks[s] - p.avg_entry) * p.qty for s, p in book.positions().items())
    assert list(book.positions()) == ["A", "B", "C"]
    assert book.unrealized_pnl() == 0 + a + b + c
    assert book.unrealized_pnl() != 0 + b + c + a  # the order shows in the last bit


def test_marks_of_a_flat_symbol_move_neither_equity_nor_high_water() -> None:
    book = Portfolio(1_000.0)
    book.on_fill(fill("BTC", Side.BUY, 1.0, 100.0))
    book.on_fill(fill("BTC", Side.SELL, 1.0, 110.0))
    book.mark("BTC", 500.0)
    assert book.equity() == pytest.approx(1_010.0)
    assert book.high_water_mark == pytest.approx(1_010.0)
    assert book.positions() == {}
