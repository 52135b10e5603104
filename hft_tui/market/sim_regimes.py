"""Market regimes of the simulator: what each one does to a market, and the Markov chain
that moves each symbol between them.

Regimes last minutes (gamma-distributed dwell times). Cascades are short regimes (tens of
seconds) entered suddenly from any calm regime. Symbols move together: when one symbol
changes regime the others follow at the same instant with ``follow_prob`` (calm regimes)
or ``contagion_prob`` (cascades), as altcoins follow a BTC flush. Times are
simulated seconds since the market's start; the chain draws only from the generator it is
given, so a seed fixes it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class SimRegime(StrEnum):
    """The state of one simulated symbol's market."""

    TRENDING_UP = "trending_up"
    TRENDING_DOWN = "trending_down"
    RANGING = "ranging"
    VOLATILE = "volatile"
    CASCADE_DOWN = "cascade_down"
    CASCADE_UP = "cascade_up"

    @property
    def is_cascade(self) -> bool:
        """True for the fast one-sided liquidation moves."""
        return self is SimRegime.CASCADE_DOWN or self is SimRegime.CASCADE_UP

    @property
    def code(self) -> int:
        """Dense index of the regime, for numpy lookup tables."""
        return _REGIME_CODES[self]


REGIMES: tuple[SimRegime, ...] = tuple(SimRegime)
_REGIME_CODES: dict[SimRegime, int] = {regime: i for i, regime in enumerate(REGIMES)}
CALM_REGIMES: tuple[SimRegime, ...] = (
    SimRegime.TRENDING_UP,
    SimRegime.TRENDING_DOWN,
    SimRegime.RANGING,
    SimRegime.VOLATILE,
)


@dataclass(frozen=True, slots=True)
class RegimeProfile:
    """How a regime shapes prices, order flow and the book (multipliers are on the
    symbol's baseline)."""

    vol_mult: float
    mean_reversion_per_s: float
    trade_rate_mult: float
    trade_qty_mult: float
    buy_bias: float  # added to a 50% chance that a trade's aggressor buys
    liquidations_per_s: float
    long_liquidation_share: float  # share of liquidations that are longs being sold out
    spread_extra_mult: float  # mean extra ticks of spread, in units of the symbol's baseline
    bid_depth_mult: float
    ask_depth_mult: float
    mean_dwell_s: float
    drift_per_s_range: tuple[float, float]  # |drift| of log price, drawn per segment


# Cascades move 0.8-2% in 10-40 s (drift comes from the drawn move, not drift_per_s_range);
# the side being hit thins out while the other side stacks up, trades come 8x as often,
# 3x as large and almost all one way.
PROFILES: dict[SimRegime, RegimeProfile] = {
    SimRegime.TRENDING_UP: RegimeProfile(
        1.0, 0.0, 1.3, 1.1, 0.08, 0.0, 0.5, 0.4, 1.15, 0.9, 240.0, (0.8e-5, 2.5e-5)
    ),
    SimRegime.TRENDING_DOWN: RegimeProfile(
        1.0, 0.0, 1.3, 1.1, -0.08, 0.0, 0.5, 0.4, 0.9, 1.15, 240.0, (0.8e-5, 2.5e-5)
    ),
    SimRegime.RANGING: RegimeProfile(
        0.7, 1.0 / 25.0, 0.8, 0.9, 0.0, 0.0, 0.5, 0.2, 1.1, 1.1, 300.0, (0.0, 0.0)
    ),
    SimRegime.VOLATILE: RegimeProfile(
        2.2, 0.0, 2.0, 1.5, 0.0, 0.08, 0.5, 1.5, 0.8, 0.8, 120.0, (0.0, 0.0)
    ),
    SimRegime.CASCADE_DOWN: RegimeProfile(
        2.5, 0.0, 8.0, 3.0, -0.35, 3.0, 0.95, 4.0, 0.35, 1.3, 25.0, (0.0, 0.0)
    ),
    SimRegime.CASCADE_UP: RegimeProfile(
        2.5, 0.0, 8.0, 3.0, 0.35, 3.0, 0.05, 4.0, 1.3, 0.35, 25.0, (0.0, 0.0)
    ),
}

