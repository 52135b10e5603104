"""Deterministic trading costs: exchange fees, half spread and visible-book impact.

Fees are fractions of notional (0.0005 = 5 bps), positive = paid, negative = rebate.
A schedule comes from the market's published rates (``MarketRules``, which ccxt fills in)
unless ``[execution.fee_overrides.<exchange>]`` replaces it, e.g. for a VIP tier.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hft_tui.execution.book_walk import sweep_totals, walk_book
from hft_tui.execution.settings import ExecutionSettings
from hft_tui.model import Liquidity, MarketRules, OrderBook, Side


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """Maker and taker fee rates of one exchange (tier), as fractions of notional."""

    maker: float
    taker: float

    def rate(self, liquidity: Liquidity) -> float:
        """The fee rate for an execution of this liquidity."""
        return self.maker if liquidity is Liquidity.MAKER else self.taker

    @classmethod
    def from_rules(cls, rules: MarketRules) -> FeeSchedule:
        """The market's published rates."""
        return cls(maker=rules.maker_fee, taker=rules.taker_fee)

    @classmethod
    def resolve(cls, exchange_id: str, rules: MarketRules, settings: ExecutionSettings) -> FeeSchedule:
        """The override for ``exchange_id`` if the settings have one, else the market's rates."""
        override = settings.fee_overrides.get(exchange_id)
        if override is None:
            return cls.from_rules(rules)
        return cls(maker=override.maker, taker=override.taker)


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """The expected cost of executing ``fillable_qty`` now, in quote currency and bps of mid.

    Costs are signed so that positive = paid: a maker estimate earns the half spread, so its
    ``half_spread_quote`` is negative. ``fillable_qty`` < ``qty`` when the visible depth is
    short; every cost covers the fillable part only.
    """

    qty: float
    fillable_qty: float
    mid: float
    avg_price: float
    fee_quote: float
    half_spread_quote: float
    impact_quote: float
    total_quote: float
    total_bps: float


@dataclass(frozen=True, slots=True)
class ExchangeCost:
    """One exchange's line in a cost comparison."""

    exchange_id: str
    schedule: FeeSchedule
    estimate: CostEstimate


class FeeModel:
    """Fees and pre-trade cost for one market under one fee schedule."""

    __slots__ = ("schedule", "_maker", "_taker")

    def __init__(self, schedule: FeeSchedule) -> None:
        self.schedule = schedule
        self._maker = schedule.maker
        self._taker = schedule.taker

    @classmethod
    def for_market(cls, exchange_id: str, rules: MarketRules, settings: ExecutionSettings) -> FeeModel:
        """The fee model of ``rules.symbol`` on ``exchange_id``, honouring fee overrides."""
        return cls(FeeSchedule.resolve(exchange_id, rules, settings))

    def fee(self, notional: float, liquidity: Liquidity) -> float:
        """Fee in quote currency for an execution of ``notional``; positive = paid."""
        return abs(notional) * (self._maker if liquidity is Liquidity.MAKER else self._taker)

    def estimate_cost(
        self, book: OrderBook, side: Side, qty: float, liquidity: Liquidity = Liquidity.TAKER
    ) -> CostEstimate | None:
        """Cost of trading ``qty`` on ``side`` against ``book`` now; None without a two-sided book.

        A taker walks the opposite side (impact = distance of the average price from the
        touch); a maker is assumed filled at its own touch (earns the half spread, no impact).
        """
        mid = book.mid
        if mid is None or mid <= 0.0 or qty <= 0.0:
            return None
        sign = side.sign
        if liquidity is Liquidity.TAKER:
            levels = book.asks if side is Side.BUY else book.bids
            filled, notional = sweep_totals(walk_book(levels, side, qty))
            if filled <= 0.0:
                return CostEstimate(qty, 0.0, mid, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
            touch = levels.item(0, 0)
            avg_price = notional / filled
            half_spread = (touch - mid) * sign * filled
            impact = (avg_price - touch) * sign * filled
        else:
            touch = (book.bids if side is Side.BUY else book.asks).item(0, 0)
            filled = qty
            avg_price = touch
            notional = touch * qty
            half_spread = (touch - mid) * sign * filled
            impact = 0.0
        fee = self.fee(notional, liquidity)
        total = fee + half_spread + impact
        return CostEstimate(
            qty=qty,
            fillable_qty=filled,
            mid=mid,
            avg_price=avg_price,
            fee_quote=fee,
            half_spread_quote=half_spread,
            impact_quote=impact,
            total_quote=total,
            total_bps=total / (mid * filled) * 1e4,
        )


def compare(
    schedules: Mapping[str, FeeSchedule],
    book: OrderBook,
    side: Side,
    qty: float,
    liquidity: Liquidity = Liquidity.TAKER,
) -> list[ExchangeCost]:
    """The cost of the same trade under each exchange's schedule, cheapest first.

    All exchanges are priced against the same ``book``, so the comparison isolates fees;
    ties keep exchange-id order so the ranking is deterministic.
    """
    lines: list[ExchangeCost] = []
    for exchange_id in sorted(schedules):
        estimate = FeeModel(schedules[exchange_id]).estimate_cost(book, side, qty, liquidity)
        if estimate is not None:
            lines.append(ExchangeCost(exchange_id, schedules[exchange_id], estimate))
    lines.sort(key=lambda line: line.estimate.total_quote)
    return lines
