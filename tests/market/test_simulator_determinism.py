"""A seed and a config fix the simulated stream byte for byte."""

from __future__ import annotations

import hashlib
import random

import numpy as np

from hft_tui.market.sim_regimes import SimRegime
from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket
from hft_tui.model import Liquidation, OrderBook, Trade

START_NS = 1_767_225_600_000_000_000


def _serialise(event: OrderBook | Trade | Liquidation) -> bytes:
    if isinstance(event, OrderBook):
        head = f"B|{event.symbol}|{event.ts_ns}|{event.seq}|".encode()
        return head + event.bids.tobytes() + event.asks.tobytes()
    if isinstance(event, Trade):
        return (
            f"T|{event.symbol}|{event.ts_ns}|{event.price!r}|{event.qty!r}|{event.side}|"
            f"{event.trade_id}"
        ).encode()
    return f"L|{event.symbol}|{event.ts_ns}|{event.price!r}|{event.qty!r}|{event.side}".encode()


def _digest(market: SimulatedMarket, n: int) -> str:
    h = hashlib.sha256()
    for _ in range(n):
        h.update(_serialise(market.next_event()))
    return h.hexdigest()


def _market(seed: int, **kwargs: float) -> SimulatedMarket:
    return SimulatedMarket(DEFAULT_SIM_SYMBOLS, seed, start_ts_ns=START_NS, **kwargs)


def test_same_seed_and_config_give_a_byte_identical_stream() -> None:
    assert _digest(_market(42), 20_000) == _digest(_market(42), 20_000)


def test_different_seeds_give_different_streams() -> None:
    assert _digest(_market(42), 2_000) != _digest(_market(43), 2_000)


def test_a_different_config_gives_a_different_stream() -> None:
    assert _digest(_market(42), 2_000) != _digest(_market(42, trades_per_s=5.0), 2_000)


def test_the_stream_ignores_global_random_state() -> None:
    np.random.seed(1)
    random.seed(1)
    first = _digest(_market(42), 3_000)
    np.random.seed(2)
    random.seed(2)
    assert _digest(_market(42), 3_000) == first


def test_forcing_a_regime_at_the_same_point_is_deterministic_too() -> None:
    def run() -> str:
        market = _market(5)
        h = hashlib.sha256()
        for i in range(12_000):
            if i == 3_000:
                market.force_regime("BTC/USDT", SimRegime.CASCADE_DOWN, duration_s=20.0)
            if i == 7_000:
                market.force_regime("ETH/USDT", SimRegime.VOLATILE)
            h.update(_serialise(market.next_event()))
        return h.hexdigest()

    assert run() == run()


def test_forcing_a_regime_changes_only_what_comes_after() -> None:
    plain = _market(8)
    forced = _market(8)
    before = [_serialise(plain.next_event()) for _ in range(1_500)]
    assert [_serialise(forced.next_event()) for _ in range(1_500)] == before
    forced.force_regime("BTC/USDT", SimRegime.CASCADE_UP, duration_s=30.0)
    after_plain = [_serialise(plain.next_event()) for _ in range(2_000)]
    after_forced = [_serialise(forced.next_event()) for _ in range(2_000)]
    assert after_plain != after_forced


def test_time_starts_at_start_ts_ns_and_never_goes_backwards() -> None:
    market = _market(3)
    stamps = [market.next_event().ts_ns for _ in range(30_000)]
    assert stamps[0] == START_NS
    assert all(b >= a for a, b in zip(stamps, stamps[1:]))
    assert market.now_ns() == stamps[-1]
