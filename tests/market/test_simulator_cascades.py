"""Cascades look like what a liquidation hunter hunts: a fast one-sided move, a burst of
aggressive volume on one side, and a stream of liquidations."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from hft_tui.market.sim_regimes import SimRegime
from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket
from hft_tui.model import Liquidation, OrderBook, Side, Trade

START_NS = 1_767_225_600_000_000_000
BTC, ETH = "BTC/USDT", "ETH/USDT"


@dataclass
class Phase:
    seconds: float
    mids: list[float] = field(default_factory=list)
    buy_qty: float = 0.0
    sell_qty: float = 0.0
    trades: int = 0
    liquidations: list[Liquidation] = field(default_factory=list)

    @property
    def move(self) -> float:
        return self.mids[-1] / self.mids[0] - 1.0

    @property
    def qty_per_s(self) -> float:
        return (self.buy_qty + self.sell_qty) / self.seconds


def _run_phase(market: SimulatedMarket, symbol: str, regime: SimRegime, seconds: float) -> Phase:
    market.force_regime(symbol, regime, duration_s=seconds)
    assert market.regime(symbol) is regime
    phase = Phase(seconds)
    end_ns = market.now_ns() + int(seconds * 1e9)
    while True:
        event = market.next_event()
        if event.ts_ns >= end_ns:
            return phase
        if event.symbol != symbol:
            continue
        if isinstance(event, OrderBook):
            phase.mids.append(event.mid)
        elif isinstance(event, Trade):
            phase.trades += 1
            if event.side is Side.BUY:
                phase.buy_qty += event.qty
            else:
                phase.sell_qty += event.qty
        else:
            phase.liquidations.append(event)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_down_cascade_is_a_fast_one_sided_flush_with_long_liquidations(seed: int) -> None:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, seed, start_ts_ns=START_NS)
    calm = _run_phase(market, BTC, SimRegime.RANGING, 60.0)
    flush = _run_phase(market, BTC, SimRegime.CASCADE_DOWN, 20.0)

    assert abs(calm.move) < 0.003
    assert -0.025 < flush.move < -0.005  # 0.8-2% drawn, give or take the noise
    assert flush.sell_qty > 4 * flush.buy_qty
    assert flush.qty_per_s > 10 * calm.qty_per_s
    assert flush.trades / 20.0 > 5 * calm.trades / 60.0
    assert len(flush.liquidations) >= 20
    long_liquidations = sum(1 for liq in flush.liquidations if liq.side is Side.SELL)
    assert long_liquidations >= 0.8 * len(flush.liquidations)
    assert not calm.liquidations


def test_an_up_cascade_squeezes_shorts() -> None:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 4, start_ts_ns=START_NS)
    squeeze = _run_phase(market, ETH, SimRegime.CASCADE_UP, 20.0)
    assert 0.005 < squeeze.move < 0.025
    assert squeeze.buy_qty > 4 * squeeze.sell_qty
    short_liquidations = sum(1 for liq in squeeze.liquidations if liq.side is Side.BUY)
    assert short_liquidations >= 0.8 * len(squeeze.liquidations) > 0


def test_the_side_being_hit_thins_out_during_a_flush() -> None:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 6, start_ts_ns=START_NS)
    market.force_regime(BTC, SimRegime.CASCADE_DOWN, duration_s=30.0)
    bid_qty = ask_qty = 0.0
    end_ns = market.now_ns() + 25 * 1_000_000_000
    while (event := market.next_event()).ts_ns < end_ns:
        if isinstance(event, OrderBook) and event.symbol == BTC:
            bid_qty += float(event.bids[:10, 1].sum())
            ask_qty += float(event.asks[:10, 1].sum())
    assert ask_qty > 2 * bid_qty


def test_cascades_arrive_on_their_own_and_liquidations_come_with_them() -> None:
    # A slow-ticking market covers many hours of simulated time in few events.
    market = SimulatedMarket(
        DEFAULT_SIM_SYMBOLS, 21, start_ts_ns=START_NS, book_updates_per_s=0.5, trades_per_s=0.2
    )
    cascade_liquidations = other_liquidations = 0
    seen_cascade = False
    while market.now_ns() - START_NS < 6 * 3600 * 1_000_000_000:
        event = market.next_event()
        regime = market.regime(event.symbol)
        seen_cascade = seen_cascade or regime.is_cascade
        if isinstance(event, Liquidation):
            if regime.is_cascade:
                cascade_liquidations += 1
            else:
                other_liquidations += 1
    assert seen_cascade
    assert cascade_liquidations > 3 * other_liquidations
