"""Regimes: every one of them shows up, calm ones last minutes, and forcing one works."""

from __future__ import annotations

import numpy as np

from hft_tui.market.sim_regimes import (
    CALM_REGIMES,
    TRANSITIONS,
    RegimeSchedule,
    SimRegime,
)
from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket

START_NS = 1_767_225_600_000_000_000
BTC, ETH = "BTC/USDT", "ETH/USDT"


def test_every_transition_row_is_a_probability_distribution() -> None:
    assert set(TRANSITIONS) == set(SimRegime)
    for regime, row in TRANSITIONS.items():
        assert abs(sum(prob for _, prob in row) - 1.0) < 1e-12
        assert all(target is not regime for target, _ in row)


def test_all_regimes_occur_over_a_long_run_of_the_market() -> None:
    market = SimulatedMarket(
        DEFAULT_SIM_SYMBOLS, 2, start_ts_ns=START_NS, book_updates_per_s=0.5, trades_per_s=0.1
    )
    seen: dict[str, set[SimRegime]] = {BTC: set(), ETH: set()}
    while market.now_ns() - START_NS < 8 * 3600 * 1_000_000_000:
        event = market.next_event()
        seen[event.symbol].add(market.regime(event.symbol))
    assert seen[BTC] == set(SimRegime)
    assert seen[ETH] == set(SimRegime)


def test_calm_regimes_last_minutes_and_cascades_tens_of_seconds() -> None:
    schedule = RegimeSchedule(2, np.random.default_rng(4))
    schedule.extend_to(100 * 3600.0)
    calm: list[float] = []
    cascades: list[float] = []
    for symbol_index in range(2):
        segments = schedule.segments(symbol_index)
        for before, after in zip(segments, segments[1:]):
            assert before.end_s == after.start_s, "segments leave no gaps"
        for segment in segments[:-1]:
            duration = segment.end_s - segment.start_s
            (cascades if segment.regime.is_cascade else calm).append(duration)
    assert 90.0 < float(np.mean(calm)) < 400.0
    assert all(duration <= 40.0 for duration in cascades)
    assert 10.0 < float(np.median(cascades)) < 40.0
    # Rare, but not so rare that a demo never sees one: 0.5 to 4 an hour per symbol.
    assert 0.5 < len(cascades) / 200.0 < 4.0


def test_symbols_spend_most_of_their_time_in_the_same_regime() -> None:
    schedule = RegimeSchedule(2, np.random.default_rng(9))
    schedule.extend_to(50 * 3600.0)
    times = np.arange(0.0, 50 * 3600.0, 10.0)
    same = np.mean([schedule.regime_at(0, t) is schedule.regime_at(1, t) for t in times])
    assert same > 0.5


def test_a_forced_regime_holds_for_its_duration_then_the_chain_moves_on() -> None:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 12, start_ts_ns=START_NS)
    for _ in range(500):
        market.next_event()
    market.force_regime(BTC, SimRegime.CASCADE_DOWN, duration_s=15.0)
    forced_at_ns = market.now_ns()
    assert market.regime(BTC) is SimRegime.CASCADE_DOWN
    while market.now_ns() < forced_at_ns + 14 * 1_000_000_000:
        market.next_event()
        assert market.regime(BTC) is SimRegime.CASCADE_DOWN
    while market.now_ns() < forced_at_ns + 16 * 1_000_000_000:
        market.next_event()
    assert market.regime(BTC) is not SimRegime.CASCADE_DOWN


def test_forcing_before_the_first_event_sets_the_opening_regime() -> None:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 12, start_ts_ns=START_NS)
    for regime in CALM_REGIMES:
        market.force_regime(ETH, regime)
        assert market.regime(ETH) is regime
    first = market.next_event()
    assert first.ts_ns == START_NS
    assert market.regime(ETH) is SimRegime.VOLATILE


def test_forcing_keeps_books_and_trade_ids_in_sequence() -> None:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 13, start_ts_ns=START_NS)
    seqs: dict[str, list[int]] = {BTC: [], ETH: []}
    trade_ids: dict[str, list[int]] = {BTC: [], ETH: []}
    for i in range(20_000):
        if i % 997 == 0:
            market.force_regime(BTC if i % 2 else ETH, SimRegime.VOLATILE, duration_s=5.0)
        event = market.next_event()
        seq = getattr(event, "seq", None)
        if seq is not None:
            seqs[event.symbol].append(seq)
        elif hasattr(event, "trade_id"):
            trade_ids[event.symbol].append(int(event.trade_id))
    for symbol in (BTC, ETH):
        assert seqs[symbol] == list(range(1, len(seqs[symbol]) + 1))
        assert trade_ids[symbol] == list(range(1, len(trade_ids[symbol]) + 1))
