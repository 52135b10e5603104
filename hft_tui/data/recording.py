"""Recorded market sessions: every book snapshot, trade, liquidation, feed status and
rejection a source produced, in order, so that a replay hands the engine the same event
objects again, float for float.

A session is a directory::

    meta.json              what was recorded: source, symbols, market rules, seed, counts
    events-000001.parquet  events in order, ~``part_events`` per file
    events-000002.parquet  ...

One Parquet table per part with a ``kind`` column (book/trade/liquidation/status/rejection)
and the union of their fields; book levels are ``list<float64>`` columns holding
``[price, qty, price, qty, ...]`` best first, so a replayed book's ``(n, 2)`` arrays are
zero-copy views of the column buffer. A book of a diff-depth feed keeps what it changed:
``prev_seq`` (null for a snapshot) and ``bid_changes``/``ask_changes``, ``list<float64>``
columns of ``[price, old_qty, new_qty, ...]``, so a recorded delta session replays as
deltas (the engine's incremental path); sessions recorded before these columns existed
read back as snapshots, as they were recorded. Parts are written whole (temporary file, then
rename), so a recording cut short by a crash keeps every complete part; ``meta.json`` is
rewritten with the final counts on close. Directories are made 0700 and every file is born
0600 (opened with that mode, never tightened afterwards): a kill at any instant leaves
nothing more open.

Both directions stream in row groups of at most ``ROW_GROUP_EVENTS`` events: the recorder
buffers one row group, the reader decodes one batch at a time and skips row groups whose
timestamps fall outside the requested window, so memory stays flat however long the
session (decoding a whole 65,536-row group costs Arrow ~100 MB of scratch space).

A full row group is encoded and written on the recorder's own thread, not the caller's: an
engine records on its event loop, and a part (Arrow conversion, zstd, the file) takes a
few hundred milliseconds that the loop's market data must not wait for. One row group is
in flight at a time, in order; a failed write is raised by the next ``write`` that ends a
row group, or by ``close``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from hft_tui.market.sources.protocol import MarketEvent
from hft_tui.private_dir import ensure_private_dir
from hft_tui.wal.segments import open_private
from hft_tui.model import (
    FeedState,
    FeedStatus,
    Liquidation,
    MarketRejection,
    MarketRules,
    BookChanges,
    LevelChange,
    OrderBook,
    ReasonCode,
    Side,
    Trade,
)

RECORDING_FORMAT = 1
META_FILE = "meta.json"
DEFAULT_PART_EVENTS = 200_000
# Events per Parquet row group written (older sessions hold 65,536-row groups), and per
# batch decoded on reading: Arrow's scratch memory grows with both.
ROW_GROUP_EVENTS = 16_384
READ_BATCH_EVENTS = 4_096

BOOK, TRADE, LIQUIDATION, STATUS, REJECTION = 0, 1, 2, 3, 4
_KIND_NAMES = ("books", "trades", "liquidations", "statuses", "rejections")
_NO_SIDE, _BUY, _SELL = 0, 1, 2
_SIDES = (None, Side.BUY, Side.SELL)
_STATES = {state.value: state for state in FeedState}
_NO_LEVELS = np.empty((0, 2), dtype=np.float64)

_SCHEMA = pa.schema([
    ("kind", pa.int8()),
    ("symbol", pa.dictionary(pa.int32(), pa.string())),
    ("ts_ns", pa.int64()),
    ("seq", pa.int64()),
    ("price", pa.float64()),
    ("qty", pa.float64()),
    ("side", pa.int8()),
    ("text", pa.string()),  # trade id, status or rejection detail
    ("label", pa.dictionary(pa.int32(), pa.string())),  # feed state or reason code
    ("origin", pa.dictionary(pa.int32(), pa.string())),  # rejection source
    ("bids", pa.list_(pa.float64())),
    ("asks", pa.list_(pa.float64())),
    ("prev_seq", pa.int64()),  # a book's changes are against this book; null: a snapshot
    ("bid_changes", pa.list_(pa.float64())),  # [price, old_qty, new_qty, ...]
    ("ask_changes", pa.list_(pa.float64())),
])


@dataclass(frozen=True, slots=True)
class RecordingMeta:
    """What a session holds. ``source`` is ``sim`` or a ccxt exchange id."""

    source: str
    symbols: tuple[str, ...]
    rules: dict[str, MarketRules]
    seed: int | None = None
    sim: dict[str, Any] = field(default_factory=dict)
    licence: str = ""
    start_ts_ns: int = 0
    end_ts_ns: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    parts: int = 0
    complete: bool = False

    def to_json(self) -> dict[str, Any]:
        """The meta as a plain JSON document."""
        return {
            "format": RECORDING_FORMAT,
            "source": self.source,
            "symbols": list(self.symbols),
            "rules": {s: asdict(r) for s, r in sorted(self.rules.items())},
            "seed": self.seed,
            "sim": self.sim,
            "licence": self.licence,
            "start_ts_ns": self.start_ts_ns,
            "end_ts_ns": self.end_ts_ns,
            "counts": self.counts,
            "parts": self.parts,
            "complete": self.complete,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> RecordingMeta:
        """Parse a ``meta.json`` document; raises ValueError on an unknown format."""
        if doc.get("format") != RECORDING_FORMAT:
            raise ValueError(f"unsupported recording format {doc.get('format')!r}")
        return cls(
            source=doc["source"],
            symbols=tuple(doc["symbols"]),
            rules={s: MarketRules(**r) for s, r in doc["rules"].items()},
            seed=doc.get("seed"),
            sim=doc.get("sim") or {},
            licence=doc.get("licence", ""),
            start_ts_ns=doc.get("start_ts_ns", 0),
            end_ts_ns=doc.get("end_ts_ns", 0),
            counts=doc.get("counts") or {},
            parts=doc.get("parts", 0),
            complete=doc.get("complete", False),
        )


def _part_name(index: int) -> str:
    return f"events-{index:06d}.parquet"


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with _create_private(tmp) as handle:
        handle.write((json.dumps(doc, indent=2, sort_keys=True) + "\n").encode())
    os.replace(tmp, path)


def _create_private(path: Path) -> BinaryIO:
    """``path`` created (or truncated) as 0600, open for binary writing."""
    return os.fdopen(open_private(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), "wb")


class SessionRecorder:
    """Appends events to a new session directory; ``close()`` writes the last part and meta."""

    def __init__(self, directory: Path, meta: RecordingMeta, *,
                 part_events: int = DEFAULT_PART_EVENTS, row_group_events: int = ROW_GROUP_EVENTS) -> None:
        if part_events < 1:
            raise ValueError(f"part_events must be >= 1, got {part_events}")
        if row_group_events < 1:
            raise ValueError(f"row_group_events must be >= 1, got {row_group_events}")
        ensure_private_dir(directory)
        if any(directory.glob("events-*.parquet")):
            raise FileExistsError(f"{directory} already holds a recording")
        self.directory = directory
        self._meta = meta
        self._part_events = part_events
        self._row_group_events = row_group_events
        self._parts = 0
        # The part being written, as a temporary file: the writer thread's alone.
        self._part_writer: pq.ParquetWriter | None = None
        self._part_file: BinaryIO | None = None
        self._part_tmp: Path | None = None
        self._part_rows = 0  # rows handed to the writer for the part being written
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recording-writer")
        self._in_flight: Future[None] | None = None
        self._counts = [0] * len(_KIND_NAMES)
        self._first_ts_ns: int | None = None
        self._last_ts_ns = 0
        self._closed = False
        self._reset_buffers()
        _write_json(directory / META_FILE, meta.to_json())

    def _reset_buffers(self) -> None:
        self._kind: list[int] = []
        self._symbol: list[str] = []
        self._ts: list[int] = []
        self._seq: list[int] = []
        self._price: list[float] = []
        self._qty: list[float] = []
        self._side: list[int] = []
        self._text: list[str | None] = []
        self._label: list[str | None] = []
        self._origin: list[str | None] = []
        self._bids: list[np.ndarray] = []
        self._asks: list[np.ndarray] = []
        self._changes: list[BookChanges | None] = []

    @property
    def events(self) -> int:
        """Events recorded so far."""
        return sum(self._counts)

    def write(self, event: MarketEvent) -> None:
        """Record one event (in the order the source produced it)."""
        if self._closed:
            raise RuntimeError("the recorder is closed")
        if isinstance(event, OrderBook):
            self._row(BOOK, event.symbol, event.ts_ns, event.seq, 0.0, 0.0, _NO_SIDE, None, None, None,
                      event.bids, event.asks, event.changes)
        elif isinstance(event, Trade):
            self._row(TRADE, event.symbol, event.ts_ns, 0, event.price, event.qty,
                      _BUY if event.side is Side.BUY else _SELL, event.trade_id, None, None)
        elif isinstance(event, Liquidation):
            self._row(LIQUIDATION, event.symbol, event.ts_ns, 0, event.price, event.qty,
                      _BUY if event.side is Side.BUY else _SELL, None, None, None)
        elif isinstance(event, FeedStatus):
            self._row(STATUS, event.symbol, event.ts_ns, 0, 0.0, 0.0, _NO_SIDE, event.detail,
                      event.state.value, None)
        elif isinstance(event, MarketRejection):
            self._row(REJECTION, event.symbol, event.ts_ns, 0, 0.0, 0.0, _NO_SIDE, event.detail,
                      event.code.value, event.source)
        else:
            raise TypeError(f"cannot record {type(event).__name__}")
        buffered = len(self._kind)
        if buffered >= self._row_group_events or self._part_rows + buffered >= self._part_events:
            self._write_row_group()

    def _row(self, kind: int, symbol: str, ts_ns: int, seq: int, price: float, qty: float,
             side: int, text: str | None, label: str | None, origin: str | None,
             bids: np.ndarray = _NO_LEVELS, asks: np.ndarray = _NO_LEVELS,
             changes: BookChanges | None = None) -> None:
        self._kind.append(kind)
        self._symbol.append(symbol)
        self._ts.append(ts_ns)
        self._seq.append(seq)
        self._price.append(price)
        self._qty.append(qty)
        self._side.append(side)
        self._text.append(text)
        self._label.append(label)
        self._origin.append(origin)
        self._bids.append(bids)
        self._asks.append(asks)
        self._changes.append(changes)
        self._counts[kind] += 1
        if self._first_ts_ns is None:
            self._first_ts_ns = ts_ns
        self._last_ts_ns = ts_ns

    def _write_row_group(self) -> None:
        """Hand the buffered events to the writer thread as one row group of the open part (a
        new part when none is open), ending the part when it is full."""
        if not self._kind:
            return
        self.wait_until_written()
        columns = (self._kind, self._symbol, self._ts, self._seq, self._price, self._qty, self._side,
                   self._text, self._label, self._origin, self._bids, self._asks, self._changes)
        if self._part_rows == 0:
            self._parts += 1
        self._part_rows += len(self._kind)
        self._reset_buffers()
        # The meta of an ended part is taken now, so it counts exactly the events written.
        ended = None
        if self._part_rows >= self._part_events:
            self._part_rows = 0
            ended = self._current_meta(complete=False)
        self._in_flight = self._writer.submit(self._write_group, columns, self._parts, ended)

    def wait_until_written(self) -> None:
        """Wait until every row group handed to the writer thread is on disk (the events still
        buffered are not); raises what its write raised."""
        in_flight, self._in_flight = self._in_flight, None
        if in_flight is not None:
            in_flight.result()

    def _write_group(self, columns: tuple[list[Any], ...], part: int, ended: RecordingMeta | None) -> None:
        """On the writer thread: append one row group to part ``part``; end the part after it
        when ``ended`` (its meta) is given."""
        kind, symbol, ts, seq, price, qty, side, text, label, origin, bids, asks, changes = columns
        table = pa.table({
            "kind": pa.array(kind, pa.int8()),
            "symbol": pa.array(symbol, pa.string()).dictionary_encode(),
            "ts_ns": pa.array(ts, pa.int64()),
            "seq": pa.array(seq, pa.int64()),
            "price": pa.array(price, pa.float64()),
            "qty": pa.array(qty, pa.float64()),
            "side": pa.array(side, pa.int8()),
            "text": pa.array(text, pa.string()),
            "label": pa.array(label, pa.string()).dictionary_encode(),
            "origin": pa.array(origin, pa.string()).dictionary_encode(),
            "bids": _levels_column(bids),
            "asks": _levels_column(asks),
            "prev_seq": pa.array([None if c is None else c.prev_seq for c in changes], pa.int64()),
            "bid_changes": _changes_column([None if c is None else c.bids for c in changes]),
            "ask_changes": _changes_column([None if c is None else c.asks for c in changes]),
        }, schema=_SCHEMA)
        if self._part_writer is None:
            path = self.directory / _part_name(part)
            self._part_tmp = path.with_name(f".{path.name}.tmp")
            self._part_file = _create_private(self._part_tmp)
            self._part_writer = pq.ParquetWriter(self._part_file, _SCHEMA, compression="zstd")
        self._part_writer.write_table(table, row_group_size=len(kind))
        if ended is not None:
            self._end_part(part)
            _write_json(self.directory / META_FILE, ended.to_json())

    def _end_part(self, part: int) -> None:
        """Close the part being written and give it its name: from now on readers see it."""
        if self._part_writer is None:
            return
        assert self._part_tmp is not None and self._part_file is not None
        self._part_writer.close()
        self._part_file.close()
        os.replace(self._part_tmp, self.directory / _part_name(part))
        self._part_writer = None
        self._part_file = None
        self._part_tmp = None

    def _current_meta(self, complete: bool) -> RecordingMeta:
        counts = dict(zip(_KIND_NAMES, self._counts))
        return RecordingMeta(
            source=self._meta.source, symbols=self._meta.symbols, rules=self._meta.rules,
            seed=self._meta.seed, sim=self._meta.sim, licence=self._meta.licence,
            start_ts_ns=self._first_ts_ns or 0, end_ts_ns=self._last_ts_ns, counts=counts,
            parts=self._parts, complete=complete,
        )

    def close(self) -> RecordingMeta:
        """Write what is buffered and the final meta; returns it. Idempotent."""
        if not self._closed:
            self._closed = True
            try:
                self._write_row_group()
                self.wait_until_written()
            finally:
                self._writer.shutdown()
            self._end_part(self._parts)
            _write_json(self.directory / META_FILE, self._current_meta(complete=True).to_json())
        return self._current_meta(complete=True)

    def __enter__(self) -> SessionRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _levels_column(levels: list[np.ndarray]) -> pa.Array:
    """``(n, 2)`` level arrays as one ``list<float64>`` column of interleaved price, qty."""
    sizes = np.fromiter((a.size for a in levels), dtype=np.int32, count=len(levels))
    offsets = np.zeros(len(levels) + 1, dtype=np.int32)
    np.cumsum(sizes, out=offsets[1:])
    flat = [a.reshape(-1) for a in levels if a.size]
    values = np.concatenate(flat) if flat else np.empty(0, np.float64)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values.astype(np.float64, copy=False)))


def _changes_column(sides: list[tuple[LevelChange, ...] | None]) -> pa.Array:
    """One side's changes per row as a ``list<float64>`` column of ``price, old, new`` triples."""
    offsets = [0]
    values: list[float] = []
    for side in sides:
        if side:
            for change in side:
                values.extend(change)
        offsets.append(len(values))
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(values, pa.float64()))


