"""Downloaded candles on disk: one Parquet file per (exchange, symbol, timeframe).

Layout: ``<data_dir>/candles/<exchange>/<BASE_QUOTE[_SETTLE]>/<timeframe>.parquet`` with
the market's rules (tick, lot, fees) beside it in ``rules.json``, so a backtest needs no
network; the Parquet columns are ``open_ts_ms`` (int64, bar open, UTC milliseconds), ``open``, ``high``, ``low``,
``close``, ``volume`` (float64, base units). Rows are sorted by time, one row per bar.

Parquet (pyarrow) because pandas, polars and DuckDB read it directly and fast, it is
columnar and compressed (a year of 1m bars is a few MB), and float64 survives byte for
byte. Writes go to a temporary file renamed over the old one, so an interrupted download
never leaves a half-written file: re-running simply fetches what is still missing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from hft_tui.data.private_files import write_parquet_privately, write_text_privately
from hft_tui.market.candle_builder import parse_timeframe
from hft_tui.model import Candle, MarketRules

_NS_PER_MS = 1_000_000
_COLUMNS = ("open_ts_ms", "open", "high", "low", "close", "volume")
_SCHEMA = pa.schema([
    ("open_ts_ms", pa.int64()),
    ("open", pa.float64()),
    ("high", pa.float64()),
    ("low", pa.float64()),
    ("close", pa.float64()),
    ("volume", pa.float64()),
])


def timeframe_ms(timeframe: str) -> int:
    """Length of a ccxt timeframe (``1m``, ``1h``, ``1d``) in milliseconds."""
    return parse_timeframe(timeframe) // _NS_PER_MS


@dataclass(frozen=True, slots=True)
class CandleArrays:
    """Bars as parallel numpy arrays, sorted by ``open_ts_ms``, one row per bar."""

    open_ts_ms: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def __len__(self) -> int:
        return len(self.open_ts_ms)

    @classmethod
    def empty(cls) -> CandleArrays:
        """No bars."""
        return cls(np.empty(0, np.int64), *(np.empty(0, np.float64) for _ in range(5)))

    @classmethod
    def from_rows(cls, rows: list[list[float]]) -> CandleArrays:
        """From ccxt OHLCV rows ``[ts_ms, o, h, l, c, v]`` (None volumes count as 0)."""
        if not rows:
            return cls.empty()
        ts = np.fromiter((int(r[0]) for r in rows), dtype=np.int64, count=len(rows))
        values = np.array([[float(x) if x is not None else np.nan for x in r[1:6]] for r in rows],
                          dtype=np.float64).reshape(-1, 5)
        volume = np.nan_to_num(values[:, 4], nan=0.0)
        return cls(ts, values[:, 0].copy(), values[:, 1].copy(), values[:, 2].copy(),
                   values[:, 3].copy(), volume)

    def take(self, index: np.ndarray) -> CandleArrays:
        """The rows selected by an integer or boolean index."""
        return CandleArrays(self.open_ts_ms[index], self.open[index], self.high[index],
                            self.low[index], self.close[index], self.volume[index])

    def between(self, start_ms: int | None, end_ms: int | None) -> CandleArrays:
        """Bars opening in ``[start_ms, end_ms)``; None leaves that side open."""
        lo = 0 if start_ms is None else int(np.searchsorted(self.open_ts_ms, start_ms, "left"))
        hi = len(self) if end_ms is None else int(np.searchsorted(self.open_ts_ms, end_ms, "left"))
        return self.take(slice(lo, hi))  # type: ignore[arg-type]

    def candles(self, symbol: str, timeframe: str) -> Iterator[Candle]:
        """The bars as ``Candle`` events."""
        columns = (self.open_ts_ms.tolist(), self.open.tolist(), self.high.tolist(),
                   self.low.tolist(), self.close.tolist(), self.volume.tolist())
        for ts_ms, o, h, low, c, v in zip(*columns):
            yield Candle(symbol, timeframe, ts_ms * _NS_PER_MS, o, h, low, c, v)


@dataclass(frozen=True, slots=True)
class Gap:
    """Missing bars: every bar opening in ``[start_ms, end_ms)`` is absent."""

    start_ms: int
    end_ms: int
    bars: int


@dataclass(frozen=True, slots=True)
class CleanResult:
    """Bars after validation, and what was dropped on the way."""

    bars: CandleArrays
    duplicates: int
    misaligned: int
    invalid: int


def clean(bars: CandleArrays, tf_ms: int) -> CleanResult:
    """Sort, drop duplicate timestamps (the last copy wins: the newest download), bars off
    the timeframe grid, and bars whose prices are not finite and positive or whose high/low
    do not bound open and close."""
    n = len(bars)
    if n == 0:
        return CleanResult(bars, 0, 0, 0)
    # Stable sort keeps arrival order among equal timestamps; reverse-unique keeps the last.
    order = np.argsort(bars.open_ts_ms, kind="stable")
    ts_sorted = bars.open_ts_ms[order]
    keep_last = np.ones(n, dtype=bool)
    keep_last[:-1] = ts_sorted[1:] != ts_sorted[:-1]
    bars = bars.take(order[keep_last])
    duplicates = n - len(bars)
    aligned = bars.open_ts_ms % tf_ms == 0
    prices = np.stack((bars.open, bars.high, bars.low, bars.close))
    valid = (
        np.isfinite(prices).all(axis=0)
        & (prices > 0).all(axis=0)
        & np.isfinite(bars.volume)
        & (bars.volume >= 0)
        & (bars.high >= np.maximum(bars.open, bars.close))
        & (bars.low <= np.minimum(bars.open, bars.close))
    )
    keep = aligned & valid
    return CleanResult(bars.take(keep), duplicates, int((~aligned).sum()),
                       int((aligned & ~valid).sum()))


def missing_ranges(open_ts_ms: np.ndarray, start_ms: int, end_ms: int, tf_ms: int) -> list[Gap]:
    """Runs of bars absent from sorted ``open_ts_ms`` within ``[start_ms, end_ms)``.

    ``start_ms`` is rounded up and ``end_ms`` down to the timeframe grid.
    """
    first = -(-start_ms // tf_ms) * tf_ms
    last = (end_ms - 1) // tf_ms * tf_ms  # open time of the last bar wanted
    if last < first:
        return []
    present = open_ts_ms[(open_ts_ms >= first) & (open_ts_ms <= last)]
    # Sentinels one bar outside the range turn every hole into a jump between neighbours.
    edges = np.concatenate(([first - tf_ms], present, [last + tf_ms]))
    steps = np.diff(edges)
    gaps: list[Gap] = []
    for i in np.nonzero(steps > tf_ms)[0].tolist():
        gap_start = int(edges[i]) + tf_ms
        gap_end = int(edges[i + 1])
        gaps.append(Gap(gap_start, gap_end, (gap_end - gap_start) // tf_ms))
    return gaps


def symbol_dirname(symbol: str) -> str:
    """A symbol as a directory name: ``BTC/USDT:USDT`` -> ``BTC_USDT_USDT``."""
    return symbol.replace("/", "_").replace(":", "_")


class CandleStore:
    """Reads and merges candle files under ``<data_dir>/candles``."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "candles"

    def path(self, exchange_id: str, symbol: str, timeframe: str) -> Path:
        """The file holding one series (it need not exist)."""
        return self.root / exchange_id / symbol_dirname(symbol) / f"{timeframe}.parquet"

    def rules_path(self, exchange_id: str, symbol: str) -> Path:
        """The file holding a symbol's market rules (it need not exist)."""
        return self.root / exchange_id / symbol_dirname(symbol) / "rules.json"

    def write_rules(self, exchange_id: str, rules: MarketRules) -> None:
        """Save a symbol's market rules beside its candles."""
        path = self.rules_path(exchange_id, rules.symbol)
        write_text_privately(path, json.dumps(asdict(rules), indent=2, sort_keys=True) + "\n")

    def read_rules(self, exchange_id: str, symbol: str) -> MarketRules:
        """A symbol's saved market rules; FileNotFoundError if it was never downloaded."""
        return MarketRules(**json.loads(self.rules_path(exchange_id, symbol).read_text()))

    def series(self, exchange_id: str, symbol: str) -> list[str]:
        """Timeframes stored for a symbol."""
        directory = self.root / exchange_id / symbol_dirname(symbol)
        return sorted(p.stem for p in directory.glob("*.parquet")) if directory.is_dir() else []

    def read(self, exchange_id: str, symbol: str, timeframe: str) -> CandleArrays:
        """Every stored bar of a series; empty if none was downloaded."""
        path = self.path(exchange_id, symbol, timeframe)
        return read_candle_file(path) if path.exists() else CandleArrays.empty()

    def merge(self, exchange_id: str, symbol: str, timeframe: str, new: CandleArrays) -> CleanResult:
        """Add ``new`` bars to the stored series (new wins on equal timestamps) and save it."""
        existing = self.read(exchange_id, symbol, timeframe)
        combined = CandleArrays(*(np.concatenate((getattr(existing, c), getattr(new, c)))
                                  for c in _COLUMNS))
        result = clean(combined, timeframe_ms(timeframe))
        write_candle_file(self.path(exchange_id, symbol, timeframe), result.bars)
        return result


def read_candle_file(path: Path) -> CandleArrays:
    """A candle Parquet file as arrays (validated against the expected columns)."""
    table = pq.read_table(path, columns=list(_COLUMNS))
    if not table.schema.equals(_SCHEMA):
        table = table.cast(_SCHEMA)
    return CandleArrays(*(table.column(c).to_numpy() for c in _COLUMNS))


def write_candle_file(path: Path, bars: CandleArrays) -> None:
    """Write ``bars`` atomically (a 0600 temporary file, fsync, rename)."""
    write_parquet_privately(path, pa.table({c: getattr(bars, c) for c in _COLUMNS}, schema=_SCHEMA))
