"""``hft-tui download``, ``hft-tui record`` and ``hft-tui backtest``.

The top-level parser supplies ``--config`` and its run flags; the handlers here load the
settings themselves (defaults < --config < flags) and return the process exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from hft_tui import exit_codes
from hft_tui.backtest.data_options import (
    DataOptionError,
    add_data_arguments,
    data_dir_of,
    load_run_settings,
    parse_utc,
    resolve_data,
    source_given,
)
from hft_tui.backtest.executor_options import add_executor_arguments
from hft_tui.backtest.result_table import ResultTable, fmt_figure
from hft_tui.backtest.saved_runs_cli import add_saved_run_parsers, save_run
from hft_tui.config.cli import overrides_from_args
from hft_tui.config.loader import ConfigError
from hft_tui.config.settings import Settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG_ERROR = 2


def add_backtest_parsers(subparsers: Any) -> None:
    """Add ``download``, ``record`` and ``backtest`` to the top-level ``subparsers``."""
    suppress = argparse.SUPPRESS

    download = subparsers.add_parser(
        "download", help="download historical candles through ccxt into the data dir",
        description="Download OHLCV candles (paginated, rate limited, resumable: only missing "
                    "bars are fetched) into <data_dir>/candles as Parquet.")
    download.add_argument("--exchange", default=suppress, metavar="ID", help="ccxt exchange id")
    download.add_argument("--symbols", default=suppress, metavar="SYM,SYM", help="symbols to download")
    download.add_argument("--timeframe", default="1m", help="candle timeframe (default %(default)s)")
    download.add_argument("--from", dest="date_from", required=True, type=parse_utc,
                          metavar="DATE", help="first bar, UTC (2024-01-01 or 2024-01-01T12:00)")
    download.add_argument("--to", dest="date_to", type=parse_utc, metavar="DATE",
                          help="end of the range, exclusive (default: now)")
    download.add_argument("--data-dir", type=Path, metavar="DIR", help="override the data directory")
    download.add_argument("--page-limit", type=int, metavar="N", help="bars per request (default: the exchange's maximum)")
    download.add_argument("--trades", action="store_true",
                          help="download public trades into <data_dir>/trades instead of candles")
    download.set_defaults(handler=run_download_command)

    record = subparsers.add_parser(
        "record", help="record a session's books and trades for replay",
        description="Record book snapshots, trades, liquidations and feed states to a session "
                    "directory that `backtest --recording` replays event for event.")
    record.add_argument("--duration", type=float, required=True, metavar="SECONDS",
                        help="simulated seconds (sim) or wall-clock seconds (--from-exchange)")
    record.add_argument("--out", type=Path, required=True, metavar="DIR", help="new session directory")
    record.add_argument("--seed", type=int, default=suppress, help="simulator seed")
    record.add_argument("--symbols", default=suppress, metavar="SYM,SYM", help="symbols to record")
    # Not --live: the top-level --live confirms real orders; recording never places any.
    record.add_argument("--from-exchange", action="store_true",
                        help="record the configured ccxt exchange's public feed instead of the simulator")
    record.add_argument("--exchange", default=suppress, metavar="ID", help="ccxt exchange id (with --from-exchange)")
    record.set_defaults(handler=run_record_command)

    backtest = subparsers.add_parser(
        "backtest", help="run the strategies over candles, a recording or the simulator",
        description="Backtest the live trading core on a simulated clock and print the report; the result "
                    "is saved in the state dir, the newest backtest.keep_runs of them (list, show ID, compare "
                    "ID ID... print saved runs again; keep ID spares one from pruning, delete ID removes one).")
    add_data_arguments(backtest, source_required=False)
    windows = backtest.add_mutually_exclusive_group()
    windows.add_argument("--split", type=float, metavar="FRACTION",
                         help="in-sample share of the range, e.g. 0.7; the rest is out-of-sample")
    windows.add_argument("--walk-forward", type=int, metavar="N", help="N consecutive windows, each run fresh")
    backtest.add_argument("--sweep", action="append", default=[], metavar="KEY=V1,V2,...",
                          help="sweep a setting over values (repeat for a grid); runs in parallel")
    backtest.add_argument("--metric", default="sharpe", help="sweep ranking metric (default %(default)s)")
    backtest.add_argument("--per-symbol", action="store_true",
                          help="with --candles and several --symbols: one backtest per symbol, run in parallel "
                               "like a sweep, and a table with a row per symbol")
    add_executor_arguments(backtest)
    backtest.add_argument("--out", type=Path, metavar="DIR", help="write report JSON/CSV (and PNG) here")
    backtest.add_argument("--wal-dir", type=Path, metavar="DIR", help="keep the run's WAL here (empty dir)")
    backtest.add_argument("--json", action="store_true", help="print the report JSON instead of tables")
    backtest.set_defaults(handler=run_backtest_command)
    add_saved_run_parsers(backtest)


# --- download ---------------------------------------------------------------------------------


def run_download_command(args: argparse.Namespace) -> int:
    """``hft-tui download``: fetch what is missing, report what could not be filled."""
    settings = load_run_settings(args)
    if settings is None:
        return EXIT_CONFIG_ERROR
    from hft_tui.market.ccxt_exchange import ccxt_errors
    from hft_tui.market.ccxt_markets import UnknownSymbolError

    errors = ccxt_errors()
    exchange_id = settings.exchange.id
    try:
        return asyncio.run(_download(args, settings))
    except KeyboardInterrupt:
        print("\nhft-tui download: interrupted; every complete page is stored, and the same command "
              "resumes from there", file=sys.stderr)
        return exit_codes.INTERRUPTED
    except (UnknownSymbolError, errors.BadSymbol) as exc:
        print(f"hft-tui download: {one_line(exc)}", file=sys.stderr)
        return exit_codes.UNKNOWN_SYMBOL
    except errors.NetworkError as exc:
        print(f"hft-tui download: cannot reach {exchange_id}: {one_line(exc)}", file=sys.stderr)
        return exit_codes.EXCHANGE_UNREACHABLE
    except errors.BaseError as exc:
        print(f"hft-tui download: {exchange_id} refused: {one_line(exc)}", file=sys.stderr)
        return EXIT_FAILED


def one_line(exc: BaseException, limit: int = 240) -> str:
    """An exception as one line of at most ``limit`` characters (ccxt's carry whole responses)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[:limit - 1] + "…"


async def _download(args: argparse.Namespace, settings: Settings) -> int:
    from hft_tui.data.candle_store import CandleStore
    from hft_tui.data.download import download_candles
    from hft_tui.market.ccxt_exchange import create_exchange

    console = Console(stderr=True)
    store = CandleStore(data_dir_of(args, settings))
    cfg = settings.exchange
    exchange = create_exchange(cfg.id, market_type=cfg.market_type, sandbox=cfg.sandbox,
                               ccxt_config=cfg.ccxt, streaming=False)
    end_ns = args.date_to if args.date_to is not None else exchange.milliseconds() * 1_000_000
    if args.trades:
        try:
            return await _download_trades(args, settings, exchange, args.date_from // 1_000_000,
                                          end_ns // 1_000_000, console)
        finally:
            await exchange.close()
    incomplete = False
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("bars"), TimeRemainingColumn(), console=console) as progress:
            for symbol in settings.engine.symbols:
                task = progress.add_task(f"{cfg.id} {symbol} {args.timeframe}", total=None)

                def on_progress(done: int, total: int, task: Any = task) -> None:
                    progress.update(task, completed=done, total=total)

                result = await download_candles(
                    exchange, store, cfg.id, symbol, args.timeframe,
                    args.date_from // 1_000_000, end_ns // 1_000_000,
                    page_limit=args.page_limit, on_progress=on_progress)
                progress.console.print(
                    f"{symbol}: {result.stored_bars:,} of {result.wanted_bars:,} bars stored "
                    f"({result.fetched_bars:,} fetched in {result.requests} requests, "
                    f"{result.duplicates} duplicates and {result.invalid + result.misaligned} bad bars dropped) "
                    f"-> {result.path}")
                for gap in result.gaps[:20]:
                    progress.console.print(
                        f"  [yellow]gap[/]: {gap.bars:,} bars missing from "
                        f"{_iso_ms(gap.start_ms)} to {_iso_ms(gap.end_ms)} (the exchange has none)")
                if len(result.gaps) > 20:
                    progress.console.print(f"  [yellow]... {len(result.gaps) - 20} more gaps[/]")
                incomplete |= not result.complete
    finally:
        await exchange.close()
    return EXIT_FAILED if incomplete else EXIT_OK


async def _download_trades(args: argparse.Namespace, settings: Settings, exchange: Any,
                           start_ms: int, end_ms: int, console: Console) -> int:
    """``hft-tui download --trades``: each symbol's public trades over the range."""
    from hft_tui.data.trade_download import download_trades

    cfg = settings.exchange
    data_dir = data_dir_of(args, settings)
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.percentage:>3.0f}% of the range"), TimeRemainingColumn(),
                  console=console) as progress:
        for symbol in settings.engine.symbols:
            task = progress.add_task(f"{cfg.id} {symbol} trades", total=None)

            def on_progress(done_ms: int, total_ms: int, task: Any = task) -> None:
                progress.update(task, completed=done_ms, total=total_ms)

            result = await download_trades(exchange, data_dir, cfg.id, symbol, start_ms, end_ms,
                                           page_limit=args.page_limit, on_progress=on_progress)
            if not result.supported:
                progress.console.print(f"[yellow]{result.message}[/]")
                return EXIT_FAILED
            progress.console.print(
                f"{symbol}: {result.stored_trades:,} trades stored in range "
                f"({result.fetched_trades:,} fetched in {result.requests} requests, "
                f"{result.duplicates} duplicates and {result.invalid} bad trades dropped) -> {result.path}")
    return EXIT_OK


