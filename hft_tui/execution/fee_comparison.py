"""``hft-tui fees``: what the same trade would cost on each exchange, fees and book together.

Every exchange is priced against one book (the simulator's, at a chosen moment of its seeded
session), so the ranking isolates the fee schedules while the figures still show where
spread and depth outweigh them. Rates are ccxt's published base tier for each exchange (no
network: they ship with ccxt), replaced by ``execution.fee_overrides.<id>`` where the
settings have one (a VIP tier, a rebate).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from hft_tui.config.cli import overrides_from_args
from hft_tui.config.loader import ConfigError, load_settings
from hft_tui.config.settings import Settings
from hft_tui.execution.fee_model import ExchangeCost, FeeSchedule, compare
from hft_tui.model import Liquidity, OrderBook, Side

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG_ERROR = 2
DEFAULT_EXCHANGES = ("binance", "bybit", "okx", "kucoin", "gate", "kraken", "coinbase")
NS_PER_S = 1_000_000_000


@dataclass(frozen=True, slots=True)
class ScheduleLookup:
    """The schedules found, where each came from, and the exchanges that publish none."""

    schedules: dict[str, FeeSchedule]
    sources: dict[str, str]
    missing: dict[str, str]


def add_fees_parser(subparsers: Any) -> None:
    """Add ``fees`` to the top-level ``subparsers``."""
    fees = subparsers.add_parser(
        "fees", help="compare one trade's cost (fees, spread, impact) across exchanges",
        description="Price one trade against the simulator's book under each exchange's fee "
                    "schedule (ccxt's published base tier, or execution.fee_overrides) and "
                    "rank the exchanges, cheapest first.")
    fees.add_argument("qty", type=float, help="trade size in base currency, e.g. 0.5")
    fees.add_argument("--symbol", help="symbol to price (default: the first configured symbol)")
    fees.add_argument("--side", choices=["buy", "sell"], default="buy", help="trade side (default %(default)s)")
    fees.add_argument("--maker", action="store_true",
                      help="price a resting order filled at its touch (default: a taker walking the book)")
    fees.add_argument("--exchanges", metavar="ID,ID",
                      help=f"ccxt exchange ids (default: the configured one and {','.join(DEFAULT_EXCHANGES)})")
    fees.add_argument("--at", type=float, default=60.0, metavar="SECONDS", dest="at_s",
                      help="the simulated session's moment whose book is used (default %(default)g)")
    fees.add_argument("--json", action="store_true", help="print the comparison as JSON")
    fees.set_defaults(handler=run_fees_command)


def run_fees_command(args: argparse.Namespace) -> int:
    """``hft-tui fees``: print the ranking; exit 2 on bad settings or arguments."""
    try:
        settings = load_settings(getattr(args, "config", None), overrides_from_args(args))
    except ConfigError as exc:
        print(f"hft-tui: invalid configuration\n{exc}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    symbol = args.symbol or settings.engine.symbols[0]
    problem = _argument_problem(args, settings, symbol)
    if problem is not None:
        print(f"hft-tui: {problem}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    book, sim_fees = sim_book(settings, symbol, args.at_s)
    lookup = schedules_for(_exchange_ids(args, settings), settings, sim_fees)
    if not lookup.schedules:
        print("hft-tui: none of the exchanges has a fee schedule to compare", file=sys.stderr)
        return EXIT_FAILED
    side = Side.BUY if args.side == "buy" else Side.SELL
    liquidity = Liquidity.MAKER if args.maker else Liquidity.TAKER
    ranking = compare(lookup.schedules, book, side, args.qty, liquidity)
    if args.json:
        print(json.dumps(comparison_json(ranking, lookup, book, side, liquidity, args.at_s), indent=2))
    else:
        _render(Console(), ranking, lookup, book, side, liquidity, settings, args.at_s)
    return EXIT_OK


def _argument_problem(args: argparse.Namespace, settings: Settings, symbol: str) -> str | None:
    if not args.qty > 0.0:
        return f"qty must be a positive number of {symbol.split('/')[0]}, not {args.qty:g}"
    if symbol not in settings.engine.symbols:
        return (f"{symbol} is not simulated; the simulator runs {', '.join(settings.engine.symbols)} "
                f"(set them with --symbols)")
    if not 0.0 <= args.at_s <= 86_400.0:
        return f"--at must be between 0 and 86400 seconds, not {args.at_s:g}"
    return None


def _exchange_ids(args: argparse.Namespace, settings: Settings) -> list[str]:
    if args.exchanges:
        return list(dict.fromkeys(part.strip() for part in args.exchanges.split(",") if part.strip()))
    return list(dict.fromkeys((settings.exchange.id, *DEFAULT_EXCHANGES)))


def sim_book(settings: Settings, symbol: str, at_s: float) -> tuple[OrderBook, FeeSchedule]:
    """The simulator's latest book of ``symbol`` at ``at_s`` seconds into its seeded session,
    and the simulated market's own fee schedule."""
    from hft_tui.assembly import build_sim_market
    from hft_tui.data.capture import DEFAULT_SIM_START_NS

    market = build_sim_market(settings, DEFAULT_SIM_START_NS)
    until_ns = DEFAULT_SIM_START_NS + int(at_s * NS_PER_S)
    book: OrderBook | None = None
    while True:
        event = market.next_event()
        if event.ts_ns > until_ns and book is not None:
            break
        if isinstance(event, OrderBook) and event.symbol == symbol:
            book = event
    assert book is not None  # the symbol is simulated, so its books arrive every few ms
    return book, FeeSchedule.from_rules(market.rules(symbol))


