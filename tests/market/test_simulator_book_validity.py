"""The simulated books and prints are always something a real exchange could have sent."""

from __future__ import annotations

import numpy as np
import pytest

from hft_tui.market.sim_regimes import SimRegime
from hft_tui.market.simulator import DEFAULT_SIM_SYMBOLS, SimulatedMarket, SimSymbolSpec
from hft_tui.model import Liquidation, OrderBook, Side, Trade

START_NS = 1_767_225_600_000_000_000
BTC, ETH = "BTC/USDT", "ETH/USDT"


def _on_grid(values: np.ndarray, step: float) -> bool:
    units = values / step
    return bool(np.all(np.abs(units - np.rint(units)) < 1e-6))


class StreamChecker:
    """Checks every event of a stream against the book invariants and the last books."""

    def __init__(self, market: SimulatedMarket, depth: int = 20) -> None:
        self.market = market
        self.depth = depth
        self.rules = {symbol: market.rules(symbol) for symbol in market.symbols}
        self.last_book: dict[str, OrderBook] = {}
        self.last_ts = market.start_ts_ns
        self.counts = {"books": 0, "trades": 0, "liquidations": 0}
        self.pending_liquidation: Liquidation | None = None

    def feed(self, event: OrderBook | Trade | Liquidation) -> None:
        assert event.ts_ns >= self.last_ts, "timestamps went backwards"
        self.last_ts = event.ts_ns
        if self.pending_liquidation is not None:
            liq = self.pending_liquidation
            assert isinstance(event, Trade), "a liquidation is followed by its trade print"
            assert (event.symbol, event.ts_ns, event.price, event.qty, event.side) == (
                liq.symbol, liq.ts_ns, liq.price, liq.qty, liq.side,
            )
            self.pending_liquidation = None
        if isinstance(event, OrderBook):
            self._check_book(event)
        elif isinstance(event, Trade):
            self._check_print(event)
            self.counts["trades"] += 1
        else:
            assert isinstance(event, Liquidation)
            self._check_print(event)
            self.pending_liquidation = event
            self.counts["liquidations"] += 1

    def _check_book(self, book: OrderBook) -> None:
        rules = self.rules[book.symbol]
        previous = self.last_book.get(book.symbol)
        assert book.seq == (previous.seq + 1 if previous else 1)
        for side in (book.bids, book.asks):
            assert side.shape == (self.depth, 2)
            assert side.dtype == np.float64
            assert not side.flags.writeable
            assert np.all(np.isfinite(side))
            assert np.all(side > 0)
            assert _on_grid(side[:, 0], rules.tick_size), "price off the tick grid"
            assert _on_grid(side[:, 1], rules.lot_size), "size not a whole number of lots"
        assert np.all(np.diff(book.bids[:, 0]) < 0), "bids not strictly descending"
        assert np.all(np.diff(book.asks[:, 0]) > 0), "asks not strictly ascending"
        assert book.bids[0, 0] < book.asks[0, 0], "book crossed or locked"
        self.last_book[book.symbol] = book
        self.counts["books"] += 1

    def _check_print(self, event: Trade | Liquidation) -> None:
        rules = self.rules[event.symbol]
        book = self.last_book[event.symbol]
        assert np.isfinite(event.price) and np.isfinite(event.qty)
        assert event.qty > 0
        assert _on_grid(np.array([event.price]), rules.tick_size)
        assert _on_grid(np.array([event.qty]), rules.lot_size)
        if event.side is Side.BUY:
            # A buyer lifts offers: at or above the best ask, within the visible asks.
            assert book.asks[0, 0] <= event.price <= book.asks[-1, 0]
            assert event.qty <= book.asks[:, 1].sum() + 1e-9
        else:
            assert book.bids[-1, 0] <= event.price <= book.bids[0, 0]
            assert event.qty <= book.bids[:, 1].sum() + 1e-9


def test_books_and_trades_stay_valid_over_50000_events() -> None:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 7, start_ts_ns=START_NS)
    checker = StreamChecker(market)
    first = market.next_event()
    assert first.ts_ns == START_NS
    checker.feed(first)
    for _ in range(50_000 - 1):
        checker.feed(market.next_event())
    assert set(checker.last_book) == {BTC, ETH}
    assert checker.counts["books"] > 35_000
    assert checker.counts["trades"] > 3_000


