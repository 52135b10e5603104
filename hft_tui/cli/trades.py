"""``hft-tui trades`` and ``hft-tui pnl [--period P] [--daily]``: the closed-trade history and
its PnL, read from the WAL of ``--state-dir`` (across restarts), as text or ``--json``. The
workstation's trades screen and PnL view show the same, read by the same code."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import orjson

from hft_tui import exit_codes
from hft_tui.clock import duration_text, iso_utc
from hft_tui.config.settings import Settings
from hft_tui.trading.pnl_report import Period, PnlGroup, pnl_report
from hft_tui.trading.trade_history import closed_trades
from hft_tui.wal.segments import wal_directory


def add_trades_parsers(subparsers: Any) -> None:
    trades = subparsers.add_parser("trades", help="closed trades from the WAL (every session)",
                                   description="Closed trades from the WAL, oldest first.")
    trades.add_argument("--symbol", default=argparse.SUPPRESS, help="only this symbol")
    trades.add_argument("--strategy", help="only this strategy (operator: trades placed by hand)")
    trades.add_argument("--json", action="store_true", help="one JSON document")
    trades.set_defaults(handler=run_trades_command)
    pnl = subparsers.add_parser("pnl", help="realised PnL from the WAL, per strategy and symbol",
                                description="Realised PnL (net of fees) of the trades closed in a period of "
                                            "the risk guard's trading days, per strategy and per symbol.")
    pnl.add_argument("--period", choices=[p.value for p in Period], default=Period.ALL.value,
                     help="today, this week, this month (trading days, risk.daily_reset_utc) or all (default)")
    pnl.add_argument("--daily", action="store_true", help="per trading day instead")
    pnl.add_argument("--json", action="store_true", help="one JSON document")
    pnl.set_defaults(handler=run_pnl_command)


def _wal_dir(args: argparse.Namespace) -> Path | None:
    directory = wal_directory(args.state_dir)
    if not directory.is_dir():
        print(f"hft-tui {args.command}: no WAL in {args.state_dir} (check --state-dir)", file=sys.stderr)
        return None
    return directory


def run_trades_command(args: argparse.Namespace, settings: Settings) -> int:
    directory = _wal_dir(args)
    if directory is None:
        return exit_codes.NO_STATE_DIR
    symbol = getattr(args, "symbol", None)
    symbol = symbol.split(",")[0] if isinstance(symbol, str) else None
    trades = closed_trades(directory, symbol=symbol, strategy=args.strategy)
    if args.json:
        # The records as journaled; "fees" null where a record predates them.
        rows = [t.to_payload() | {"fees": t.known_fees} for t in trades]
        sys.stdout.buffer.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n")
        return exit_codes.OK
    print(f"{'closed (UTC)':19} {'strategy':14} {'symbol':10} {'side':5} {'qty':>10} {'entry':>12} "
          f"{'exit':>12} {'pnl':>10} {'fees':>8} {'held':>7}  entry reason -> exit reason")
    for t in trades:
        fees = "?" if t.known_fees is None else f"{t.known_fees:.2f}"
        print(f"{iso_utc(t.exit_ts_ns)[:19]} {t.strategy:14} {t.symbol:10} {t.side:5} {t.qty:>10.6g} "
              f"{t.entry_price:>12.10g} {t.exit_price:>12.10g} {t.pnl:>+10.2f} {fees:>8} "
              f"{duration_text(t.duration_s):>7}  {','.join(t.entry_reasons) or '-'} -> {t.exit_reason or '-'}")
    known = [t.known_fees for t in trades]
    fees_total = "?" if None in known else f"{sum(f or 0.0 for f in known):,.2f}"
    print(f"{len(trades)} trade(s), PnL {sum(t.pnl for t in trades):+,.2f}, fees {fees_total} (PnL is net of fees)")
    return exit_codes.OK


def run_pnl_command(args: argparse.Namespace, settings: Settings) -> int:
    directory = _wal_dir(args)
    if directory is None:
        return exit_codes.NO_STATE_DIR
    report = pnl_report(closed_trades(directory), Period(args.period), time.time_ns(),
                        settings.risk.daily_reset_offset_ns)
    views = {"day": report.by_day} if args.daily else {"strategy": report.by_strategy, "symbol": report.by_symbol}
    if args.json:
        doc: dict[str, Any] = {"period": report.period.value,
                               "since": iso_utc(report.since_ns) if report.since_ns else None}
        doc.update({name: [asdict(g) for g in groups] for name, groups in views.items()})
        doc["total"] = {"trades": report.total.trades, "pnl": report.total.pnl, "fees": report.total.fees}
        sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
        return exit_codes.OK
    since = "all time" if report.period is Period.ALL else f"{report.period.value}, since {iso_utc(report.since_ns)[:16]}Z"
    print(f"realised PnL, {since} (net of fees)\n")
    for name, groups in views.items():
        print(f"{name:14} {'trades':>6} {'win%':>5} {'pnl':>12} {'fees':>10}")
        for g in groups:
            print(_row(g))
        print()
    total = report.total
    print(f"total {total.trades} trade(s), PnL {total.pnl:+,.2f}, fees {_fees(total)}")
    return exit_codes.OK


def _row(g: PnlGroup) -> str:
    return f"{g.key:14} {g.trades:>6} {g.win_pct:>4.0f}% {g.pnl:>+12,.2f} {_fees(g):>10}"


def _fees(g: PnlGroup) -> str:
    return "?" if g.fees is None else f"{g.fees:,.2f}"
