from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from loopback_trades import (
    PER_STEP,
    STEP_MS,
    TAPE_START_MS,
    TradesLoopback,
    trade_price,
    trade_ts,
)

from hft_tui.cli.main import main
from hft_tui.config.loader import load_settings
from hft_tui.data.trade_download import download_trades, ranges_to_fetch
from hft_tui.data.trade_store import TradeStore
from hft_tui.market.ccxt_exchange import create_exchange

EXAMPLES = Path(__file__).resolve().parents[2] / "config" / "examples"
MIN = 60_000
START = TAPE_START_MS


def trades_before(ts_ms: int) -> int:
    """How many tape trades happen before ``ts_ms``."""
    return -(-(ts_ms - TAPE_START_MS) // STEP_MS) * PER_STEP


@pytest.fixture
async def trades_server() -> AsyncIterator[TradesLoopback]:
    server = TradesLoopback()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def trades_rest(trades_server: TradesLoopback) -> AsyncIterator[Any]:
    settings = load_settings(EXAMPLES / "loopback.toml").exchange
    # The example config polls live trades through /trades; history by time needs aggTrades.
    options = {**settings.ccxt.get("options", {}), "fetchTradesMethod": "publicGetAggTrades"}
    exchange = create_exchange("binance", ccxt_config={**settings.ccxt, "options": options,
                                                       "urls": trades_server.ccxt_urls()}, streaming=False)
    yield exchange
    await exchange.close()


def stored_ids(tmp_path: Path) -> list[int]:
    # Sorted: within one millisecond ccxt orders trades by id as a string ("10" < "9").
    return sorted(int(i) for i in TradeStore(tmp_path).read("binance", "BTC/USDT").id)


async def test_download_pages_through_hour_windows_without_duplicates(
        trades_rest: Any, trades_server: TradesLoopback, tmp_path: Path) -> None:
    trades_server.tape_end_ms = START + 120 * MIN
    progress: list[tuple[int, int]] = []
    end = START + 90 * MIN
    result = await download_trades(trades_rest, tmp_path, "binance", "BTC/USDT", START, end, page_limit=500,
                                   on_progress=lambda d, t: progress.append((d, t)))
    want = trades_before(end)
    assert result.supported and result.stored_trades == want == result.fetched_trades
    # Pages of 500 end mid-timestamp (three trades each), so pages overlap and must be deduped.
    assert stored_ids(tmp_path) == list(range(want))
    starts = [int(r["startTime"]) for r in trades_server.agg_trade_requests]
    assert len(starts) >= want // 500 + 1 and starts == sorted(starts)
    assert starts[0] == START
    # Binance refuses startTime..endTime spans of an hour or more.
    assert all(int(r["endTime"]) - int(r["startTime"]) < 60 * MIN for r in trades_server.agg_trade_requests)
    assert progress[0] == (0, 90 * MIN) and progress[-1] == (90 * MIN, 90 * MIN)


async def test_rerun_fetches_only_trades_newer_than_the_stored_ones(
        trades_rest: Any, trades_server: TradesLoopback, tmp_path: Path) -> None:
    trades_server.tape_end_ms = START + 30 * MIN
    end = START + 50 * MIN
    first = await download_trades(trades_rest, tmp_path, "binance", "BTC/USDT", START, end, page_limit=400)
    assert first.stored_trades == trades_before(START + 30 * MIN)
    last_ts = int(TradeStore(tmp_path).read("binance", "BTC/USDT").ts_ms[-1])

    trades_server.tape_end_ms = START + 45 * MIN
    trades_server.agg_trade_requests.clear()
    again = await download_trades(trades_rest, tmp_path, "binance", "BTC/USDT", START, end, page_limit=400)
    assert int(trades_server.agg_trade_requests[0]["startTime"]) == last_ts
    assert again.fetched_trades == trades_before(START + 45 * MIN) - trades_before(START + 30 * MIN)
    assert stored_ids(tmp_path) == list(range(trades_before(START + 45 * MIN)))


async def test_stored_file_reads_back_with_pandas(trades_rest: Any, trades_server: TradesLoopback,
                                                  tmp_path: Path) -> None:
    trades_server.bad_ids = {5, 17}
    result = await download_trades(trades_rest, tmp_path, "binance", "BTC/USDT", START, START + 10 * MIN)
    assert result.path == tmp_path / "trades" / "binance" / "BTC_USDT" / "trades.parquet"
    frame = pd.read_parquet(result.path)
    assert list(frame.columns) == ["ts_ms", "id", "price", "amount", "side"]
    assert frame["ts_ms"].dtype == np.int64 and frame["price"].dtype == np.float64
    assert frame["ts_ms"].is_monotonic_increasing
    assert result.invalid == 2 and not frame["id"].isin(["5", "17"]).any()
    row = frame[frame["id"] == "4"].iloc[0]
    # aggTrades "m" (buyer is maker) true means the seller was the aggressor.
    assert (row["ts_ms"], row["price"], row["amount"], row["side"]) == (trade_ts(4), trade_price(4), 0.05, "sell")
    assert frame[frame["id"] == "3"].iloc[0]["side"] == "buy"


async def test_an_exchange_without_fetch_trades_downloads_nothing(
        trades_rest: Any, trades_server: TradesLoopback, tmp_path: Path) -> None:
    trades_rest.has = {**trades_rest.has, "fetchTrades": False}
    result = await download_trades(trades_rest, tmp_path, "binance", "BTC/USDT", START, START + 10 * MIN)
    assert not result.supported and "fetchTrades" in result.message
    assert trades_server.agg_trade_requests == [] and not result.path.exists()


def test_ranges_to_fetch_cover_only_what_lies_outside_the_stored_span() -> None:
    stored = np.array([1_000, 1_500, 2_000], np.int64)
    assert ranges_to_fetch(np.empty(0, np.int64), 0, 3_000) == [(0, 3_000)]
    assert ranges_to_fetch(stored, 0, 3_000) == [(0, 1_001), (2_000, 3_000)]
    assert ranges_to_fetch(stored, 1_200, 1_800) == []
    assert ranges_to_fetch(stored, 1_200, 2_500) == [(2_000, 2_500)]


def _loopback_config(tmp_path: Path, server: TradesLoopback) -> Path:
    """config/examples/loopback.toml aimed at ``server``, fetching history as Binance does by
    default (aggTrades), for one symbol."""
    text = (EXAMPLES / "loopback.toml").read_text()
    text = text.replace("127.0.0.1:8765", f"127.0.0.1:{server.port}")
    text = text.replace('fetchTradesMethod = "publicGetTrades"', 'fetchTradesMethod = "publicGetAggTrades"')
    text = text.replace('symbols = ["BTC/USDT", "ETH/USDT"]', 'symbols = ["BTC/USDT"]')
    path = tmp_path / "loopback.toml"
    path.write_text(text)
    return path


async def test_download_trades_command_stores_the_range_and_resumes(
        trades_server: TradesLoopback, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trades_server.tape_end_ms = START + 40 * MIN
    argv = ["--config", str(_loopback_config(tmp_path, trades_server)), "download", "--trades",
            "--from", "2024-03-01T00:00", "--to", "2024-03-01T00:30", "--data-dir", str(tmp_path / "data")]
    # The command runs its own event loop; the loopback serves from this one meanwhile.
    assert await asyncio.to_thread(main, argv) == 0
    want = trades_before(START + 30 * MIN)
    assert stored_ids(tmp_path / "data") == list(range(want))
    assert f"BTC/USDT: {want:,} trades stored in range" in capsys.readouterr().err

    trades_server.agg_trade_requests.clear()
    assert await asyncio.to_thread(main, argv) == 0
    # Everything is stored: the rerun asks only from the newest stored trade on.
    assert all(int(r["startTime"]) >= trade_ts(want - 1) for r in trades_server.agg_trade_requests)
    assert stored_ids(tmp_path / "data") == list(range(want))
