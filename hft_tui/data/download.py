"""Historical candles through ccxt's REST API into the candle store: paginated, resumable,
validated.

Only the bars missing from the store within the requested range are fetched, so a
re-run after an interruption (or with a wider range) downloads just the gaps. Pages are
``fetch_ohlcv(since=cursor, limit=page, params={"until": gap end})``; ccxt's own rate
limiter (``enableRateLimit``, on by default) spaces the requests, and network errors and
rate-limit answers are retried with exponential backoff. What is fetched is merged into
the store every few pages, so an interruption loses at most those pages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hft_tui.data.candle_store import CandleArrays, CandleStore, Gap, missing_ranges, timeframe_ms
from hft_tui.market.backoff import Backoff
from hft_tui.market.ccxt_exchange import ccxt_errors
from hft_tui.market.ccxt_markets import rules_for_symbols

DEFAULT_PAGE_LIMIT = 500
MAX_RETRIES = 5
FLUSH_EVERY_PAGES = 20
_NO_BARS = np.empty(0, np.int64)

# (bars covered so far, bars to cover): covered counts time walked, holes included, so the
# ETA stays honest when the exchange has no data for a stretch.
ProgressCallback = Callable[[int, int], None]


@dataclass(slots=True)
class DownloadResult:
    """What one series' download did, and the gaps that remain in the requested range."""

    symbol: str
    timeframe: str
    path: Path
    wanted_bars: int
    missing_before: int
    fetched_bars: int = 0
    requests: int = 0
    retries: int = 0
    duplicates: int = 0
    misaligned: int = 0
    invalid: int = 0
    stored_bars: int = 0
    gaps: list[Gap] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every bar of the requested range is stored."""
        return not self.gaps


def page_limit_for(exchange: Any, method: str = "fetchOHLCV", default: int = DEFAULT_PAGE_LIMIT) -> int:
    """The most rows one call of ``method`` may ask this exchange for (ccxt ``features``)."""
    features = getattr(exchange, "features", None) or {}
    for market_type in ("spot", "swap"):
        section = features.get(market_type) or {}
        if "linear" in section:  # swap features are nested by contract type
            section = section.get("linear") or {}
        limit = (section.get(method) or {}).get("limit")
        if isinstance(limit, int) and limit > 0:
            return limit
    return default


def last_closed_bar_end_ms(now_ms: int, tf_ms: int) -> int:
    """End of the newest bar that has closed at ``now_ms`` (the open bar is still changing)."""
    return now_ms // tf_ms * tf_ms


async def download_candles(
    exchange: Any,
    store: CandleStore,
    exchange_id: str,
    symbol: str,
    timeframe: str,
    start_ms: int,
    end_ms: int,
    *,
    page_limit: int | None = None,
    on_progress: ProgressCallback | None = None,
    backoff: Backoff | None = None,
) -> DownloadResult:
    """Fill the store's ``symbol``/``timeframe`` series over ``[start_ms, end_ms)``.

    ``exchange`` is a ``ccxt.async_support`` instance with markets loadable. ``end_ms`` is
    clipped to the last closed bar. Returns counts and the gaps the exchange could not fill.
    """
    tf_ms = timeframe_ms(timeframe)
    end_ms = min(end_ms, last_closed_bar_end_ms(int(exchange.milliseconds()), tf_ms))
    limit = page_limit or page_limit_for(exchange)
    backoff = backoff or Backoff(500.0, 30_000.0)
    existing = store.read(exchange_id, symbol, timeframe)
    todo = missing_ranges(existing.open_ts_ms, start_ms, end_ms, tf_ms)
    wanted = sum(g.bars for g in missing_ranges(_NO_BARS, start_ms, end_ms, tf_ms))
    result = DownloadResult(symbol, timeframe, store.path(exchange_id, symbol, timeframe),
                            wanted_bars=wanted, missing_before=sum(g.bars for g in todo))
    pending: list[list[Any]] = []
    pages_since_flush = 0
    covered = 0

    def flush() -> None:
        nonlocal pending, pages_since_flush
        if pending:
            merged = store.merge(exchange_id, symbol, timeframe, CandleArrays.from_rows(pending))
            result.duplicates += merged.duplicates
            result.misaligned += merged.misaligned
            result.invalid += merged.invalid
        pending = []
        pages_since_flush = 0

    if on_progress is not None:
        on_progress(0, result.missing_before)
    try:
        await exchange.load_markets()
        store.write_rules(exchange_id, rules_for_symbols(exchange, [symbol])[symbol])
        for gap in todo:
            cursor = gap.start_ms
            while cursor < gap.end_ms:
                want = min(limit, (gap.end_ms - cursor) // tf_ms)
                rows = await _fetch_page(exchange, symbol, timeframe, cursor, want,
                                         gap.end_ms - 1, backoff, result)
                rows = [r for r in rows if cursor <= int(r[0]) < gap.end_ms]
                if not rows:
                    break  # nothing more in this gap: the exchange has a hole here
                pending.extend(rows)
                result.fetched_bars += len(rows)
                next_cursor = max(int(r[0]) for r in rows) + tf_ms
                covered += (next_cursor - cursor) // tf_ms
                cursor = next_cursor
                pages_since_flush += 1
                if pages_since_flush >= FLUSH_EVERY_PAGES or result.fetched_bars == len(rows):
                    # The first page is written at once: the Parquet writer's one-off start-up
                    # (pyarrow imports pandas, seconds on a busy machine) is paid while the
                    # download runs, not by a Ctrl+C waiting on the last flush.
                    flush()
                if on_progress is not None:
                    on_progress(covered, result.missing_before)
            covered += max(gap.end_ms - cursor, 0) // tf_ms
            if on_progress is not None:
                on_progress(covered, result.missing_before)
    finally:
        flush()
    stored = store.read(exchange_id, symbol, timeframe)
    result.stored_bars = len(stored.between(start_ms, end_ms))
    result.gaps = missing_ranges(stored.open_ts_ms, start_ms, end_ms, tf_ms)
    return result


async def _fetch_page(exchange: Any, symbol: str, timeframe: str, since_ms: int, limit: int,
                      until_ms: int, backoff: Backoff, result: DownloadResult) -> list[list[Any]]:
    """One page of OHLCV rows, retrying network errors and rate-limit answers."""
    errors = ccxt_errors()
    backoff.reset()
    while True:
        try:
            result.requests += 1
            rows = await exchange.fetch_ohlcv(symbol, timeframe, since=since_ms, limit=limit,
                                              params={"until": until_ms})
            return list(rows or [])
        except errors.NetworkError:  # RateLimitExceeded, timeouts, 5xx are all NetworkError
            if backoff.attempt >= MAX_RETRIES:
                raise
            result.retries += 1
            await asyncio.sleep(backoff.next_delay_s())
