"""Showing and exporting a backtest report: rich tables, the terminal plots (equity and
drawdown, each symbol's price with the entries and exits), JSON and CSV files, and a PNG when
matplotlib is installed."""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hft_tui.backtest.report import BacktestReport, EquityCurve, TradeStats, report_json
from hft_tui.backtest.terminal_plots import MarkedTrade, equity_plot, price_plots
from hft_tui.clock import iso_utc
from hft_tui.model import ClosedTrade

def _num(value: float | None, digits: int = 2, suffix: str = "") -> str:
    if value is None:
        return "-"
    if math.isinf(value):
        return "inf"
    return f"{value:,.{digits}f}{suffix}"


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {minutes}m"
    if hours:
        return f"{hours}h {minutes}m {secs}s"
    return f"{minutes}m {secs}s"


def _stats_table(title: str, rows: Mapping[str, TradeStats], first: str) -> Table:
    table = Table(title=title, title_justify="left", expand=False)
    for name, justify in ((first, "left"), ("trades", "right"), ("win %", "right"), ("net PnL", "right"),
                          ("avg win", "right"), ("avg loss", "right"), ("PF", "right"),
                          ("expectancy", "right"), ("avg hold", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for key, stats in rows.items():
        table.add_row(key, str(stats.trades), _num(stats.win_rate_pct, 1), _num(stats.net_pnl),
                      _num(stats.avg_win), _num(stats.avg_loss), _num(stats.profit_factor),
                      _num(stats.expectancy), _duration(stats.avg_hold_s))
    return table


def summary_rows(report: BacktestReport) -> list[tuple[str, str]]:
    """The headline figures as (name, formatted value), in reading order."""
    r, t = report.returns, report.trades
    return [
        ("period", f"{iso_utc(report.start_ts_ns)[:19]} → {iso_utc(report.end_ts_ns)[:19]} "
                   f"({_duration(r.duration_s)})"),
        ("events", f"{report.events:,}"),
        ("initial equity", _num(r.initial_equity)),
        ("final equity", _num(r.final_equity)),
        ("total return", _num(r.total_return_pct, 3, " %")),
        ("buy & hold, same period", _buy_and_hold_line(report)),
        ("annualised return", _num(r.annualised_return_pct, 2, " %")),
        ("Sharpe (ann.)", r.ratios_withheld or (_num(r.sharpe) + (
            f" ± {_num(r.sharpe_se)} (1 s.e.)" if r.sharpe is not None and r.sharpe_se is not None else ""))),
        ("Sortino (ann.)", r.ratios_withheld or _num(r.sortino)),
        ("max drawdown", _num(r.max_drawdown_pct, 3, " %")),
        ("max drawdown duration", _duration(r.max_drawdown_duration_s)),
        ("exposure time", _num(r.exposure_pct, 1, " %")),
        ("fees paid", _num(report.fees_paid)),
        ("trades", f"{t.trades} ({t.wins} won, {t.losses} lost)"),
        ("win rate", _num(t.win_rate_pct, 1, " %")),
        ("avg win / avg loss", f"{_num(t.avg_win)} / {_num(t.avg_loss)}"),
        ("profit factor", _num(t.profit_factor)),
        ("expectancy / trade", _num(t.expectancy)),
        ("open at end", ", ".join(f"{s} {q:g}" for s, q in report.open_positions.items()) or "flat"),
    ]


def _buy_and_hold_line(report: BacktestReport) -> str:
    if report.buy_and_hold_return_pct is None:
        return "-"
    basket = _num(report.buy_and_hold_return_pct, 3, " %")
    if len(report.buy_and_hold) == 1:
        return basket
    return f"{basket} (equal weight)"


def buy_and_hold_table(report: BacktestReport) -> Table:
    """Each symbol bought at the window's first price and sold at its last, taker fee both ways,
    beside what the strategies made on it."""
    table = Table(title="buy and hold over the same period (taker fee in and out)", title_justify="left")
    for name in ("symbol", "first price", "last price", "taker fee bps", "return %", "strategies' net PnL"):
        table.add_column(name, justify="left" if name == "symbol" else "right")
    for symbol, hold in report.buy_and_hold.items():
        traded = report.symbols.get(symbol)
        table.add_row(symbol, f"{hold.first_price:,.6g}", f"{hold.last_price:,.6g}", _num(hold.taker_fee * 1e4, 1),
                      _num(hold.return_pct, 3), _num(traded.net_pnl) if traded else "no trades")
    if len(report.buy_and_hold) > 1:
        table.add_row("equal weight", "", "", "", _num(report.buy_and_hold_return_pct, 3),
                      _num(report.trades.net_pnl), style="bold")
    return table


def render_report(report: BacktestReport, curve: EquityCurve, console: Console, *,
                  prices: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
                  trades: Sequence[MarkedTrade] = ()) -> None:
    """Print the whole report (with ``prices``, a plot of each symbol's price, ``trades`` marked)."""
    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="bold")
    summary.add_column(justify="right")
    for name, value in summary_rows(report):
        summary.add_row(name, value)
    console.print(Panel(summary, title=f"backtest · {report.label}", expand=False))
    width = min(120, max(40, console.width - 4))
    console.print(Panel(equity_plot(curve, width), title="equity and drawdown", expand=False))
    if prices:
        console.print(Panel(Group(*price_plots(prices, trades, report.start_ts_ns, width)),
                            title="price, entries and exits", expand=False))
    if report.buy_and_hold:
        console.print(buy_and_hold_table(report))
    if report.exits:
        console.print(_stats_table("per exit reason", report.exits, "exit reason"))
    if report.strategies:
        console.print(_stats_table("per strategy", report.strategies, "strategy"))
    if report.symbols:
        console.print(_stats_table("per symbol", report.symbols, "symbol"))
    if report.periods:
        console.print(_stats_table("per period (UTC, by exit)", report.periods, "period"))
    if report.entry_reasons:
        console.print(_stats_table("per entry reason (a trade counts under each of its codes)",
                                   report.entry_reasons, "entry reason"))


    tca = report.tca
    tca_table = Table(title="transaction costs", title_justify="left")
    for name in ("strategy", "orders", "arrival notional", "shortfall bps", "fees", "maker %"):
        tca_table.add_column(name, justify="left" if name == "strategy" else "right")
    for name, row in tca.by_strategy.items():
        tca_table.add_row(name, str(int(row["orders"])), _num(row["arrival_notional_quote"]),
                          _num(row["avg_shortfall_bps"]), _num(row["fees_quote"]),
                          _num(row["maker_share"] * 100.0, 1))
    tca_table.add_row("all", str(tca.orders), _num(tca.arrival_notional), _num(tca.avg_shortfall_bps),
                      _num(tca.fees), _num(tca.maker_share_pct, 1), style="bold")
    console.print(tca_table)
    a = report.assumptions
    console.print(Panel(Group(*(Text.assemble((f"{k}: ", "bold"), v) for k, v in (
        ("data", a.data), ("fills", a.fill_model), ("fees", a.fees), ("latency", a.latency),
        ("slippage", a.slippage), ("clock", a.clock), ("exits", a.exits)))), title="assumptions", expand=False))
    for warning in report.warnings:
        console.print(f"[bold yellow]warning:[/] {warning}")


def export_report(report: BacktestReport, curve: EquityCurve, trades: Sequence[ClosedTrade], out: Path,
                  stem: str = "report") -> list[Path]:
    """Write ``<stem>.json``, ``<stem>-summary.csv``, ``<stem>-equity.csv``, ``<stem>-trades.csv``
    (and ``<stem>-equity.png`` with matplotlib) into ``out``; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{stem}.json", out / f"{stem}-summary.csv", out / f"{stem}-equity.csv",
             out / f"{stem}-trades.csv"]
    paths[0].write_bytes(report_json(report))
    with paths[1].open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["metric", "value"])
        for key, value in _flatten(report.to_dict()):
            writer.writerow([key, value])
    with paths[2].open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ts", "ts_ns", "equity", "drawdown_pct", "exposed"])
        for ts, eq, dd, exp in zip(curve.ts_ns.tolist(), curve.equity.tolist(),
                                   (curve.drawdown() * 100.0).tolist(), curve.exposed.tolist()):
            writer.writerow([iso_utc(ts), ts, repr(eq), repr(dd), int(exp)])
    with paths[3].open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["strategy", "symbol", "side", "qty", "entry_ts", "entry_price", "exit_ts",
                         "exit_price", "pnl", "entry_reasons", "exit_reason"])
        for t in trades:
            writer.writerow([t.strategy, t.symbol, t.side.value, repr(t.qty), iso_utc(t.entry_ts_ns),
                             repr(t.entry_price), iso_utc(t.exit_ts_ns), repr(t.exit_price), repr(t.pnl_usd),
                             " ".join(str(c) for c in t.entry_reasons), t.exit_reason or ""])
    png = save_png(curve, out / f"{stem}-equity.png")
    if png is not None:
        paths.append(png)
    return paths


def save_png(curve: EquityCurve, path: Path) -> Path | None:
    """Equity and drawdown as a PNG if matplotlib is installed; None otherwise."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    seconds = (curve.ts_ns - curve.ts_ns[0]) / 1e9 / 3600.0
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(10, 6), height_ratios=(3, 1))
    top.plot(seconds, curve.equity, color="tab:green")
    top.set_ylabel("equity")
    bottom.fill_between(seconds, -curve.drawdown() * 100.0, color="tab:red")
    bottom.set_ylabel("drawdown %")
    bottom.set_xlabel("hours")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _flatten(doc: object, prefix: str = "") -> list[tuple[str, object]]:
    if isinstance(doc, dict):
        items: list[tuple[str, object]] = []
        for key in sorted(doc):
            items.extend(_flatten(doc[key], f"{prefix}.{key}" if prefix else str(key)))
        return items
    return [(prefix, "" if doc is None else doc)]
