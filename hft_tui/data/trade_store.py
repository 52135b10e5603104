"""Downloaded public trades on disk: one Parquet file per (exchange, symbol).

Layout: ``<data_dir>/trades/<exchange>/<BASE_QUOTE[_SETTLE]>/trades.parquet`` with columns
``ts_ms`` (int64, UTC milliseconds), ``id`` (string, the exchange's trade id), ``price``
and ``amount`` (float64, quote per base and base units) and ``side`` (string, the
aggressor: ``buy``, ``sell``, or ``unknown`` when the exchange does not say). Rows are
sorted by time, one row per trade id. Writes are atomic (temporary file, rename), like the
candle store, so an interrupted download never leaves a half-written file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from hft_tui.data.candle_store import symbol_dirname
from hft_tui.data.private_files import write_parquet_privately

_COLUMNS = ("ts_ms", "id", "price", "amount", "side")
_SCHEMA = pa.schema([
    ("ts_ms", pa.int64()),
    ("id", pa.string()),
    ("price", pa.float64()),
    ("amount", pa.float64()),
    ("side", pa.string()),
])
_SIDES = frozenset(("buy", "sell"))


@dataclass(frozen=True, slots=True)
class TradeArrays:
    """Trades as parallel numpy arrays (``id`` and ``side`` are object arrays of str)."""

    ts_ms: np.ndarray
    id: np.ndarray
    price: np.ndarray
    amount: np.ndarray
    side: np.ndarray

    def __len__(self) -> int:
        return len(self.ts_ms)

    @classmethod
    def empty(cls) -> TradeArrays:
        """No trades."""
        return cls(np.empty(0, np.int64), np.empty(0, object), np.empty(0, np.float64),
                   np.empty(0, np.float64), np.empty(0, object))

    @classmethod
    def from_ccxt(cls, trades: Iterable[Mapping[str, Any]]) -> TradeArrays:
        """From ccxt trade structures; a missing id becomes ``ts:price:amount:side`` so that
        re-fetching the same trade still dedupes, a missing side becomes ``unknown``."""
        ts: list[int] = []
        ids: list[str] = []
        prices: list[float] = []
        amounts: list[float] = []
        sides: list[str] = []
        for t in trades:
            ts_ms = int(t["timestamp"])
            price = float(t["price"]) if t.get("price") is not None else np.nan
            amount = float(t["amount"]) if t.get("amount") is not None else np.nan
            side = t.get("side") if t.get("side") in _SIDES else "unknown"
            trade_id = t.get("id")
            ts.append(ts_ms)
            ids.append(str(trade_id) if trade_id is not None else f"{ts_ms}:{price!r}:{amount!r}:{side}")
            prices.append(price)
            amounts.append(amount)
            sides.append(side)
        return cls(np.array(ts, np.int64), np.array(ids, object), np.array(prices, np.float64),
                   np.array(amounts, np.float64), np.array(sides, object))

    def take(self, index: np.ndarray | slice) -> TradeArrays:
        """The rows selected by an integer or boolean index or a slice."""
        return TradeArrays(self.ts_ms[index], self.id[index], self.price[index],
                           self.amount[index], self.side[index])

    def concat(self, other: TradeArrays) -> TradeArrays:
        """``self`` followed by ``other``."""
        return TradeArrays(*(np.concatenate((getattr(self, c), getattr(other, c))) for c in _COLUMNS))


@dataclass(frozen=True, slots=True)
class TradeCleanResult:
    """Trades after validation, and what was dropped on the way."""

    trades: TradeArrays
    duplicates: int
    invalid: int


def clean_trades(trades: TradeArrays) -> TradeCleanResult:
    """Drop repeated ids (the last copy wins: the newest download), trades whose price or
    amount is not finite and positive, and sort by time (ties keep arrival order)."""
    n = len(trades)
    if n == 0:
        return TradeCleanResult(trades, 0, 0)
    # Unique over the reversed ids finds each id's last occurrence.
    _, first_in_reversed = np.unique(trades.id[::-1].astype(str), return_index=True)
    keep_idx = np.sort(n - 1 - first_in_reversed)
    deduped = trades.take(keep_idx)
    duplicates = n - len(deduped)
    valid = (np.isfinite(deduped.price) & (deduped.price > 0)
             & np.isfinite(deduped.amount) & (deduped.amount > 0))
    deduped = deduped.take(valid)
    order = np.argsort(deduped.ts_ms, kind="stable")
    return TradeCleanResult(deduped.take(order), duplicates, int((~valid).sum()))


class TradeStore:
    """Reads and merges trade files under ``<data_dir>/trades``."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "trades"

    def path(self, exchange_id: str, symbol: str) -> Path:
        """The file holding one symbol's trades (it need not exist)."""
        return self.root / exchange_id / symbol_dirname(symbol) / "trades.parquet"

    def read(self, exchange_id: str, symbol: str) -> TradeArrays:
        """Every stored trade of a symbol; empty if none was downloaded."""
        path = self.path(exchange_id, symbol)
        return read_trade_file(path) if path.exists() else TradeArrays.empty()

    def merge(self, exchange_id: str, symbol: str, new: TradeArrays) -> TradeCleanResult:
        """Add ``new`` trades to the stored ones (new wins on equal ids) and save them."""
        result = clean_trades(self.read(exchange_id, symbol).concat(new))
        write_trade_file(self.path(exchange_id, symbol), result.trades)
        return result


def read_trade_file(path: Path) -> TradeArrays:
    """A trade Parquet file as arrays (cast to the expected columns)."""
    table = pq.read_table(path, columns=list(_COLUMNS))
    if not table.schema.equals(_SCHEMA):
        table = table.cast(_SCHEMA)
    return TradeArrays(*(table.column(c).to_numpy(zero_copy_only=False) for c in _COLUMNS))


def write_trade_file(path: Path, trades: TradeArrays) -> None:
    """Write ``trades`` atomically (a 0600 temporary file, fsync, rename)."""
    write_parquet_privately(path, pa.table({c: getattr(trades, c) for c in _COLUMNS}, schema=_SCHEMA))
