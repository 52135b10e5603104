"""A record type that journals a domain object is that object in the journal's plain types:
it carries every field of it (a field added to one and not the other fails here), and its
codec gives the object back."""

from __future__ import annotations

from dataclasses import fields

from hft_tui.model import ClosedTrade, ReasonCode, Side
from hft_tui.signals.exits import ExitRules
from hft_tui.wal.record_types import ExitRulesArmed, TradeClosed

# The record keeps the names it has always had in the WAL; the domain names its units.
TRADE_CLOSED_KEYS = {"pnl_usd": "pnl", "fees_usd": "fees"}


def _names(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}


def test_trade_closed_carries_every_field_of_a_closed_trade() -> None:
    assert {TRADE_CLOSED_KEYS.get(name, name) for name in _names(ClosedTrade)} == _names(TradeClosed)


def test_a_closed_trade_journals_every_value_under_its_key() -> None:
    closed = ClosedTrade("cvd", "BTC/USDT", Side.SELL, 0.25, 101.5, 99.75, 0.3875, 11, 22,
                         (ReasonCode.CVD_BEAR_DIV, ReasonCode.WHALE_ASK), ReasonCode.TAKE_PROFIT, 0.05)
    payload = TradeClosed.of(closed).to_payload()
    for f in fields(ClosedTrade):
        value = getattr(closed, f.name)
        journaled = payload[TRADE_CLOSED_KEYS.get(f.name, f.name)]
        if isinstance(value, tuple):
            assert journaled == [code.value for code in value]
        else:
            assert journaled == value  # enums are str: equal to their journaled value
    assert TradeClosed.from_payload(payload) == TradeClosed.of(closed)


def test_a_trade_closed_without_an_exit_reason_journals_null() -> None:
    closed = ClosedTrade("manual", "ETH/USDT", Side.BUY, 1.0, 10.0, 11.0, 1.0, 1, 2)
    assert TradeClosed.of(closed).to_payload()["exit_reason"] is None


def test_exit_rules_armed_is_exit_rules_field_for_field_and_its_codec_round_trips() -> None:
    assert [f.name for f in fields(ExitRulesArmed)] == [f.name for f in fields(ExitRules)]
    rules = ExitRules("BTC/USDT", Side.BUY, 100.0, 5, 101.0, 99.0, 20.0, 100.5, 9)
    armed = ExitRulesArmed.from_payload(rules.to_record())
    assert armed.to_payload() == rules.to_record()
    assert ExitRules.from_record(armed.to_payload()) == rules
