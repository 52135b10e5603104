"""A loopback Binance streaming N symbols' depth at 10 Hz and their trades, as a process of its own.

``python -m benchmarks.loopback_feed --symbols N [--depth-hz 10] [--trades-per-s 3]``

The live symbol-scale benchmark (``bench_symbols_live.py``) runs it beside the engine, so
the server's CPU is not charged to the engine. It serves the loopback exchange of the test
suite (``tests/ccxt/loopback_exchange.py``: REST, ``/stream`` websockets, ``depthUpdate``
diffs with their update ids) for the markets ``S000/USDT`` ... and drives every book the way
Binance's ``@depth@100ms`` stream does: each symbol sends one diff per period, at its own
phase in the period, carrying a few levels (1-3 resized levels, or the touch moving one
tick: 4 levels), and a trade with probability ``trades_per_s / depth_hz`` after it.

It prints ``port N`` once serving. On stdin, a line ``stats`` prints one JSON line (diffs and
trades sent, its CPU seconds, how far its schedule fell behind); end of input stops it.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ccxt"))

from loopback_exchange import LoopbackBook, LoopbackExchange, LoopbackMarket  # noqa: E402

from benchmarks.arguments import benchmark_parser  # noqa: E402

LEVELS = 20
TICK = 0.01
LOT = 0.001
# Depth diffs are sent in this many slots per period, each symbol in its own.
SLOTS = 10
TOUCH_MOVE_P = 0.15


def market_ids(n: int) -> list[str]:
    return [f"S{i:03d}USDT" for i in range(n)]


def symbols(n: int) -> list[str]:
    """The ccxt symbols of the first ``n`` markets."""
    return [f"S{i:03d}/USDT" for i in range(n)]


class FeedExchange(LoopbackExchange):
    """The loopback with an index from stream to subscriber, so one diff costs one send."""

    def __init__(self, n: int, seed: int) -> None:
        markets = [LoopbackMarket(m, m[:-4], "USDT", f"{TICK:.8f}", f"{LOT:.8f}", f"{LOT:.8f}", "5.00000000")
                   for m in market_ids(n)]
        super().__init__(markets)
        self.rng = random.Random(seed)
        for i, book in enumerate(self.books.values()):
            seed_book(book, mid_ticks=10_000 * (1 + i % 20) + 50, rng=self.rng)
        self.depth_sent = 0
        self.trades_sent = 0
        self._index: dict[str, list[Any]] = {}
        self._index_version = (0, 0)

    async def _broadcast(self, stream_prefix: str, message: dict[str, Any]) -> None:
        version = (len(self._sockets), self.subscribe_requests)
        if version != self._index_version:
            self._index_version, self._index = version, {}
        sockets = self._index.get(stream_prefix)
        if sockets is None:
            sockets = self._index[stream_prefix] = [
                ws for ws, subscriptions in self._sockets if any(s.startswith(stream_prefix) for s in subscriptions)]
        text = json.dumps(message)
        for ws in sockets:
            if not ws.closed:
                await ws.send_str(text)

    async def step(self, market_id: str, trade_p: float) -> None:
        """One Binance-like diff of ``market_id``'s book, and maybe a trade at the touch."""
        book, rng = self.books[market_id], self.rng
        bids, asks = diff_levels(book, rng)
        await self.push_depth(market_id, bids=bids, asks=asks)
        self.depth_sent += 1
        if rng.random() < trade_p:
            buy = rng.random() < 0.5
            price = min(book.asks) if buy else max(book.bids)
            await self.push_trade(market_id, price, _qty(rng, most_lots=1000), buyer_is_maker=not buy)
            self.trades_sent += 1


def diff_levels(book: LoopbackBook, rng: random.Random) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """The bid and ask levels of ``book``'s next diff: 1-3 resized levels, or the touch moving."""
    best_bid, best_ask = max(book.bids), min(book.asks)
    bids: list[tuple[float, float]] = []
    asks: list[tuple[float, float]] = []
    if rng.random() < TOUCH_MOVE_P:
        # The touch moves one tick: one side's best level goes, the other side gains one
        # there; each side keeps its depth by a level at (or off) its far end.
        if rng.random() < 0.5:
            asks += [(best_ask, 0.0), (_price(max(book.asks) + TICK), _qty(rng))]
            bids += [(best_ask, _qty(rng)), (min(book.bids), 0.0)]
        else:
            bids += [(best_bid, 0.0), (_price(min(book.bids) - TICK), _qty(rng))]
            asks += [(best_bid, _qty(rng)), (max(book.asks), 0.0)]
    else:
        for _ in range(rng.choice((1, 2, 2, 3))):
            level = min(int(rng.expovariate(0.25)), LEVELS - 1)
            if rng.random() < 0.5:
                bids.append((_price(best_bid - level * TICK), _qty(rng)))
            else:
                asks.append((_price(best_ask + level * TICK), _qty(rng)))
    return bids, asks


def seed_book(book: LoopbackBook, *, mid_ticks: int, rng: random.Random) -> None:
    book.bids = {_price((mid_ticks - 1 - i) * TICK): _qty(rng) for i in range(LEVELS)}
    book.asks = {_price((mid_ticks + i) * TICK): _qty(rng) for i in range(LEVELS)}


def _price(value: float) -> float:
    return round(round(value / TICK) * TICK, 2)


def _qty(rng: random.Random, most_lots: int = 4000) -> float:
    return round(rng.randint(1, most_lots) * LOT, 3)


async def serve(n: int, depth_hz: float, trades_per_s: float, seed: int) -> None:
    exchange = FeedExchange(n, seed)
    await exchange.start()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    behind_s = [0.0]

    def stats() -> None:
        print(json.dumps({"depth_sent": exchange.depth_sent, "trades_sent": exchange.trades_sent,
                          "cpu_s": time.process_time(), "wall_s": time.monotonic(),
                          "behind_s": behind_s[0]}), flush=True)

    def read_commands() -> None:
        for line in sys.stdin:
            if line.strip() == "stats":
                loop.call_soon_threadsafe(stats)
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=read_commands, daemon=True).start()
    print(f"port {exchange.port}", flush=True)
    ids = list(exchange.books)
    groups = [ids[slot::SLOTS] for slot in range(SLOTS)]
    slot_s = 1.0 / depth_hz / SLOTS
    trade_p = min(trades_per_s / depth_hz, 1.0)
    due = loop.time()
    slot = 0
    try:
        while not stop.is_set():
            for market_id in groups[slot]:
                await exchange.step(market_id, trade_p)
            slot = (slot + 1) % SLOTS
            due += slot_s
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                behind_s[0] = max(behind_s[0], -delay)
    finally:
        await exchange.stop()


def main() -> None:
    parser = benchmark_parser(__file__, __doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, required=True)
    parser.add_argument("--depth-hz", type=float, default=10.0)
    parser.add_argument("--trades-per-s", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(serve(args.symbols, args.depth_hz, args.trades_per_s, args.seed))


if __name__ == "__main__":
    main()
