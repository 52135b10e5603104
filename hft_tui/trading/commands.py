"""Commands the operator (TUI, CLI, tests) sends to the engine: plain immutable data, the
list of them (``COMMANDS``), and their one codec.

A command travels as its name and its arguments (``command_args``/``command_from_args``):
over the control socket as ``{"name", "args"}``, and in the journal as a ``command`` or
``kill`` record (``journal_record``/``journaled_command``), which the replay decodes the
same way. To add a command: a dataclass here, added to ``Command``, and its effect in the
engine's ``apply``.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from hft_tui.wal.record_types import ABSENT, Absent, CommandIssued, KillIssued

# What the operator types to leave HALTED.
RESET_CONFIRMATION = "RESET"


@dataclass(frozen=True, slots=True)
class StopEngine:
    reason: str = "operator"


@dataclass(frozen=True, slots=True)
class Kill:
    """Stop everything: pause strategies, cancel all, flatten all, HALT."""

    source: str = "operator"


@dataclass(frozen=True, slots=True)
class Flatten:
    """Close one symbol's position (or all when ``symbol`` is None) without halting."""

    symbol: str | None = None


@dataclass(frozen=True, slots=True)
class PauseStrategy:
    """Pause one strategy, or all when ``name`` is None."""

    name: str | None = None


@dataclass(frozen=True, slots=True)
class ResumeStrategy:
    name: str | None = None


@dataclass(frozen=True, slots=True)
class EnableStrategy:
    """Re-enable a strategy that the signal manager auto-disabled."""

    name: str


@dataclass(frozen=True, slots=True)
class DisableStrategy:
    """Stop feeding a strategy until the operator enables it; ``reason`` is a reason code. The
    core decides this itself for a strategy whose hooks are too slow (``STRATEGY_SLOW``)."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class SetStrategyParams:
    """Replace some of a strategy's parameters; validated against its model first."""

    name: str
    values: dict[str, Any] = field(default_factory=dict)
    revert_to_defaults: bool = False


# The strategy name of the operator's own trades (placed by hand, through the risk gate).
MANUAL_STRATEGY = "manual"


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    """A manual order from the operator; it passes the same risk gate as any strategy's.

    The size is ``qty`` (base units) or ``notional`` (quote, turned into whole lots at the
    price the order will cross when it is applied). An entry opens a trade of strategy
    ``manual`` whose exits the engine manages: ``take_profit``/``stop_loss`` where given,
    the ``[exits]`` defaults elsewhere.
    """

    symbol: str
    side: str  # "buy" | "sell"
    qty: float = 0.0
    price: float | None = None  # None = market
    reduce_only: bool = False
    notional: float | None = None
    take_profit: float | None = None
    stop_loss: float | None = None


@dataclass(frozen=True, slots=True)
class PreviewOrder:
    """What ``order`` would do if it were placed now: a question, not journaled, changes nothing."""

    order: PlaceOrder


@dataclass(frozen=True, slots=True)
class SetExits:
    """Move an open position's take-profit and stop-loss (None: that exit is off)."""

    symbol: str
    take_profit: float | None = None
    stop_loss: float | None = None


@dataclass(frozen=True, slots=True)
class CancelOrder:
    """Cancel one working order by its client id."""

    client_id: str


@dataclass(frozen=True, slots=True)
class ResetHalt:
    """Leave HALTED: the only way out, and only by an operator who typed ``RESET``."""

    confirmation: str = ""

    @property
    def confirmed(self) -> bool:
        return self.confirmation == RESET_CONFIRMATION


@dataclass(frozen=True, slots=True)
class AcknowledgeNotices:
    """The operator has read every notice up to ``up_to_seq``: they leave the unread count."""

    up_to_seq: int


Command = (
    StopEngine | Kill | Flatten | PauseStrategy | ResumeStrategy | EnableStrategy | DisableStrategy
    | SetStrategyParams | ResetHalt | PlaceOrder | PreviewOrder | SetExits | CancelOrder | AcknowledgeNotices
)


