"""Market data from a real exchange through ccxt: websockets where it has them, REST
polling where it does not, with its own gap/drop recovery and staleness watch.

One task per (symbol, stream) feeds one queue that ``stream()`` drains. Books are
conflated (the latest book of a symbol replaces an undelivered older one); trades,
liquidations, feed statuses and rejections are never dropped. A delivered book carries the
levels it changed since the one delivered before it: taken from the levels ccxt stored
(``ccxt_book_tap``), merged over conflated books, else found by comparing the two books
(``book_diff``).

Feed state (``FeedStatus``) describes a symbol's *book*, because the book is what prices
orders: CONNECTING until the first good book, LIVE while good books arrive, RESYNCING
after a sequence gap, a dropped socket or an unreadable frame on any of the symbol's
streams, until the next good book.

Feeds heal themselves. When no good book came for ``stale_after_ms``, whatever the cause
(a quiet socket, a ccxt receive loop that died, a task stuck in an await), the symbol's
streams are torn down (tasks cancelled, their websocket connections dropped) and started
again after a backoff that grows while the heals do not hold. A frame ccxt cannot even
decode drops its connection at once (``guard_message_handler``), so its streams resubscribe
without waiting for the staleness watch.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hft_tui.clock import Clock
from hft_tui.market.backoff import Backoff
from hft_tui.market.ccxt_exchange import (
    CcxtCredentials,
    ccxt_errors,
    clients_streaming,
    create_exchange,
    drop_connection,
    guard_message_handler,
    market_symbol_in,
)
from hft_tui.market.book_diff import superseded, with_changes
from hft_tui.market.ccxt_book_tap import take_book
from hft_tui.market.ccxt_convert import liquidation_from_ccxt, trade_from_ccxt, trade_key
from hft_tui.market.ccxt_markets import contract_size, round_price, round_qty, rules_for_symbols
from hft_tui.market.ccxt_tapped_book import tap_order_books
from hft_tui.market.sanitizer import is_number
from hft_tui.market.sources.protocol import MarketEvent
from hft_tui.model import (
    FeedState,
    FeedStatus,
    MarketRejection,
    MarketRules,
    OrderBook,
    ReasonCode,
)
from hft_tui.redaction import describe_error, redact

# How many recent trade ids per symbol are remembered to drop repeats: ccxt's trade cache
# and REST polls return overlapping windows far smaller than this.
_SEEN_TRADES = 4096

# The per-symbol tasks a heal restarts.
_STREAMS = ("book", "trades", "liquidations")

Fetch = Callable[[], Awaitable[Any]]
Handle = Callable[[Any], None]


class _SeenIds:
    """A bounded set: remembers the last ``capacity`` keys."""

    __slots__ = ("_order", "_keys", "_capacity")

    def __init__(self, capacity: int) -> None:
        self._order: deque[object] = deque()
        self._keys: set[object] = set()
        self._capacity = capacity

    def add(self, key: object) -> bool:
        """Remember ``key``; False if it was already known."""
        if key in self._keys:
            return False
        self._keys.add(key)
        self._order.append(key)
        if len(self._order) > self._capacity:
            self._keys.discard(self._order.popleft())
        return True


@dataclass(slots=True)
class _SymbolFeed:
    """Mutable per-symbol bookkeeping, touched only from the event loop."""

    symbol: str
    heal_backoff: Backoff
    contract_size: float = 1.0
    state: FeedState = FeedState.CONNECTING
    last_activity_s: float = 0.0
    stale_after_s: float = 5.0
    healed_at_s: float = float("-inf")
    # The first book of every stream (at start, after a resync) is held until it agrees with
    # the exchange's REST ticker; ``vetted`` says the current stream's did.
    vetted: bool = False
    ticker_price: float | None = None
    ticker_at_s: float = float("-inf")
    held_book: OrderBook | None = None
    trades_seen: _SeenIds = field(default_factory=lambda: _SeenIds(_SEEN_TRADES))
    liquidations_seen: _SeenIds = field(default_factory=lambda: _SeenIds(_SEEN_TRADES))


class CcxtSource:
    """A ``MarketSource`` over a ccxt exchange (``ccxt.pro`` websockets, REST fallback)."""

    def __init__(
        self,
        exchange_id: str,
        symbols: Sequence[str],
        *,
        clock: Clock,
        market_type: str = "spot",
        sandbox: bool = False,
        ccxt_config: dict[str, Any] | None = None,
        credentials: CcxtCredentials | None = None,
        rest_poll_interval_ms: float = 1000.0,
        stale_after_ms: float = 5000.0,
        reconnect_backoff_ms: float = 500.0,
        reconnect_backoff_max_ms: float = 30_000.0,
        book_depth: int = 20,
        reference_band_bps: float = 500.0,
        with_trades: bool = True,
        with_liquidations: bool = True,
        seed: int | None = None,
    ) -> None:
        if not symbols:
            raise ValueError("CcxtSource needs at least one symbol")
        self.name = f"ccxt:{exchange_id}"
        self.symbols = list(symbols)
        self._clock = clock
        self._exchange_id = exchange_id
        self._exchange_args = dict(
            market_type=market_type, sandbox=sandbox, ccxt_config=ccxt_config, credentials=credentials
        )
        self._poll_s = rest_poll_interval_ms / 1000.0
        self._stale_after_s = stale_after_ms / 1000.0
        self._backoff_ms = (reconnect_backoff_ms, reconnect_backoff_max_ms)
        self._depth = book_depth
        self._band = reference_band_bps / 1e4
        self._with_trades = with_trades
        self._with_liquidations = with_liquidations
        self._rng = random.Random(seed)
        self._exchange: Any = None
        self._feeds = {
            s: _SymbolFeed(s, Backoff(*self._backoff_ms, rng=random.Random(self._rng.random())),
                           stale_after_s=self._stale_after_s)
            for s in self.symbols
        }
        self._queue: asyncio.Queue[MarketEvent | str] = asyncio.Queue()
        self._pending_books: dict[str, OrderBook] = {}
        self._delivered_books: dict[str, OrderBook] = {}
        self._tasks: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._started = False
        self._closed = False

    # --- public API -----------------------------------------------------------------------

    @classmethod
    def from_settings(
        cls,
        settings: Any,
        symbols: Sequence[str],
        *,
        clock: Clock,
        credentials: CcxtCredentials | None = None,
        seed: int | None = None,
        reference_band_bps: float = 500.0,
    ) -> CcxtSource:
        """Built from ``hft_tui.market.exchange_settings.ExchangeSettings``; a stream's first book must be
        within ``reference_band_bps`` of the exchange's REST ticker."""
        return cls(
            settings.id,
            symbols,
            clock=clock,
            market_type=settings.market_type,
            sandbox=settings.sandbox,
            ccxt_config=dict(settings.ccxt),
            credentials=credentials,
            rest_poll_interval_ms=settings.rest_poll_interval_ms,
            stale_after_ms=settings.stale_after_ms,
            reconnect_backoff_ms=settings.reconnect_backoff_ms,
            reconnect_backoff_max_ms=settings.reconnect_backoff_max_ms,
            seed=seed,
            reference_band_bps=reference_band_bps,
        )

    @property
    def exchange(self) -> Any:
        """The underlying ccxt exchange, built on first use."""
        if self._exchange is None:
            self._exchange = create_exchange(self._exchange_id, **self._exchange_args)  # type: ignore[arg-type]
            if hasattr(self._exchange, "handle_message"):
                guard_message_handler(self._exchange, self._on_unparseable)
                tap_order_books(self._exchange)
        return self._exchange

    async def load_rules(self) -> dict[str, MarketRules]:
        """Tick, lot, minimums, fees and spot flag of every configured symbol."""
        await self.exchange.load_markets()
        rules = rules_for_symbols(self.exchange, self.symbols)
        for symbol in self.symbols:
            self._feeds[symbol].contract_size = contract_size(self.exchange.market(symbol))
        return rules

    def price_to_precision(self, symbol: str, price: float) -> float:
        """``price`` rounded to the symbol's tick by ccxt (markets must be loaded)."""
        return round_price(self.exchange, symbol, price)

    def amount_to_precision(self, symbol: str, qty: float) -> float:
        """A base quantity truncated to the symbol's lot by ccxt (markets must be loaded)."""
        return round_qty(self.exchange, symbol, qty)

    def feed_state(self, symbol: str) -> FeedState:
        """The current feed state of ``symbol``."""
        return self._feeds[symbol].state

    async def stream(self) -> AsyncIterator[MarketEvent]:
        """Events from every symbol's streams, as they arrive, until ``close()``."""
        if self._started:
            raise RuntimeError(f"{self.name}: stream() can be consumed only once")
        self._started = True
        ccxt = ccxt_errors()
        backoff = Backoff(*self._backoff_ms, rng=random.Random(self._rng.random()))
        detail = "loading markets"
        while True:
            for symbol in self.symbols:
                yield FeedStatus(symbol, self._clock.now_ns(), FeedState.CONNECTING, detail)
            try:
                # A symbol the exchange does not list raises KeyError: a configuration error.
                await self.load_rules()
                break
            except ccxt.NetworkError as exc:
                detail = f"{ReasonCode.EXCHANGE_UNAVAILABLE}: loading markets: {self._describe(exc)}"
            await asyncio.sleep(backoff.next_delay_s())
        for symbol in self.symbols:
            self._start_streams(symbol)
        self._spawn("*", "staleness", self._watch_staleness())
        while True:
            item = await self._queue.get()
            if isinstance(item, str):
                book = self._pending_books.pop(item, None)
                if book is not None:
                    # What changed since the book delivered before (a conflated one never was).
                    book = self._delivered_books[item] = with_changes(self._delivered_books.get(item), book)
                    yield book
            else:
                yield item

    async def close(self) -> None:
        """Cancel every stream task and close the exchange's connections; idempotent."""
        if self._closed:
            return
        self._closed = True
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._exchange is not None:
            await self._exchange.close()

    # --- stream tasks ---------------------------------------------------------------------

    def _spawn(self, symbol: str, kind: str, coro: Awaitable[None]) -> None:
        self._tasks[(symbol, kind)] = asyncio.ensure_future(coro)

    def _start_streams(self, symbol: str) -> None:
        ex = self.exchange
        feed = self._feeds[symbol]
        has = ex.has
        now = asyncio.get_running_loop().time()
        feed.last_activity_s = now
        if not feed.vetted:
            # The ticker the stream's first book is vetted against is asked for with the
            # subscription, not once that book is in: a book held for it ages, and one held
            # longer than the sanitizer's max_feed_latency_ms is rejected as late (on a quiet
            # market, with no newer book coming, the feed would never be LIVE).
            self._fetch_ticker(feed)
        if has.get("watchOrderBook"):
            self._spawn(symbol, "book", self._run(symbol, "book",
                                                  lambda: ex.watch_order_book(symbol, self._depth),
                                                  lambda raw: self._on_book(symbol, raw), poll=False))
        else:
            # A polled book cannot be fresher than the poll period; do not call it stale sooner.
            feed.stale_after_s = max(self._stale_after_s, 2.0 * self._poll_s)
            self._spawn(symbol, "book", self._run(symbol, "book",
                                                  lambda: ex.fetch_order_book(symbol, self._depth),
                                                  lambda raw: self._on_book(symbol, raw), poll=True))
        if self._with_trades:
            if has.get("watchTrades"):
                self._spawn(symbol, "trades", self._run(symbol, "trades",
                                                        lambda: ex.watch_trades(symbol),
                                                        lambda raw: self._on_trades(symbol, raw), poll=False))
            elif has.get("fetchTrades"):
                self._spawn(symbol, "trades", self._run(symbol, "trades",
                                                        lambda: ex.fetch_trades(symbol),
                                                        self._polled_trades_handler(symbol), poll=True))
        market = ex.market(symbol)
        if self._with_liquidations and market.get("contract") and has.get("watchLiquidations"):
            self._spawn(symbol, "liquidations", self._run(symbol, "liquidations",
                                                          lambda: ex.watch_liquidations(symbol),
                                                          lambda raw: self._on_liquidations(symbol, raw),
                                                          poll=False))

    def _polled_trades_handler(self, symbol: str) -> Handle:
        """The first REST poll only seeds the dedupe set: those trades happened before we came."""
        first = True

        def handle(raw: Any) -> None:
            nonlocal first
            if first:
                first = False
                feed = self._feeds[symbol]
                for trade in _batch(raw):
                    feed.trades_seen.add(trade_key(trade))
                return
            self._on_trades(symbol, raw)

        return handle

    async def _run(self, symbol: str, kind: str, fetch: Fetch, handle: Handle, *, poll: bool) -> None:
        """Call ``fetch`` forever; hand results to ``handle``; recover from every failure."""
        ccxt = ccxt_errors()
        backoff = Backoff(*self._backoff_ms, rng=random.Random(self._rng.random()))
        while True:
            try:
                raw = await fetch()
            except asyncio.CancelledError:
                raise
            except ccxt.BadSymbol as exc:
                # Permanent: the exchange does not know the symbol. Say so once and stop.
                self._reject(symbol, ReasonCode.UNKNOWN_SYMBOL, f"{kind}: {self._describe(exc)}")
                return
            except ccxt.NotSupported as exc:
                self._reject(symbol, ReasonCode.MALFORMED, f"{kind} not supported: {self._describe(exc)}")
                return
            except ccxt.InvalidNonce as exc:
                # ChecksumError is an InvalidNonce: both mean our copy of the book is wrong.
                # ccxt dropped its book and subscription; calling watch again resnapshots.
                self._resync(symbol, ReasonCode.FEED_GAP, f"{kind}: sequence gap: {self._describe(exc)}")
                await asyncio.sleep(backoff.next_delay_s())
                continue
            except ccxt.NetworkError as exc:
                self._resync(symbol, ReasonCode.FEED_DISCONNECT, f"{kind}: connection lost: {self._describe(exc)}")
                await asyncio.sleep(backoff.next_delay_s())
                continue
            except Exception as exc:  # noqa: BLE001 - bad exchange data must never kill the feed
                self._reject(symbol, ReasonCode.MALFORMED, f"{kind}: {type(exc).__name__}: {self._describe(exc)}")
                self._resync(symbol, ReasonCode.FEED_RESYNC, f"{kind}: resubscribing after an error")
                await asyncio.sleep(backoff.next_delay_s())
                continue
            backoff.reset()
            try:
                handle(raw)
            except Exception as exc:  # noqa: BLE001 - a message we cannot read is rejected, not fatal
                self._reject(symbol, ReasonCode.MALFORMED, f"{kind}: {describe_error(exc)}")
            if poll:
                await asyncio.sleep(self._poll_s)

    async def _watch_staleness(self) -> None:
        loop = asyncio.get_running_loop()
        tick_s = min(max(self._stale_after_s / 5.0, 0.01), 1.0)
        while True:
            await asyncio.sleep(tick_s)
            now = loop.time()
            for feed in self._feeds.values():
                if self._healing(feed.symbol):
                    continue
                silent_s = now - feed.last_activity_s
                if silent_s > feed.stale_after_s:
                    self._spawn(feed.symbol, "heal", self._heal(
                        feed, f"{ReasonCode.FEED_STALE}: no book update for {silent_s * 1000.0:.0f} ms"))
                elif (feed.heal_backoff.attempt and feed.state is FeedState.LIVE
                      and feed.last_activity_s - feed.healed_at_s > feed.stale_after_s):
                    # Books kept coming for a whole timeout after the last heal: it held.
                    feed.heal_backoff.reset()

    def _healing(self, symbol: str) -> bool:
        task = self._tasks.get((symbol, "heal"))
        return task is not None and not task.done()

    async def _heal(self, feed: _SymbolFeed, why: str) -> None:
        """Tear the symbol's streams down and start them again after the heal backoff."""
        symbol = feed.symbol
        self._set_state(feed, FeedState.RESYNCING, f"{why}; resubscribing")
        streams = [self._tasks.pop((symbol, kind)) for kind in _STREAMS if (symbol, kind) in self._tasks]
        for task in streams:
            task.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
        for ws in clients_streaming(self.exchange, symbol):
            drop_connection(ws, f"{symbol}: {why}; resubscribing")
        await asyncio.sleep(feed.heal_backoff.next_delay_s())
        feed.healed_at_s = asyncio.get_running_loop().time()
        self._start_streams(symbol)

    # --- message handling (hot path) ------------------------------------------------------

    def _on_book(self, symbol: str, raw: Any) -> None:
        feed = self._feeds[symbol]
        book = take_book(symbol, raw, received_ms=self._clock.now_ns() // 1_000_000,
                         depth=self._depth, contract_size=feed.contract_size)
        if isinstance(book, ReasonCode):
            self._reject(symbol, book, "book")
            return
        if feed.vetted or self._vet_first_book(feed, book):
            self._deliver_book(feed, book)

    def _deliver_book(self, feed: _SymbolFeed, book: OrderBook) -> None:
        symbol = feed.symbol
        feed.last_activity_s = asyncio.get_running_loop().time()
        if feed.state is not FeedState.LIVE:
            self._set_state(feed, FeedState.LIVE, "book updates flowing")
        pending = self._pending_books.get(symbol)
        if pending is None:
            self._queue.put_nowait(symbol)
        else:
            book = superseded(pending, book)
        self._pending_books[symbol] = book

    # --- the first book of a stream ---------------------------------------------------------

    def _vet_first_book(self, feed: _SymbolFeed, book: OrderBook) -> bool:
        """True if ``book``, the first of its stream, is near the exchange's REST ticker.

        A stream that was just (re)subscribed is not trusted at any price (a book at 1% of
        the market would fire every stop-loss): until the ticker is in, the newest book is
        held; a book outside the band is rejected, and a ticker older than the staleness
        limit is fetched again, so a market that really moved is followed."""
        ticker = feed.ticker_price
        if ticker is None:
            feed.held_book = book
            self._fetch_ticker(feed)
            return False
        mid = book.mid
        if mid is not None and abs(mid - ticker) <= ticker * self._band:
            feed.vetted = True
            return True
        self._reject(feed.symbol, ReasonCode.PRICE_JUMP,
                     f"first book of the stream: mid {mid} is beyond {self._band * 1e4:g} bps of the "
                     f"exchange's ticker {ticker:g}")
        if asyncio.get_running_loop().time() - feed.ticker_at_s > feed.stale_after_s:
            feed.ticker_price = None
        return False

    def _fetch_ticker(self, feed: _SymbolFeed) -> None:
        task = self._tasks.get((feed.symbol, "ticker"))
        if task is None or task.done():
            self._spawn(feed.symbol, "ticker", self._ticker_reference(feed))

    async def _ticker_reference(self, feed: _SymbolFeed) -> None:
        """The exchange's REST ticker as the reference of the held book; retried with backoff.
        An exchange with no ticker cannot vouch for a book: its streams are taken as they come."""
        symbol = feed.symbol
        backoff = Backoff(*self._backoff_ms, rng=random.Random(self._rng.random()))
        while feed.ticker_price is None:
            if not self.exchange.has.get("fetchTicker"):
                feed.vetted = True
                break
            try:
                feed.ticker_price = ticker_price(await self.exchange.fetch_ticker(symbol))
                feed.ticker_at_s = asyncio.get_running_loop().time()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - no ticker, no trust: the book waits
                self._reject(symbol, ReasonCode.EXCHANGE_UNAVAILABLE, f"ticker: {self._describe(exc)}")
            if feed.ticker_price is None:
                await asyncio.sleep(backoff.next_delay_s())
        held, feed.held_book = feed.held_book, None
        if held is not None and (feed.vetted or self._vet_first_book(feed, held)):
            self._deliver_book(feed, held)

    def _on_trades(self, symbol: str, raw_trades: Any) -> None:
        """Each element of the batch is judged alone: a bad one is rejected (every time it
        comes), the rest flow; only good trades are remembered to drop their repeats."""
        feed = self._feeds[symbol]
        for raw in _batch(raw_trades):
            trade = trade_from_ccxt(symbol, raw, contract_size=feed.contract_size)
            if isinstance(trade, ReasonCode):
                self._reject(symbol, trade, "trade")
                continue
            if feed.trades_seen.add(trade_key(raw)):
                self._queue.put_nowait(trade)
        if not isinstance(raw_trades, list | tuple):
            self._reject(symbol, ReasonCode.MALFORMED, "trades: not a list")

    def _on_liquidations(self, symbol: str, raw_liquidations: Any) -> None:
        feed = self._feeds[symbol]
        for raw in _batch(raw_liquidations):
            liquidation = liquidation_from_ccxt(symbol, raw, contract_size=feed.contract_size)
            if isinstance(liquidation, ReasonCode):
                self._reject(symbol, liquidation, "liquidation")
                continue
            key = (liquidation.ts_ns, liquidation.price, liquidation.qty, liquidation.side)
            if not feed.liquidations_seen.add(key):
                continue
            self._queue.put_nowait(liquidation)

    def _on_unparseable(self, message: Any, exc: Exception) -> None:
        """ccxt could not read a websocket frame: reject it (see ``guard_message_handler``
        for what happens to the connection)."""
        symbol = market_symbol_in(self._exchange, message)
        self._reject(symbol, ReasonCode.MALFORMED,
                     f"unparseable message: {type(exc).__name__}: {self._describe(exc)}")

    # --- state and reporting --------------------------------------------------------------

    def _put(self, event: MarketEvent) -> None:
        self._queue.put_nowait(event)

    def _set_state(self, feed: _SymbolFeed, state: FeedState, detail: str) -> None:
        # Every fault restarts the staleness clock: a heal comes only after a further full
        # timeout of silence.
        feed.last_activity_s = asyncio.get_running_loop().time()
        if state is FeedState.RESYNCING:
            # A new stream: its first book is vetted against a fresh ticker.
            feed.vetted = False
            feed.ticker_price = None
        if state is feed.state:
            return  # one event per change: a book and a trade stream failing together are one resync
        feed.state = state
        self._put(FeedStatus(feed.symbol, self._clock.now_ns(), state, detail))

    def _resync(self, symbol: str, code: ReasonCode, detail: str) -> None:
        self._set_state(self._feeds[symbol], FeedState.RESYNCING, f"{code}: {detail}")

    def _reject(self, symbol: str, code: ReasonCode, detail: str) -> None:
        self._put(MarketRejection(symbol, self._clock.now_ns(), code, self.name, detail))

    def _describe(self, exc: BaseException) -> str:
        return redact(str(exc) or type(exc).__name__)[:300]


def _batch(raw: Any) -> Iterable[Any]:
    """The elements of a list a stream delivered; nothing if it delivered something else."""
    return raw if isinstance(raw, list | tuple) else ()


def ticker_price(ticker: Any) -> float | None:
    """A ccxt ticker's price: the mid of bid and ask when both are there, else the last
    trade; None when it holds no positive, finite price."""
    if not isinstance(ticker, dict):
        return None
    bid, ask, last = ticker.get("bid"), ticker.get("ask"), ticker.get("last")
    numbers = [v for v in (bid, ask) if is_number(v) and 0.0 < v < math.inf]
    if len(numbers) == 2:
        return (numbers[0] + numbers[1]) / 2.0
    return float(last) if is_number(last) and 0.0 < last < math.inf else None
