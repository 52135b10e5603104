"""What each operator command does, one line per command class: a call of
``trading/operator.py``, ``trading/manual_orders.py`` or the core's risk journal; in LIVE, kill
and flatten go on to the exchange through the LIVE session.

The engine applies a command through ``apply_command`` once its record is journaled (the
command step of ``session/step.py``), and so does the replay, with no LIVE session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hft_tui.model import ReasonCode
from hft_tui.session.live_session import LiveSession
from hft_tui.signals.status import StrategyStatus
from hft_tui.trading import manual_orders, operator
from hft_tui.trading.commands import (
    RESET_CONFIRMATION,
    AcknowledgeNotices,
    CancelOrder,
    Command,
    CommandResult,
    DisableStrategy,
    EnableStrategy,
    Flatten,
    Kill,
    PauseStrategy,
    PlaceOrder,
    PreviewOrder,
    ResetHalt,
    ResumeStrategy,
    SetExits,
    SetStrategyParams,
)
from hft_tui.trading.core import TradingCore


def apply_command(core: TradingCore, live: LiveSession | None, command: Command) -> CommandResult:
    """The command's effect on the core (its journal record is already written)."""
    effect = COMMAND_EFFECTS.get(type(command))
    if effect is None:
        return CommandResult(False, f"unknown command {type(command).__name__}")
    return effect(core, live, command)


def _kill(core: TradingCore, live: LiveSession | None, command: Kill) -> CommandResult:
    result = operator.kill(core, command.source)
    if live is not None:
        live.flatten(core.symbols, ReasonCode.KILL, kill=True)
    return result


def _flatten(core: TradingCore, live: LiveSession | None, command: Flatten) -> CommandResult:
    result = operator.flatten(core, command.symbol)
    if live is not None and result.ok:
        symbols = core.symbols if command.symbol is None else (command.symbol,)
        live.flatten(symbols, ReasonCode.FLATTEN, kill=False)
    return result


def _reset_halt(core: TradingCore, live: LiveSession | None, command: ResetHalt) -> CommandResult:
    if not command.confirmed:
        return CommandResult(False, f"type {RESET_CONFIRMATION} to confirm the reset")
    result = core.risk.reset_halt()
    paused = [name for name in core.strategies if core.manager.status(name) is StrategyStatus.PAUSED]
    if not result.ok or not paused:
        return result
    # The kill paused every strategy; a reset leaves them so, which an operator must be told.
    return CommandResult(True, f"{result.message}; still paused: {', '.join(paused)} "
                               "(resume them to trade: Pause all, or ctl resume)")


# One entry per command class but ``StopEngine`` (``Engine.execute`` stops the engine itself:
# nothing to journal, nothing for the core to do). A new command adds its line here.
COMMAND_EFFECTS: dict[type[Command], Callable[[TradingCore, LiveSession | None, Any], CommandResult]] = {
    Kill: _kill,
    Flatten: _flatten,
    PauseStrategy: lambda core, live, command: operator.pause(core, command.name),
    ResumeStrategy: lambda core, live, command: operator.resume(core, command.name),
    EnableStrategy: lambda core, live, command: operator.enable(core, command.name),
    DisableStrategy: lambda core, live, command: core.strategies.disable(command.name, ReasonCode(command.reason)),
    SetStrategyParams: lambda core, live, command: operator.set_params(core, command.name, command.values,
                                                                          command.revert_to_defaults),
    PlaceOrder: lambda core, live, command: manual_orders.place(core, command),
    PreviewOrder: lambda core, live, command: manual_orders.preview(core, command.order),
    SetExits: lambda core, live, command: manual_orders.set_exits(core, command),
    CancelOrder: lambda core, live, command: manual_orders.cancel(core, command),
    ResetHalt: _reset_halt,
    AcknowledgeNotices: lambda core, live, command: operator.acknowledge_notices(core, command.up_to_seq),
}
