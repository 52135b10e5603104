"""Operator commands have one codec: the control socket's wire form and the journal's record
are the same name and arguments, and every command comes back from both unchanged."""

from __future__ import annotations

from typing import Any

import orjson

from hft_tui.serve.protocol import command_from_wire, command_to_wire
from hft_tui.session.command_effects import COMMAND_EFFECTS
from hft_tui.trading.commands import (
    COMMANDS,
    AcknowledgeNotices,
    CancelOrder,
    Command,
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
    StopEngine,
    journal_record,
    journaled_command,
)
from hft_tui.wal.record_types import CommandIssued, decode

ONE_OF_EACH: list[Command] = [
    StopEngine("ctl"), Kill("ctl"), Flatten("BTC/USDT"), PauseStrategy(None), ResumeStrategy("cvd"),
    EnableStrategy("cvd"), DisableStrategy("cvd", "STRATEGY_SLOW"), SetStrategyParams("cvd", {"cooldown_s": 5.0}, revert_to_defaults=False),
    PlaceOrder("BTC/USDT", "buy", 0.1, None, reduce_only=True),
    PreviewOrder(PlaceOrder("BTC/USDT", "sell", notional=500.0, take_profit=60_000.0, stop_loss=70_000.0)),
    SetExits("BTC/USDT", take_profit=70_000.0), CancelOrder("s1o3"), ResetHalt("RESET"), AcknowledgeNotices(7),
]


def _json(value: dict[str, Any]) -> dict[str, Any]:
    return orjson.loads(orjson.dumps(value))  # type: ignore[no-any-return]


def test_the_samples_cover_every_command() -> None:
    assert {type(c) for c in ONE_OF_EACH} == set(COMMANDS.values())


def test_every_command_but_stop_has_its_effect_in_the_engines_dispatch_table() -> None:
    assert set(COMMAND_EFFECTS) == set(COMMANDS.values()) - {StopEngine}


def test_every_command_crosses_the_control_socket_unchanged() -> None:
    for command in ONE_OF_EACH:
        assert command_from_wire(_json(command_to_wire(command))) == command


def test_every_command_comes_back_from_its_journal_record_unchanged() -> None:
    for command in ONE_OF_EACH:
        record = journal_record(command, at_event=42, clock_ns=7)
        read = decode(record.TYPE, _json(record.to_payload()))
        assert isinstance(read, CommandIssued)
        assert (read.at_event, read.clock_ns) == (42, 7)
        assert journaled_command(read) == command


def test_a_kill_is_journaled_as_its_own_record_type() -> None:
    assert journal_record(Kill("ctl"), at_event=0).TYPE == "kill"
    assert journal_record(PauseStrategy("cvd"), at_event=0).TYPE == "command"


def test_a_reset_journals_whether_it_was_confirmed_not_what_was_typed() -> None:
    refused = journal_record(ResetHalt("reset"), at_event=3).to_payload()
    accepted = journal_record(ResetHalt("RESET"), at_event=4).to_payload()
    assert refused == {"command": "ResetHalt", "at_event": 3, "confirmation": False}
    assert accepted == {"command": "ResetHalt", "at_event": 4, "confirmation": True}
    assert journaled_command(CommandIssued.from_payload(refused)) == ResetHalt("")
    assert journaled_command(CommandIssued.from_payload(accepted)) == ResetHalt("RESET")
