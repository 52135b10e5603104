"""Push hostile market messages through the three entry points a market message can take
(ccxt conversion, the ccxt source's handlers, the trading core) and tally what got through.

A probe strategy sees what every strategy sees. Per message the tally counts exceptions that
escaped an entry point, messages that must be rejected but reached a strategy, and orders
placed. Valid messages reaching the strategies are counted too, so a sanitizer that
rejected everything would show.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from hft_tui.clock import SimulatedClock
from hft_tui.config.settings import Settings
from hft_tui.market.ccxt_convert import book_from_ccxt, liquidation_from_ccxt, trade_from_ccxt
from hft_tui.market.sources.ccxt import CcxtSource
from hft_tui.market.hostile_messages import BOOK, CONVERT, HANDLER, TRADES, HostileFeed, HostileMessage
from hft_tui.model import Candle, Liquidation, MarketRules, OrderBook, ReasonCode, Signal, Trade
from hft_tui.strategies.base import NO_SIGNALS, Strategy, StrategyParams
from hft_tui.trading.core import TradingCore
from hft_tui.trading.state import RecoveredState, restore_state
from hft_tui.wal.writer import WalWriter

HOSTILE_RULES = {
    "BTC/USDT": MarketRules("BTC/USDT", tick_size=0.1, lot_size=0.001, min_qty=0.001, min_notional=5.0),
    "ETH/USDT": MarketRules("ETH/USDT", tick_size=0.01, lot_size=0.0001, min_qty=0.0001, min_notional=5.0),
}
HOSTILE_REFERENCES = {"BTC/USDT": 65_000.0, "ETH/USDT": 3_500.0}
START_NS = 1_767_225_600_000_000_000
MS = 1_000_000
BOOK_DEPTH = 20
SYNC_EVERY_MESSAGES = 5_000
ESCAPE_EXAMPLES = 5


@dataclass
class HostileTally:
    """What became of the messages."""

    messages: int = 0
    must_reject: int = 0
    must_reject_accepted: int = 0
    valid: int = 0
    valid_reached_strategies: int = 0
    escaped: int = 0
    orders: int = 0
    rejected: int = 0
    escaped_examples: list[str] = field(default_factory=list)
    accepted_families: Counter[str] = field(default_factory=Counter)

    def add(self, other: HostileTally) -> None:
        """Fold another run's tally into this one."""
        for name in ("messages", "must_reject", "must_reject_accepted", "valid",
                     "valid_reached_strategies", "escaped", "orders", "rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.escaped_examples = (self.escaped_examples + other.escaped_examples)[:ESCAPE_EXAMPLES]
        self.accepted_families.update(other.accepted_families)


class _ProbeParams(StrategyParams):
    pass


class _Probe(Strategy[_ProbeParams]):
    """Sees every book, trade and liquidation a strategy would see; never signals."""

    name: ClassVar[str] = "probe"
    params_model: ClassVar[type[StrategyParams]] = _ProbeParams

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Any] = []

    def on_book(self, book: OrderBook) -> Sequence[Signal]:
        self.seen.append(book)
        return NO_SIGNALS

    def on_trade(self, trade: Trade) -> Sequence[Signal]:
        self.seen.append(trade)
        return NO_SIGNALS

    def on_candle(self, candle: Candle) -> Sequence[Signal]:
        return NO_SIGNALS

    def on_liquidation(self, liquidation: Liquidation) -> Sequence[Signal]:
        self.seen.append(liquidation)
        return NO_SIGNALS


def run_hostile_input(messages: int, *, seed: int, wal_dir: Path, hostile_share: float = 0.5) -> HostileTally:
    """Push ``messages`` seeded messages through a fresh core and source; the tally."""
    return asyncio.run(_run(messages, seed, wal_dir, hostile_share))


