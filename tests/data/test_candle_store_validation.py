from __future__ import annotations

from pathlib import Path

import numpy as np

from hft_tui.data.candle_store import CandleArrays, CandleStore, clean, missing_ranges

MIN = 60_000


def test_clean_keeps_the_newest_copy_of_a_bar_and_drops_misaligned_and_impossible_bars() -> None:
    rows = [
        [2 * MIN, 10, 11, 9, 10.5, 1],
        [0, 10, 11, 9, 10, 1],
        [MIN, 10, 11, 9, 10, 1],
        [MIN, 10, 12, 9, 11, 2],  # a newer copy of the same bar wins
        [MIN + 5, 10, 11, 9, 10, 1],  # off the one-minute grid
        [3 * MIN, 10, 9, 9.5, 10, 1],  # high below open
        [4 * MIN, float("nan"), 11, 9, 10, 1],
    ]
    result = clean(CandleArrays.from_rows(rows), MIN)
    assert result.bars.open_ts_ms.tolist() == [0, MIN, 2 * MIN]
    assert result.bars.high.tolist() == [11, 12, 11]
    assert (result.duplicates, result.misaligned, result.invalid) == (1, 1, 2)


def test_missing_ranges_finds_interior_and_edge_holes_on_the_grid() -> None:
    present = np.array([2, 3, 4, 7, 8], dtype=np.int64) * MIN
    gaps = missing_ranges(present, 0, 10 * MIN, MIN)
    assert [(g.start_ms // MIN, g.end_ms // MIN, g.bars) for g in gaps] == [(0, 2, 2), (5, 7, 2), (9, 10, 1)]
    assert missing_ranges(present, 2 * MIN + 1, 5 * MIN, MIN) == []  # start rounds up to bar 3


def test_merge_round_trips_through_parquet(tmp_path: Path) -> None:
    store = CandleStore(tmp_path)
    store.merge("x", "BTC/USDT:USDT", "1m", CandleArrays.from_rows([[MIN, 1.1, 1.3, 1.0, 1.2, 0.1]]))
    store.merge("x", "BTC/USDT:USDT", "1m", CandleArrays.from_rows([[0, 1.0, 1.1, 0.9, 1.1, 0.3]]))
    bars = store.read("x", "BTC/USDT:USDT", "1m")
    assert bars.open_ts_ms.tolist() == [0, MIN] and bars.close.tolist() == [1.1, 1.2]
    assert store.path("x", "BTC/USDT:USDT", "1m").name == "1m.parquet"
    assert list(bars.candles("BTC/USDT:USDT", "1m"))[1].open_ts_ns == MIN * 1_000_000