@pytest.mark.parametrize("regime", [SimRegime.CASCADE_DOWN, SimRegime.CASCADE_UP])
def test_books_and_trades_stay_valid_through_a_cascade(regime: SimRegime) -> None:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 11, start_ts_ns=START_NS)
    checker = StreamChecker(market)
    for _ in range(200):
        checker.feed(market.next_event())
    market.force_regime(BTC, regime, duration_s=30.0)
    market.force_regime(ETH, regime, duration_s=30.0)
    end_ns = market.now_ns() + 40 * 1_000_000_000
    while checker.last_ts < end_ns:
        checker.feed(market.next_event())
    assert checker.counts["liquidations"] > 20


def test_a_deeper_book_has_that_many_valid_levels() -> None:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 3, start_ts_ns=START_NS, depth=50)
    checker = StreamChecker(market, depth=50)
    for _ in range(5_000):
        checker.feed(market.next_event())


def test_a_sparse_coarse_grid_symbol_stays_valid() -> None:
    spec = SimSymbolSpec(
        symbol="SOL/USDT", start_price=150.0, tick_size=0.25, lot_size=0.5,
        volatility_per_s=2e-4, level_qty=40.0, min_level_qty=0.5, max_level_qty=2_000.0,
        trade_qty=5.0, liquidation_qty=60.0, level_fill_prob=0.05, spread_ticks=2,
    )
    market = SimulatedMarket([spec], 5, start_ts_ns=START_NS)
    checker = StreamChecker(market)
    market.force_regime("SOL/USDT", SimRegime.CASCADE_DOWN, duration_s=20.0)
    spreads = []
    for _ in range(10_000):
        event = market.next_event()
        checker.feed(event)
        if isinstance(event, OrderBook):
            spreads.append(event.asks[0, 0] - event.bids[0, 0])
    assert min(spreads) >= 2 * 0.25 - 1e-9  # never tighter than spread_ticks


def test_btc_level_sizes_are_realistic_and_deeper_levels_are_larger() -> None:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 9, start_ts_ns=START_NS)
    sizes = []
    while len(sizes) < 3_000:
        event = market.next_event()
        if isinstance(event, OrderBook) and event.symbol == BTC:
            sizes.append(np.concatenate([event.bids[:, 1], event.asks[:, 1]]))
    qty = np.array(sizes).reshape(len(sizes), 2, 20)
    normal = qty[qty * 65_000 < 500_000]  # whales aside
    assert normal.min() >= 0.01
    assert normal.max() <= 5.0
    assert 0.1 < np.median(qty[:, :, 0]) < 1.0
    assert np.median(qty[:, :, 15:]) > 2 * np.median(qty[:, :, :3])


def test_rules_describe_the_simulated_grid_and_fees() -> None:
    market = SimulatedMarket(DEFAULT_SIM_SYMBOLS, 1, start_ts_ns=START_NS)
    btc = market.rules(BTC)
    eth = market.rules(ETH)
    assert (btc.tick_size, btc.lot_size, btc.min_notional) == (0.1, 0.001, 5.0)
    assert (eth.tick_size, eth.lot_size) == (0.01, 0.001)
    assert (btc.maker_fee, btc.taker_fee, btc.spot) == (0.0002, 0.0005, False)
    assert (btc.base, btc.quote) == ("BTC", "USDT")
    with pytest.raises(KeyError):
        market.rules("DOGE/USDT")


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ValueError):
        SimulatedMarket(DEFAULT_SIM_SYMBOLS, 1, start_ts_ns=0, correlation=1.0)
    with pytest.raises(ValueError):
        SimulatedMarket(DEFAULT_SIM_SYMBOLS, 1, start_ts_ns=0, depth=0)
    with pytest.raises(ValueError):
        SimulatedMarket(DEFAULT_SIM_SYMBOLS * 2, 1, start_ts_ns=0)
    with pytest.raises(ValueError):
        SimSymbolSpec(
            symbol="X/USDT", start_price=-1.0, tick_size=0.1, lot_size=0.001,
            volatility_per_s=1e-4, level_qty=1.0, min_level_qty=0.01, max_level_qty=5.0,
            trade_qty=0.01, liquidation_qty=0.1, level_fill_prob=0.5,
        )
