"""The benchmark beside a backtest: buying each symbol at the window's first price and selling
it at the last, paying the same taker fee the strategies pay on each side, and an equal-weight
basket of them. A strategy that does not beat it has not earned its risk."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BuyAndHold:
    """One symbol held over the window: first and last price (candles: first open, last close;
    books: first and last mid), the taker fee paid in and out, and the net return."""

    first_price: float
    last_price: float
    taker_fee: float
    return_pct: float


def buy_and_hold(first_price: float, last_price: float, taker_fee: float) -> BuyAndHold:
    """Capital C buys C(1 - fee)/first units; they sell for units x last x (1 - fee)."""
    factor = (1.0 - taker_fee) ** 2 * last_price / first_price
    return BuyAndHold(first_price, last_price, taker_fee, (factor - 1.0) * 100.0)


def basket_return_pct(holds: Mapping[str, BuyAndHold]) -> float | None:
    """The equal-weight basket's return (capital split evenly at the start); None with no symbol."""
    if not holds:
        return None
    return math.fsum(h.return_pct for h in holds.values()) / len(holds)
