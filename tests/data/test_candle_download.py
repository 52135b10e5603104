from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from loopback_klines import KlinesLoopback, bar_close

from hft_tui.data.candle_store import CandleStore
from hft_tui.data.download import download_candles

MIN = 60_000
START = int(datetime(2024, 3, 1, tzinfo=UTC).timestamp() * 1000)
END = START + 2_500 * MIN  # 2 500 one-minute bars


async def _download(exchange: Any, store: CandleStore, progress: list[tuple[int, int]] | None = None,
                    start: int = START, end: int = END):
    return await download_candles(exchange, store, "binance", "BTC/USDT", "1m", start, end, page_limit=1000,
                                  on_progress=(lambda d, t: progress.append((d, t))) if progress is not None else None)


async def test_download_pages_through_the_range_and_stores_every_bar(
        loopback_rest: Any, klines_server: KlinesLoopback, tmp_path: Path) -> None:
    store = CandleStore(tmp_path)
    progress: list[tuple[int, int]] = []
    result = await _download(loopback_rest, store, progress)
    assert result.complete and result.stored_bars == 2_500 and result.wanted_bars == 2_500
    assert len(klines_server.kline_requests) == 3  # 1000 + 1000 + 500
    bars = store.read("binance", "BTC/USDT", "1m")
    assert np.array_equal(bars.open_ts_ms, START + np.arange(2_500) * MIN)
    assert bars.close[123] == bar_close(START + 123 * MIN)
    assert progress[0] == (0, 2_500) and progress[-1] == (2_500, 2_500)
    assert store.read_rules("binance", "BTC/USDT").tick_size == 0.01


async def test_rerun_fetches_only_the_missing_bars(loopback_rest: Any, klines_server: KlinesLoopback,
                                                   tmp_path: Path) -> None:
    store = CandleStore(tmp_path)
    await _download(loopback_rest, store)
    klines_server.kline_requests.clear()
    again = await _download(loopback_rest, store)
    assert again.missing_before == 0 and klines_server.kline_requests == []

    wider = await _download(loopback_rest, store, end=END + 300 * MIN)
    assert wider.missing_before == 300 and wider.fetched_bars == 300
    assert [int(r["startTime"]) for r in klines_server.kline_requests] == [END]


async def test_bars_the_exchange_lacks_are_reported_as_gaps(loopback_rest: Any, klines_server: KlinesLoopback,
                                                            tmp_path: Path) -> None:
    klines_server.holes = [(START + 1_200 * MIN, START + 1_260 * MIN)]
    result = await _download(loopback_rest, CandleStore(tmp_path))
    assert not result.complete
    assert [(g.start_ms, g.end_ms, g.bars) for g in result.gaps] == [(START + 1_200 * MIN, START + 1_260 * MIN, 60)]
    assert result.stored_bars == 2_440