def _iso_ms(ts_ms: int) -> str:
    from hft_tui.clock import iso_utc

    return iso_utc(ts_ms * 1_000_000)[:19] + "Z"


# --- record -------------------------------------------------------------------------------------


def run_record_command(args: argparse.Namespace) -> int:
    """``hft-tui record``: a simulated session (default) or the live ccxt feed, to ``--out``."""
    settings = load_run_settings(args)
    if settings is None:
        return EXIT_CONFIG_ERROR
    from hft_tui.data.capture import record_live, record_simulation

    from hft_tui.backtest.recording_progress import RecordingProgress

    console = Console(stderr=True)
    try:
        if not args.from_exchange:
            with RecordingProgress("recording the simulator", args.duration, wall=False) as progress:
                meta = record_simulation(settings, args.out, args.duration, on_progress=progress)
        else:
            with RecordingProgress(f"recording {settings.exchange.id}", args.duration, wall=True) as progress:
                meta = asyncio.run(_record_live(settings, args, record_live, progress))
    except FileExistsError as exc:
        print(f"hft-tui record: {exc}; give --out a new directory", file=sys.stderr)
        return exit_codes.OUTPUT_EXISTS
    counts = ", ".join(f"{v:,} {k}" for k, v in meta.counts.items() if v)
    console.print(f"recorded {counts} to {args.out}")
    return EXIT_OK


