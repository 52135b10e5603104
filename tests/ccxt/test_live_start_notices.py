"""What every LIVE start goes through (reconciling, then trading; recovering a state with
nothing in it to tell) is journaled, not left as unread notices: those are for what the
operator must act on."""

from __future__ import annotations

from pathlib import Path

from live_harness import live_engine, wal_records
from loopback_exchange import LoopbackExchange

from hft_tui.config.settings import ExchangeSettings


async def test_a_live_start_and_a_clean_restart_leave_no_unread_notice(
        loopback: LoopbackExchange, loopback_settings: ExchangeSettings, tmp_path: Path) -> None:
    unread = []
    for _ in range(2):
        engine = await live_engine(loopback_settings, tmp_path)
        unread.append([n.text for n in engine.core.notices.notices if not n.acknowledged])
        await engine.stop("restart")

    assert unread == [[], []]
    holds = [(r["key"], "released" in r) for r in wal_records(tmp_path, "hold")]
    assert holds == [("reconcile", False), ("reconcile", True)] * 2, "the reconciliation hold is journaled"
    assert len(wal_records(tmp_path, "recovery")) == 1, "the recovery is journaled"
