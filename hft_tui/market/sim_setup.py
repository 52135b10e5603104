"""The simulated market the settings ask for (the ``[sim]`` section, the engine's symbols and
seed), with its opening cascade. Engine, backtest, recorder and ``hft-tui fees`` all build it
here, so one seed gives one market everywhere."""

from __future__ import annotations

from collections.abc import Sequence

from hft_tui.market.sim_book_deltas import SimBookDeltas
from hft_tui.market.sim_regimes import SimRegime
from hft_tui.market.sim_settings import SimSettings
from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimSymbolSpec, SimulatedMarket

SIM_EXCHANGE_ID = "sim"
# 2025-01-01T00:00:00Z: recorded sim sessions start here unless told otherwise, so the
# same seed gives the same file on any machine on any day.
DEFAULT_SIM_START_NS = 1_735_689_600_000_000_000
OPENING_CASCADE_DURATION_S = 20.0


class UnknownSimSymbol(ValueError):
    """A symbol the simulator has no market for; the message names the ones it has."""


def sim_specs(symbols: Sequence[str]) -> list[SimSymbolSpec]:
    known = {spec.symbol: spec for spec in DEFAULT_SIM_SYMBOLS}
    unknown = [s for s in symbols if s not in known]
    if unknown:
        raise UnknownSimSymbol(
            f"the simulator has no market for {', '.join(unknown)}; it simulates "
            f"{', '.join(known)} (use --mode paper for other symbols)"
        )
    return [known[s] for s in symbols]


def build_sim_market(sim: SimSettings, symbols: Sequence[str], seed: int, start_ts_ns: int) -> SimulatedMarket:
    market = SimulatedMarket(
        sim_specs(symbols),
        seed,
        start_ts_ns=start_ts_ns,
        depth=sim.depth,
        book_updates_per_s=sim.book_updates_per_s,
        trades_per_s=sim.trades_per_s,
        correlation=sim.correlation,
        book_deltas=SimBookDeltas() if sim.book_updates == "deltas" else None,
    )
    if sim.opening_cascade_s > 0:
        market.schedule_regime(symbols[0], SimRegime.CASCADE_DOWN, sim.opening_cascade_s,
                               OPENING_CASCADE_DURATION_S)
    return market
