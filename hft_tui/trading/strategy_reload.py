"""Reloading a user strategy's code in a running core (``--reload``).

The file's new text runs as the strategy's module, its class gets the old parameters that
still validate, and the new strategy is built and warmed up on the recent market events the
core kept, all before anything in the core changes: a reload that fails at any of these steps
leaves the old code running. Then the engine journals a ``strategy_reload`` record (the text
included, so a replay runs the same code) and the new strategy takes over between two events.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from hft_tui.model import Candle, Liquidation, OrderBook, Trade
from hft_tui.strategies.base import BuildContext, Strategy, StrategyParams
from hft_tui.strategies.user_strategies import UserStrategyError, reload_class, restore_module, source_sha256
from hft_tui.trading.commands import CommandResult
from hft_tui.trading.core import TradingCore
from hft_tui.wal.record_types import StrategyReloaded

_HOOKS: dict[type, str] = {OrderBook: "on_book", Trade: "on_trade", Candle: "on_candle", Liquidation: "on_liquidation"}


@dataclass(frozen=True)
class PreparedReload:
    """A reloaded strategy ready to take over, and the record that journals it."""

    strategy: Strategy
    defaults: StrategyParams
    record: StrategyReloaded


def prepare_reload(core: TradingCore, name: str, path: Path, source: str) -> PreparedReload:
    """Strategy ``name`` built from ``source`` (the new text of ``path``) with the parameters
    it runs with now where they still validate, warmed up; the core is not touched.
    A mistake (in the file, its parameters, its build or its warm-up) is one line."""
    if name not in core.strategies:
        raise UserStrategyError(f"{path}: strategy {name!r} is not running")
    readers = [other for other, strategy in core.strategies.items() if name in type(strategy).needs]
    if readers:
        raise UserStrategyError(f"{path}: {', '.join(readers)} read{'s' if len(readers) == 1 else ''} {name}; "
                                "restart to run its new code")
    running = core.settings.strategies.catalogue.classes[name]
    previous = sys.modules.get(running.__module__)
    cls = reload_class(running, path, source)
    try:
        strategy, params, dropped, defaults, warmed = _build_warm(core, name, cls, path)
    except UserStrategyError:
        restore_module(running.__module__, previous)  # the module the running code came from
        raise
    record = StrategyReloaded(strategy=name, at_event=core.counters.events, path=str(path),
                              sha256=source_sha256(source), params=params.model_dump(mode="json"),
                              dropped=list(dropped), warmup_events=warmed, source=source)
    return PreparedReload(strategy, defaults, record)


def _build_warm(core: TradingCore, name: str, cls: type[Strategy], path: Path,
                ) -> tuple[Strategy, StrategyParams, tuple[str, ...], StrategyParams, int]:
    missing = [need for need in cls.needs if need not in core.strategies]
    if missing:
        raise UserStrategyError(f"{path}: {name} now needs {' and '.join(missing)}, which are not running")
    try:
        params, dropped = cls.params_model.keeping(core.strategies[name].params.model_dump())
        defaults, _ = cls.params_model.keeping(core.strategies.default_params[name].model_dump())
    except ValidationError as exc:  # the defaults themselves (a validator across fields)
        raise UserStrategyError(f"{path}: {cls.params_model.__name__}'s defaults do not validate: "
                                f"{exc.errors()[0]['msg']}") from None
    try:
        strategy = cls.build(params, BuildContext(rules=core.rules,
                                                  needs={need: core.strategies[need] for need in cls.needs}))
        strategy.offers()
        warmed = warm_up(strategy, core.strategies.recent_events)
    except Exception as exc:  # noqa: BLE001 - the user's code: any error is theirs, in one line
        raise UserStrategyError(f"{path}: building and warming up {name} failed: "
                                f"{type(exc).__name__}: {exc}") from None
    return strategy, params, dropped, defaults, warmed


def apply_reload(core: TradingCore, prepared: PreparedReload) -> CommandResult:
    """The reloaded strategy takes over from the next event (its record is journaled already)."""
    record = prepared.record
    name = record.strategy
    core.strategies.replace(name, prepared.strategy, prepared.defaults)
    dropped = f"; parameters reset to the new defaults: {', '.join(record.dropped)}" if record.dropped else ""
    disabled = f"; still disabled ({core.strategies.failed[name]}): enable it to run it" \
        if name in core.strategies.failed else ""
    text = (f"strategy {name} reloaded from {record.path} (sha256 {record.sha256[:12]}), warmed up on "
            f"{record.warmup_events} events{dropped}{disabled}")
    core.add_notice("strategy", text)
    return CommandResult(True, text)


def warm_up(strategy: Strategy, events: Iterable[object]) -> int:
    """Feed ``events`` to the hooks ``strategy`` overrides, dropping what it signals; how many were fed."""
    hooks = {kind: getattr(strategy, hook) for kind, hook in _HOOKS.items()
             if getattr(type(strategy), hook) is not getattr(Strategy, hook)}
    fed = 0
    for event in events:
        hook = hooks.get(type(event))
        if hook is not None:
            hook(event)
            fed += 1
    return fed
