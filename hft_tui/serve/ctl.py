"""``hft-tui ctl``: the served engine from a script or a phone over SSH.

Exit codes (also in ``hft-tui ctl --help``):
  0  done (or, for a query, answered)
  1  the engine refused the command; one line on stderr says why
  2  usage: a bad argument, or a destructive command without --yes
  9  no served engine answers on the state dir's socket (``status`` still reports the
     last heartbeat's age when there is one)
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

from hft_tui import exit_codes
from hft_tui.config.cli import parse_assignment
from hft_tui.serve.control_client import ControlClient, EngineUnreachable
from hft_tui.serve.heartbeat import read_heartbeat
from hft_tui.serve.protocol import socket_path
from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.trading.commands import (
    RESET_CONFIRMATION,
    CancelOrder,
    Command,
    CommandResult,
    Flatten,
    Kill,
    PauseStrategy,
    PlaceOrder,
    PreviewOrder,
    ResetHalt,
    ResumeStrategy,
    SetExits,
    SetStrategyParams,
)
from hft_tui.trading.notice_log import NOTICE_CAPACITY

EXIT_OK = exit_codes.OK
EXIT_REFUSED = exit_codes.FAILED
EXIT_USAGE = exit_codes.CONFIG_ERROR
EXIT_UNREACHABLE = exit_codes.NO_SERVED_ENGINE
EXIT_CODES_HELP = ("exit codes: 0 done/answered; 1 the engine refused the command; 2 usage "
                   f"(bad argument, destructive command without --yes); {EXIT_UNREACHABLE} no served engine answers")
SNAPSHOT_WAIT_S = 10.0  # how long a query waits for the engine's first snapshot
QUERIES = ("status", "positions", "orders", "pnl", "notices")
DESTRUCTIVE = {"kill": "kill cancels every order, flattens every position and HALTS trading",
               "flatten": "flatten closes positions at market",
               "reset": "reset leaves HALTED and lets the risk gate admit new entries",
               "close": "close closes the position at market, reduce-only",
               "cancel": "cancel takes the order off the book",
               "order": "that is what the order would do now (nothing sent)"}


def add_ctl_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("ctl", help="query or command the served engine (hft-tui serve)",
                                   description=__doc__.split("\n\n")[0], epilog=EXIT_CODES_HELP)
    actions = parser.add_subparsers(dest="ctl_command", metavar="ACTION", required=True)
    for name, text in (("status", "mode, trading state, heartbeat age, counts"),
                       ("positions", "open positions"), ("orders", "open orders"),
                       ("pnl", "equity and PnL"), ("notices", f"the engine's notice log: up to {NOTICE_CAPACITY}, read and unread, kept across restarts")):
        _json(actions.add_parser(name, help=text))
    kill = _json(actions.add_parser("kill", help="cancel all, flatten all, HALT (needs --yes)"))
    _yes(kill)
    flatten = _json(actions.add_parser("flatten", help="close one symbol's position, or all (needs --yes)"))
    flatten.add_argument("symbol", nargs="?", help="e.g. BTC/USDT (default: every position)")
    _yes(flatten)
    for name, verb in (("pause", "pause"), ("resume", "resume")):
        action = _json(actions.add_parser(name, help=f"{verb} one strategy, or all"))
        action.add_argument("strategy", nargs="?", help="strategy name (default: all)")
    tune = _json(actions.add_parser("tune", help="set a strategy's parameters: tune trend fast=10 slow=40"))
    tune.add_argument("strategy")
    tune.add_argument("values", nargs="+", metavar="KEY=VALUE", type=parse_assignment)
    reset = _json(actions.add_parser("reset", help="leave HALTED (needs --yes)"))
    _yes(reset)
    order = _json(actions.add_parser(
        "order", help="a manual order through the risk gate: order BTC/USDT buy 0.01 (shows what it would do; "
                      "--yes sends it)"))
    order.add_argument("symbol", help="e.g. BTC/USDT")
    order.add_argument("side", choices=("buy", "sell"))
    order.add_argument("size", type=float, help="base quantity (e.g. 0.01 BTC), or quote with --notional")
    order.add_argument("--notional", action="store_true", help="SIZE is in the quote currency, taken in whole lots")
    order.add_argument("--limit", type=float, metavar="PRICE", help="a limit order at PRICE (default: market)")
    order.add_argument("--tp", type=float, metavar="PRICE", help="take-profit (default: the [exits] setting)")
    order.add_argument("--sl", type=float, metavar="PRICE", help="stop-loss (default: the [exits] setting)")
    order.add_argument("--reduce-only", action="store_true", help="only ever shrink the position")
    _yes(order)
    close = _json(actions.add_parser("close", help="close one position, reduce-only (needs --yes)"))
    close.add_argument("symbol", help="e.g. BTC/USDT")
    _yes(close)
    cancel = _json(actions.add_parser("cancel", help="cancel one working order by id, see `ctl orders` (needs --yes)"))
    cancel.add_argument("order_id")
    _yes(cancel)
    exits = _json(actions.add_parser("exits", help="move a position's exits: exits BTC/USDT --tp 70000 --sl 64000"))
    exits.add_argument("symbol", help="e.g. BTC/USDT")
    exits.add_argument("--tp", type=_level, metavar="PRICE|none", required=True, help="take-profit, or none")
    exits.add_argument("--sl", type=_level, metavar="PRICE|none", required=True, help="stop-loss, or none")
    parser.set_defaults(handler=run_ctl)


def _json(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _yes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--yes", action="store_true", help="confirm (this is not undone by ctl)")


def _level(text: str) -> float | None:
    if text.strip().lower() == "none":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is neither a price nor none") from None


def _place_order(args: argparse.Namespace) -> PlaceOrder:
    size = {"notional": args.size} if args.notional else {"qty": args.size}
    return PlaceOrder(args.symbol, args.side, price=args.limit, reduce_only=args.reduce_only,
                      take_profit=args.tp, stop_loss=args.sl, **size)


def command_for(args: argparse.Namespace) -> Command:
    """The engine command an action stands for."""
    action = args.ctl_command
    if action == "order":
        return _place_order(args) if args.yes else PreviewOrder(_place_order(args))
    if action == "close":
        return Flatten(args.symbol)
    if action == "cancel":
        return CancelOrder(args.order_id)
    if action == "exits":
        return SetExits(args.symbol, take_profit=args.tp, stop_loss=args.sl)
    if action == "kill":
        return Kill("ctl")
    if action == "flatten":
        return Flatten(args.symbol)
    if action == "pause":
        return PauseStrategy(args.strategy)
    if action == "resume":
        return ResumeStrategy(args.strategy)
    if action == "tune":
        return SetStrategyParams(args.strategy, dict(args.values))
    return ResetHalt(RESET_CONFIRMATION)


def run_ctl(args: argparse.Namespace, state_dir: Path) -> int:
    """Carry out ``args.ctl_command`` against the engine serving ``state_dir``."""
    action = args.ctl_command
    if action in DESTRUCTIVE and not args.yes and action != "order":
        print(f"hft-tui ctl: {DESTRUCTIVE[action]}; add --yes to do it", file=sys.stderr)
        return EXIT_USAGE
    try:
        return asyncio.run(_run(args, state_dir))
    except EngineUnreachable as exc:
        return _unreachable(args, state_dir, str(exc))


async def _run(args: argparse.Namespace, state_dir: Path) -> int:
    action = args.ctl_command
    first: asyncio.Future[EngineSnapshot] = asyncio.get_running_loop().create_future()

    def keep_first(snapshot: EngineSnapshot) -> None:
        if not first.done():
            first.set_result(snapshot)

    wants_snapshot = action in ("status", "positions", "orders", "pnl")
    client = await ControlClient.connect(socket_path(state_dir), client="ctl",
                                         refresh_hz=1.0 if wants_snapshot else 0.0,
                                         on_snapshot=keep_first)
    try:
        if action == "notices":
            return _print(args, await client.notices(), _notices_text)
        if wants_snapshot:
            try:
                snapshot = await asyncio.wait_for(first, SNAPSHOT_WAIT_S)
            except TimeoutError:
                raise EngineUnreachable(f"the engine on {socket_path(state_dir)} answered but sent no "
                                        f"snapshot in {SNAPSHOT_WAIT_S:.0f} s") from None
            return _print(args, *_query(action, snapshot, client.welcome, state_dir))
        result = await client.command(command_for(args))
        if result.preview is not None:
            return _previewed(args, result)
        if result.ok or args.json:
            _print(args, {"ok": result.ok, "message": result.message}, lambda r: r["message"])
        else:
            print(f"hft-tui ctl: {result.message}", file=sys.stderr)
        return EXIT_OK if result.ok else EXIT_REFUSED
    finally:
        await client.close()


def _previewed(args: argparse.Namespace, result: CommandResult) -> int:
    """``ctl order`` without --yes: what the order would do now; nothing was sent."""
    preview = result.preview
    assert preview is not None
    _print(args, {"ok": result.ok, "message": result.message, "sent": False,
                  "preview": dataclasses.asdict(preview)}, lambda _: "\n".join(preview.lines()))
    if not result.ok:
        return EXIT_REFUSED  # the gate would refuse it: --yes would not help
    print(f"hft-tui ctl: {DESTRUCTIVE['order']}; add --yes to send it", file=sys.stderr)
    return EXIT_USAGE


def _query(action: str, snapshot: EngineSnapshot, welcome: dict[str, Any], state_dir: Path) -> tuple[Any, Any]:
    if action == "positions":
        return [dataclasses.asdict(p) for p in snapshot.positions], _positions_text
    if action == "orders":
        return [dataclasses.asdict(o) for o in snapshot.orders], _orders_text
    if action == "pnl":
        return (dataclasses.asdict(snapshot.account) if snapshot.account else {}), _pnl_text
    heartbeat = read_heartbeat(state_dir)
    engine = welcome.get("engine", {})
    status = {"mode": snapshot.mode, "exchange": snapshot.exchange, "trading_state": snapshot.trading_state,
              "trading_state_reason": snapshot.trading_state_reason, "pid": engine.get("pid"),
              "heartbeat_age_s": None if heartbeat is None else round(heartbeat.age_s, 3),
              "wal_seq": snapshot.wal_seq, "symbols": list(snapshot.symbols),
              "positions": sum(not p.dust for p in snapshot.positions), "orders": len(snapshot.orders),
              "day_pnl": snapshot.account.day_pnl if snapshot.account else None,
              "attached": engine.get("attached"), "attached_view_only": engine.get("view_only"),
              "other_clients": engine.get("other_clients"), "notice": snapshot.notice}
    return status, _status_text


def _unreachable(args: argparse.Namespace, state_dir: Path, why: str) -> int:
    heartbeat = read_heartbeat(state_dir)
    if args.ctl_command == "status" and heartbeat is not None:
        why += f"; last heartbeat {heartbeat.age_s:.1f} s ago from pid {heartbeat.pid} ({heartbeat.trading_state})"
    if getattr(args, "json", False):
        print(json.dumps({"ok": False, "error": why,
                          "heartbeat_age_s": None if heartbeat is None else round(heartbeat.age_s, 3)}))
    else:
        print(f"hft-tui ctl: {why}", file=sys.stderr)
    return EXIT_UNREACHABLE


def _print(args: argparse.Namespace, data: Any, as_text: Any) -> int:
    print(json.dumps(data, default=str) if args.json else as_text(data))
    return EXIT_OK


def _status_text(s: dict[str, Any]) -> str:
    age = "no heartbeat file" if s["heartbeat_age_s"] is None else f"heartbeat {s['heartbeat_age_s']:.1f} s ago"
    state = s["trading_state"] + (f" ({s['trading_state_reason']})" if s["trading_state_reason"] else "")
    pnl = "-" if s["day_pnl"] is None else f"{s['day_pnl']:+,.2f}"
    lines = [f"{s['mode']} on {s['exchange']} · {state} · pid {s['pid']} · {age}",
             f"symbols {', '.join(s['symbols'])} · positions {s['positions']} · orders {s['orders']} · "
             f"day PnL {pnl} · WAL seq {s['wal_seq']}",
             f"attached workstations {s['attached']} ({s['attached_view_only']} view-only) · "
             f"other clients {s['other_clients']} (this ctl not counted)"]
    if s["notice"]:
        lines.append(f"notice: {s['notice']}")
    return "\n".join(lines)


def _positions_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no open positions"
    return "\n".join(_position_line(r) for r in rows)


def _position_line(r: dict[str, Any]) -> str:
    """One position as the positions pane shows it: dust (below one lot, nothing anyone can
    trade, counted as flat) as dust with its asset, not as a long or a short."""
    if r["dust"]:
        return f"{r['symbol']:<12} {'dust':<5} {r['qty']:.3g} {r['symbol'].split('/')[0]}"
    return (f"{r['symbol']:<12} {r['side']:<5} {r['qty']:>12g} entry {r['entry_price']:>12,.2f} "
            f"mark {r['mark_price']:>12,.2f} uPnL {r['unrealized_pnl']:>+10,.2f}")


def _orders_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no open orders"
    return "\n".join(f"{r['client_id']:<16} {r['symbol']:<12} {r['side']:<4} {r['type']:<6} {r['qty']:>10g} "
                     f"filled {r['filled_qty']:>10g} price {'market' if r['price'] is None else format(r['price'], ',.2f')} "
                     f"{r['status']}" for r in rows)


def _pnl_text(a: dict[str, Any]) -> str:
    if not a:
        return "no account yet"
    return (f"equity {a['equity']:,.2f} (start {a['initial_equity']:,.2f}) · day {a['day_pnl']:+,.2f} · "
            f"realised {a['realized_pnl']:+,.2f} · unrealised {a['unrealized_pnl']:+,.2f} · fees {a['fees_paid']:,.2f}")


def _notices_text(rows: list[dict[str, Any]]) -> str:
    """The engine's notice log, oldest first: ``●`` unread, the source, a repeat's count and last time."""
    if not rows:
        return "no notices"

    def when(ts_ns: int) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts_ns / 1e9)) + "Z"

    return "\n".join(f"{' ' if r['acknowledged'] else '●'} {when(r['ts_ns'])}  [{r['source']}] {r['text']}"
                     + (f" ×{r['count']} (last {when(r['last_ts_ns'])})" if r["count"] > 1 else "")
                     for r in rows)
