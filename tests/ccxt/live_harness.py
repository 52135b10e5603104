"""A LIVE engine built the way the CLI builds it, against the loopback, inside a test's loop."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hft_tui.config.credentials import ExchangeCredentials
from hft_tui.config.loader import load_settings
from hft_tui.config.settings import ExchangeSettings
from hft_tui.model import FeedState, OrderStatus
from hft_tui.session.assembly import build_engine
from hft_tui.session.engine import Engine
from hft_tui.wal.record import WalRecord, parse_line

CREDENTIALS = ExchangeCredentials(exchange_id="binance", api_key="loopback-key", secret="loopback-secret")
# Only a guard against a hang: a condition still false after this long never comes true.
HANG_GUARD_S = 120.0


async def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Until ``condition()`` holds, however long a loaded machine takes; fails (naming
    ``what``) only if it never does."""
    deadline = time.monotonic() + HANG_GUARD_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.01)


async def live_engine(exchange: ExchangeSettings, state_dir: Path, *,
                      credentials: ExchangeCredentials = CREDENTIALS, **overrides: Any) -> Engine:
    """Built on a worker thread (the CLI's builder reads markets and the account with its own
    loop), started here, and reconciled; every traded symbol's feed is live."""
    settings = load_settings(None, {
        "engine.mode": "live",
        "engine.symbols": ["BTC/USDT"],
        "paths.state_dir": str(state_dir),
        "exchange.id": exchange.id,
        "exchange.market_type": exchange.market_type,
        "exchange.ccxt": exchange.ccxt,
        "exchange.rest_poll_interval_ms": 50.0,
        "exchange.reconnect_backoff_ms": 10.0,
        "exchange.reconnect_backoff_max_ms": 100.0,
        "exchange.kill_deadline_s": 10.0,
        "risk.max_orders_per_window": 10_000,
        "risk.max_open_orders": 1000,
        "risk.max_consecutive_losses": 1000,
        **overrides,
    })
    engine = await asyncio.to_thread(build_engine, settings, credentials=credentials)
    await engine.start()
    assert engine.live is not None
    await asyncio.wait_for(engine.live.reconciled(), HANG_GUARD_S)
    for symbol in settings.engine.symbols:
        await wait_until(lambda: engine.core.feed_health.state(symbol) is FeedState.LIVE, f"the {symbol} feed is live")
    return engine


async def answered(engine: Engine) -> None:
    """Until the exchange has answered every order the engine sent (submits under way, and
    their retries through a rate limit, are over), so the exchange's book holds all of them."""
    await wait_until(lambda: not any(o.status is OrderStatus.NEW for o in engine.core.orders.values()),
                     "every order the engine sent was answered")


async def settle(engine: Engine) -> None:
    """Until the engine follows no open order, has no order it gave up on left to look up,
    and every order's fills are booked."""
    broker = engine.core.broker
    await answered(engine)
    await wait_until(lambda: not broker.open_orders() and not broker._in_doubt
                     and not any(o.is_open for o in engine.core.orders.values()),
                     "every order the engine follows is done and its fills booked")


def wal_records(state_dir: Path, kind: str) -> list[dict[str, Any]]:
    """The payloads of every ``kind`` record in the state dir's WAL, oldest first."""
    records = []
    for path in sorted((state_dir / "wal").glob("wal-*.jsonl")):
        for line in path.read_bytes().splitlines():
            record = WalRecord.from_document(parse_line(line))
            if record.type == kind:
                records.append(record.payload)
    return records


async def crash_copy(engine: Engine, state_dir: Path, copy_dir: Path) -> None:
    """What ``kill -9`` leaves: the state dir as the disk has it now (records still in the
    writer's memory are lost), and an engine that sends nothing more. The copy is what a
    restart finds; the old engine is then torn down without touching it."""
    shutil.copytree(state_dir, copy_dir)
    broker = engine.core.broker
    assert engine.live is not None
    for task in [*engine._tasks, *engine.live._tasks, *broker._tasks]:  # at once: nothing runs in between
        task.cancel()
    await engine.stop("crashed")