def schedules_for(exchange_ids: Sequence[str], settings: Settings, sim_fees: FeeSchedule) -> ScheduleLookup:
    """Each exchange's schedule: the settings' override, else ccxt's published base tier
    (``sim``: the simulated market's own rates)."""
    import ccxt

    schedules: dict[str, FeeSchedule] = {}
    sources: dict[str, str] = {}
    missing: dict[str, str] = {}
    for exchange_id in exchange_ids:
        override = settings.execution.fee_overrides.get(exchange_id)
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


def _render(console: Console, ranking: list[ExchangeCost], lookup: ScheduleLookup, book: OrderBook,
            side: Side, liquidity: Liquidity, settings: Settings, at_s: float) -> None:
    quote = book.symbol.split("/")[-1]
    first = ranking[0].estimate if ranking else None
    title = (f"{side.value} {first.qty:g} {book.symbol} as {liquidity.value.lower()}, costs in {quote}" if first
             else f"{side.value} {book.symbol}")
    cheapest = ranking[0].estimate.total_quote if ranking else 0.0
    rows = [
        (
            line.exchange_id + ("*" if lookup.sources[line.exchange_id] == "execution.fee_overrides" else ""),
            f"{line.schedule.rate(liquidity) * 1e4:.2f}",
            f"{line.estimate.fee_quote:,.2f}",
            f"{line.estimate.half_spread_quote:,.2f}",
            f"{line.estimate.impact_quote:,.2f}",
            f"{line.estimate.total_quote:,.2f}",
            f"{line.estimate.total_bps:.2f}",
            "best" if line.estimate.total_quote == cheapest else f"+{line.estimate.total_quote - cheapest:,.2f}",
        )
        for line in ranking
    ]
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 0, 0, 1))
    headers = ("exchange", "rate bps", "fee", "spread", "impact", "total", "bps", "vs best")
    for i, header in enumerate(headers):
        # Figures are never cut: a narrow terminal wraps the table, not the numbers.
        widest = max([len(header), *(len(row[i]) for row in rows)])
        table.add_column(header, justify="left" if i == 0 else "right", no_wrap=True, min_width=widest)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    mid = book.mid or 0.0
    console.print(f"Book: the simulator's {book.symbol} at {at_s:g} s (seed {settings.engine.seed}), "
                  f"mid {mid:,.2f}; the same book for every exchange.")
    if first is not None and first.fillable_qty < first.qty:
        console.print(f"[yellow]Only {first.fillable_qty:g} of {first.qty:g} is visible in the book; "
                      f"costs cover the fillable part.[/]")
    console.print("Rates: ccxt's published base tier; * = execution.fee_overrides.")
    for exchange_id, why in lookup.missing.items():
        console.print(f"[yellow]{exchange_id}: not compared ({why})[/]")
