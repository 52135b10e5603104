"""Hostile market messages, seeded: a calm market's books, trades and liquidations, and the
same messages broken in every way an exchange, a network or an attacker can break them.

Each message names the entry point it is meant for (ccxt conversion, the ccxt source's
handlers, or the trading core itself), and whether it *must* be rejected. Valid messages
are a calm market around a fixed reference price, stamped at the local clock; a broken
message changes one thing about a valid one (a NaN, 1e250 lots, 5e-324 lots, a price at 1%
of the market, a timestamp in 2200, a truncated level, a wrong type, ...) or is junk.

Used by the fuzz test and by ``benchmarks/bench_hostile_input.py``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hft_tui.model import (
    FeedState,
    FeedStatus,
    Liquidation,
    MarketRejection,
    MarketRules,
    OrderBook,
    ReasonCode,
    Side,
    Trade,
)

CONVERT, HANDLER, CORE = "convert", "handler", "core"
ENTRY_POINTS = (CONVERT, HANDLER, CORE)
BOOK, TRADES, LIQUIDATIONS, EVENT = "book", "trades", "liquidations", "event"
YEAR_2200_MS = 7_258_118_400_000
HOUR_MS = 3_600_000
# Ids of broken trades start with this, so a trade a strategy saw can be told apart.
HOSTILE_ID = "h"

ABSURD_QTYS = (1e250, 1e300, 1e295, 1e200, 1e12)
TINY_QTYS = (1e-13, 1e-300, 5e-324, 1e-9)
NON_FINITE = (math.nan, math.inf, -math.inf)
JUNK_LEAVES: tuple[Any, ...] = (None, True, False, 0, -1, 10**400, "", "100.0", "buy", math.nan, [], {}, b"x")


@dataclass(frozen=True, slots=True)
class HostileMessage:
    """One message for one entry point, and what must become of it."""

    entry: str
    kind: str
    payload: Any
    must_reject: bool
    family: str
    # Ids of the trades in a batch that are valid (they may reach a strategy).
    valid_ids: frozenset[str] = field(default_factory=frozenset)


class HostileFeed:
    """An endless, seeded stream of valid and broken messages over ``rules``' symbols."""

    def __init__(self, rules: Mapping[str, MarketRules], references: Mapping[str, float], seed: int,
                 hostile_share: float = 0.5) -> None:
        self._rules = dict(rules)
        self._symbols = list(rules)
        self._references = dict(references)
        self._rng = random.Random(seed)
        self._hostile_share = hostile_share
        self._nonce = dict.fromkeys(self._symbols, 0)
        self._trade_id = 0
        self._book_families: list[Callable[[dict[str, Any], str], dict[str, Any] | Any]] = [
            self._nan_level, self._absurd_qty, self._tiny_qty, self._tiny_price, self._off_tick,
            self._off_lot, self._one_percent_book, self._crossed, self._unsorted, self._empty_side,
            self._future_stamp, self._old_stamp, self._typed_wrong_level, self._truncated_level,
            self._huge_int_level, self._junk, self._non_positive_level,
        ]
        self._trade_families: list[Callable[[dict[str, Any], str], dict[str, Any] | Any]] = [
            self._trade_field("price", NON_FINITE), self._trade_field("amount", NON_FINITE),
            self._trade_field("amount", ABSURD_QTYS), self._trade_field("amount", TINY_QTYS),
            self._trade_field("price", (1e-300, 5e-324)), self._trade_field("amount", (0, 0.0, -1.0)),
            self._trade_field("price", (None, "65000", [1.0], 10**400, True)),
            self._trade_field("side", ("BUY", None, 1, "up")),
            self._trade_field("timestamp", (YEAR_2200_MS, None, -5, 1.5e300, "now")),
            self._trade_off_grid, self._trade_one_percent, self._trade_old, self._junk,
        ]

    # --- the stream -------------------------------------------------------------------------

    def next(self, now_ms: int) -> HostileMessage:
        """The next message, stamped at local time ``now_ms``."""
        rng = self._rng
        entry = rng.choice(ENTRY_POINTS)
        kind = rng.choice((BOOK, BOOK, TRADES, TRADES, LIQUIDATIONS, EVENT) if entry == CORE
                          else (BOOK, BOOK, TRADES, TRADES, LIQUIDATIONS))
        symbol = rng.choice(self._symbols)
        hostile = rng.random() < self._hostile_share
        if kind == EVENT:
            return self._odd_event(symbol, now_ms)
        if kind == BOOK:
            message = self._book_message(symbol, now_ms, hostile)
        elif kind == TRADES:
            message = self._trades_message(symbol, now_ms, hostile)
        else:
            message = self._liquidations_message(symbol, now_ms, hostile)
        if entry == CORE:
            message = self._as_model_event(message, symbol)
        return HostileMessage(entry, kind, message.payload, message.must_reject, message.family,
                              message.valid_ids)

    # --- valid messages ---------------------------------------------------------------------

    def _ticks(self, symbol: str) -> tuple[float, int]:
        tick = self._rules[symbol].tick_size
        return tick, round(self._references[symbol] / tick)

    def _lots(self, symbol: str, most: int = 1_000) -> float:
        lot = self._rules[symbol].lot_size
        return round(self._rng.randint(1, most) * lot, 12)

    def _valid_book(self, symbol: str, now_ms: int) -> dict[str, Any]:
        tick, best_bid = self._ticks(symbol)
        best_bid += self._rng.randint(-2, 2)
        depth = self._rng.randint(1, 10)
        self._nonce[symbol] += 1
        return {
            "bids": [[round((best_bid - i) * tick, 10), self._lots(symbol)] for i in range(depth)],
            "asks": [[round((best_bid + 1 + i) * tick, 10), self._lots(symbol)] for i in range(depth)],
            "timestamp": now_ms, "nonce": self._nonce[symbol], "symbol": symbol,
        }

    def _valid_trade(self, symbol: str, now_ms: int, hostile: bool = False) -> dict[str, Any]:
        tick, best_bid = self._ticks(symbol)
        self._trade_id += 1
        return {"id": f"{HOSTILE_ID if hostile else 'v'}{self._trade_id}",
                "price": round((best_bid + self._rng.randint(-2, 3)) * tick, 10),
                "amount": self._lots(symbol, 100), "side": self._rng.choice(("buy", "sell")),
                "timestamp": now_ms, "symbol": symbol}

    def _valid_liquidation(self, symbol: str, now_ms: int) -> dict[str, Any]:
        tick, best_bid = self._ticks(symbol)
        return {"price": round(best_bid * tick, 10), "contracts": self._lots(symbol, 100),
                "side": self._rng.choice(("buy", "sell")), "timestamp": now_ms, "symbol": symbol}

    # --- messages by kind --------------------------------------------------------------------

    def _book_message(self, symbol: str, now_ms: int, hostile: bool) -> HostileMessage:
        raw = self._valid_book(symbol, now_ms)
        if not hostile:
            return HostileMessage(HANDLER, BOOK, raw, False, "valid")
        family = self._rng.choice(self._book_families)
        return HostileMessage(HANDLER, BOOK, family(raw, symbol), True, family.__name__.lstrip("_"))

    def _trades_message(self, symbol: str, now_ms: int, hostile: bool) -> HostileMessage:
        valid = [self._valid_trade(symbol, now_ms) for _ in range(self._rng.randint(0, 3))]
        valid_ids = frozenset(t["id"] for t in valid)
        if not hostile:
            return HostileMessage(HANDLER, TRADES, valid, False, "valid", valid_ids)
        family = self._rng.choice(self._trade_families)
        broken = family(self._valid_trade(symbol, now_ms, hostile=True), symbol)
        batch = [*valid, broken]
        self._rng.shuffle(batch)
        name = getattr(family, "__name__", "trade_field").lstrip("_")
        return HostileMessage(HANDLER, TRADES, batch, True, name, valid_ids)

    def _liquidations_message(self, symbol: str, now_ms: int, hostile: bool) -> HostileMessage:
        raw = self._valid_liquidation(symbol, now_ms)
        if not hostile:
            return HostileMessage(HANDLER, LIQUIDATIONS, [raw], False, "valid")
        rng = self._rng
        tick, best_bid = self._ticks(symbol)
        breakage = rng.choice((
            ("price", rng.choice(NON_FINITE)), ("contracts", rng.choice(ABSURD_QTYS)),
            ("contracts", rng.choice(TINY_QTYS)), ("price", round(best_bid * tick * 0.01, 10)),
            ("timestamp", YEAR_2200_MS), ("side", "long"), ("contracts", "7"), ("price", 10**400),
        ))
        return HostileMessage(HANDLER, LIQUIDATIONS, [{**raw, breakage[0]: breakage[1]}], True,
                              f"liquidation_{breakage[0]}")

    def _as_model_event(self, message: HostileMessage, symbol: str) -> HostileMessage:
        """The same message as the model event a source would hand the core (or a broken one)."""
        payload = message.payload
        if message.kind == BOOK:
            event = _model_book(payload, symbol)
        elif message.kind == TRADES:
            event = [_model_trade(t, symbol) for t in payload]
        else:
            event = [_model_liquidation(x, symbol) for x in payload]
        return HostileMessage(CORE, message.kind, event, message.must_reject, message.family, message.valid_ids)

    def _odd_event(self, symbol: str, now_ms: int) -> HostileMessage:
        """Things that are not market data at all, or are half-built events."""
        now_ns = now_ms * 1_000_000
        levels = np.array([[1.0, 1.0]])
        event = self._rng.choice((
            None, 42, "book", {"bids": []}, object(),
            OrderBook([symbol], now_ns, 1, levels, levels),  # type: ignore[arg-type]
            OrderBook(symbol, now_ns, 1, np.array([1.0, 2.0]), levels),
            OrderBook(symbol, now_ns, 1, np.array([["a", "b"]], dtype=object), levels),
            OrderBook(symbol, now_ns, 1, np.ones((2, 3)), levels),
            OrderBook(symbol, now_ns, 1, [[1.0, 1.0]], [[2.0, 1.0]]),  # type: ignore[arg-type]
            OrderBook(symbol, math.nan, 1, levels, levels),  # type: ignore[arg-type]
            OrderBook("DOGE/EUR", now_ns, 1, levels, levels),
            Trade(symbol, now_ns, 1.0, 1.0, "buy"),  # type: ignore[arg-type]
            Trade(symbol, None, 1.0, 1.0, Side.BUY),  # type: ignore[arg-type]
            Trade(symbol, now_ns, complex(1, 1), 1.0, Side.BUY),  # type: ignore[arg-type]
            Liquidation(symbol, now_ns, 1.0, 1.0, None),  # type: ignore[arg-type]
            FeedStatus([symbol], now_ns, FeedState.LIVE),  # type: ignore[arg-type]
            FeedStatus("NOPE/USDT", now_ns, FeedState.RESYNCING),
            MarketRejection(symbol, now_ns, "NOT_A_CODE", "fuzz"),  # type: ignore[arg-type]
            MarketRejection({symbol: 1}, now_ns, ReasonCode.MALFORMED, "fuzz"),  # type: ignore[arg-type]
        ))
        return HostileMessage(CORE, EVENT, event, True, "odd_event")

    # --- ways to break a book -------------------------------------------------------------------

    def _level(self, raw: dict[str, Any]) -> tuple[list[float], str]:
        side = self._rng.choice(("bids", "asks"))
        return self._rng.choice(raw[side]), side

    def _nan_level(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        level, _ = self._level(raw)
        level[self._rng.randint(0, 1)] = self._rng.choice(NON_FINITE)
        return raw

    def _non_positive_level(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        level, _ = self._level(raw)
        level[1] = self._rng.choice((0.0, -1.0, 0))
        return raw

    def _absurd_qty(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        self._level(raw)[0][1] = self._rng.choice(ABSURD_QTYS)
        return raw

    def _tiny_qty(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        self._level(raw)[0][1] = self._rng.choice(TINY_QTYS)
        return raw

    def _tiny_price(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        raw["bids"][-1][0] = self._rng.choice((1e-300, 5e-324))
        return raw

    def _off_tick(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        level, side = self._level(raw)
        level[0] = level[0] + self._rules[symbol].tick_size * (0.5 if side == "asks" else -0.5)
        return raw

    def _off_lot(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        level, _ = self._level(raw)
        level[1] = level[1] + self._rules[symbol].lot_size * 0.5
        return raw

    def _one_percent_book(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        """Well formed, tight, on the grid, at 1% of the market (650 against 65,000)."""
        tick, best_bid = self._ticks(symbol)
        low = round(best_bid * 0.01)
        raw["bids"] = [[round((low - i) * tick, 10), q] for i, (_, q) in enumerate(raw["bids"])]
        raw["asks"] = [[round((low + 1 + i) * tick, 10), q] for i, (_, q) in enumerate(raw["asks"])]
        return raw

    def _crossed(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        raw["bids"][0][0] = raw["asks"][0][0] + self._rules[symbol].tick_size * self._rng.randint(0, 3)
        return raw

    def _unsorted(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        side = raw[self._rng.choice(("bids", "asks"))]
        if len(side) < 2:
            side.append(list(side[0]))
        else:
            side[0], side[-1] = side[-1], side[0]
        return raw

    def _empty_side(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        raw[self._rng.choice(("bids", "asks"))] = []
        return raw

    def _future_stamp(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        raw["timestamp"] = self._rng.choice((YEAR_2200_MS, raw["timestamp"] + HOUR_MS))
        return raw

    def _old_stamp(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        raw["timestamp"] = raw["timestamp"] - self._rng.choice((HOUR_MS, 10_000, 1_000))
        return raw

    def _typed_wrong_level(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        level, _ = self._level(raw)
        level[self._rng.randint(0, 1)] = self._rng.choice((None, "65000.0", [1.0], {}, True))
        return raw

    def _truncated_level(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        side = self._rng.choice(("bids", "asks"))
        raw[side][-1] = raw[side][-1][:self._rng.randint(0, 1)]
        return raw

    def _huge_int_level(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        level, _ = self._level(raw)
        level[self._rng.randint(0, 1)] = 10 ** self._rng.choice((309, 400, 4000))
        return raw

    def _junk(self, raw: Any, symbol: str) -> Any:
        return _junk(self._rng, depth=3)

    # --- ways to break a trade --------------------------------------------------------------------

    def _trade_field(self, name: str, values: tuple[Any, ...]) -> Callable[[dict[str, Any], str], dict[str, Any]]:
        def breaks(raw: dict[str, Any], symbol: str) -> dict[str, Any]:
            raw[name] = self._rng.choice(values)
            return raw
        breaks.__name__ = f"trade_{name}"
        return breaks

    def _trade_off_grid(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        rules = self._rules[symbol]
        if self._rng.random() < 0.5:
            raw["price"] = raw["price"] + rules.tick_size * 0.5
        else:
            raw["amount"] = raw["amount"] + rules.lot_size * 0.5
        return raw

    def _trade_one_percent(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        tick, best_bid = self._ticks(symbol)
        raw["price"] = round(round(best_bid * 0.01) * tick, 10)
        return raw

    def _trade_old(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        raw["timestamp"] = raw["timestamp"] - HOUR_MS
        return raw


def _junk(rng: random.Random, depth: int) -> Any:
    if depth <= 0 or rng.random() < 0.4:
        return rng.choice(JUNK_LEAVES)
    if rng.random() < 0.5:
        return [_junk(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    keys = ("bids", "asks", "price", "amount", "side", "timestamp", "id", "nonce", "x")
    return {rng.choice(keys): _junk(rng, depth - 1) for _ in range(rng.randint(0, 4))}


def _number(value: Any) -> Any:
    """A raw value as a model field would hold it (floats stay floats; anything else as is)."""
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return value
    return value


def _ts_ns(ts: Any) -> Any:
    """Exchange milliseconds as the nanoseconds a model event holds (anything else as is)."""
    return ts * 1_000_000 if isinstance(ts, int) and not isinstance(ts, bool) else ts


def _side(side: Any) -> Any:
    return Side(side) if side in ("buy", "sell") else side


def _model_book(raw: Any, symbol: str) -> Any:
    if not isinstance(raw, dict):
        return raw

    def levels(side: Any) -> Any:
        """float64 levels when every value is a number; otherwise what numpy makes of the junk
        as objects (numpy would read ``"65000.0"`` or ``True`` as a float)."""
        try:
            if all(isinstance(v, int | float) and not isinstance(v, bool) for level in side for v in level):
                return np.array([[_number(v) for v in level] for level in side], dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            pass
        array = np.empty(len(side) if isinstance(side, list) else 0, dtype=object)
        for i, level in enumerate(side if isinstance(side, list) else ()):
            array[i] = level
        return array

    return OrderBook(symbol, _ts_ns(raw.get("timestamp")), raw.get("nonce", 0),
                     levels(raw.get("bids", [])), levels(raw.get("asks", [])))


def _model_trade(raw: Any, symbol: str) -> Any:
    if not isinstance(raw, dict):
        return raw
    return Trade(symbol, _ts_ns(raw.get("timestamp")), _number(raw.get("price")), _number(raw.get("amount")),
                 _side(raw.get("side")), str(raw.get("id", "")))


def _model_liquidation(raw: Any, symbol: str) -> Any:
    if not isinstance(raw, dict):
        return raw
    return Liquidation(symbol, _ts_ns(raw.get("timestamp")), _number(raw.get("price")),
                       _number(raw.get("contracts")), _side(raw.get("side")))
