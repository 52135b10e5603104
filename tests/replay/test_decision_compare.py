"""Comparing decision streams: what counts, what is ignored, how a divergence reads."""

from __future__ import annotations

from hft_tui.replay.decision_stream import DecisionRecord, decisions_of, split_sessions
from hft_tui.replay.verify import compare_streams
from hft_tui.wal.record import WalRecord


def _d(index: int, kind: str, **payload: object) -> DecisionRecord:
    return DecisionRecord(index, 100 + index, kind, dict(payload))


def test_identical_streams_verify_and_say_how_many_decisions() -> None:
    stream = [_d(0, "signal", accepted=True), _d(1, "order", qty=0.5)]
    result = compare_streams(stream, list(stream))
    assert result.ok
    assert result.summary() == "verified 2 decisions, 0 divergences"


def test_the_first_differing_field_is_named_by_its_path_with_both_values() -> None:
    expected = [_d(0, "feed", state="live"),
                _d(1, "risk", budgets=[{"name": "daily_loss", "used": 0.1}], equity=100.0),
                _d(2, "order", qty=1.0)]
    got = [expected[0], _d(1, "risk", budgets=[{"name": "daily_loss", "used": 0.2}], equity=100.0),
           _d(2, "order", qty=2.0)]
    result = compare_streams(expected, got, event_of=lambda d: 42)
    assert not result.ok and result.divergence is not None
    assert result.divergence.index == 1
    assert [d.path for d in result.divergence.differences] == ["budgets[0].used"]
    text = result.summary()
    assert "decision #1, around market event 42: risk" in text
    assert "budgets[0].used: expected 0.1, got 0.2" in text


def test_a_missing_or_extra_decision_is_a_divergence() -> None:
    stream = [_d(0, "signal", accepted=False), _d(1, "order", qty=1.0)]
    short = compare_streams(stream, stream[:1])
    assert not short.ok and "never made" in short.summary()
    long = compare_streams(stream[:1], stream)
    assert not long.ok and "does not have" in long.summary()


def test_an_integer_is_not_the_same_decision_as_a_float() -> None:
    result = compare_streams([_d(0, "order", qty=1)], [_d(0, "order", qty=1.0)])
    assert not result.ok


def test_clock_readings_are_ignored_only_when_asked() -> None:
    expected = [_d(0, "fill", ts_ns=1, price=10.0, tca={"decision_ts_ns": 5, "fill_latency_ms": 0.1})]
    got = [_d(0, "fill", ts_ns=2, price=10.0, tca={"decision_ts_ns": 6, "fill_latency_ms": 0.2})]
    assert not compare_streams(expected, got).ok
    assert compare_streams(expected, got, compare_clock_fields=False).ok
    moved = [_d(0, "fill", ts_ns=2, price=10.5, tca={"decision_ts_ns": 6, "fill_latency_ms": 0.2})]
    assert not compare_streams(expected, moved, compare_clock_fields=False).ok


def test_bookkeeping_records_are_not_decisions_and_sessions_split_at_their_start() -> None:
    records = [WalRecord(1, "t", "session_start", {"session": 1}),
               WalRecord(2, "t", "error", {"where": "source"}),
               WalRecord(3, "t", "signal", {}),
               WalRecord(4, "t", "snapshot", {}),
               WalRecord(5, "t", "session_stop", {}),
               WalRecord(6, "t", "session_start", {"session": 2}),
               WalRecord(7, "t", "recovery", {}),
               WalRecord(8, "t", "kill", {"command": "Kill", "at_event": 0})]
    assert [d.type for d in decisions_of(records)] == ["signal", "kill"]
    preamble, sessions = split_sessions(records)
    assert preamble == [] and [s.number for s in sessions] == [1, 2]
    assert [d.seq for d in sessions[1].decisions()] == [8]