CASCADE_MOVE_RANGE = (0.008, 0.02)
CASCADE_DURATION_RANGE_S = (10.0, 40.0)

_R = SimRegime
TRANSITIONS: dict[SimRegime, tuple[tuple[SimRegime, float], ...]] = {
    _R.TRENDING_UP: (
        (_R.RANGING, 0.47), (_R.VOLATILE, 0.26), (_R.TRENDING_DOWN, 0.20),
        (_R.CASCADE_UP, 0.03), (_R.CASCADE_DOWN, 0.04),
    ),
    _R.TRENDING_DOWN: (
        (_R.RANGING, 0.47), (_R.VOLATILE, 0.26), (_R.TRENDING_UP, 0.20),
        (_R.CASCADE_DOWN, 0.03), (_R.CASCADE_UP, 0.04),
    ),
    _R.RANGING: (
        (_R.TRENDING_UP, 0.31), (_R.TRENDING_DOWN, 0.31), (_R.VOLATILE, 0.34),
        (_R.CASCADE_DOWN, 0.02), (_R.CASCADE_UP, 0.02),
    ),
    _R.VOLATILE: (
        (_R.TRENDING_UP, 0.22), (_R.TRENDING_DOWN, 0.22), (_R.RANGING, 0.46),
        (_R.CASCADE_DOWN, 0.05), (_R.CASCADE_UP, 0.05),
    ),
    # After a flush the market churns, settles, or bounces.
    _R.CASCADE_DOWN: (
        (_R.VOLATILE, 0.55), (_R.RANGING, 0.25), (_R.TRENDING_UP, 0.12), (_R.TRENDING_DOWN, 0.08),
    ),
    _R.CASCADE_UP: (
        (_R.VOLATILE, 0.55), (_R.RANGING, 0.25), (_R.TRENDING_DOWN, 0.12), (_R.TRENDING_UP, 0.08),
    ),
}


@dataclass(slots=True)
class RegimeSegment:
    """One stay in a regime: ``[start_s, end_s)`` with its drawn drift.

    ``anchor_x`` is the log price a mean-reverting regime reverts to; the price path sets
    it once, when it first reaches the segment.
    """

    regime: SimRegime
    start_s: float
    end_s: float
    drift_per_s: float
    forced: bool = False
    anchor_x: float | None = None

    @property
    def profile(self) -> RegimeProfile:
        """What this segment's regime does to the market."""
        return PROFILES[self.regime]


def draw_segment(
    regime: SimRegime, start_s: float, rng: np.random.Generator, duration_s: float | None = None
) -> RegimeSegment:
    """A new stay in ``regime`` from ``start_s``: dwell time and drift drawn from ``rng``."""
    profile = PROFILES[regime]
    if regime.is_cascade:
        dwell_s = float(rng.uniform(*CASCADE_DURATION_RANGE_S))
        move = float(rng.uniform(*CASCADE_MOVE_RANGE))
        if duration_s is not None:
            dwell_s = duration_s
        sign = -1.0 if regime is SimRegime.CASCADE_DOWN else 1.0
        drift = float(np.log1p(sign * move)) / dwell_s
    else:
        # Gamma(2) dwell: rarely a few seconds, usually minutes.
        dwell_s = float(rng.gamma(2.0, profile.mean_dwell_s / 2.0))
        if duration_s is not None:
            dwell_s = duration_s
        low, high = profile.drift_per_s_range
        magnitude = float(rng.uniform(low, high)) if high > 0.0 else 0.0
        drift = -magnitude if regime is SimRegime.TRENDING_DOWN else magnitude
    return RegimeSegment(regime, start_s, start_s + dwell_s, drift)


def next_regime(regime: SimRegime, rng: np.random.Generator) -> SimRegime:
    """The regime after ``regime``, drawn from its row of the transition matrix."""
    row = TRANSITIONS[regime]
    u = float(rng.random())
    acc = 0.0
    for candidate, prob in row:
        acc += prob
        if u < acc:
            return candidate
    return row[-1][0]


