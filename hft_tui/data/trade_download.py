"""Historical public trades through ccxt's REST API into the trade store: paginated,
resumable, validated.

Pages are ``fetch_trades(since=cursor, limit=page, params={"until": window end})`` over
windows of at most an hour (Binance's aggTrades refuses wider ``startTime``/``endTime``
spans, and ccxt asks for exactly one hour when no ``until`` is given). After each page the
cursor moves to the newest trade's timestamp, not past it, because more trades may share
that millisecond beyond the page limit; the overlap is deduped by trade id. A page that
brings no new trade ends the window. Re-runs only fetch before the first and after the
last stored trade. ccxt's rate limiter (``enableRateLimit``) spaces the requests; network
errors and rate-limit answers are retried with exponential backoff, and what is fetched is
merged into the store every few pages so an interruption loses at most those pages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hft_tui.data.download import page_limit_for
from hft_tui.data.trade_store import TradeArrays, TradeStore
from hft_tui.market.backoff import Backoff
from hft_tui.market.ccxt_exchange import ccxt_errors

DEFAULT_TRADE_PAGE_LIMIT = 1000
WINDOW_MS = 3_600_000
MAX_RETRIES = 5
FLUSH_EVERY_PAGES = 20

# (milliseconds of the range walked so far, milliseconds to walk).
TradeProgressCallback = Callable[[int, int], None]


@dataclass(slots=True)
class TradeDownloadResult:
    """What one symbol's trade download did."""

    symbol: str
    path: Path
    supported: bool = True
    message: str = ""
    fetched_trades: int = 0
    requests: int = 0
    retries: int = 0
    duplicates: int = 0
    invalid: int = 0
    stored_trades: int = 0


def ranges_to_fetch(stored_ts_ms: np.ndarray, start_ms: int, end_ms: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` spans of ``[start_ms, end_ms)`` outside the stored trades' time span.

    Each span touches the stored edge's millisecond, since that millisecond may hold trades
    the previous run's last page cut off; they are deduped by id on merge.
    """
    if end_ms <= start_ms:
        return []
    if len(stored_ts_ms) == 0:
        return [(start_ms, end_ms)]
    first, last = int(stored_ts_ms[0]), int(stored_ts_ms[-1])
    spans: list[tuple[int, int]] = []
    if start_ms < first:
        spans.append((start_ms, min(first + 1, end_ms)))
    tail_lo = max(start_ms, last, spans[-1][1] if spans else start_ms)
    if tail_lo < end_ms:
        spans.append((tail_lo, end_ms))
    return spans


async def download_trades(
    exchange: Any,
    store_dir: Path,
    exchange_id: str,
    symbol: str,
    start_ms: int,
    end_ms: int,
    page_limit: int | None = None,
    on_progress: TradeProgressCallback | None = None,
    *,
    backoff: Backoff | None = None,
) -> TradeDownloadResult:
    """Fetch ``symbol``'s public trades over ``[start_ms, end_ms)`` into ``store_dir``.

    ``exchange`` is a ``ccxt.async_support`` instance. If it does not serve ``fetchTrades``
    nothing is downloaded and the result says so (``supported`` False, ``message``).
    """
    store = TradeStore(store_dir)
    result = TradeDownloadResult(symbol, store.path(exchange_id, symbol))
    if not (getattr(exchange, "has", None) or {}).get("fetchTrades"):
        result.supported = False
        result.message = f"{exchange_id} does not serve historical trades (no fetchTrades)"
        return result
    end_ms = min(end_ms, int(exchange.milliseconds()))
    limit = page_limit or page_limit_for(exchange, "fetchTrades", DEFAULT_TRADE_PAGE_LIMIT)
    backoff = backoff or Backoff(500.0, 30_000.0)
    existing = store.read(exchange_id, symbol)
    spans = ranges_to_fetch(existing.ts_ms, start_ms, end_ms)
    total_ms = sum(hi - lo for lo, hi in spans)
    covered_ms = 0
    pending: list[dict[str, Any]] = []
    pages_since_flush = 0

    def flush() -> None:
        nonlocal pending, pages_since_flush
        if pending:
            merged = store.merge(exchange_id, symbol, TradeArrays.from_ccxt(pending))
            result.duplicates += merged.duplicates
            result.invalid += merged.invalid
        pending = []
        pages_since_flush = 0

    if on_progress is not None:
        on_progress(0, total_ms)
    try:
        await exchange.load_markets()
        for lo, hi in spans:
            cursor = lo
            # Ids already seen at the cursor's millisecond, so overlapping pages add nothing twice.
            seen_at_cursor = set(existing.id[existing.ts_ms == cursor].tolist())
            while cursor < hi:
                window_end = min(cursor + WINDOW_MS, hi)
                page = await _fetch_page(exchange, symbol, cursor, limit, window_end - 1, backoff, result)
                fresh = [t for t in page
                         if t.get("timestamp") is not None and cursor <= int(t["timestamp"]) < hi
                         and _trade_key(t) not in seen_at_cursor]
                if not fresh:
                    next_cursor = window_end  # nothing new: the window is exhausted
                    seen_at_cursor = set()
                else:
                    pending.extend(fresh)
                    result.fetched_trades += len(fresh)
                    newest = max(int(t["timestamp"]) for t in fresh)
                    if newest != cursor:
                        seen_at_cursor = set()
                    seen_at_cursor.update(_trade_key(t) for t in fresh if int(t["timestamp"]) == newest)
                    next_cursor = newest
                    pages_since_flush += 1
                    if pages_since_flush >= FLUSH_EVERY_PAGES:
                        flush()
                covered_ms += next_cursor - cursor
                cursor = next_cursor
                if on_progress is not None:
                    on_progress(covered_ms, total_ms)
    finally:
        flush()
    stored = store.read(exchange_id, symbol)
    lo_i, hi_i = np.searchsorted(stored.ts_ms, [start_ms, end_ms], "left").tolist()
    result.stored_trades = int(hi_i - lo_i)
    return result


def _trade_key(trade: dict[str, Any]) -> str:
    """The id a trade is deduped by (matches ``TradeArrays.from_ccxt``'s ``id`` column)."""
    return str(TradeArrays.from_ccxt([trade]).id[0]) if trade.get("id") is None else str(trade["id"])


async def _fetch_page(exchange: Any, symbol: str, since_ms: int, limit: int, until_ms: int,
                      backoff: Backoff, result: TradeDownloadResult) -> list[dict[str, Any]]:
    """One page of ccxt trades, retrying network errors and rate-limit answers."""
    errors = ccxt_errors()
    backoff.reset()
    while True:
        try:
            result.requests += 1
            trades = await exchange.fetch_trades(symbol, since=since_ms, limit=limit,
                                                 params={"until": until_ms})
            return list(trades or [])
        except errors.NetworkError:  # RateLimitExceeded, timeouts, 5xx are all NetworkError
            if backoff.attempt >= MAX_RETRIES:
                raise
            result.retries += 1
            await asyncio.sleep(backoff.next_delay_s())