async def _record_live(settings: Settings, args: argparse.Namespace, record_live: Any, progress: Any) -> Any:
    from hft_tui.clock import WallClock
    from hft_tui.data.recording import RecordingMeta
    from hft_tui.market.sources.ccxt import CcxtSource

    clock = WallClock()
    # Public market data only: no credentials are needed or read.
    source = CcxtSource.from_settings(settings.exchange, settings.engine.symbols, clock=clock)
    rules = await source.load_rules()
    meta = RecordingMeta(source=settings.exchange.id, symbols=tuple(settings.engine.symbols), rules=rules)
    return await record_live(source, meta, args.out, args.duration, clock=clock, on_progress=progress)


# --- backtest -----------------------------------------------------------------------------------


def run_backtest_command(args: argparse.Namespace) -> int:
    """``hft-tui backtest``: one run, split/walk-forward runs, or a parameter sweep."""
    from hft_tui.backtest.progress import WindowProgress
    from hft_tui.backtest.report import report_json
    from hft_tui.backtest.report_render import export_report, render_report
    from hft_tui.backtest.runner import DataError, run_backtest, split_windows
    from hft_tui.backtest.saved_results import backtest_record
    from hft_tui.backtest.vectorised_candles import fast_path_blocker

    if not source_given(args):
        print("hft-tui backtest: give the data (--candles, --recording DIR or --sim SECONDS), or list, "
              "show ID, compare ID ID..., keep ID..., delete ID... for saved runs", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    try:
        data = resolve_data(args, varied=(item.partition("=")[0].strip() for item in args.sweep or ()))
    except DataOptionError as exc:
        if exc.message:
            print(f"hft-tui: {exc.message}", file=sys.stderr)
        return exc.exit_code
    spec, settings, extra = data.spec, data.settings, data.extra
    try:
        windows = split_windows(data.start_ns, data.end_ns, args.split, args.walk_forward)
    except ValueError as exc:
        print(f"hft-tui: {exc}", file=sys.stderr)
        return EXIT_FAILED
    console = Console()
    if args.sweep and args.per_symbol:
        print("hft-tui: --per-symbol and --sweep do not combine; run a sweep per symbol", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    if args.sweep:
        return _sweep(args, spec, windows, settings, {**overrides_from_args(args), **extra}, console)
    if args.per_symbol:
        return _per_symbol(args, spec, windows, settings, console)
    if args.ray is not None:
        print("hft-tui: --ray runs sweeps and --per-symbol batches; a single backtest runs here", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    finished: list[Any] = []

    def save(interrupted: bool = False) -> None:
        if finished:
            figures, body = backtest_record(finished)
            save_run(args, settings, "backtest", spec.describe(settings), figures, body, Console(stderr=True),
                     interrupted=interrupted)

    for i, window in enumerate(windows):
        wal_dir = args.wal_dir / window.label.replace(" ", "-") if args.wal_dir and len(windows) > 1 else args.wal_dir
        try:
            with WindowProgress(window.label, window.start_ts_ns, window.end_ts_ns) as progress:
                run = run_backtest(settings, spec, window, wal_dir=wal_dir, vectorised=args.vectorised,
                                   progress=progress)
        except (DataError, FileExistsError) as exc:
            print(f"hft-tui: {exc}", file=sys.stderr)
            return EXIT_FAILED
        except KeyboardInterrupt:
            done = f"; the {i} window(s) before it are reported above" if i else ""
            print(f"\nhft-tui backtest: interrupted during {window.label}{done}", file=sys.stderr)
            save(interrupted=True)
            return exit_codes.INTERRUPTED
        finished.append(run)
        if args.json:
            sys.stdout.buffer.write(report_json(run.report))
        else:
            render_report(run.report, run.curve, console, prices=run.prices, trades=run.trades)  # type: ignore[arg-type]
            console.print(f"[dim]{run.report.events:,} events in {run.wall_s:.2f} s "
                          f"({run.events_per_s:,.0f} events/s)[/]")
            if args.candles and not args.vectorised and fast_path_blocker(settings) is None:
                console.print("[dim]every enabled strategy reads candles only: --vectorised runs this "
                              "much faster (the DRB guard then sees only the decided bars; see README)[/]")
        if args.out is not None:
            stem = "report" if len(windows) == 1 else f"report-{window.label.replace(' ', '-')}"
            paths = export_report(run.report, run.curve, run.trades, args.out, stem)  # type: ignore[arg-type]
            if not args.json:
                console.print(f"[dim]wrote {', '.join(str(p) for p in paths)}[/]")
    save()
    return EXIT_OK


def _sweep(args: argparse.Namespace, spec: Any, windows: list[Any], settings: Settings,
           overrides: dict[str, Any], console: Console) -> int:
    from hft_tui.backtest.executor import ExecutorUnavailable
    from hft_tui.backtest.executor_options import executor_from_args
    from hft_tui.backtest.saved_results import table_body
    from hft_tui.backtest.runs_progress import BestSoFar, RunsProgress
    from hft_tui.backtest.sweep import METRICS, expand_grid, metric_value, parse_grid, run_sweep
    from hft_tui.backtest.sweep_effects import keys_without_effect

    if args.metric not in METRICS:
        print(f"hft-tui: unknown metric {args.metric!r}; choose from {', '.join(METRICS)}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    if len(windows) > 2:
        print("hft-tui: --sweep takes --split (in-sample/out-of-sample), not --walk-forward", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    try:
        grid = parse_grid(args.sweep)
        executor = executor_from_args(args, spec)
    except (ValueError, ExecutorUnavailable) as exc:
        print(f"hft-tui: {exc}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    best = BestSoFar(args.metric, METRICS[args.metric][1])

    def on_done(done: int, total: int, row: Any) -> None:
        best.offer(metric_value(row.in_sample, args.metric))
        progress.advance(done, best.text)

    try:
        with RunsProgress("sweep", "combinations", len(expand_grid(grid)),
                          plain="sweep: {done}/{total} {unit} done{best}") as progress:
            result = run_sweep(getattr(args, "config", None), overrides, grid, spec, windows[0],
                               windows[1] if len(windows) > 1 else None, executor, metric=args.metric,
                               vectorised=args.vectorised, on_done=on_done)
    except (ValueError, ConfigError) as exc:
        print(f"hft-tui: {exc}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    finally:
        executor.close()
    without_effect = keys_without_effect(grid, result.rows)
    table = _sweep_table(grid, result, without_effect)
    table.render(console)
    if args.out is not None:
        import orjson

        args.out.mkdir(parents=True, exist_ok=True)
        doc = [{"params": r.params, "in_sample": r.in_sample.to_dict(),
                "out_of_sample": r.out_of_sample.to_dict() if r.out_of_sample else None} for r in result.rows]
        path = args.out / "sweep.json"
        path.write_bytes(orjson.dumps({"metric": result.metric, "rows": doc, "warnings": result.warnings,
                                       "without_effect": without_effect},
                                      option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n")
        console.print(f"[dim]wrote {path}[/]")
    save_run(args, settings, "sweep", f"sweep of {', '.join(grid)} over {spec.describe(settings)}",
             _best_row_figures(result), table_body(table), Console(stderr=True), interrupted=result.interrupted)
    if result.interrupted:
        print(f"hft-tui sweep: interrupted; {len(result.rows)} of {result.combinations} combinations had "
              "finished and are shown (and written with --out)", file=sys.stderr)
        return exit_codes.INTERRUPTED
    return EXIT_OK


def _sweep_table(grid: dict[str, list[Any]], result: Any, without_effect: list[str]) -> ResultTable:
    """The sweep's rows ranked, keys without effect merged, its notes and warnings."""
    from hft_tui.backtest.sweep import metric_value
    from hft_tui.backtest.sweep_effects import merge_rows

    columns = [key.rsplit(".", 1)[-1] for key in grid] + [
        "IS " + result.metric, "OOS " + result.metric, "IS return %", "OOS return %", "IS trades", "OOS trades",
        "IS max DD %"]
    rows = []
    for shown in merge_rows(grid, result.rows, without_effect):
        row = shown.row
        oos = row.out_of_sample
        rows.append([
            *(shown.shown[k] for k in grid),
            fmt_figure(metric_value(row.in_sample, result.metric)),
            fmt_figure(metric_value(oos, result.metric)) if oos else "-",
            fmt_figure(row.in_sample.returns.total_return_pct),
            fmt_figure(oos.returns.total_return_pct) if oos else "-",
            str(row.in_sample.trades.trades), str(oos.trades.trades) if oos else "-",
            fmt_figure(row.in_sample.returns.max_drawdown_pct),
        ])
    notes = [f"[bold yellow]no effect:[/] {key}: every value gave the same run (same trades, same equity); its "
             "rows are shown once, its values joined" for key in without_effect]
    notes += [f"[bold yellow]warning:[/] {warning}" for warning in result.warnings]
    return ResultTable(f"sweep ranked by in-sample {result.metric}", columns, rows, notes=notes)


def _best_row_figures(result: Any) -> list[dict[str, Any]]:
    """The saved figures of a sweep: its best row in sample, and out of sample when split."""
    from hft_tui.backtest.saved_results import figures_row, headline

    if not result.rows:
        return []
    best = result.rows[0]
    params = ", ".join(f"{k.rsplit('.', 1)[-1]}={v}" for k, v in best.params.items())
    figures = [figures_row(f"best in sample ({params})", headline(best.in_sample))]
    if best.out_of_sample is not None:
        figures.append(figures_row("its out-of-sample", headline(best.out_of_sample)))
    return figures


def _per_symbol(args: argparse.Namespace, spec: Any, windows: list[Any], settings: Settings,
                console: Console) -> int:
    """``--per-symbol``: one backtest per symbol (per window) on the chosen executor."""
    from hft_tui.backtest.executor import ExecutorUnavailable
    from hft_tui.backtest.executor_options import executor_from_args
    from hft_tui.backtest.runs_progress import BestSoFar, RunsProgress
    from hft_tui.backtest.symbol_batch import run_symbol_batch

    if spec.kind != "candles":
        print("hft-tui: --per-symbol applies to candle backtests (--candles) only", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    try:
        executor = executor_from_args(args, spec)
    except (ValueError, ExecutorUnavailable) as exc:
        print(f"hft-tui: {exc}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    best = BestSoFar("return", True)

    def on_done(finished: int, symbol: str, reports: list[Any]) -> None:
        best.offer(reports[0].returns.total_return_pct, symbol)
        progress.advance(finished, best.text)

    try:
        with RunsProgress("per-symbol", "symbols", len(spec.symbols),
                          plain="per-symbol: {done}/{total} {unit} done{best}") as progress:
            batch = run_symbol_batch(settings, spec, windows, executor, vectorised=args.vectorised, on_done=on_done)
    finally:
        executor.close()
    from hft_tui.backtest.saved_results import figures_row, headline, table_body

    rows, figures = [], []
    for symbol, reports in batch.reports.items():
        for report in reports:
            r, t = report.returns, report.trades
            rows.append([symbol, report.label, fmt_figure(r.total_return_pct), fmt_figure(r.sharpe), str(t.trades),
                         fmt_figure(t.win_rate_pct), fmt_figure(r.max_drawdown_pct)])
            figures.append(figures_row(f"{symbol} {report.label}", headline(report)))
    table = ResultTable(f"{len(batch.reports)} of {len(spec.symbols)} symbols, each its own backtest",
                        ["symbol", "window", "return %", "sharpe", "trades", "win rate %", "max DD %"], rows,
                        text_columns=[0, 1])
    if args.json:
        import orjson

        doc = {symbol: [r.to_dict() for r in reports] for symbol, reports in batch.reports.items()}
        sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        table.render(console)
    save_run(args, settings, "per-symbol", f"per symbol over {spec.describe(settings)}", figures, table_body(table),
             Console(stderr=True), interrupted=batch.interrupted)
    if batch.interrupted:
        print(f"hft-tui backtest: interrupted; {len(batch.reports)} of {len(spec.symbols)} symbols had finished "
              "and are shown", file=sys.stderr)
        return exit_codes.INTERRUPTED
    return EXIT_OK
