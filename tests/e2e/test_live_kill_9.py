"""LIVE under a real ``kill -9``: ``hft-tui --headless --mode live`` runs as its own process
against the loopback exchange (served from a thread of this test), trades by its strategies
(loosened, on a market this test moves), is killed with SIGKILL at random moments and
restarted on the same state dir. After every restart the engine, once it has reconciled,
has booked every fill the account made exactly once, holds what the exchange's balance moved
by (to the lot), and no client order id ever reached the exchange twice.

``HFT_TUI_KILL9_TRIALS=20`` for the issue's figure; the suite runs a few.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from loopback_exchange import LoopbackExchange
from loopback_thread import loopback_exchange_thread

from hft_tui.session.recovery import recover_from_wal
from hft_tui.wal.record import WalRecord, parse_line

TRIALS = int(os.environ.get("HFT_TUI_KILL9_TRIALS", "3"))
LOOPBACK_EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "loopback.toml"
LOT = 0.00001
# Only a guard against a hang: a condition still false after this long never comes true.
HANG_GUARD_S = 180.0
# Trade on every wobble of the book: any imbalance, no waiting, exits a couple of bps away;
# a strategy this loose loses, so the loss-streak and order-rate breakers are out of its way;
# entries stay well under the per-symbol limit.
LOOSENED = """
[sizing]
fraction = 0.00001

[risk]
max_consecutive_losses = 1000
max_orders_per_window = 10000
max_open_orders = 1000

[signals]
min_confidence = 0.0

[strategies]
enabled = ["book_imbalance"]

