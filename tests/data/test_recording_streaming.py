"""Recordings are written and read in bounded row groups, and the layout never changes the events."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from hft_tui.data.capture import DEFAULT_SIM_START_NS
from hft_tui.data.recording import RecordedSession, RecordingMeta, SessionRecorder
from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket
from hft_tui.market.sources.protocol import MarketEvent


def _sim(n: int) -> tuple[RecordingMeta, list[MarketEvent]]:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 13, start_ts_ns=DEFAULT_SIM_START_NS)
    meta = RecordingMeta("sim", market.symbols, {s: market.rules(s) for s in market.symbols}, seed=13)
    return meta, [market.next_event() for _ in range(n)]


def _record(directory: Path, meta: RecordingMeta, events: list[MarketEvent], *, part_events: int,
            row_group_events: int) -> RecordedSession:
    with SessionRecorder(directory, meta, part_events=part_events, row_group_events=row_group_events) as rec:
        for event in events:
            rec.write(event)
    return RecordedSession(directory)


def _same(a: MarketEvent, b: MarketEvent) -> bool:
    if type(a) is not type(b):
        return False
    for name in a.__dataclass_fields__:  # type: ignore[union-attr]
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            if x.shape != y.shape or x.tobytes() != y.tobytes():
                return False
        elif x != y:
            return False
    return True


def test_parts_hold_row_groups_no_bigger_than_asked(tmp_path: Path) -> None:
    meta, events = _sim(2_500)
    session = _record(tmp_path / "s", meta, events, part_events=1_000, row_group_events=300)
    sizes = [[pq.ParquetFile(p).metadata.row_group(g).num_rows for g in range(pq.ParquetFile(p).num_row_groups)]
             for p in session.parts()]
    assert sizes == [[300, 300, 300, 100], [300, 300, 300, 100], [300, 200]]


def test_row_group_layout_does_not_change_the_events_read_back(tmp_path: Path) -> None:
    meta, events = _sim(3_000)
    # One row group per part is how sessions were written before row groups were bounded.
    whole = _record(tmp_path / "whole", meta, events, part_events=2_000, row_group_events=2_000)
    small = _record(tmp_path / "small", meta, events, part_events=2_000, row_group_events=128)
    from_whole, from_small = list(whole.events()), list(small.events())
    assert len(from_whole) == len(from_small) == len(events)
    assert all(_same(a, b) and _same(a, c) for a, b, c in zip(events, from_whole, from_small))


def test_a_window_reads_only_what_is_inside_it_whatever_the_row_groups(tmp_path: Path) -> None:
    meta, events = _sim(4_000)
    session = _record(tmp_path / "s", meta, events, part_events=1_500, row_group_events=100)
    lo, hi = events[1_234].ts_ns, events[2_345].ts_ns
    inside = list(session.events(lo, hi))
    expected = [e for e in events if lo <= e.ts_ns < hi]
    assert len(inside) == len(expected) > 1_000
    assert all(_same(a, b) for a, b in zip(expected, inside))
    assert list(session.events(events[-1].ts_ns + 1, None)) == []


def test_a_recorder_that_dies_mid_part_leaves_only_complete_parts_visible(tmp_path: Path) -> None:
    meta, events = _sim(2_500)
    recorder = SessionRecorder(tmp_path / "s", meta, part_events=1_000, row_group_events=200)
    for event in events:
        recorder.write(event)  # never closed: the third part is still a temporary file
    recorder.wait_until_written()
    session = RecordedSession(tmp_path / "s")
    assert [p.name for p in session.parts()] == ["events-000001.parquet", "events-000002.parquet"]
    assert not session.meta.complete and session.meta.parts == 2
    replayed = list(session.events())
    assert len(replayed) == 2_000 and all(_same(a, b) for a, b in zip(events, replayed))
