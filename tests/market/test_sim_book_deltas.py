"""The simulator's delta mode: a diff-depth feed whose updates carry a few changed levels,
each one exactly what turns the previous book into the next, the trades untouched."""

from __future__ import annotations

from hft_tui.config.loader import load_settings
from hft_tui.market.sim_book_deltas import SimBookDeltas
from hft_tui.market.sim_setup import build_sim_market
from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket
from hft_tui.model import Liquidation, OrderBook, Trade, level_changes

START_NS = 1_767_225_600_000_000_000


def _events(n: int, deltas: SimBookDeltas | None, seed: int = 11) -> list[OrderBook | Trade | Liquidation]:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, seed, start_ts_ns=START_NS, book_deltas=deltas)
    return [market.next_event() for _ in range(n)]


def test_every_update_carries_exactly_the_levels_that_turn_the_previous_book_into_it() -> None:
    last: dict[str, OrderBook] = {}
    updates = 0
    for event in _events(20_000, SimBookDeltas()):
        if not isinstance(event, OrderBook):
            continue
        previous = last.get(event.symbol)
        if event.changes is None:
            assert previous is None or event.seq == previous.seq + 1
        else:
            assert previous is not None and event.changes.prev_seq == previous.seq == event.seq - 1
            assert set(event.changes.bids) == set(level_changes(previous.bids.tolist(), event.bids.tolist()))
            assert set(event.changes.asks) == set(level_changes(previous.asks.tolist(), event.asks.tolist()))
            updates += 1
        assert len(event.bids) and len(event.asks) and event.bids[0, 0] < event.asks[0, 0]
        last[event.symbol] = event
    assert updates > 10_000


def test_updates_carry_a_few_levels_and_only_a_symbols_first_book_is_a_snapshot() -> None:
    books = [e for e in _events(20_000, SimBookDeltas()) if isinstance(e, OrderBook)]
    snapshots = [b for b in books if b.changes is None]
    assert [b.symbol for b in snapshots] == [spec.symbol for spec in DEFAULT_SIM_SYMBOLS]
    sizes = sorted(b.changes.count for b in books if b.changes is not None)
    assert sizes[len(sizes) // 2] <= 4  # the median update: a few levels
    assert sizes[int(len(sizes) * 0.99)] <= 8


def test_a_snapshot_comes_again_every_snapshot_period() -> None:
    books = [e for e in _events(20_000, SimBookDeltas(snapshot_every_s=10.0)) if isinstance(e, OrderBook)]
    btc = [b for b in books if b.symbol == "BTC/USDT"]
    snapshot_ts = [b.ts_ns for b in btc if b.changes is None]
    span_s = (btc[-1].ts_ns - btc[0].ts_ns) / 1e9
    assert len(snapshot_ts) >= int(span_s / 10.0)
    assert all(b - a >= 10_000_000_000 for a, b in zip(snapshot_ts, snapshot_ts[1:]))


def test_timestamps_never_go_back_and_trades_are_the_snapshot_streams() -> None:
    delta_stream = _events(20_000, SimBookDeltas())
    assert all(a.ts_ns <= b.ts_ns for a, b in zip(delta_stream, delta_stream[1:]))
    prints = [e for e in delta_stream if not isinstance(e, OrderBook)]
    snapshot_prints = [e for e in _events(20_000, None) if not isinstance(e, OrderBook)]
    assert prints == snapshot_prints[: len(prints)]


def test_the_delta_feed_is_deterministic() -> None:
    def shape(events: list[OrderBook | Trade | Liquidation]) -> list[object]:
        return [(e.seq, e.ts_ns, e.bids.tobytes(), e.asks.tobytes(), e.changes) if isinstance(e, OrderBook) else e
                for e in events]

    assert shape(_events(5_000, SimBookDeltas())) == shape(_events(5_000, SimBookDeltas()))


def test_sim_book_updates_deltas_in_the_settings_gives_the_delta_feed() -> None:
    settings = load_settings(None, {"sim.book_updates": "deltas"})
    market = build_sim_market(settings.sim, settings.engine.symbols, settings.engine.seed, START_NS)
    books = [e for e in (market.next_event() for _ in range(200)) if isinstance(e, OrderBook)]
    assert books[0].changes is None and all(b.changes is not None for b in books[2:])
