"""The running strategies, hosted: built, fed, timed, and a failing one isolated from the rest.

The core hands each market event to ``emit`` with the hooks of the strategies that override
it (``book_hooks``, ``trade_hooks``, ``candle_hooks``, ``liquidation_hooks``); the signals go to
the signal manager, whose gates are the ones the strategies declare (``offers()``) followed by
the core's own. A hook, gate, book-mark reader or parameter hook that raises disables its
strategy (``isolate``: ``STRATEGY_ERROR``, a ``strategy`` record, an ``error`` record through the
fault journal, a notice) and the others see the event as usual. Hooks are timed on the
wall time under the core's clock (``strategies/hook_watch.py``): a slow one is a notice, one
slow too often a ``DisableStrategy`` the engine journals and applies after the event
(``take_decided``), so a replay re-applies it instead of timing anything.

Read as a mapping, the host is the running strategies by name (``core.strategies[name]``);
``standing``, ``failed``, ``default_params``, ``signal_counts`` and ``recent_events`` are its other reads.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from hft_tui.bus import Metrics
from hft_tui.clock import Clock
from hft_tui.model import MarketRules, ReasonCode, Signal
from hft_tui.redaction import describe_error
from hft_tui.signals.manager import SignalManager
from hft_tui.signals.scoring import StrategyStats
from hft_tui.signals.status import StrategyAction, StrategyStatus, StrategyStatusChange
from hft_tui.strategies.base import Strategy, StrategyParams
from hft_tui.strategies.hook_watch import HookVerdict, HookWatch
from hft_tui.strategies.offers import Gate
from hft_tui.strategies.quiet_book import QuietBook
from hft_tui.strategies.settings import StrategiesSettings
from hft_tui.strategies.strategy_set import build_strategies
from hft_tui.trading.commands import Command, CommandResult, DisableStrategy
from hft_tui.trading.fault_journal import FaultJournal
from hft_tui.wal.errors import WalError
from hft_tui.wal.record_types import StrategyPaused, StrategyStatus as StrategyStatusRecord
from hft_tui.wal.writer import WalWriter

GateCheck = Callable[[Signal], tuple[float, ReasonCode | None]]


@dataclass(frozen=True, slots=True)
class StrategyStanding:
    """Where one strategy stands: running, paused or disabled (and why), and its score."""

    status: StrategyStatus
    disabled_reason: str
    stats: StrategyStats


class StrategyHost(Mapping[str, Strategy]):
    """The running strategies by name (read-only), and everything that feeds and isolates them."""

    def __init__(
        self,
        settings: StrategiesSettings,
        rules: Mapping[str, MarketRules],
        *,
        clock: Clock,
        wal: WalWriter,
        manager: SignalManager,
        metrics: Metrics,
        notify: Callable[[str, str], None],
        faults: FaultJournal,
        last_gates: tuple[GateCheck, ...] = (),
    ) -> None:
        self._clock = clock
        self._wal = wal
        self._manager = manager
        self._metrics = metrics
        self._notify = notify
        self._faults = faults
        # The core's gates, after the strategies' (a stale feed blocks last).
        self._last_gates = last_gates
        built = build_strategies(settings, rules)
        self._strategies: dict[str, Strategy] = built.strategies
        self._default_params: dict[str, StrategyParams] = {name: s.params for name, s in self._strategies.items()}
        self.default_params: Mapping[str, StrategyParams] = MappingProxyType(self._default_params)
        # Strategies that raised or were too slow: no longer fed until the operator enables them.
        self._failed: dict[str, str] = {}
        self.failed: Mapping[str, str] = MappingProxyType(self._failed)
        # Strategies that failed while the core was built (build or offers raised): not fed, and
        # disabled with STRATEGY_ERROR once the session has started (``report_start_failures``).
        self._start_failures: dict[str, Exception] = dict(built.failures)
        self._signal_counts: dict[str, int] = {name: 0 for name in self._strategies}
        self.signal_counts: Mapping[str, int] = MappingProxyType(self._signal_counts)
        # With reload on, the latest market events the strategies were fed: a reloaded one warms up on them.
        self.recent_events: deque[object] = deque(maxlen=settings.warmup_events if settings.reload else 0)
        self._keep_recent = bool(self.recent_events.maxlen)
        self.hook_watch = HookWatch.on(clock, settings.max_hook_ms, settings.slow_hook_limit)
        # Commands decided during an event; the engine journals and applies them.
        self._decided: list[Command] = []
        self._install_gates()
        self._failed.update(dict.fromkeys(self._start_failures, "starting"))
        self._index_hooks()

    # --- the read API ------------------------------------------------------------------------

    def __getitem__(self, name: str) -> Strategy:
        return self._strategies[name]

    def __contains__(self, name: object) -> bool:
        return name in self._strategies

    def __iter__(self) -> Iterator[str]:
        return iter(self._strategies)

    def __len__(self) -> int:
        return len(self._strategies)

    def standing(self, name: str) -> StrategyStanding:
        """Strategy ``name``'s status as the signal manager holds it, and its lifetime score."""
        manager = self._manager
        return StrategyStanding(manager.status(name), manager.disabled_reason(name) or "",
                                manager.scoreboard.stats(name))

    @property
    def signals(self) -> int:
        """Every signal the strategies emitted this session."""
        return sum(self._signal_counts.values())

    # --- wiring ------------------------------------------------------------------------------

    def add(self, strategy: Strategy) -> None:
        """Run one more strategy (e.g. a benchmark probe) from the next event on."""
        self._strategies[strategy.name] = strategy
        self._default_params[strategy.name] = strategy.params
        self._signal_counts.setdefault(strategy.name, 0)
        self._index_hooks()

    def replace(self, name: str, strategy: Strategy, default_params: StrategyParams) -> None:
        """Run ``strategy`` (reloaded code) in place of strategy ``name`` from the next event on;
        its status (paused, disabled) and its score stay."""
        self._strategies[name] = strategy
        self._default_params[name] = default_params
        self._start_failures.pop(name, None)
        self._index_hooks()
        self._install_gates()

    def report_start_failures(self) -> None:
        """Disable (``STRATEGY_ERROR``, journaled, a notice) each strategy that failed while the core
        was built; called once the session's start is journaled, so the records are the session's."""
        failures, self._start_failures = self._start_failures, {}
        for name, exc in failures.items():
            self._failed.pop(name, None)
            self.isolate(name, exc)

    def _index_hooks(self) -> None:
        # Per event type, the bound hooks of the strategies that override it, in strategy
        # order: the per-event loop then neither builds closures nor calls the base class's
        # empty hooks (a third of the calls with the default set).
        def overriding(hook: str) -> list[Any]:
            base = getattr(Strategy, hook)
            return [getattr(s, hook) for name, s in self._strategies.items()
                    if getattr(type(s), hook) is not base and name not in self._failed]
        self.book_hooks = overriding("on_book")
        # With the declarations of the strategies that hold back books changing nothing in them
        # (strategies/quiet_book.py); None when no running strategy declares any.
        quiet: list[tuple[Any, dict[str, QuietBook] | None]] = [
            (hook, hook.__self__.quiet_books) for hook in self.book_hooks]
        self.quiet_book_hooks = quiet if any(books is not None for _, books in quiet) else None
        self.trade_hooks = overriding("on_trade")
        self.candle_hooks = overriding("on_candle")
        self.liquidation_hooks = overriding("on_liquidation")

    def _install_gates(self) -> None:
        # The gates the strategies declare, by rank, then the core's.
        declared: list[tuple[Gate, str]] = []
        for name, strategy in self._strategies.items():
            try:
                declared.extend((gate, name) for gate in strategy.offers().gates)
            except WalError:
                raise
            except Exception as exc:  # noqa: BLE001 - a strategy's bug must not stop the session's start
                self._start_failures[name] = exc
        gates = [self._guarded_gate(name, gate.check) for gate, name in sorted(declared, key=lambda p: p[0].rank)]
        self._manager.set_gates([*gates, *self._last_gates])

    def _guarded_gate(self, name: str, check: GateCheck) -> GateCheck:
        """``check`` as a gate that a disabled strategy no longer holds, and whose error
        disables its strategy instead of failing the event."""
        def gate(signal: Signal) -> tuple[float, ReasonCode | None]:
            if name in self._failed:
                return 1.0, None
            try:
                return check(signal)
            except WalError:
                raise
            except Exception as exc:  # noqa: BLE001 - a strategy's bug must not end the session
                self.isolate(name, exc)
                return 1.0, None
        return gate

    def book_marks(self, symbol: str) -> list[Any]:
        """The marks the running strategies declare for ``symbol``'s order book (whales)."""
        marks: list[Any] = []
        for name, strategy in self._strategies.items():
            if name in self._failed:
                continue
            try:
                read = strategy.offers().book_marks
                if read is not None:
                    marks.extend(read(symbol))
            except WalError:
                raise
            except Exception as exc:  # noqa: BLE001 - a strategy's bug must not end the session
                self.isolate(name, exc)
        return marks

    # --- feeding -------------------------------------------------------------------------------

    def emit(self, hooks: list[Any], event: object) -> None:
        """Feed ``event`` to ``hooks`` and queue what they signal (paused strategies are still fed).

        A hook that raises is its strategy's failure, not the event's: the strategy is
        disabled and no longer fed, and the other strategies see the event as usual."""
        if self._keep_recent:
            self.recent_events.append(event)
        watch = self.hook_watch
        for hook in hooks:
            try:
                started_ns = watch.timer.now_ns() if watch is not None else 0
                signals = hook(event)
                if watch is not None:
                    self._timed(watch, hook, watch.timer.now_ns() - started_ns)
                if signals:
                    for signal in signals:
                        self._signal_counts[signal.strategy] = self._signal_counts.get(signal.strategy, 0) + 1
                        self._manager.submit(signal)
            except WalError:
                raise
            except Exception as exc:  # noqa: BLE001 - a strategy's bug must not end the session
                self.isolate(hook.__self__.name, exc)

    def _timed(self, watch: HookWatch, hook: Any, took_ns: int) -> None:
        """Report a slow hook; past the repeat limit, decide to disable its strategy after this event."""
        verdict = watch.judge(hook.__self__.name, took_ns)
        if verdict is HookVerdict.ON_TIME:
            return
        name = hook.__self__.name
        text = f"{hook.__name__} took {took_ns / 1e6:.1f} ms (limit {watch.max_hook_ms:g} ms)"
        if verdict is HookVerdict.SLOW:
            self._notify("strategy", f"strategy {name}: {text}")
        elif not any(isinstance(c, DisableStrategy) and c.name == name for c in self._decided):
            self._decided.append(DisableStrategy(name, ReasonCode.STRATEGY_SLOW.value))

    def take_decided(self) -> Sequence[Command]:
        """The commands decided during the last event (the engine journals them, then applies them)."""
        decided = self._decided
        if not decided:
            return ()  # the usual event: no new list
        self._decided = []
        return decided

    # --- isolating -------------------------------------------------------------------------------

    def isolate(self, name: str, exc: Exception) -> None:
        """Isolate a strategy that raised: disabled with ``STRATEGY_ERROR``, no longer fed; the
        traceback journaled (once per distinct error)."""
        if name in self._failed:
            return
        self._metrics.errors += 1
        self._faults.error(f"strategy {name}", exc, with_traceback=True)
        self.disable(name, ReasonCode.STRATEGY_ERROR, describe_error(exc))

    def disable(self, name: str, reason: ReasonCode, detail: str = "") -> CommandResult:
        """Stop feeding strategy ``name`` until the operator enables it; its signals are refused."""
        if name not in self._strategies:
            return CommandResult(False, f"no strategy {name!r}")
        if name in self._failed:
            return CommandResult(True, f"{name} already disabled")
        why = f"{reason.value}: {detail}" if detail else reason.value
        self._failed[name] = why
        self._index_hooks()
        change = StrategyStatusChange(name, StrategyAction.DISABLE, self._clock.now_ns(), why)
        self._manager.apply(change)
        self.journal_status(change)
        self._notify("strategy", f"strategy {name} disabled: {why}")
        return CommandResult(True, f"{name} disabled: {why}")

    def restore_disabled(self, name: str, why: str) -> None:
        """Start strategy ``name`` disabled as the journal left it: not fed, its gate and signals
        off, nothing journaled again. One that failed at this start keeps this start's reason."""
        if name not in self._strategies or name in self._failed:
            return
        self._failed[name] = why
        self._index_hooks()
        self._manager.apply(StrategyStatusChange(name, StrategyAction.DISABLE, self._clock.now_ns(), why))

    def feed_again(self, name: str) -> None:
        """Feed a disabled strategy again from the next event (the operator enabled it)."""
        if self._failed.pop(name, None) is not None:
            self._index_hooks()
            if self.hook_watch is not None:
                self.hook_watch.forget(name)

    def journal_status(self, change: StrategyStatusChange | None) -> None:
        """Journal a strategy's status change (pause and resume as ``strategy_paused``)."""
        if change is not None:
            record = StrategyPaused if change.action.value in ("pause", "resume") else StrategyStatusRecord
            self._wal.write(record.from_payload(change.to_record()))