async def _run(messages: int, seed: int, wal_dir: Path, hostile_share: float) -> HostileTally:
    # The source's handlers read the running loop's clock: they run inside one.
    clock = SimulatedClock(START_NS)
    wal = WalWriter(wal_dir, clock)
    core = TradingCore(Settings(), clock=clock, wal=wal, rules=HOSTILE_RULES, exchange_id="binance")
    # A market seen before: the references a restart restores from the WAL.
    restore_state(core, RecoveredState(price_references=dict(HOSTILE_REFERENCES)))
    probe = _Probe()
    core.strategies.add(probe)
    source = CcxtSource("binance", list(HOSTILE_RULES), clock=clock)
    for symbol, reference in HOSTILE_REFERENCES.items():  # the exchange's REST ticker, fetched
        source._feeds[symbol].ticker_price = reference  # noqa: SLF001
    feed = HostileFeed(HOSTILE_RULES, HOSTILE_REFERENCES, seed, hostile_share)
    tally = HostileTally()
    for n in range(messages):
        clock.advance_to(START_NS + (n + 1) * MS)
        message = feed.next(clock.now_ns() // MS)
        seen_before = len(probe.seen)
        try:
            _deliver(message, core, source)
        except Exception as exc:  # noqa: BLE001 - exactly what is being counted
            tally.escaped += 1
            if len(tally.escaped_examples) < ESCAPE_EXAMPLES:
                tally.escaped_examples.append(f"{message.entry}/{message.family}: {type(exc).__name__}: {exc}"[:200])
        _judge(message, probe.seen[seen_before:], tally)
        del probe.seen[:]
        if n % SYNC_EVERY_MESSAGES == 0:
            wal.sync()
    tally.orders = core.counters.orders
    tally.rejected = core.sanitizer.rejected
    wal.close_sync()
    return tally


def _symbol_of(message: HostileMessage) -> str:
    payload = message.payload
    first = payload[0] if isinstance(payload, list) and payload else payload
    symbol = first.get("symbol") if isinstance(first, dict) else getattr(first, "symbol", None)
    return symbol if isinstance(symbol, str) and symbol in HOSTILE_RULES else next(iter(HOSTILE_RULES))


def _deliver(message: HostileMessage, core: TradingCore, source: CcxtSource) -> None:
    payload = message.payload
    if message.entry == CONVERT:
        symbol = _symbol_of(message)
        now_ms = core.clock.now_ns() // MS
        if message.kind == BOOK:
            events = [book_from_ccxt(symbol, payload, received_ms=now_ms, depth=BOOK_DEPTH)]
        elif message.kind == TRADES:
            events = [trade_from_ccxt(symbol, raw) for raw in payload]
        else:
            events = [liquidation_from_ccxt(symbol, raw) for raw in payload]
        for event in events:
            if not isinstance(event, ReasonCode):
                core.process(event)
    elif message.entry == HANDLER:
        symbol = _symbol_of(message)
        if message.kind == BOOK:
            source._on_book(symbol, payload)  # noqa: SLF001 - the handler is the entry point under test
        elif message.kind == TRADES:
            source._on_trades(symbol, payload)  # noqa: SLF001
        else:
            source._on_liquidations(symbol, payload)  # noqa: SLF001
        queue = source._queue  # noqa: SLF001
        while not queue.empty():
            item = queue.get_nowait()
            event = source._pending_books.pop(item, None) if isinstance(item, str) else item  # noqa: SLF001
            if event is not None:
                core.process(event)
    else:
        for event in payload if isinstance(payload, list) else [payload]:
            core.process(event)


def _judge(message: HostileMessage, seen: list[Any], tally: HostileTally) -> None:
    tally.messages += 1
    if message.kind == TRADES:
        leaked = [t for t in seen if not (isinstance(t, Trade) and t.trade_id in message.valid_ids)]
        reached = len(seen) - len(leaked)
    elif message.must_reject:
        leaked, reached = seen, 0
    else:
        leaked, reached = [], len(seen)
    if message.must_reject:
        tally.must_reject += 1
        if leaked:
            tally.must_reject_accepted += 1
            tally.accepted_families[f"{message.entry}/{message.family}"] += 1
    else:
        tally.valid += 1
        tally.valid_reached_strategies += bool(reached)
