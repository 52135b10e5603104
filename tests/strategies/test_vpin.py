import pytest

from hft_tui.model import ReasonCode, Side, Trade
from hft_tui.strategies.vpin import VpinStrategy
from hft_tui.strategies.vpin_params import VpinParams

SYMBOL = "BTC/USDT"


def vpin(**overrides: object) -> VpinStrategy:
    params = {"bucket_notional_usd": 1_000.0, "window_buckets": 10, "min_buckets": 5, **overrides}
    return VpinStrategy(VpinParams(**params))  # type: ignore[arg-type]


def trade(i: int, side: Side, notional: float = 100.0, price: float = 100.0) -> Trade:
    return Trade(SYMBOL, i, price, notional / price, side)


def test_one_sided_flow_is_toxic_and_blocks_entries() -> None:
    gate = vpin()
    for i in range(100):  # 10 buckets of 1,000, all buys
        assert gate.on_trade(trade(i, Side.BUY)) == ()
    assert gate.vpin(SYMBOL) == pytest.approx(1.0)
    assert gate.gate(SYMBOL) == (0.0, ReasonCode.VPIN_TOXIC)


def test_balanced_flow_passes_at_full_size() -> None:
    gate = vpin()
    for i in range(100):
        gate.on_trade(trade(i, Side.BUY if i % 2 else Side.SELL))
    assert gate.vpin(SYMBOL) == pytest.approx(0.0)
    assert gate.gate(SYMBOL) == (1.0, None)


def test_elevated_flow_shrinks_entries() -> None:
    gate = vpin(elevated_threshold=0.4, toxic_threshold=0.6, elevated_factor=0.5)
    # Each bucket: 750 buy, 250 sell -> imbalance 0.5
    for i in range(100):
        gate.on_trade(trade(i, Side.SELL if i % 4 == 0 else Side.BUY))
    assert gate.vpin(SYMBOL) == pytest.approx(0.5)
    assert gate.gate(SYMBOL) == (0.5, ReasonCode.VPIN_ELEVATED)


def test_gate_is_open_during_warm_up() -> None:
    gate = vpin(min_buckets=5)
    for i in range(49):  # 4.9 buckets
        gate.on_trade(trade(i, Side.BUY))
    assert gate.vpin(SYMBOL) is None
    assert gate.gate(SYMBOL) == (1.0, None)
    gate.on_trade(trade(49, Side.BUY))
    assert gate.gate(SYMBOL) == (0.0, ReasonCode.VPIN_TOXIC)


def test_a_large_trade_is_split_across_buckets() -> None:
    gate = vpin(min_buckets=2)
    gate.on_trade(trade(0, Side.SELL, notional=500.0))
    gate.on_trade(trade(1, Side.BUY, notional=2_500.0))
    # bucket 1: 500 sell + 500 buy -> 0; the remaining 2,000 buy fill buckets 2 and 3 -> 1 each
    assert gate.vpin(SYMBOL) == pytest.approx((0.0 + 1.0 + 1.0) / 3)


def test_toxicity_rolls_out_of_the_window() -> None:
    gate = vpin(window_buckets=10)
    for i in range(100):
        gate.on_trade(trade(i, Side.BUY))
    for i in range(100, 200):
        gate.on_trade(trade(i, Side.BUY if i % 2 else Side.SELL))
    assert gate.gate(SYMBOL) == (1.0, None)


def test_bulk_classification_reads_rising_prices_as_buying() -> None:
    gate = vpin(classification="bulk", bulk_sigma_halflife_trades=10)
    price = 100.0
    # Noise first so the price-change volatility is known, then a steady climb.
    for i in range(40):
        price += 0.05 if i % 2 else -0.05
        gate.on_trade(Trade(SYMBOL, i, price, 1.0, Side.SELL))
    for i in range(40, 200):
        price += 0.1
        # The aggressor flags lie (all sells): bulk classification ignores them.
        gate.on_trade(Trade(SYMBOL, i, price, 1.0, Side.SELL))
    value = gate.vpin(SYMBOL)
    assert value is not None and value > 0.6
    assert gate.gate(SYMBOL) == (0.0, ReasonCode.VPIN_TOXIC)


def test_symbols_are_measured_separately() -> None:
    gate = vpin()
    for i in range(100):
        gate.on_trade(trade(i, Side.BUY))
    assert gate.gate("ETH/USDT") == (1.0, None)


def test_shrinking_the_window_keeps_the_latest_buckets() -> None:
    gate = vpin(window_buckets=10, min_buckets=2)
    for i in range(100):  # 10 balanced buckets
        gate.on_trade(trade(i, Side.BUY if i % 2 else Side.SELL))
    for i in range(100, 120):  # 2 all-buy buckets push out 2 balanced ones
        gate.on_trade(trade(i, Side.BUY))
    assert gate.vpin(SYMBOL) == pytest.approx(0.2)
    gate.set_params(gate.params.model_copy(update={"window_buckets": 2}))
    assert gate.vpin(SYMBOL) == pytest.approx(1.0)
    gate.set_params(gate.params.model_copy(update={"bucket_notional_usd": 500.0}))
    assert gate.vpin(SYMBOL) is None


def test_params_demand_toxic_above_elevated() -> None:
    with pytest.raises(ValueError):
        VpinParams(elevated_threshold=0.6, toxic_threshold=0.5)
    with pytest.raises(ValueError):
        VpinParams(window_buckets=5, min_buckets=10)
