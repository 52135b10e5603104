"""The DRB guard skips a book update none of whose inputs moved, and only then: after every
call its published verdict (state, reason, size, every budget) is that of a guard that
evaluates every update. The only difference allowed: an evaluating guard may publish the same
verdict again with a newer timestamp (hypothesis found one, seed 37), which a skip does not."""

from __future__ import annotations

import dataclasses
import random

from hypothesis import example, given, settings
from hypothesis import strategies as st
from risk_builders import BTC, ETH, SECOND_NS, T0_NS

from hft_tui.model import Position
from hft_tui.risk.drb_guard import DrbGuard
from hft_tui.risk.settings import RiskSettings

# symbol, mark move in ticks (0: the same mark), ns to the next event, what else happens
_SYMBOLS = (BTC, ETH)
_TICKS = (0, 0, 0, 0, 1, -1, 5, -40)
_GAPS_NS = (1, 1_000_000, 50_000_000, 130_000_000, 400_000_000, SECOND_NS, 61 * SECOND_NS)
_WHAT = ("book",) * 10 + ("open", "close", "loss", "loss", "win", "error", "error", "time")


def _events(seed: int, n: int = 300) -> list[tuple[str, int, int, str]]:
    """A long random stream (hypothesis draws the seed: its own lists stay short)."""
    rnd = random.Random(seed)
    return [(rnd.choice(_SYMBOLS), rnd.choice(_TICKS), rnd.choice(_GAPS_NS), rnd.choice(_WHAT)) for _ in range(n)]


class _Market:
    """Marks, one position and an equity that follows it, fed to a guard."""

    def __init__(self, guard: DrbGuard, always_evaluate: bool, account_equity: bool = False) -> None:
        self.guard = guard
        self.always_evaluate = always_evaluate
        # LIVE: the equity is the account's, which follows the marks only now and then (here:
        # at every step but a plain book), so a mark may move under an open position alone.
        self.account_equity = account_equity
        self.marks = {BTC: 65_000.0, ETH: 3_200.0}
        self.position = {BTC: Position(BTC), ETH: Position(ETH)}
        self.verdicts: list[object] = []  # the published verdict after each step, its time left out
        self.last_equity = self.marked_equity()

    def marked_equity(self) -> float:
        return 100_000.0 + sum((self.marks[s] - p.avg_entry) * p.qty for s, p in self.position.items())

    def step(self, symbol: str, ticks: int, ts_ns: int, what: str) -> None:
        guard = self.guard
        self.marks[symbol] = round(self.marks[symbol] + ticks * 0.5, 1)
        if what == "open":
            self.position[symbol] = Position(symbol, qty=0.4, avg_entry=self.marks[symbol])
            guard.on_position(self.position[symbol], ts_ns)
        elif what == "close":
            self.position[symbol] = Position(symbol)
            guard.on_position(self.position[symbol], ts_ns)
        elif what in ("loss", "win"):
            guard.on_trade_closed(-250.0 if what == "loss" else 40.0, ts_ns)
        elif what == "error":
            guard.on_error("order_rejected", ts_ns)
        elif what == "time":
            guard.on_time(ts_ns)
        if self.always_evaluate:
            guard._quiet_until_ns = 0  # the reference: a guard that never skips
        if not (self.account_equity and what == "book"):
            self.last_equity = self.marked_equity()
        guard.on_market(symbol, self.marks[symbol], self.position[symbol], self.last_equity, ts_ns)
        self.verdicts.append(dataclasses.replace(guard.state, ts_ns=0))


# Fine steps and short windows, so that a skipped evaluation that mattered would show.
_FINE = RiskSettings(publish_step_pct=0.01, volatility_sigma=100, volatility_floor_bps=0.01,
                     volatility_min_returns=5, volatility_lookback_returns=10,
                     volatility_horizons_s=(0.5, 1.5), losing_streak_cooloff_s=3.3,
                     error_window_s=2.7, max_errors=3, rapid_drawdown_window_s=10.5)


@settings(max_examples=60)
@given(st.integers(0, 2**32))
@example(37)  # the evaluating guard publishes its unchanged verdict again at event 43
def test_skipping_unmoved_updates_publishes_the_verdict_evaluating_them_would(seed: int) -> None:
    _assert_same_verdicts(seed, account_equity=False)


@settings(max_examples=30)
@given(st.integers(0, 2**32))
def test_skipping_publishes_the_same_verdicts_when_the_equity_is_the_accounts(seed: int) -> None:
    _assert_same_verdicts(seed, account_equity=True)


def _assert_same_verdicts(seed: int, *, account_equity: bool) -> None:
    skipping = _Market(DrbGuard(_FINE), always_evaluate=False, account_equity=account_equity)
    evaluating = _Market(DrbGuard(_FINE), always_evaluate=True, account_equity=account_equity)
    ts = T0_NS
    for symbol, ticks, gap_ns, what in _events(seed):
        ts += gap_ns
        skipping.step(symbol, ticks, ts, what)
        evaluating.step(symbol, ticks, ts, what)
    assert skipping.verdicts == evaluating.verdicts
    assert dataclasses.replace(skipping.guard.state, ts_ns=0) == dataclasses.replace(evaluating.guard.state, ts_ns=0)
    assert skipping.guard.size_scale() == evaluating.guard.size_scale()


def test_an_update_with_the_same_position_and_equity_within_the_second_is_not_evaluated() -> None:
    guard = DrbGuard(RiskSettings())
    flat = Position(BTC)
    guard.on_market(BTC, 65_000.0, flat, 100_000.0, T0_NS)
    before = guard.evaluations
    guard.on_market(BTC, 65_000.0, flat, 100_000.0, T0_NS + 300_000_000)
    # A flat symbol's mark moved, its volatility still warming up: no spike, nothing to judge.
    guard.on_market(BTC, 65_000.5, flat, 100_000.0, T0_NS + 400_000_000)
    assert guard.evaluations == before
    guard.on_market(BTC, 65_000.5, flat, 100_000.0, T0_NS + SECOND_NS)  # a second's edge
    held = Position(BTC, qty=0.4, avg_entry=65_000.5)
    guard.on_position(held, T0_NS + SECOND_NS)
    guard.on_market(BTC, 65_000.0, held, 100_000.0, T0_NS + SECOND_NS + 1)  # a mark under a position
    assert guard.evaluations == before + 3
