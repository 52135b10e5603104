"""Notices stay until the operator acknowledges them, across restarts: the journal's
``notice`` records and ``AcknowledgeNotices`` commands rebuild the log, after a ``kill -9``
(no snapshot record) as after a clean stop (the snapshot record carries it)."""

from __future__ import annotations

from pathlib import Path

from sim_driver import make_engine

from hft_tui.session.engine import Engine
from hft_tui.trading.commands import AcknowledgeNotices


def unread(engine: Engine) -> list[str]:
    return [n.text for n in engine.publish_snapshot().notices if not n.acknowledged]


async def first_session(state_dir: Path) -> Engine:
    """Three notices, the first acknowledged through the journaled command, one repeated."""
    engine = make_engine(state_dir)
    engine.begin_session()
    await engine.wal.start()
    engine.core.add_notice("broker", "order s1o7 reported rejected was found live; cancelling it")
    engine.core.add_notice("reconcile", "1 difference(s): BTC balance 0.5 but the position is 0")
    first = engine.publish_snapshot().notices[0].seq
    assert (await engine.execute(AcknowledgeNotices(first))).ok
    for _ in range(2):
        engine.core.add_notice("account", "BTC balance 1.2 but the position plus outside make 1.0")
    await engine.wal.flush()
    return engine


async def test_unread_notices_outlive_a_kill_9_and_acknowledged_ones_stay_read(tmp_path: Path) -> None:
    killed = await first_session(tmp_path)
    before = killed.publish_snapshot().notices
    await killed.wal.close()  # what the disk has; no clean stop, no snapshot record

    restarted = make_engine(tmp_path)
    restarted.begin_session()
    notices = restarted.publish_snapshot().notices

    assert [(n.seq, n.source, n.text, n.count, n.acknowledged) for n in notices[:3]] == [
        (n.seq, n.source, n.text, n.count, n.acknowledged) for n in before]
    assert unread(restarted)[:2] == [before[1].text, before[2].text]
    assert notices[3].source == "recovery" and "2 notice(s) not yet acknowledged" in notices[3].text
    assert restarted.publish_snapshot().notices_unread == 3


async def test_an_acknowledgement_after_a_restart_is_kept_by_the_next_one(tmp_path: Path) -> None:
    await (await first_session(tmp_path)).wal.close()
    second = make_engine(tmp_path)
    second.begin_session()
    await second.wal.start()
    last = second.publish_snapshot().notices[-1].seq
    assert (await second.execute(AcknowledgeNotices(last))).ok
    second.core.add_notice("broker", "account stream: connection closed")
    second.write_state_snapshot()  # what a clean stop writes
    await second.wal.close()

    third = make_engine(tmp_path)
    third.begin_session()

    assert unread(third)[0] == "account stream: connection closed"
    assert [n.source for n in third.publish_snapshot().notices if not n.acknowledged] == ["broker", "recovery"]
    assert third.publish_snapshot().notices[-2].seq > last
