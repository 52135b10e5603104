"""Notices reach the operator: every one journaled, kept until acknowledged, none dropped."""

from __future__ import annotations

from pathlib import Path

from sim_driver import drive_seconds, make_engine
from wal_records import wal_records

from hft_tui.session.engine import Engine
from hft_tui.trading.commands import AcknowledgeNotices, Kill, PlaceOrder
from hft_tui.trading.notice_log import NoticeLog

T0 = 1_767_225_600_000_000_000


def test_identical_unread_notices_are_one_entry_with_a_count() -> None:
    log = NoticeLog()
    for i in range(5):
        log.add("broker", "binance: order s1o3 gave up after 4 attempts", T0 + i)
    log.add("broker", "binance: something else", T0 + 9)
    assert [(n.text[-8:], n.count) for n in log.notices] == [("attempts", 5), ("ing else", 1)]
    assert log.notices[0].last_ts_ns == T0 + 4 and log.unacknowledged == 2


def test_acknowledged_notices_stay_listed_but_leave_the_unread_count() -> None:
    log = NoticeLog()
    first = log.add("recovery", "recovered: 1 position", T0)
    log.add("kill", "kill: strategies paused", T0 + 1)
    assert log.acknowledge(first.seq) == 1
    assert log.unacknowledged == 1 and len(log.notices) == 2
    again = log.add("recovery", "recovered: 1 position", T0 + 2)
    assert again.seq != first.seq  # read ones are not reopened: a new occurrence is news


def test_a_full_log_makes_room_with_read_notices_first_and_counts_unread_ones_it_lets_go() -> None:
    log = NoticeLog(capacity=3)
    for i in range(3):
        log.add("broker", f"n{i}", T0 + i)
    log.acknowledge(2)  # n0 and n1 read
    log.add("broker", "n3", T0 + 3)
    assert [n.text for n in log.notices] == ["n1", "n2", "n3"]
    log.add("broker", "n4", T0 + 4)
    log.add("broker", "n5", T0 + 5)  # now only unread ones are left to let go
    assert [n.text for n in log.notices] == ["n3", "n4", "n5"]
    assert log.evicted_unacknowledged == 1 and log.unacknowledged == 4
    assert log.acknowledge(log.last_seq) == 4 and log.unacknowledged == 0


def test_every_notice_is_journaled_even_when_the_screen_keeps_fewer(engine: Engine) -> None:
    core = engine.core
    for i in range(500):
        core.add_notice("broker", f"binance: order s1o{i} reported rejected was found live; cancelling it")
    engine.wal.sync()
    journaled = [r for r in wal_records(engine.wal.directory) if r["type"] == "notice"]
    assert len(journaled) == 500 and journaled[0]["source"] == "broker"
    assert core.notices.unacknowledged == 500
    assert engine.publish_snapshot().notices_unread == 500


def test_the_operator_acknowledges_through_a_journaled_command(engine: Engine) -> None:
    drive_seconds(engine, 5)
    engine.apply(Kill("operator"))
    snapshot = engine.publish_snapshot()
    assert snapshot.notices_unread == 1 and snapshot.notices[-1].source == "kill"
    assert snapshot.notice.startswith("kill:")
    result = engine.apply(AcknowledgeNotices(snapshot.notices[-1].seq))
    assert result.ok and "1 notice(s) acknowledged" in result.message
    assert engine.publish_snapshot().notices_unread == 0
    assert engine.publish_snapshot().notices[-1].acknowledged


def test_a_recovery_is_a_notice_after_a_restart(tmp_path: Path) -> None:
    first = make_engine(tmp_path)
    first.begin_session()
    drive_seconds(first, 10)
    first.apply(PlaceOrder("ETH/USDT", "buy", 1.0))
    first.wal.sync()
    first.core.release_orders()
    first.wal.close_sync()

    second = make_engine(tmp_path)
    second.begin_session()
    notices = second.publish_snapshot().notices
    assert [n.source for n in notices] == ["recovery"]
    assert "position ETH/USDT 1" in notices[0].text
    second.wal.sync()
    assert any(r["type"] == "notice" and r["source"] == "recovery" for r in wal_records(second.wal.directory))
    second.wal.close_sync()


def test_notice_text_is_redacted_before_it_is_journaled_or_shown(engine: Engine) -> None:
    engine.core.add_notice("broker", 'binance: {"code":-2015,"msg":"Invalid API-key"} apiKey=abcdef123456')
    engine.wal.sync()
    shown = engine.publish_snapshot().notices[-1].text
    journaled = [r for r in wal_records(engine.wal.directory) if r["type"] == "notice"][-1]["text"]
    assert "abcdef123456" not in shown and "abcdef123456" not in journaled
