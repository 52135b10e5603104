"""``hft-tui fees``: the command line of :mod:`hft_tui.execution.fee_comparison` (arguments,
errors in one line, the table or the JSON)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from hft_tui.config.cli import overrides_from_args, print_config_error
from hft_tui.config.loader import ConfigError, load_settings
from hft_tui.config.settings import Settings
from hft_tui.execution.fee_comparison import ScheduleLookup, comparison_json, schedules_for, sim_book
from hft_tui.execution.fee_model import ExchangeCost, compare
from hft_tui.market.sim_setup import DEFAULT_SIM_START_NS, build_sim_market
from hft_tui.model import Liquidity, OrderBook, Side

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG_ERROR = 2
DEFAULT_EXCHANGES = ("binance", "bybit", "okx", "kucoin", "gate", "kraken", "coinbase")


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
        print_config_error(exc)
        return EXIT_CONFIG_ERROR
    symbol = args.symbol or settings.engine.symbols[0]
    problem = _argument_problem(args, settings, symbol)
    if problem is not None:
        print(f"hft-tui: {problem}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    market = build_sim_market(settings.sim, settings.engine.symbols, settings.engine.seed, DEFAULT_SIM_START_NS)
    book, sim_fees = sim_book(market, symbol, args.at_s)
    lookup = schedules_for(_exchange_ids(args, settings), settings.execution.fee_overrides, sim_fees)
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
