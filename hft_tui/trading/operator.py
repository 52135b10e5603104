"""The operator's commands on the trading core: pause, resume, enable, tune, flatten, kill, read notices.

The engine journals every command durably before it reaches these functions (``kill`` as a
record of its own), so a replay re-applies them at the same event and decides the same. What
each one changes is journaled here too (``strategy``, ``params``, ``flatten``, ``state``).
The reset of a HALT is the risk journal's (``core.risk.reset_halt``); manual orders are
``manual_orders``'.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from hft_tui.model import FeedState, ReasonCode
from hft_tui.redaction import describe_error
from hft_tui.risk.trading_state import TradingState
from hft_tui.signals.status import StrategyStatusChange
from hft_tui.strategies.strategy_set import Unbuilt
from hft_tui.trading.commands import CommandResult
from hft_tui.trading.core import TradingCore
from hft_tui.wal.errors import WalError
from hft_tui.wal.record_types import FlattenStarted, ParamsChanged


def pause(core: TradingCore, name: str | None) -> CommandResult:
    """Pause strategy ``name`` (None: all): still fed, its signals refused."""
    return _each(core, name, core.manager.pause, "paused")


def resume(core: TradingCore, name: str | None) -> CommandResult:
    """Resume strategy ``name`` (None: all)."""
    return _each(core, name, core.manager.resume, "resumed")


def _each(core: TradingCore, name: str | None, act: Callable[[str], StrategyStatusChange | None],
          done: str) -> CommandResult:
    """``act`` on strategy ``name`` (None: all), each change journaled."""
    names = list(core.strategies) if name is None else [name] if name in core.strategies else None
    if names is None:
        return CommandResult(False, f"no strategy {name!r}")
    changed = [c for c in (act(n) for n in names) if c is not None]
    for change in changed:
        core.strategies.journal_status(change)
    return CommandResult(True, f"{done} {', '.join(c.strategy for c in changed) or 'nothing new'}")


def _problem(error: Mapping[str, Any], fields: Mapping[str, Any]) -> str:
    """One parameter's problem; a name the strategy does not have lists the ones it has."""
    where = ".".join(map(str, error["loc"]))
    if error["type"] == "extra_forbidden":
        return f"{where}: no such parameter (it has {', '.join(fields)})"
    return f"{where}: {error['msg']}"


def enable(core: TradingCore, name: str) -> CommandResult:
    """Enable strategy ``name`` again (one disabled by the operator, an error or slowness)."""
    if name not in core.strategies:
        return CommandResult(False, f"no strategy {name!r}")
    if isinstance(core.strategies[name], Unbuilt):
        return CommandResult(False, f"{name} could not be built: fix its code and restart (or reload it)")
    core.strategies.feed_again(name)
    core.strategies.journal_status(core.manager.enable(name))
    return CommandResult(True, f"{name} enabled")


def set_params(core: TradingCore, name: str, values: Mapping[str, Any], revert: bool = False) -> CommandResult:
    """Validate, journal old and new, then apply: takes effect from the next event."""
    strategy = core.strategies.get(name)
    if strategy is None:
        return CommandResult(False, f"no strategy {name!r}")
    old = strategy.params
    try:
        new = (core.strategies.default_params[name] if revert
               else type(old).model_validate({**old.model_dump(), **values}))
    except ValidationError as exc:
        problems = "; ".join(_problem(e, type(old).model_fields) for e in exc.errors())
        return CommandResult(False, f"{name}: {problems}")
    old_values, new_values = old.model_dump(mode="json"), new.model_dump(mode="json")
    changed = {k for k in new_values if new_values[k] != old_values.get(k)}
    if not changed:
        return CommandResult(True, f"{name}: nothing changed")
    core.wal.write(ParamsChanged(strategy=name, old={k: old_values[k] for k in sorted(changed)},
                                 new={k: new_values[k] for k in sorted(changed)}))
    try:
        strategy.set_params(new)
    except WalError:
        raise
    except Exception as exc:  # noqa: BLE001 - a strategy's bug must not end the session
        core.strategies.isolate(name, exc)
        return CommandResult(False, f"{name} failed on its new parameters and is disabled: {describe_error(exc)}")
    return CommandResult(True, f"{name}: {', '.join(sorted(changed))} changed")


def acknowledge_notices(core: TradingCore, up_to_seq: int) -> CommandResult:
    """The operator read every notice up to ``up_to_seq``."""
    read = core.notices.acknowledge(up_to_seq)
    return CommandResult(True, f"{read} notice(s) acknowledged; {core.notices.unacknowledged} unread")


def flatten(core: TradingCore, symbol: str | None, reason: ReasonCode = ReasonCode.FLATTEN) -> CommandResult:
    """Cancel the symbol's open entry orders, then close it reduce-only (no halt)."""
    symbols = core.symbols if symbol is None else (symbol,)
    if symbol is not None and symbol not in core.rules:
        return CommandResult(False, f"unknown symbol {symbol!r}")
    ts_ns = core.clock.now_ns()
    core.wal.write(FlattenStarted(symbols=list(symbols), reason=reason.value))
    if core.sync_broker is None:
        # Live: the engine cancels on the exchange and flattens from its balances.
        return CommandResult(True, f"flattening {', '.join(symbols)} on the exchange")
    for sym in symbols:
        core.flattening.cancel_open(sym, entries_only=True)
        core.flattening.start(sym, reason, ts_ns)
    left = [s for s in symbols if not core.portfolio.position(s).is_flat]
    return CommandResult(True, f"flattening {', '.join(left)}" if left else "already flat")


def kill(core: TradingCore, source: str) -> CommandResult:
    """After the durable ``kill`` record: pause all, cancel all, flatten all, HALT."""
    ts_ns = core.clock.now_ns()
    stale = [s for s, st in core.feed_health.states().items() if st is not FeedState.LIVE]
    pause(core, None)
    core.risk.change(TradingState.HALTED, ReasonCode.KILL, ts_ns, f"kill by {source}")
    if core.sync_broker is None:
        # Live: the engine's kill path cancels everything on the exchange, flattens from
        # the exchange's balances and says when the exchange confirms flat.
        note = "kill: strategies paused, HALTED; cancelling on the exchange and flattening"
        core.add_notice("kill", note)
        return CommandResult(True, note)
    for symbol in core.symbols:
        core.flattening.cancel_open(symbol, entries_only=False)
    for symbol in core.symbols:
        core.flattening.start(symbol, ReasonCode.KILL, ts_ns)
    note = f"kill: strategies paused, orders cancelled, positions closing, {core.state.state.value}"
    if stale:
        note += f"; feeds not live for {', '.join(stale)}: flatten uses the last good book"
    core.add_notice("kill", note)
    return CommandResult(True, note)

