"""ccxt ``load_markets`` metadata -> ``MarketRules``, and order rounding through ccxt.

Quantities in the engine are in base units. ccxt quotes contract markets (swaps, futures)
in contracts, so ``contract_size`` converts: ``base_qty = contracts * contract_size``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from typing import Any

from hft_tui.model import MarketRules

# ccxt.base.decimal_to_precision constants, repeated so this module need not import ccxt.
DECIMAL_PLACES = 2
SIGNIFICANT_DIGITS = 3
TICK_SIZE = 4

_UNSET_FEES = MarketRules(symbol="", tick_size=0.0, lot_size=0.0)


def precision_to_step(value: Any, precision_mode: int) -> float:
    """The grid step a ccxt precision value means: the tick itself under TICK_SIZE,
    ``10**-value`` under DECIMAL_PLACES, and 0.0 (no fixed grid) otherwise or if unknown."""
    if value is None:
        return 0.0
    number = float(value)
    if not math.isfinite(number) or number < 0:
        return 0.0
    if precision_mode == TICK_SIZE:
        return number
    if precision_mode == DECIMAL_PLACES:
        return 10.0 ** (-number)
    return 0.0


def contract_size(market: Mapping[str, Any]) -> float:
    """Base units per ccxt amount unit: the contract size on contract markets, else 1."""
    if not market.get("contract"):
        return 1.0
    size = market.get("contractSize")
    return float(size) if size else 1.0


def _limit(market: Mapping[str, Any], name: str) -> float:
    value = (market.get("limits") or {}).get(name, {}).get("min")
    return float(value) if value is not None else 0.0


def market_rules_from_ccxt(market: Mapping[str, Any], precision_mode: int) -> MarketRules:
    """One ccxt unified market structure as our ``MarketRules`` (quantities in base units)."""
    precision = market.get("precision") or {}
    size = contract_size(market)
    return MarketRules(
        symbol=market["symbol"],
        tick_size=precision_to_step(precision.get("price"), precision_mode),
        lot_size=precision_to_step(precision.get("amount"), precision_mode) * size,
        min_qty=_limit(market, "amount") * size,
        min_notional=_limit(market, "cost"),
        maker_fee=float(market["maker"]) if market.get("maker") is not None else _UNSET_FEES.maker_fee,
        taker_fee=float(market["taker"]) if market.get("taker") is not None else _UNSET_FEES.taker_fee,
        spot=bool(market.get("spot")),
        base=market.get("base") or "",
        quote=market.get("quote") or "",
    )


class UnknownSymbolError(KeyError):
    """The exchange lists none of these symbols; the message offers the closest it does list."""

    def __init__(self, exchange_id: str, missing: list[str], listed: list[str]) -> None:
        hints = [close[0] for symbol in missing
                 if (close := difflib.get_close_matches(symbol, listed, n=1))]
        hint = f" (did you mean {', '.join(hints)}?)" if hints else ""
        self.message = f"{exchange_id} does not list {', '.join(missing)}{hint}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def rules_for_symbols(exchange: Any, symbols: Iterable[str]) -> dict[str, MarketRules]:
    """``MarketRules`` for ``symbols`` from an exchange whose markets are loaded.

    Raises ``UnknownSymbolError`` naming the symbols the exchange does not list.
    """
    markets = exchange.markets or {}
    wanted = list(symbols)
    missing = [s for s in wanted if s not in markets]
    if missing:
        raise UnknownSymbolError(exchange.id, missing, list(markets))
    return {s: market_rules_from_ccxt(markets[s], exchange.precisionMode) for s in wanted}


def round_price(exchange: Any, symbol: str, price: float) -> float:
    """``price`` on the symbol's tick grid, by ccxt's own rounding (round to nearest)."""
    return float(exchange.price_to_precision(symbol, price))


def round_qty(exchange: Any, symbol: str, qty_base: float) -> float:
    """A base quantity truncated to the symbol's lot grid, by ccxt (never rounds up)."""
    size = contract_size(exchange.market(symbol))
    return float(exchange.amount_to_precision(symbol, qty_base / size)) * size