class RecordedSession:
    """A session directory opened for reading."""

    def __init__(self, directory: Path) -> None:
        meta_path = directory / META_FILE
        if not meta_path.exists():
            raise FileNotFoundError(f"{directory} is not a recorded session (no {META_FILE})")
        self.directory = directory
        self.meta = RecordedSession._read_meta(meta_path)

    @staticmethod
    def _read_meta(path: Path) -> RecordingMeta:
        return RecordingMeta.from_json(json.loads(path.read_text()))

    def parts(self) -> list[Path]:
        """The event files, in order."""
        return sorted(self.directory.glob("events-*.parquet"))

    def events(self, start_ts_ns: int | None = None, end_ts_ns: int | None = None) -> Iterator[MarketEvent]:
        """Every event in recorded order, optionally only those stamped in ``[start, end)``."""
        lo = start_ts_ns if start_ts_ns is not None else -(1 << 63)
        hi = end_ts_ns if end_ts_ns is not None else (1 << 63) - 1
        for part in self.parts():
            # Pre-buffering reads whole column chunks ahead and threads decode columns side
            # by side: each raised the peak of a 1M-event read by 20-60 MB, and neither made
            # it faster at this batch size.
            with pq.ParquetFile(part, pre_buffer=False) as parquet:
                groups = _groups_within(parquet.metadata, lo, hi)
                if not groups:
                    continue
                for batch in parquet.iter_batches(batch_size=READ_BATCH_EVENTS, row_groups=groups,
                                                  use_threads=False):
                    yield from _decode(batch, lo, hi)


