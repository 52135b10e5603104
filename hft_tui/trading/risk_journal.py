"""The trading state as the risk layer moves it, journaled: the DRB guard's verdicts, the live
holds, the journal's failure and the operator's reset.

Every change is a record first (``risk`` with only what changed since the last one, ``hold``,
``state``) and, where the operator must hear of it, a notice. The guard decides the state
unless a live hold keeps the engine REDUCING (reconciling, an account mismatch, an exchange
ban, a dead-man's switch at risk) or the state is HALTED (left only by ``reset_halt``) or
FAILED (never left).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hft_tui.clock import Clock
from hft_tui.execution.portfolio import Portfolio
from hft_tui.model import ReasonCode
from hft_tui.risk.drb_guard import DrbGuard
from hft_tui.risk.drb_journal import risk_record
from hft_tui.risk.drb_state import DrbState
from hft_tui.risk.trading_state import TradingState, TradingStateMachine
from hft_tui.trading.commands import CommandResult
from hft_tui.wal.record_types import HoldChanged, RiskChanged, StateChanged
from hft_tui.wal.writer import WalWriter

# Why a live hold keeps the engine REDUCING (lifted by ``release``, not by the guard).
HOLD_REASONS = frozenset({ReasonCode.LIVE_RECONCILING, ReasonCode.ACCOUNT_MISMATCH, ReasonCode.EXCHANGE_BANNED,
                          ReasonCode.DEAD_MAN_AT_RISK})


class RiskJournal:
    """The guard's verdicts and the holds turned into journaled trading-state changes."""

    def __init__(self, *, wal: WalWriter, clock: Clock, drb: DrbGuard, state: TradingStateMachine,
                 portfolio: Portfolio, notify: Callable[[str, str], None]) -> None:
        self._wal = wal
        self._clock = clock
        self._drb = drb
        self._state = state
        self._portfolio = portfolio
        self._notify = notify
        # Live: why the engine must stay reduce-only for now, by key; while any is held, the
        # trading state is at least REDUCING.
        self.holds: dict[str, tuple[ReasonCode, str]] = {}
        # The guard's latest state (the snapshot and the next session start from it).
        self.last: DrbState | None = None
        # The last DRB payload journaled in this session: later risk records carry changes only.
        self._journaled: dict[str, Any] | None = None

    @property
    def trading_state(self) -> TradingState:
        return self._state.state

    @property
    def trading_reason(self) -> ReasonCode | None:
        """Why the trading state is what it is (None before the first change)."""
        return self._state.reason

    @property
    def guard_state(self) -> DrbState:
        """The DRB guard's latest published state: budgets, breakers, the state it wants."""
        return self._drb.state

    def on_market(self, symbol: str, price: float, ts_ns: int) -> None:
        """A mark or a fill moved ``symbol``'s price: the guard judges the budgets again."""
        state = self._drb.on_market(symbol, price, self._portfolio.position(symbol),
                                    self._portfolio.trading_equity(), ts_ns)
        if state is not None:  # most books change nothing the guard publishes
            self.record(state, ts_ns)

    def record(self, state: DrbState | None, ts_ns: int) -> None:
        """Journal a new guard state (None: nothing changed) and move the trading state to its verdict."""
        if state is None:
            return
        if self.last is not None and state.day_start_ts_ns != self.last.day_start_ts_ns:
            self._portfolio.reset_day(state.day_start_ts_ns)  # day PnL follows the guard's day
        self.last = state
        self._journal(state)
        if self.holds and state.desired_state is not TradingState.HALTED:
            return  # a live hold keeps REDUCING whatever the budgets say
        self.change(state.desired_state, state.reason, ts_ns, notify=True)

    def restore(self, payload: Mapping[str, Any]) -> DrbState:
        """The guard's state as the last session left it (recovery)."""
        self.last = self._drb.restore(payload)
        return self.last

    def change(self, to: TradingState, reason: ReasonCode, ts_ns: int, detail: str = "", *,
               notify: bool = False) -> bool:
        """Move the trading state (journaled); ``notify``: tell the operator. False if it did not move."""
        transition = self._state.transition(to, reason, ts_ns, detail)
        if transition is None:
            return False
        self._wal.write(StateChanged.from_payload(transition.to_payload()))
        if notify:
            self._notify("risk", f"trading state {transition.to_state.value}: {transition.reason.value}")
        return True

    def fail(self, detail: str) -> None:
        """The journal could not make a record durable: FAILED at once. No new orders from
        here on; kill and flatten still act. The transition's record is held in memory."""
        self.change(TradingState.FAILED, ReasonCode.JOURNAL_FAILED, self._clock.now_ns(), detail)
        self._notify("journal", f"FAILED: {detail}; only kill and flatten are taken")

    def reset_halt(self) -> CommandResult:
        """The operator's reset: the guard starts its budgets again and decides the state."""
        if self._state.state is TradingState.FAILED:
            return CommandResult(False, "FAILED: the journal cannot be written; fix the disk and restart")
        ts_ns = self._clock.now_ns()
        state = self._drb.operator_reset(ts_ns)
        self.last = state
        self._journal(state)
        if state.desired_state is TradingState.HALTED:
            # The budgets still call for a halt (e.g. the day's loss is past its hard limit).
            return CommandResult(False, f"still HALTED: {state.reason.value} ({state.reason.description})")
        transition = self._state.operator_reset(ts_ns, to=state.desired_state)
        if transition is None:
            return CommandResult(True, f"already {self._state.state.value}")
        self._wal.write(StateChanged.from_payload(transition.to_payload()))
        note = f"operator reset: {transition.to_state.value}"
        self._notify("operator", note)
        return CommandResult(True, note)

    def hold(self, key: str, reason: ReasonCode, detail: str, *, notify: bool = True) -> None:
        """Hold the engine at least REDUCING until ``release(key)`` (live reconciliation,
        an account mismatch, an exchange ban); journaled, and a notice unless routine
        (``notify`` false: the reconciliation every LIVE start goes through)."""
        if self.holds.get(key, (None, ""))[0] is reason:
            return
        self.holds[key] = (reason, detail)
        self._wal.write(HoldChanged(key=key, reason=reason.value, detail=detail))
        if notify:
            self._notify("risk", f"REDUCING: {detail}")
        self.change(TradingState.REDUCING, reason, self._clock.now_ns(), detail)

    def release(self, key: str, detail: str = "", *, notify: bool = True) -> None:
        """Lift one hold; with none left, the guard's verdict decides the state again (a
        notice unless ``notify`` is false)."""
        if self.holds.pop(key, None) is None:
            return
        self._wal.write(HoldChanged(key=key, released=True, detail=detail))
        if self.holds or self._state.state is not TradingState.REDUCING or self._state.reason not in HOLD_REASONS:
            return
        desired = self.last.desired_state if self.last is not None else TradingState.ACTIVE
        if desired is TradingState.ACTIVE:
            moved = self.change(TradingState.ACTIVE, ReasonCode.LIVE_RECONCILED, self._clock.now_ns(), detail)
            if moved and notify:
                self._notify("risk", f"trading state ACTIVE: {detail}" if detail else "trading state ACTIVE")

    def _journal(self, state: DrbState) -> None:
        payload = state.to_payload()
        self._wal.write(RiskChanged(state=risk_record(self._journaled, payload)))
        self._journaled = payload
