"""ccxt unified market-data structures -> our model, quantities in base units.

Pure functions shared by the ccxt source and the captured-payload tests. Values are only
shaped here (through the sanitizer's ``parse_raw_*``, which never raises); whether they
are sane is the sanitizer's ``check_*`` to judge. Every function here takes whatever a
websocket frame held and never raises: what cannot be shaped is ``MALFORMED``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from hft_tui.market.sanitizer import MAX_TS_MS, is_number, parse_raw_book, parse_raw_trade
from hft_tui.model import Liquidation, OrderBook, ReasonCode, Side, Trade


def book_from_ccxt(
    symbol: str, raw: Mapping[str, Any], *, received_ms: int, depth: int, contract_size: float = 1.0
) -> OrderBook | ReasonCode:
    """A ccxt order book (top ``depth`` levels) as an ``OrderBook``, or why it is malformed.

    A book without exchange time (REST snapshots, e.g. Binance spot depth) is stamped
    ``received_ms``; contract quantities are converted with ``contract_size``.
    """
    if not isinstance(raw, Mapping):
        return ReasonCode.MALFORMED
    bids, asks = raw.get("bids"), raw.get("asks")
    if not isinstance(bids, list) or not isinstance(asks, list):
        return ReasonCode.MALFORMED
    if len(bids) > depth or len(asks) > depth or raw.get("timestamp") is None or not isinstance(raw, dict):
        raw = {**raw, "bids": bids[:depth], "asks": asks[:depth],
               "timestamp": received_ms if raw.get("timestamp") is None else raw["timestamp"]}
    book = parse_raw_book(symbol, raw)
    if isinstance(book, ReasonCode) or contract_size == 1.0:
        return book
    scale = np.array([1.0, contract_size])
    with np.errstate(all="ignore"):  # an absurd size overflows to inf: the sanitizer's to judge
        return OrderBook.from_levels(book.symbol, book.ts_ns, book.seq, book.bids * scale, book.asks * scale)


def trade_from_ccxt(symbol: str, raw: Mapping[str, Any], *, contract_size: float = 1.0) -> Trade | ReasonCode:
    """A ccxt public trade as a ``Trade`` (qty in base units), or why it is malformed."""
    if not isinstance(raw, Mapping):
        return ReasonCode.MALFORMED
    trade = parse_raw_trade(symbol, raw if isinstance(raw, dict) else dict(raw))
    if isinstance(trade, ReasonCode) or contract_size == 1.0:
        return trade
    return Trade(trade.symbol, trade.ts_ns, trade.price, trade.qty * contract_size, trade.side, trade.trade_id)


def liquidation_from_ccxt(
    symbol: str, raw: Mapping[str, Any], *, contract_size: float = 1.0
) -> Liquidation | ReasonCode:
    """A ccxt liquidation as a ``Liquidation`` (qty in base units), or why it is malformed.

    ccxt's ``side`` is the liquidating order's side, as ours is.
    """
    if not isinstance(raw, Mapping):
        return ReasonCode.MALFORMED
    price, side, timestamp = raw.get("price"), raw.get("side"), raw.get("timestamp")
    qty, contracts = raw.get("baseValue"), raw.get("contracts")
    if qty is None and is_number(contracts):
        qty = float(contracts) * contract_size
    if not (is_number(price) and is_number(qty)) or side not in ("buy", "sell"):
        return ReasonCode.MALFORMED
    if not (is_number(timestamp) and isinstance(timestamp, int) and 0 <= timestamp <= MAX_TS_MS):
        return ReasonCode.MALFORMED
    try:
        price, qty = float(price), float(qty)
    except OverflowError:  # an int too large for a float
        return ReasonCode.MALFORMED
    if not (math.isfinite(price) and math.isfinite(qty)):
        return ReasonCode.NON_FINITE
    if price <= 0 or qty <= 0:
        return ReasonCode.NON_POSITIVE
    return Liquidation(symbol, timestamp * 1_000_000, price, qty, Side(side))


def trade_key(raw: object) -> object:
    """What identifies a trade for de-duplication: its id, else its whole print; None when
    ``raw`` is no trade at all or its fields cannot be a key (a list, a dict)."""
    if not isinstance(raw, Mapping):
        return None
    trade_id = raw.get("id")
    key = trade_id if trade_id is not None else (
        raw.get("timestamp"), raw.get("price"), raw.get("amount"), raw.get("side"))
    try:
        hash(key)
    except TypeError:
        return None
    return key