def _groups_within(metadata: pq.FileMetaData, lo: int, hi: int) -> list[int]:
    """Row groups that may hold an event stamped in ``[lo, hi)``, by their ``ts_ns`` statistics."""
    groups = []
    for index in range(metadata.num_row_groups):
        group = metadata.row_group(index)
        stats = None
        for column in range(group.num_columns):
            if group.column(column).path_in_schema == "ts_ns":
                stats = group.column(column).statistics
                break
        if stats is None or not stats.has_min_max or (stats.max >= lo and stats.min < hi):
            groups.append(index)
    return groups


def _dictionary_values(array: pa.DictionaryArray) -> tuple[np.ndarray, list[str | None]]:
    """Indices (-1 for null) and the dictionary of a dictionary-encoded column."""
    indices = array.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return indices, array.dictionary.to_pylist()


def _levels(array: pa.ListArray) -> tuple[list[int], np.ndarray]:
    """A levels column as each row's offsets into one read-only ``(n, 2)`` array."""
    levels = array.values.to_numpy(zero_copy_only=False).reshape(-1, 2)
    levels.flags.writeable = False
    return (array.offsets.to_numpy() // 2).tolist(), levels


def _decode(batch: pa.RecordBatch, lo: int, hi: int) -> Iterator[MarketEvent]:
    """The events of one batch stamped in ``[lo, hi)``, in order."""
    kinds = batch.column("kind").to_numpy().tolist()
    ts = batch.column("ts_ns").to_numpy().tolist()
    sym_idx, sym_names = _dictionary_values(batch.column("symbol"))
    symbols = [sym_names[i] for i in sym_idx.tolist()]
    seq = batch.column("seq").to_numpy().tolist()
    price = batch.column("price").to_numpy().tolist()
    qty = batch.column("qty").to_numpy().tolist()
    side = batch.column("side").to_numpy().tolist()
    text = batch.column("text").to_pylist()
    label_idx, label_names = _dictionary_values(batch.column("label"))
    origin_idx, origin_names = _dictionary_values(batch.column("origin"))
    bid_off, bid_levels = _levels(batch.column("bids"))
    ask_off, ask_levels = _levels(batch.column("asks"))
    changes = _changes(batch)
    for i, kind in enumerate(kinds):
        t = ts[i]
        if t < lo or t >= hi:
            continue
        if kind == BOOK:
            yield OrderBook(symbols[i], t, seq[i], bid_levels[bid_off[i]:bid_off[i + 1]],
                            ask_levels[ask_off[i]:ask_off[i + 1]], None if changes is None else changes(i))
        elif kind == TRADE:
            yield Trade(symbols[i], t, price[i], qty[i], _SIDES[side[i]], text[i] or "")  # type: ignore[arg-type]
        elif kind == LIQUIDATION:
            yield Liquidation(symbols[i], t, price[i], qty[i], _SIDES[side[i]])  # type: ignore[arg-type]
        elif kind == STATUS:
            yield FeedStatus(symbols[i], t, _STATES[label_names[label_idx[i]]], text[i] or "")  # type: ignore[index]
        elif kind == REJECTION:
            yield MarketRejection(symbols[i], t, ReasonCode(label_names[label_idx[i]]),
                                  origin_names[origin_idx[i]] or "", text[i] or "")  # type: ignore[arg-type]
        else:
            raise ValueError(f"unknown event kind {kind} in a recording")


def _changes(batch: pa.RecordBatch) -> Callable[[int], BookChanges | None] | None:
    """The changes of row ``i``'s book (None: a snapshot); None for a batch recorded before
    books kept their changes."""
    if "prev_seq" not in batch.schema.names:
        return None
    prev = batch.column("prev_seq").fill_null(-1).to_numpy().tolist()
    bid_off, bids = _triples(batch.column("bid_changes"))
    ask_off, asks = _triples(batch.column("ask_changes"))

    def row(i: int) -> BookChanges | None:
        prev_seq = prev[i]
        if prev_seq < 0:
            return None
        return BookChanges(prev_seq, tuple(bids[bid_off[i]:bid_off[i + 1]]), tuple(asks[ask_off[i]:ask_off[i + 1]]))

    return row


def _triples(array: pa.ListArray) -> tuple[list[int], list[LevelChange]]:
    """A changes column as each row's offsets into one list of ``LevelChange``."""
    triples = iter(array.values.to_numpy(zero_copy_only=False).tolist())
    changes = list(map(tuple.__new__, repeat(LevelChange), zip(triples, triples, triples)))
    return (array.offsets.to_numpy() // 3).tolist(), changes
