"""Walking the visible book: which levels an aggressive order takes, and how much of each.

Shared by the fee model (impact estimate) and the paper broker (taker fills), so the cost
the engine expects and the fills it gets come from the same arithmetic.
"""

from __future__ import annotations

import numpy as np

from hft_tui.model import Side

# Quantities and prices are floats built from decimal ticks/lots; these relative slacks
# absorb the last-bit noise so 0.1 + 0.2 still "reaches" 0.3 and a limit at 100.1 takes
# a level quoted at 100.1.
QTY_EPS = 1e-9
PRICE_EPS = 1e-12


def walk_book(
    levels: np.ndarray, side: Side, qty: float, limit_price: float | None = None
) -> list[tuple[float, float]]:
    """The ``(price, qty)`` takes of a ``side`` order for ``qty`` against ``levels``.

    ``levels`` is the opposite side of the book, best first. A ``limit_price`` stops the
    walk at the first level worse than it. The takes sum to less than ``qty`` when the
    visible depth (within the limit) is short.
    """
    takes: list[tuple[float, float]] = []
    remaining = qty
    done = qty * QTY_EPS
    if limit_price is None:
        bound = np.inf if side is Side.BUY else -np.inf
    else:
        slack = abs(limit_price) * PRICE_EPS
        bound = limit_price + slack if side is Side.BUY else limit_price - slack
    buy = side is Side.BUY
    for i in range(levels.shape[0]):
        price = levels.item(i, 0)
        if (price > bound) if buy else (price < bound):
            break
        level_qty = levels.item(i, 1)
        take = level_qty if level_qty < remaining else remaining
        if take > 0.0:
            takes.append((price, take))
            remaining -= take
        if remaining <= done:
            break
    return takes


def sweep_totals(takes: list[tuple[float, float]]) -> tuple[float, float]:
    """``(qty, notional)`` of a list of takes."""
    qty = 0.0
    notional = 0.0
    for price, take in takes:
        qty += take
        notional += price * take
    return qty, notional
