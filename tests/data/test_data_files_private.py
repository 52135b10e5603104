"""Downloaded candles, trades and market rules are born 0600 in 0700 directories, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from hft_tui.data.candle_store import CandleArrays, CandleStore
from hft_tui.data.trade_store import TradeArrays, write_trade_file
from hft_tui.model.market_rules import MarketRules


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode) for p in root.rglob("*")}


def test_candles_and_rules_are_private_under_an_open_umask(tmp_path: Path, open_umask: None) -> None:
    store = CandleStore(tmp_path / "data")
    ts = np.arange(3, dtype=np.int64) * 60_000 + 1_700_000_000_000
    fresh = CandleArrays(ts, *(np.full(3, 100.0) for _ in range(5)))
    store.merge("binance", "BTC/USDT", "1m", fresh)
    store.write_rules("binance", MarketRules(symbol="BTC/USDT", tick_size=0.01, lot_size=0.001,
                                             min_qty=0.001, min_notional=5.0))
    modes = _modes(tmp_path / "data")
    assert modes, "something was written"
    for name, mode in modes.items():
        is_dir = (tmp_path / "data" / name).is_dir()
        assert mode == (0o700 if is_dir else 0o600), (name, oct(mode))


def test_a_trade_file_is_private_under_an_open_umask(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "trades" / "BTC_USDT" / "2026-12-04.parquet"
    empty = TradeArrays.empty()
    write_trade_file(path, empty)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
