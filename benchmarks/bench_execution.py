"""Throughput of the L0 sanitizer and the paper broker on synthetic 20-level markets.

Run as a script (``python benchmarks/bench_execution.py [--quick]``) or call ``run()``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import numpy as np

from benchmarks.arguments import benchmark_parser
from hft_tui.clock import SimulatedClock
from hft_tui.execution.paper_broker import PaperBroker
from hft_tui.execution.settings import ExecutionSettings
from hft_tui.market.sanitizer import Sanitizer
from hft_tui.market.sanitizer_settings import SanitizerSettings
from hft_tui.model import Fill, MarketRules, Order, OrderBook, OrderType, Side, Trade

SYMBOL = "BTC/USDT:USDT"
RULES = {SYMBOL: MarketRules(SYMBOL, tick_size=0.1, lot_size=0.001)}
LEVELS = 20
T0 = 1_700_000_000_000_000_000
STEP_NS = 1_000_000
BATCH = 500


def synthetic_market(n_books: int, seed: int = 7) -> tuple[list[OrderBook], list[Trade]]:
    """A seeded random walk on the tick grid: one book and one trade per millisecond."""
    rng = np.random.default_rng(seed)
    moves = rng.integers(-2, 3, n_books)
    bid_lots = rng.integers(1, 5_000, (n_books, LEVELS))
    ask_lots = rng.integers(1, 5_000, (n_books, LEVELS))
    trade_lots = rng.integers(1, 2_000, n_books)
    trade_sides = rng.integers(0, 2, n_books)
    offsets = np.arange(LEVELS)
    books: list[OrderBook] = []
    trades: list[Trade] = []
    ticks = 650_000
    for i in range(n_books):
        ticks += int(moves[i])
        ts_ns = T0 + i * STEP_NS
        bids = np.column_stack(((ticks - offsets) * 0.1, bid_lots[i] * 0.001))
        asks = np.column_stack(((ticks + 1 + offsets) * 0.1, ask_lots[i] * 0.001))
        books.append(OrderBook.from_levels(SYMBOL, ts_ns, i + 1, bids, asks))
        side = Side.BUY if trade_sides[i] else Side.SELL
        price = (ticks + 1) * 0.1 if side is Side.BUY else ticks * 0.1
        trades.append(Trade(SYMBOL, ts_ns + STEP_NS // 2, price, trade_lots[i] * 0.001, side, str(i)))
    return books, trades


def batches(n_events: int) -> Iterator[tuple[list[OrderBook], list[Trade]]]:
    """The market in batches built just before use.

    A live feed hands the engine books it has just allocated, still in the CPU cache;
    timing a check over tens of megabytes of books built up front would measure memory
    stalls instead. Each batch continues the previous one's clock and sequence.
    """
    books, trades = synthetic_market(n_events)
    for start in range(0, n_events, BATCH):
        yield books[start:start + BATCH], trades[start:start + BATCH]


def _fresh(books: list[OrderBook]) -> list[OrderBook]:
    return [OrderBook.from_levels(b.symbol, b.ts_ns, b.seq, b.bids.copy(), b.asks.copy()) for b in books]


def bench_sanitizer(n_books: int) -> float:
    """Books per second through ``Sanitizer.check_book``; all must be accepted."""
    clock = SimulatedClock(T0)
    sanitizer = Sanitizer(SanitizerSettings(), RULES, clock)
    advance = clock.advance_to
    check = sanitizer.check_book
    elapsed = 0.0
    for books, _ in batches(n_books):
        books = _fresh(books)
        start = time.perf_counter()
        for book in books:
            advance(book.ts_ns)
            check(book)
        elapsed += time.perf_counter() - start
    if sanitizer.accepted != n_books:
        raise RuntimeError(f"benchmark books rejected: {sanitizer.counts}")
    return n_books / elapsed


def bench_paper_broker(n_books: int, resting: int = 10) -> tuple[float, int]:
    """Messages (books + trades) per second with ``resting`` limit orders kept working."""
    clock = SimulatedClock(T0)
    broker = PaperBroker(RULES, clock, ExecutionSettings(queue_factor=0.5))
    fills: list[Fill] = []
    broker.on_fill = fills.append
    serial = 0

    def top_up(book: OrderBook) -> None:
        nonlocal serial
        working = len(broker.open_orders())
        best_bid = book.bids.item(0, 0)
        best_ask = book.asks.item(0, 0)
        while working < resting:
            serial += 1
            buy = serial % 2 == 0
            depth = (serial % 5) * 0.1
            price = round(best_bid - depth, 1) if buy else round(best_ask + depth, 1)
            broker.submit_now(Order(f"b{serial}", SYMBOL, Side.BUY if buy else Side.SELL,
                                    OrderType.LIMIT, 0.05, price, clock.now_ns()))
            working += 1

    elapsed = 0.0
    for books, trades in batches(n_books):
        books = _fresh(books)
        start = time.perf_counter()
        for book, trade in zip(books, trades, strict=True):
            clock.advance_to(book.ts_ns)
            broker.on_book(book)
            if book.seq % 50 == 1:
                top_up(book)
            clock.advance_to(trade.ts_ns)
            broker.on_trade(trade)
        elapsed += time.perf_counter() - start
    return 2 * n_books / elapsed, len(fills)


def run(quick: bool = False) -> dict[str, float]:
    """Measure both; ``quick`` uses fewer events (for CI smoke runs)."""
    n_books = 5_000 if quick else 50_000
    sanitizer_rate = bench_sanitizer(n_books)
    broker_rate, fills = bench_paper_broker(n_books)
    return {
        "sanitizer_books_per_s": sanitizer_rate,
        "paper_broker_msgs_per_s": broker_rate,
        "paper_broker_fills": float(fills),
        "book_levels": float(LEVELS),
    }


def main() -> None:
    parser = benchmark_parser(__file__, __doc__)
    parser.add_argument("--quick", action="store_true", help="fewer events, for a smoke run")
    args = parser.parse_args()
    print(json.dumps({k: round(v, 1) for k, v in run(quick=args.quick).items()}, indent=2))


if __name__ == "__main__":
    main()