@dataclass(frozen=True, slots=True)
class OrderPreview:
    """A manual order as it stands now, for the confirmation: what it crosses, costs and risks,
    and what the pre-trade risk gate says (``gate_code`` "" = it would pass)."""

    symbol: str
    side: str
    order_type: str  # "market" | "limit"
    qty: float
    price: float  # the price it will cross: the book walked for a market order, the limit
    mid: float
    notional: float
    fee: float
    liquidity: str  # "taker" | "maker"
    take_profit: float | None
    stop_loss: float | None
    take_profit_default: bool  # the level comes from the [exits] settings, not the order
    stop_loss_default: bool
    risk_to_stop: float | None  # loss at the stop, fees both ways included
    equity: float
    gate_code: str
    gate_reason: str
    trading_state: str
    reduce_only: bool = False
    fillable_qty: float | None = None  # a market order: what the visible book holds

    @property
    def risk_pct_of_equity(self) -> float | None:
        if self.risk_to_stop is None or self.equity <= 0:
            return None
        return self.risk_to_stop / self.equity * 100.0

    @property
    def passes(self) -> bool:
        return not self.gate_code

    def lines(self) -> list[str]:
        """The preview as the confirmation dialog and ``ctl order`` show it."""
        how = "at market" if self.order_type == "market" else f"limit {_num(self.price)}"
        lines = [f"{self.side.capitalize()} {_num(self.qty)} {self.symbol} {how}"
                 + (" (reduce-only)" if self.reduce_only else "")]
        crosses = "crosses ~" if self.order_type == "market" else "rests or crosses at "
        lines.append(f"{crosses}{_num(self.price, 2)} (mid {_num(self.mid, 2)})")
        lines.append(f"notional {_num(self.notional, 2)} · fee ~{_num(self.fee, 2)} ({self.liquidity})")
        if self.fillable_qty is not None and self.fillable_qty < self.qty:
            lines.append(f"only {_num(self.fillable_qty)} of {_num(self.qty)} visible in the book: "
                         "the rest is cancelled (market orders do not rest)")
        if not self.reduce_only:
            lines.append(f"take-profit {_level(self.take_profit, self.take_profit_default)} · "
                         f"stop-loss {_level(self.stop_loss, self.stop_loss_default)}")
            pct = self.risk_pct_of_equity
            lines.append("no stop: the risk is not bounded" if self.risk_to_stop is None else
                         f"risk to the stop {_num(self.risk_to_stop, 2)} = {pct:.3f}% of equity "
                         f"{_num(self.equity, 2)}")
        verdict = ("passes" if self.passes else f"would REFUSE it: {self.gate_code} ({self.gate_reason})")
        lines.append(f"risk gate: {verdict} · trading {self.trading_state}")
        return lines


@dataclass(frozen=True, slots=True)
class CommandResult:
    ok: bool
    message: str
    preview: OrderPreview | None = None  # the answer to a PreviewOrder


COMMANDS: dict[str, type[Command]] = {cls.__name__: cls for cls in typing.get_args(Command)}
UNKNOWN_COMMAND = f"unknown command; one of {', '.join(COMMANDS)}"
_ADAPTERS = {name: TypeAdapter(cls) for name, cls in COMMANDS.items()}


class CommandError(ValueError):
    """Not a command: an unknown name, or arguments its fields refuse; the text says which."""


def command_args(command: Command) -> dict[str, Any]:
    """The command's fields by name, as JSON-ready values."""
    return {name: getattr(command, name) for name in command.__dataclass_fields__}  # type: ignore[union-attr]


def command_from_args(name: str, args: Mapping[str, Any]) -> Command:
    """The command ``name`` with ``args``, checked against its fields' types."""
    if name not in COMMANDS:
        raise CommandError(UNKNOWN_COMMAND)
    try:
        return _ADAPTERS[name].validate_python(dict(args), strict=False)  # type: ignore[no-any-return]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "args"
        raise CommandError(f"{name}: {where}: {first['msg']}") from None


def journal_record(command: Command, at_event: int, clock_ns: int | Absent = ABSENT) -> CommandIssued:
    """The record that makes ``command`` durable before it acts: after ``at_event`` market
    events (and at ``clock_ns`` on a latched clock), so a replay applies it at the same point.

    A reset keeps whether it was confirmed, not the text typed."""
    args = command_args(command)
    if isinstance(command, ResetHalt):
        args["confirmation"] = command.confirmed
    record = KillIssued if isinstance(command, Kill) else CommandIssued
    return record(command=type(command).__name__, at_event=at_event, args=args, clock_ns=clock_ns)


def journaled_command(record: CommandIssued) -> Command:
    """The command a ``command``/``kill`` record holds (CommandError if this build has none)."""
    args = dict(record.args)
    if record.command == ResetHalt.__name__:
        args["confirmation"] = RESET_CONFIRMATION if args.get("confirmation") else ""
    return command_from_args(record.command, args)


def _num(value: float, decimals: int | None = None) -> str:
    if decimals is not None:
        return f"{value:,.{decimals}f}"
    return f"{value:,.8f}".rstrip("0").rstrip(".")


def _level(value: float | None, default: bool) -> str:
    return "none" if value is None else _num(value, 2) + (" ([exits] default)" if default else "")