[strategies.book_imbalance]
imbalance_threshold = 0.05
persist_s = 0.0
cooldown_s = 0.2
take_profit_bps = 2.0
stop_loss_bps = 2.0
"""
QUIET = ("--set", "strategies.enabled=[]")


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + HANG_GUARD_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


async def move_the_market(exchange: LoopbackExchange, seed: int) -> None:
    """Lean the book one way then the other (the strategy buys, then exits) and walk the
    price a tick or two at a time (so take-profits and stop-losses trigger), never far from
    50,000 (a market that trends away would trip the drawdown breakers, not what this tests)."""
    rng = random.Random(seed)
    mid = 50_000.0
    while True:
        bids_heavy = rng.random() < 0.5
        for _ in range(rng.randint(3, 8)):
            await asyncio.sleep(0.1)
            pull = -10.0 if mid > 50_100.0 else 10.0 if mid < 49_900.0 else 0.0
            mid += pull + rng.choice((-20.0, -10.0, 0.0, 10.0, 20.0))
            old_bids, old_asks = exchange.book_levels("BTCUSDT")
            bids = {round(mid - 0.5 - i, 2): (30.0 if bids_heavy and i == 0 else 1.0 + i) for i in range(5)}
            asks = {round(mid + 0.5 + i, 2): (30.0 if not bids_heavy and i == 0 else 1.0 + i) for i in range(5)}
            await exchange.push_depth(
                "BTCUSDT", bids=[(p, 0.0) for p, _ in old_bids if p not in bids] + list(bids.items()),
                asks=[(p, 0.0) for p, _ in old_asks if p not in asks] + list(asks.items()))
            await exchange.push_trade("BTCUSDT", mid, 0.01, buyer_is_maker=not bids_heavy)


def write_config(tmp_path: Path, port: int) -> Path:
    config = tmp_path / "live.toml"
    config.write_text(LOOPBACK_EXAMPLE.read_text().replace("8765", str(port)) + LOOSENED)
    return config


def start_live(config: Path, state_dir: Path, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    """``hft-tui --headless`` LIVE on the loopback; returns once it printed a status line."""
    env = {**os.environ, "HFT_TUI_BINANCE_API_KEY": "loopback-key", "HFT_TUI_BINANCE_SECRET": "loopback-secret"}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "hft_tui", "--config", str(config), "--state-dir", str(state_dir),
             "--headless", "--mode", "live", "--live", "--symbols", "BTC/USDT",
             "--set", "engine.status_interval_s=0.5", *extra],
            stdout=out, stderr=subprocess.STDOUT, env=env)
    started = log.stat().st_size
    wait_for(lambda: b" | wal seq " in log.read_bytes()[started:] or process.poll() is not None, "a status line")
    assert process.poll() is None, log.read_text()[-2000:]
    return process


def records(state_dir: Path) -> list[WalRecord]:
    """Every complete record on disk (a line being written is not read)."""
    found = []
    for path in sorted((state_dir / "wal").glob("wal-*.jsonl")):
        data = path.read_bytes()
        for line in data[: data.rfind(b"\n") + 1].splitlines():
            found.append(WalRecord.from_document(parse_line(line)))
    return found


def reconciled(state_dir: Path) -> bool:
    """The running session has reconciled and read the account (its first ``account`` record)."""
    session: list[WalRecord] = []
    for record in records(state_dir):
        session = [] if record.type == "session_start" else [*session, record]
    return any(r.type == "account" and "external" in r.payload for r in session)


def fill_ids(state_dir: Path) -> list[str]:
    return [r.payload["trade_id"] for r in records(state_dir) if r.type == "fill"]


def account_trade_ids(exchange: LoopbackExchange) -> set[str]:
    return {str(t["id"]) for t in list(exchange.my_trades)}


@pytest.mark.slow
def test_kill_9_at_random_moments_loses_no_fill_doubles_none_and_sends_no_order_twice(tmp_path: Path) -> None:
    rng = random.Random(TRIALS)
    state, log = tmp_path / "state", tmp_path / "engine.log"
    with loopback_exchange_thread() as exchange:
        assert exchange.loop is not None
        exchange.free["USDT"] = 100_000.0
        exchange.free["BTC"] = 0.0  # the account holds only what the engine buys: equity is its own
        base_held = exchange.total("BTC")
        market = asyncio.run_coroutine_threadsafe(move_the_market(exchange, seed=TRIALS), exchange.loop)
        config = write_config(tmp_path, exchange.port)
        running: list[subprocess.Popen[bytes]] = []
        try:
            for trial in range(TRIALS):
                trading = start_live(config, state, log)
                running.append(trading)
                target = len(exchange.orders) + rng.randint(1, 8)
                wait_for(lambda: len(exchange.orders) >= target, f"trial {trial}: the strategy traded")
                time.sleep(rng.uniform(0.0, 0.3))  # a random moment: orders in flight, fills arriving
                trading.send_signal(signal.SIGKILL)
                trading.wait()

                quiet = start_live(config, state, log, *QUIET)
                running.append(quiet)
                wait_for(lambda: reconciled(state), f"trial {trial}: the restart reconciled")
                wait_for(lambda: set(fill_ids(state)) >= account_trade_ids(exchange),
                         f"trial {trial}: every fill the account made is booked")
                quiet.send_signal(signal.SIGTERM)
                assert quiet.wait(timeout=60) == 0, log.read_text()[-2000:]

                ids = fill_ids(state)
                assert [i for i, n in Counter(ids).items() if n > 1] == [], f"trial {trial}: a fill booked twice"
                assert set(ids) == account_trade_ids(exchange), f"trial {trial}: a fill the account never made"
                position = recover_from_wal(state / "wal").position("BTC/USDT").qty
                assert position == pytest.approx(exchange.total("BTC") - base_held, abs=LOT), f"trial {trial}"
                sent = Counter(request["newClientOrderId"] for request in exchange.create_requests)
                assert [c for c, n in sent.items() if n > 1] == [], f"trial {trial}: an order id sent twice"
        finally:
            market.cancel()
            for process in running:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    # The figure for the closing note (pytest -s): what the trials went through.
    print(f"{TRIALS} kill -9 trials: {len(exchange.orders)} orders, {len(exchange.my_trades)} fills, "
          f"{len(fill_ids(state))} fill records, 0 lost, 0 doubled, 0 ids sent twice")
