"""What the same trade would cost on each exchange, fees and book together (``hft-tui fees``,
whose command line is :mod:`hft_tui.cli.fees`).

Every exchange is priced against one book (the simulator's, at a chosen moment of its seeded
session), so the ranking isolates the fee schedules while the figures still show where
spread and depth outweigh them. Rates are ccxt's published base tier for each exchange (no
network: they ship with ccxt), replaced by ``execution.fee_overrides.<id>`` where the
settings have one (a VIP tier, a rebate).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hft_tui.execution.fee_model import ExchangeCost, FeeSchedule
from hft_tui.execution.settings import FeeOverride
from hft_tui.market.simulator import SimulatedMarket
from hft_tui.model import Liquidity, OrderBook, Side

NS_PER_S = 1_000_000_000


@dataclass(frozen=True, slots=True)
class ScheduleLookup:
    """The schedules found, where each came from, and the exchanges that publish none."""

    schedules: dict[str, FeeSchedule]
    sources: dict[str, str]
    missing: dict[str, str]


def sim_book(market: SimulatedMarket, symbol: str, at_s: float) -> tuple[OrderBook, FeeSchedule]:
    """The latest book of ``symbol`` at ``at_s`` seconds into a fresh simulated market's seeded
    session, and the simulated market's own fee schedule."""
    until_ns = market.start_ts_ns + int(at_s * NS_PER_S)
    book: OrderBook | None = None
    while True:
        event = market.next_event()
        if event.ts_ns > until_ns and book is not None:
            break
        if isinstance(event, OrderBook) and event.symbol == symbol:
            book = event
    assert book is not None  # the symbol is simulated, so its books arrive every few ms
    return book, FeeSchedule.from_rules(market.rules(symbol))


def schedules_for(exchange_ids: Sequence[str], overrides: Mapping[str, FeeOverride],
                  sim_fees: FeeSchedule) -> ScheduleLookup:
    """Each exchange's schedule: its override (``execution.fee_overrides``), else ccxt's
    published base tier (``sim``: the simulated market's own rates)."""
    import ccxt

    schedules: dict[str, FeeSchedule] = {}
    sources: dict[str, str] = {}
    missing: dict[str, str] = {}
    for exchange_id in exchange_ids:
        override = overrides.get(exchange_id)
        if override is not None:
            schedules[exchange_id] = FeeSchedule(maker=override.maker, taker=override.taker)
            sources[exchange_id] = "execution.fee_overrides"
        elif exchange_id == "sim":
            schedules[exchange_id] = sim_fees
            sources[exchange_id] = "simulated market"
        elif exchange_id not in ccxt.exchanges:
            missing[exchange_id] = "not a ccxt exchange id"
        else:
            published = _published_schedule(getattr(ccxt, exchange_id)().fees.get("trading", {}))
            if published is None:
                missing[exchange_id] = f"publishes no flat rate; set execution.fee_overrides.{exchange_id}"
            else:
                schedules[exchange_id] = published
                sources[exchange_id] = "ccxt base tier"
    return ScheduleLookup(schedules, sources, missing)


def _published_schedule(trading: dict[str, Any]) -> FeeSchedule | None:
    maker, taker = trading.get("maker"), trading.get("taker")
    # ccxt marks absolute (not percentage) fees with percentage=False; they cannot be compared as rates.
    if not isinstance(maker, int | float) or not isinstance(taker, int | float) or trading.get("percentage") is False:
        return None
    return FeeSchedule(maker=float(maker), taker=float(taker))


def comparison_json(ranking: list[ExchangeCost], lookup: ScheduleLookup, book: OrderBook, side: Side,
                    liquidity: Liquidity, at_s: float) -> dict[str, Any]:
    """The comparison as plain data, cheapest first."""
    cheapest = ranking[0].estimate.total_quote if ranking else 0.0
    return {
        "symbol": book.symbol,
        "side": side.value,
        "liquidity": liquidity.value,
        "book": {"source": "simulator", "at_s": at_s, "mid": book.mid},
        "exchanges": [
            {
                "exchange": line.exchange_id,
                "rates_from": lookup.sources[line.exchange_id],
                "maker_rate": line.schedule.maker,
                "taker_rate": line.schedule.taker,
                "qty": line.estimate.qty,
                "fillable_qty": line.estimate.fillable_qty,
                "avg_price": line.estimate.avg_price,
                "fee_quote": line.estimate.fee_quote,
                "spread_quote": line.estimate.half_spread_quote,
                "impact_quote": line.estimate.impact_quote,
                "total_quote": line.estimate.total_quote,
                "total_bps": line.estimate.total_bps,
                "vs_cheapest_quote": line.estimate.total_quote - cheapest,
            }
            for line in ranking
        ],
        "not_compared": lookup.missing,
    }
