"""``hft-tui trades`` and ``hft-tui pnl [--daily]``: the closed-trade history and its PnL,
read from the WAL of ``--state-dir`` (across restarts), as text or ``--json``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from typing import Any

import orjson

from hft_tui import exit_codes
from hft_tui.clock import iso_utc
from hft_tui.trading.trade_history import closed_trades, pnl_by, utc_day
from hft_tui.wal.segments import wal_directory


def add_trades_parsers(subparsers: Any) -> None:
    trades = subparsers.add_parser("trades", help="closed trades from the WAL (every session)",
                                   description="Closed trades from the WAL, oldest first.")
    trades.add_argument("--symbol", default=argparse.SUPPRESS, help="only this symbol")
    trades.add_argument("--strategy", help="only this strategy (operator: trades placed by hand)")
    trades.add_argument("--json", action="store_true", help="one JSON document")
    trades.set_defaults(handler=run_trades_command)
    pnl = subparsers.add_parser("pnl", help="realised PnL from the WAL, per strategy and symbol",
                                description="Realised PnL of closed trades, per strategy and per symbol.")
    pnl.add_argument("--daily", action="store_true", help="per UTC day instead")
    pnl.add_argument("--json", action="store_true", help="one JSON document")
    pnl.set_defaults(handler=run_pnl_command)


def _wal_dir(args: argparse.Namespace) -> Any:
    directory = wal_directory(args.state_dir)
    if not directory.is_dir():
        print(f"hft-tui {args.command}: no WAL in {args.state_dir} (check --state-dir)", file=sys.stderr)
        return None
    return directory


def run_trades_command(args: argparse.Namespace) -> int:
    directory = _wal_dir(args)
    if directory is None:
        return exit_codes.NO_STATE_DIR
    symbol = getattr(args, "symbol", None)
    symbol = symbol.split(",")[0] if isinstance(symbol, str) else None
    trades = closed_trades(directory, symbol=symbol, strategy=args.strategy)
    if args.json:
        sys.stdout.buffer.write(orjson.dumps([asdict(t) for t in trades], option=orjson.OPT_INDENT_2) + b"\n")
        return exit_codes.OK
    print(f"{'closed (UTC)':19} {'strategy':14} {'symbol':10} {'side':5} {'qty':>10} {'entry':>12} "
          f"{'exit':>12} {'pnl':>10} {'held':>8}  exit reason")
    for t in trades:
        print(f"{iso_utc(t.exit_ts_ns)[:19]} {t.strategy:14} {t.symbol:10} {t.side:5} {t.qty:>10.6g} "
              f"{t.entry_price:>12.10g} {t.exit_price:>12.10g} {t.pnl:>+10.2f} {t.duration_s:>7.0f}s  {t.exit_reason}")
    print(f"{len(trades)} trade(s), PnL {sum(t.pnl for t in trades):+,.2f}")
    return exit_codes.OK


def run_pnl_command(args: argparse.Namespace) -> int:
    directory = _wal_dir(args)
    if directory is None:
        return exit_codes.NO_STATE_DIR
    trades = closed_trades(directory)
    views = {"day": pnl_by(trades, utc_day)} if args.daily else {
        "strategy": pnl_by(trades, lambda t: t.strategy), "symbol": pnl_by(trades, lambda t: t.symbol)}
    if args.json:
        doc = {name: [asdict(g) for g in groups] for name, groups in views.items()}
        doc["total"] = {"trades": len(trades), "pnl": sum(t.pnl for t in trades)}
        sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
        return exit_codes.OK
    for name, groups in views.items():
        print(f"{name:14} {'trades':>6} {'win%':>5} {'pnl':>12}")
        for g in groups:
            print(f"{g.key:14} {g.trades:>6} {100 * g.wins / g.trades:>4.0f}% {g.pnl:>+12,.2f}")
        print()
    print(f"total {len(trades)} trade(s), PnL {sum(t.pnl for t in trades):+,.2f}")
    return exit_codes.OK