class RegimeSchedule:
    """Every symbol's sequence of regime segments, generated ahead on demand.

    Segments of a symbol are contiguous and sorted. ``extend_to`` grows all symbols in
    time order so that a regime change can spread to the others at the instant it happens.
    """

    def __init__(
        self,
        n_symbols: int,
        rng: np.random.Generator,
        *,
        follow_prob: float = 0.7,
        contagion_prob: float = 0.7,
    ) -> None:
        self._rng = rng
        self._follow_prob = follow_prob
        self._contagion_prob = contagion_prob
        self._segments: list[list[RegimeSegment]] = []
        self._starts: list[list[float]] = []
        for _ in range(n_symbols):
            first = REGIMES[int(rng.integers(len(CALM_REGIMES)))]
            segment = draw_segment(first, 0.0, rng)
            self._segments.append([segment])
            self._starts.append([0.0])

    def segments(self, symbol_index: int) -> list[RegimeSegment]:
        """The symbol's retained segments, oldest first (read-only by convention)."""
        return self._segments[symbol_index]

    def extend_to(self, horizon_s: float) -> None:
        """Draw transitions until every symbol's schedule covers ``horizon_s``."""
        while True:
            index = min(range(len(self._segments)), key=lambda i: self._segments[i][-1].end_s)
            current = self._segments[index][-1]
            if current.end_s > horizon_s:
                return
            regime = next_regime(current.regime, self._rng)
            self._append(index, draw_segment(regime, current.end_s, self._rng))
            self._spread(index, regime, current.end_s)

    def _spread(self, origin: int, regime: SimRegime, at_s: float) -> None:
        prob = self._contagion_prob if regime.is_cascade else self._follow_prob
        for other in range(len(self._segments)):
            if other == origin or self._rng.random() >= prob:
                continue
            segment = self.segment_at(other, at_s)
            # A forced regime or a cascade in progress plays out; same regime: nothing to do.
            if segment.forced or segment.regime.is_cascade or segment.regime is regime:
                continue
            self._cut(other, at_s)
            self._append(other, draw_segment(regime, at_s, self._rng))

    def segment_at(self, symbol_index: int, t_s: float) -> RegimeSegment:
        """The segment in force at ``t_s`` (the first one if ``t_s`` precedes it)."""
        starts = self._starts[symbol_index]
        i = max(bisect.bisect_right(starts, t_s) - 1, 0)
        return self._segments[symbol_index][i]

    def regime_at(self, symbol_index: int, t_s: float) -> SimRegime:
        """The symbol's regime at ``t_s``."""
        return self.segment_at(symbol_index, t_s).regime

    def overlapping(self, symbol_index: int, t0_s: float, t1_s: float) -> list[RegimeSegment]:
        """Segments of the symbol that overlap ``[t0_s, t1_s)``, in time order."""
        starts = self._starts[symbol_index]
        first = max(bisect.bisect_right(starts, t0_s) - 1, 0)
        last = bisect.bisect_left(starts, t1_s)
        return self._segments[symbol_index][first:last]

    def force(
        self, symbol_index: int, regime: SimRegime, at_s: float, duration_s: float | None = None
    ) -> RegimeSegment:
        """Put the symbol into ``regime`` from ``at_s``, dropping what was scheduled after."""
        self._cut(symbol_index, at_s)
        segment = draw_segment(regime, at_s, self._rng, duration_s)
        segment.forced = True
        self._append(symbol_index, segment)
        return segment

    def prune_before(self, t_s: float) -> None:
        """Forget segments that ended at or before ``t_s`` (keeps memory flat on long runs)."""
        for i, segments in enumerate(self._segments):
            drop = 0
            while drop < len(segments) - 1 and segments[drop].end_s <= t_s:
                drop += 1
            if drop:
                del segments[:drop]
                del self._starts[i][:drop]

    def _cut(self, symbol_index: int, at_s: float) -> None:
        """End the symbol's schedule at ``at_s``: later segments go, the current one ends."""
        segments = self._segments[symbol_index]
        starts = self._starts[symbol_index]
        # A segment starting exactly at ``at_s`` is replaced whole.
        keep = bisect.bisect_left(starts, at_s)
        del segments[keep:]
        del starts[keep:]
        if segments:
            segments[-1].end_s = at_s

    def _append(self, symbol_index: int, segment: RegimeSegment) -> None:
        self._segments[symbol_index].append(segment)
        self._starts[symbol_index].append(segment.start_s)
