"""Instructions per ccxt book update taken into ours, under cachegrind: the live path's own share.

``python -m benchmarks.instructions_per_take [N]`` builds a tapped ccxt.pro Binance book of 20
levels a side and feeds it ``depthUpdate`` messages as the live benchmark's loopback feed makes
them (``benchmarks/loopback_feed.py``: 1-3 resized levels, or the touch moving one tick), through
ccxt's own ``handle_order_book_message``. Two runs under ``valgrind --tool=cachegrind`` apply the
same 2,000 + N messages; one takes every book into ours (``market/ccxt_book_tap.py``'s
``take_book``: the changed levels, the arrays, the ``OrderBook`` and its ``BookChanges``), the
other only the first 2,000. The difference over N is what taking one update costs, apart from
ccxt's parsing and websocket; it does not move with the box's load, so it compares the compiled
build with pure Python (``HFT_TUI_PURE_PYTHON=1``). Needs valgrind; N is 20,000 unless given.
"""

from __future__ import annotations

import json
import random
import sys

import ccxt.pro

from benchmarks.cachegrind import child_instructions, counting_main
from benchmarks.loopback_feed import LEVELS, LoopbackBook, diff_levels, seed_book
from hft_tui.market.ccxt_book_tap import take_book
from hft_tui.market.ccxt_tapped_book import tap_order_books

WARMUP_MESSAGES = 2_000
DEFAULT_MESSAGES = 20_000
SYMBOL = "S000/USDT"


def child(messages: int, taken: int) -> None:
    """Apply ``messages`` depth diffs to a tapped ccxt book; take the first ``taken`` into ours."""
    rng = random.Random(7)
    server = LoopbackBook()
    seed_book(server, mid_ticks=10_050, rng=rng)
    first_id = server.last_update_id
    bids, asks = server.levels()
    snapshot = {"bids": [list(level) for level in bids], "asks": [list(level) for level in asks],
                "nonce": first_id, "timestamp": 1_700_000_000_000}
    frames = []
    for update_id in range(first_id + 1, first_id + 1 + messages):
        bids, asks = diff_levels(server, rng)
        server.apply(server.bids, bids)
        server.apply(server.asks, asks)
        frames.append(json.dumps({"e": "depthUpdate", "E": 1_700_000_000_000 + update_id, "s": "S000USDT",
                                  "U": update_id, "u": update_id,
                                  "b": [[f"{p:.8f}", f"{q:.8f}"] for p, q in bids],
                                  "a": [[f"{p:.8f}", f"{q:.8f}"] for p, q in asks]}))
    exchange = ccxt.pro.binance()
    tap_order_books(exchange)
    book = exchange.order_book({}, LEVELS)
    book.reset(snapshot)
    for i, frame in enumerate(frames):
        exchange.handle_order_book_message(None, json.loads(frame), book)
        book.limit()
        if i < taken:
            take_book(SYMBOL, book, received_ms=book["timestamp"], depth=LEVELS)


def measure(n: int) -> None:
    """Print the instructions of taking one update, counted over ``n`` after the warm-up."""
    messages = WARMUP_MESSAGES + n
    full = child_instructions("benchmarks.instructions_per_take", str(messages), str(messages))
    base = child_instructions("benchmarks.instructions_per_take", str(messages), str(WARMUP_MESSAGES))
    print(f"instructions per ccxt book update taken ({n:,} after {WARMUP_MESSAGES:,} of warm-up): "
          f"{(full - base) / n:,.0f}")


def main(argv: list[str]) -> int:
    return counting_main(__file__, __doc__, DEFAULT_MESSAGES, argv,
                         lambda messages, taken: child(int(messages), int(taken)), measure)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
