from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from hft_tui.config.loader import load_settings
from hft_tui.data.capture import DEFAULT_SIM_START_NS, record_simulation
from hft_tui.data.recording import RecordedSession, RecordingMeta, SessionRecorder
from hft_tui.market.sources.recording import RecordingSource
from hft_tui.market.sim_setup import build_sim_market
from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket
from hft_tui.model import FeedState, FeedStatus, MarketRejection, OrderBook, ReasonCode


def _identical(a: object, b: object) -> bool:
    """Same type and every field equal; book arrays equal byte for byte, read-only."""
    if type(a) is not type(b):
        return False
    for name in a.__dataclass_fields__:  # type: ignore[attr-defined]
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            if x.shape != y.shape or x.dtype != y.dtype or x.tobytes() != y.tobytes() or y.flags.writeable:
                return False
        elif type(x) is not type(y) or x != y:
            return False
    return True


def _sim_events(n: int) -> tuple[SimulatedMarket, list[object]]:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 11, start_ts_ns=DEFAULT_SIM_START_NS)
    return market, [market.next_event() for _ in range(n)]


def test_replay_gives_back_byte_identical_events_across_parts(tmp_path: Path) -> None:
    market, events = _sim_events(5_000)
    extra = [FeedStatus("BTC/USDT", events[-1].ts_ns, FeedState.STALE, "quiet"),  # type: ignore[attr-defined]
             MarketRejection("ETH/USDT", events[-1].ts_ns, ReasonCode.CROSSED_BOOK, "ccxt", "bid > ask"),  # type: ignore[attr-defined]
             OrderBook.from_levels("ETH/USDT", events[-1].ts_ns, 99, [], [(1.0, 2.0)])]  # type: ignore[attr-defined]
    meta = RecordingMeta("sim", market.symbols, {s: market.rules(s) for s in market.symbols}, seed=11)
    with SessionRecorder(tmp_path / "s", meta, part_events=1_500) as recorder:
        for event in events + extra:
            recorder.write(event)  # type: ignore[arg-type]
    session = RecordedSession(tmp_path / "s")
    assert len(session.parts()) == 4 and session.meta.complete
    assert session.meta.rules == meta.rules
    replayed = list(session.events())
    assert len(replayed) == len(events) + len(extra)
    assert all(_identical(a, b) for a, b in zip(events + extra, replayed))


def test_time_window_selects_events_stamped_inside_it(tmp_path: Path) -> None:
    settings = load_settings(None, {"engine.seed": 3})
    meta = record_simulation(settings, tmp_path / "s", 10.0)
    assert meta.start_ts_ns == DEFAULT_SIM_START_NS and meta.end_ts_ns < DEFAULT_SIM_START_NS + 10 * 10**9
    lo, hi = DEFAULT_SIM_START_NS + 2 * 10**9, DEFAULT_SIM_START_NS + 5 * 10**9
    inside = list(RecordedSession(tmp_path / "s").events(lo, hi))
    every = list(RecordedSession(tmp_path / "s").events())
    assert inside and all(lo <= e.ts_ns < hi for e in inside)
    assert len(inside) == sum(1 for e in every if lo <= e.ts_ns < hi)


def test_a_seeded_sim_recording_is_the_simsource_stream_and_repeats_exactly(tmp_path: Path) -> None:
    settings = load_settings(None, {"engine.seed": 5})
    record_simulation(settings, tmp_path / "a", 5.0)
    record_simulation(settings, tmp_path / "b", 5.0)
    a = list(RecordedSession(tmp_path / "a").events())
    b = list(RecordedSession(tmp_path / "b").events())
    assert len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b))
    assert [type(e) for e in a[:2]] == [FeedStatus, FeedStatus]
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 5, start_ts_ns=DEFAULT_SIM_START_NS)
    assert all(_identical(market.next_event(), e) for e in a[2:])


async def test_recording_source_streams_the_same_events(tmp_path: Path) -> None:
    record_simulation(load_settings(None, {}), tmp_path / "s", 3.0)
    session = RecordedSession(tmp_path / "s")
    source = RecordingSource(session, yield_every=7)
    streamed = [event async for event in source.stream()]
    assert all(_identical(a, b) for a, b in zip(streamed, session.events()))
    assert len(streamed) == sum(session.meta.counts.values())


def test_a_recorded_delta_session_replays_as_the_deltas_it_recorded(tmp_path: Path) -> None:
    settings = load_settings(None, {"engine.seed": 5, "sim.book_updates": "deltas"})
    record_simulation(settings, tmp_path / "s", 5.0)
    replayed = list(RecordedSession(tmp_path / "s").events())
    market = build_sim_market(settings.sim, settings.engine.symbols, settings.engine.seed, DEFAULT_SIM_START_NS)
    assert all(_identical(market.next_event(), e) for e in replayed[2:])
    books = [e for e in replayed if isinstance(e, OrderBook)]
    assert sum(b.changes is not None for b in books) > len(books) // 2  # changes came back, not snapshots


def test_a_session_recorded_before_books_kept_their_changes_reads_back_as_snapshots() -> None:
    sample = Path(__file__).resolve().parents[2] / "data" / "sample" / "session"
    session = RecordedSession(sample)
    assert "prev_seq" not in pq.read_schema(session.parts()[0]).names  # written by the older recorder
    events = list(session.events())
    books = [e for e in events if isinstance(e, OrderBook)]
    assert len(events) == sum(session.meta.counts.values()) and len(books) == session.meta.counts["books"]
    assert all(b.changes is None for b in books)
