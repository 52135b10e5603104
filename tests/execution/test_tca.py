"""Post-trade TCA: shortfall sign, fees, maker share, latency and the aggregates."""

from __future__ import annotations

import pytest

from hft_tui.execution.tca import TcaAggregator
from hft_tui.model import Fill, Liquidity, Order, OrderStatus, OrderType, Side

T0 = 1_700_000_000_000_000_000
MS = 1_000_000


def order(cid: str, side: Side, qty: float, strategy: str = "cvd") -> Order:
    return Order(cid, "BTC/USDT", side, OrderType.LIMIT, qty, 100.0, T0, strategy=strategy)


def fill(cid: str, side: Side, qty: float, price: float, liquidity: Liquidity, fee: float,
         ts_ns: int = T0 + 5 * MS, strategy: str = "cvd") -> Fill:
    return Fill(cid, "BTC/USDT", side, qty, price, fee, liquidity, ts_ns, strategy)


def test_paying_up_on_a_buy_is_a_positive_shortfall() -> None:
    tca = TcaAggregator()
    tca.on_decision(order("b", Side.BUY, 1.0), arrival_price=100.0, reason="CVD_BULL_DIV", decision_ts_ns=T0)
    record = tca.on_fill(fill("b", Side.BUY, 1.0, 100.1, Liquidity.TAKER, fee=0.05))
    assert record is not None
    assert record.shortfall_bps == pytest.approx(10.0)
    assert record.fee_bps == pytest.approx(0.05 / 100.0 * 1e4)
    assert record.total_cost_bps == pytest.approx(15.0)
    assert record.fill_latency_ms == pytest.approx(5.0)
    assert record.complete is False


def test_selling_above_arrival_is_a_negative_shortfall() -> None:
    tca = TcaAggregator()
    tca.on_decision(order("s", Side.SELL, 1.0), 100.0, "SPIKE_FADE_UP", T0)
    record = tca.on_fill(fill("s", Side.SELL, 1.0, 100.2, Liquidity.MAKER, fee=0.02))
    assert record is not None
    assert record.shortfall_bps == pytest.approx(-20.0)


def test_maker_share_is_by_quantity_and_the_final_record_closes_the_order() -> None:
    tca = TcaAggregator()
    tca.on_decision(order("b", Side.BUY, 4.0), 100.0, "CVD_BULL_DIV", T0)
    tca.on_fill(fill("b", Side.BUY, 1.0, 100.0, Liquidity.MAKER, fee=0.02, ts_ns=T0 + 2 * MS))
    tca.on_fill(fill("b", Side.BUY, 3.0, 100.2, Liquidity.TAKER, fee=0.15, ts_ns=T0 + 9 * MS))
    filled = order("b", Side.BUY, 4.0).with_status(OrderStatus.FILLED)
    final = tca.on_order(filled)
    assert final is not None and final.complete
    assert final.maker_share == pytest.approx(0.25)
    assert final.avg_fill_price == pytest.approx(100.15)
    assert final.shortfall_bps == pytest.approx(15.0)
    assert final.fees_quote == pytest.approx(0.17)
    assert final.fill_latency_ms == pytest.approx(2.0)  # to the first fill
    assert tca.record("b") is None  # no longer tracked
    assert final.to_payload()["side"] == "buy"


def test_fills_of_unknown_orders_are_ignored() -> None:
    tca = TcaAggregator()
    assert tca.on_fill(fill("ghost", Side.BUY, 1.0, 100.0, Liquidity.TAKER, 0.05)) is None
    assert tca.to_payload() == {"by_strategy": {}, "by_reason": {}}


def test_aggregates_per_strategy_and_reason_are_notional_weighted() -> None:
    tca = TcaAggregator()
    tca.on_decision(order("a", Side.BUY, 1.0, "cvd"), 100.0, "CVD_BULL_DIV", T0)
    tca.on_decision(order("b", Side.SELL, 3.0, "cvd"), 100.0, "CVD_BEAR_DIV", T0)
    tca.on_decision(order("c", Side.BUY, 1.0, "trend"), 200.0, "CVD_BULL_DIV", T0)
    tca.on_fill(fill("a", Side.BUY, 1.0, 100.1, Liquidity.TAKER, 0.05))
    tca.on_fill(fill("b", Side.SELL, 1.0, 100.0, Liquidity.MAKER, 0.02))
    tca.on_fill(fill("b", Side.SELL, 2.0, 100.0, Liquidity.MAKER, 0.04))
    tca.on_fill(fill("c", Side.BUY, 1.0, 199.8, Liquidity.MAKER, 0.04, strategy="trend"))

    cvd = tca.by_strategy()["cvd"]
    assert cvd.orders == 2
    assert cvd.filled_qty == pytest.approx(4.0)
    # (+0.1 on 100 notional + 0 on 300) / 400 notional = 2.5 bps
    assert cvd.avg_shortfall_bps == pytest.approx(2.5)
    assert cvd.maker_share == pytest.approx(0.75)
    assert cvd.fees_quote == pytest.approx(0.11)

    bull = tca.by_reason()["CVD_BULL_DIV"]
    assert bull.orders == 2
    # (+0.1 - 0.2) / (100 + 200) = -3.33 bps
    assert bull.avg_shortfall_bps == pytest.approx(-0.1 / 300.0 * 1e4)
    payload = tca.to_payload()
    assert list(payload["by_strategy"]) == ["cvd", "trend"]
    assert payload["by_reason"]["CVD_BEAR_DIV"]["maker_share"] == pytest.approx(1.0)


def test_an_order_that_never_filled_leaves_the_aggregates_alone() -> None:
    tca = TcaAggregator()
    tca.on_decision(order("a", Side.BUY, 1.0), 100.0, "CVD_BULL_DIV", T0)
    final = tca.on_order(order("a", Side.BUY, 1.0).with_status(OrderStatus.CANCELLED))
    assert final is not None and final.filled_qty == 0.0 and final.fill_latency_ms is None
    assert tca.by_strategy() == {}
