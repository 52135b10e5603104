"""``hft-tui backtest list|show|compare|keep|delete``: the saved runs of the state dir, and saving one.

Every backtest, sweep, per-symbol batch and study saves its result (``saved_runs``), and the
oldest beyond ``backtest.keep_runs`` go; these commands list them, print one again as it was
printed, put the headline figures of several side by side, keep one from pruning, delete one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from hft_tui import exit_codes
from hft_tui.backtest.result_table import ResultTable, fmt_figure
from hft_tui.backtest.saved_results import FIGURE_NAMES
from hft_tui.backtest.saved_runs import RunStore, SavedRun, UnknownRun, command_line
from hft_tui.config.paths import AppPaths
from hft_tui.config.settings import Settings


def add_saved_run_parsers(backtest: argparse.ArgumentParser) -> None:
    """``list``, ``show ID``, ``compare ID ID...``, ``keep ID...`` and ``delete ID...`` under ``backtest``."""
    commands = backtest.add_subparsers(dest="saved_command", metavar="{list,show,compare,keep,delete}",
                                       title="saved runs (every backtest, sweep and study is saved in the state dir)")
    listing = commands.add_parser("list", help="the saved runs, newest last",
                                  description="The saved backtests, sweeps, batches and studies, newest last.")
    listing.add_argument("--last", type=int, default=20, metavar="N", help="how many (default %(default)s)")
    listing.set_defaults(handler=run_saved_run_command)
    show = commands.add_parser("show", help="print a saved run again",
                               description="Print a saved run as it was printed when it ran.")
    show.add_argument("run_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="the saved run as JSON")
    show.set_defaults(handler=run_saved_run_command)
    compare = commands.add_parser("compare", help="headline figures of saved runs side by side",
                                  description="The headline figures of two or more saved runs side by side.")
    compare.add_argument("run_ids", nargs="+", metavar="ID")
    compare.set_defaults(handler=run_saved_run_command)
    keep = commands.add_parser("keep", help="keep saved runs from being pruned",
                               description="Saving a run removes the oldest beyond backtest.keep_runs "
                                           "(default 200); a kept run is never removed that way.")
    keep.add_argument("run_ids", nargs="+", metavar="ID")
    keep.add_argument("--undo", action="store_true", help="let these runs be pruned again")
    keep.set_defaults(handler=run_saved_run_command)
    delete = commands.add_parser("delete", help="remove saved runs", description="Remove saved runs, kept or not.")
    delete.add_argument("run_ids", nargs="+", metavar="ID")
    delete.set_defaults(handler=run_saved_run_command)


def run_store(args: argparse.Namespace, settings: Settings) -> RunStore:
    """The saved runs of ``--state-dir`` (else the settings' state dir)."""
    return RunStore(AppPaths.resolve(settings, getattr(args, "state_dir", None)).state_dir)


def save_run(args: argparse.Namespace, settings: Settings, kind: str, title: str,
             figures: Sequence[Mapping[str, Any]], body: Mapping[str, Any], console: Console, *,
             interrupted: bool = False) -> int | None:
    """Save a finished (or interrupted) result, prune the oldest beyond ``backtest.keep_runs``
    and say so; a state dir that cannot take it is a warning, never a failed run."""
    store = run_store(args, settings)
    try:
        run_id = store.save(kind, title, figures, body, command=command_line(getattr(args, "argv", None)),
                            interrupted=interrupted)
        removed = store.prune(settings.backtest.keep_runs)
    except OSError as exc:
        console.print(f"[yellow]not saved:[/] {store.root}: {exc.strerror or exc}")
        return None
    pruned = ""
    if removed:
        which = f"run {removed[0]}" if len(removed) == 1 else f"{len(removed)} runs ({removed[0]}-{removed[-1]})"
        pruned = f"; removed the oldest, {which} (backtest.keep_runs = {settings.backtest.keep_runs})"
    console.print(f"[dim]saved as run {run_id}: hft-tui backtest show {run_id}{pruned}[/]")
    return run_id


def run_saved_run_command(args: argparse.Namespace) -> int:
    """``backtest list``, ``backtest show ID``, ``backtest compare ID ID...``."""
    from hft_tui.backtest.data_options import load_run_settings

    settings = load_run_settings(args)
    if settings is None:
        return exit_codes.CONFIG_ERROR
    store = run_store(args, settings)
    state_dir = store.root.parent
    if not state_dir.is_dir():
        print(f"hft-tui backtest {args.saved_command}: no state dir {state_dir} (check --state-dir)", file=sys.stderr)
        return exit_codes.NO_STATE_DIR
    console = Console()
    try:
        if args.saved_command == "list":
            return _list(store, args.last, console)
        if args.saved_command == "show":
            return _show(store.load(args.run_id), store, args.json, console)
        if args.saved_command in ("keep", "delete"):
            ids = [store.load(i).id for i in args.run_ids]  # every id checked before any is touched
            if args.saved_command == "delete":
                console.print(f"deleted {_runs([store.delete(i) for i in ids])}")
            else:
                changed = [store.keep(i, kept=not args.undo) for i in ids]
                console.print(f"{_runs(changed)} {'may be pruned again' if args.undo else 'kept: never pruned'}")
            return exit_codes.OK
        return _compare([store.load(i) for i in args.run_ids], console)
    except UnknownRun as exc:
        print(f"hft-tui backtest: {exc}", file=sys.stderr)
        return exit_codes.CONFIG_ERROR


def _list(store: RunStore, last: int, console: Console) -> int:
    ids = store.ids()
    if not ids:
        console.print(f"no saved runs in {store.root} yet: every backtest, sweep and study saves its result")
        return exit_codes.OK
    table = Table(title=f"saved runs in {store.root}", title_justify="left")
    for name in ("id", "saved (UTC)", "kind", "what", "return %", "Sharpe", "trades"):
        table.add_column(name, justify="right" if name in ("id", "return %", "Sharpe", "trades") else "left")
    shown = ids[-last:] if last > 0 else ids
    for run_id in shown:
        try:
            run = store.load(run_id)
        except UnknownRun:
            continue  # removed since it was listed
        first = run.figures[0] if run.figures else {}
        what = run.title + (f" · {first['label']}" if first.get("label") else "")
        table.add_row(str(run.id), run.created[:16].replace("T", " "),
                      run.kind + (" (interrupted)" if run.interrupted else "") + (" (kept)" if run.kept else ""),
                      what,
                      fmt_figure(first.get("return")), fmt_figure(first.get("sharpe")),
                      _count(first.get("trades")))
    console.print(table)
    if len(shown) < len(ids):
        older = len(ids) - len(shown)
        console.print(f"[dim]{older} older run{'s' if older > 1 else ''}: --last N[/]")
    return exit_codes.OK


def _show(run: SavedRun, store: RunStore, as_json: bool, console: Console) -> int:
    if as_json:
        sys.stdout.buffer.write((store.root / f"{run.id}.json").read_bytes())
        return exit_codes.OK
    from hft_tui.backtest.report import BacktestReport
    from hft_tui.backtest.report_render import render_report
    from hft_tui.backtest.saved_results import curve_from_doc, prices_from_doc, trades_from_doc

    console.print(f"[bold]run {run.id}[/] · {run.kind}{' (interrupted)' if run.interrupted else ''} · "
                  f"saved {run.created} · {run.title}")
    console.print(f"[dim]{run.command}[/]")
    for window in run.body.get("windows", ()):
        render_report(BacktestReport.from_dict(window["report"]), curve_from_doc(window["curve"]), console,
                      prices=prices_from_doc(window.get("prices", {})), trades=trades_from_doc(window.get("trades", [])))
    if "table" in run.body:
        ResultTable.from_dict(run.body["table"]).render(console)
    return exit_codes.OK


def _compare(runs: list[SavedRun], console: Console) -> int:
    if len(runs) < 2:
        print("hft-tui backtest: compare needs two or more run ids (hft-tui backtest list)", file=sys.stderr)
        return exit_codes.CONFIG_ERROR
    columns = [(run, row) for run in runs for row in run.figures]
    table = Table(title="saved runs side by side", title_justify="left")
    table.add_column("")
    for run, row in columns:
        table.add_column(f"run {run.id} · {run.kind}\n{row.get('label', '')}", justify="right")
    table.add_row("what", *(run.title for run, _ in columns), style="dim")
    for key, name in FIGURE_NAMES.items():
        if any(key in row for _, row in columns):
            table.add_row(name, *(_count(row.get(key)) if key == "trades" else fmt_figure(row.get(key))
                                  for _, row in columns))
    console.print(table)
    windows = [(run, window["report"]) for run in runs for window in run.body.get("windows", ())]
    if len(windows) > 1:
        for lined_up in (_lined_up("net PnL per symbol (trades)", "symbol", windows, _per_symbol),
                         _lined_up("net PnL per period, UTC by exit (trades)", "period", windows,
                                   _per_period(windows))):
            if lined_up.row_count:
                console.print(lined_up)
    for run in runs:
        console.print(f"[dim]run {run.id}: {run.command}[/]")
    return exit_codes.OK


Rows = Callable[[Mapping[str, Any]], dict[str, tuple[float, int]]]


def _lined_up(title: str, first: str, windows: Sequence[tuple[SavedRun, Mapping[str, Any]]], rows_of: Rows) -> Table:
    """A saved backtest window per column, a symbol or period per row: net PnL and trades, "-" where a
    window had none."""
    columns = [rows_of(report) for _, report in windows]
    table = Table(title=title, title_justify="left")
    table.add_column(first)
    for run, report in windows:
        table.add_column(f"run {run.id}\n{report['label']}", justify="right")
    for key in sorted({key for rows in columns for key in rows}):
        table.add_row(key, *(f"{rows[key][0]:,.2f} ({rows[key][1]:,})" if key in rows else "-" for rows in columns))
    return table


def _per_symbol(report: Mapping[str, Any]) -> dict[str, tuple[float, int]]:
    return {symbol: (stats["net_pnl"], stats["trades"]) for symbol, stats in report["symbols"].items()}


def _per_period(windows: Sequence[tuple[SavedRun, Mapping[str, Any]]]) -> Rows:
    """Periods as the reports cut them (UTC days, months over 62 days); when any window is cut in
    months, the others' days are added up into months so that the rows line up."""
    width = min((len(key) for _, report in windows for key in report["periods"]), default=10)

    def rows(report: Mapping[str, Any]) -> dict[str, tuple[float, int]]:
        out: dict[str, tuple[float, int]] = {}
        for period, stats in report["periods"].items():
            pnl, trades = out.get(period[:width], (0.0, 0))
            out[period[:width]] = (pnl + stats["net_pnl"], trades + stats["trades"])
        return out

    return rows


def _runs(ids: list[int]) -> str:
    return f"run {ids[0]}" if len(ids) == 1 else "runs " + ", ".join(str(i) for i in ids)


def _count(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"
