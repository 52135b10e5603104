"""What a saved run keeps of each kind of result: the headline figures ``list`` and ``compare``
read, and the body ``show`` renders again (a backtest's reports with their equity curves, or a
sweep's, batch's or study's table)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hft_tui.backtest.report import BacktestReport, EquityCurve
from hft_tui.backtest.result_table import ResultTable
from hft_tui.backtest.runner import BacktestRun
from hft_tui.backtest.sweep import METRICS, metric_value
from hft_tui.model import Side

# Figure key -> how compare and list name it, in reading order.
FIGURE_NAMES: Mapping[str, str] = {
    "return": "return %",
    "buy_hold": "buy & hold %",
    "sharpe": "Sharpe (ann.)",
    "sortino": "Sortino (ann.)",
    "max_drawdown": "max drawdown %",
    "trades": "trades",
    "win_rate": "win rate %",
    "profit_factor": "profit factor",
    "expectancy": "expectancy",
    "fees": "fees",
}
# Points of the equity curve and of each price a saved backtest keeps: enough for the plots
# ``show`` draws; and the trades it marks on them (the last ones).
CURVE_POINTS = 600
MARKED_TRADES = 2_000


@dataclass(frozen=True, slots=True)
class SavedTrade:
    """A trade as a saved run keeps it for its price plot."""

    symbol: str
    side: Side
    entry_ts_ns: int
    entry_price: float
    exit_ts_ns: int
    exit_price: float


def headline(report: BacktestReport) -> dict[str, float | None]:
    """The figures of ``report`` that ``list`` and ``compare`` show."""
    figures: dict[str, float | None] = {name: metric_value(report, name) for name in METRICS}
    figures["fees"] = report.fees_paid
    figures["buy_hold"] = report.buy_and_hold_return_pct
    return figures


def figures_row(label: str, figures: Mapping[str, float | None]) -> dict[str, Any]:
    """A ``figures`` entry of a saved run: its label and the known figures (others left out)."""
    return {"label": label, **{k: figures.get(k) for k in FIGURE_NAMES if k in figures}}


def backtest_record(runs: Sequence[BacktestRun]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Figures and body of a backtest (one entry per window)."""
    figures = [figures_row(run.report.label, headline(run.report)) for run in runs]
    body = {"windows": [{"report": run.report.to_dict(), "curve": curve_doc(run.curve),
                         "prices": {s: {"ts_ns": resample(t, CURVE_POINTS).tolist(),
                                        "price": resample(p, CURVE_POINTS).tolist()} for s, (t, p) in run.prices.items()},
                         "trades": [[t.symbol, t.side.value, t.entry_ts_ns, t.entry_price, t.exit_ts_ns, t.exit_price]
                                    for t in run.trades[-MARKED_TRADES:]]}  # type: ignore[attr-defined]
                        for run in runs]}
    return figures, body


def prices_from_doc(doc: Mapping[str, Mapping[str, Sequence[Any]]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {s: (np.asarray(v["ts_ns"], dtype=np.int64), np.asarray(v["price"], dtype=np.float64))
            for s, v in doc.items()}


def trades_from_doc(rows: Sequence[Sequence[Any]]) -> list[SavedTrade]:
    return [SavedTrade(symbol, Side(side), int(e_ts), float(e_px), int(x_ts), float(x_px))
            for symbol, side, e_ts, e_px, x_ts, x_px in rows]


def resample(values: np.ndarray, width: int) -> np.ndarray:
    """``values`` reduced to at most ``width`` points, each the last value of its bucket."""
    n = len(values)
    if n <= width:
        return values
    ends = (np.arange(1, width + 1) * n) // width - 1
    return values[ends]


def table_body(table: ResultTable) -> dict[str, Any]:
    """The body of a run shown as a table (sweep, symbol batch, study)."""
    return {"table": table.to_dict()}


def curve_doc(curve: EquityCurve) -> dict[str, list[Any]]:
    """The curve cut to ``CURVE_POINTS`` samples (each the last of its stretch), as lists."""
    return {"ts_ns": resample(curve.ts_ns, CURVE_POINTS).tolist(),
            "equity": resample(curve.equity, CURVE_POINTS).tolist(),
            "exposed": resample(curve.exposed, CURVE_POINTS).tolist()}


def curve_from_doc(doc: Mapping[str, Sequence[Any]]) -> EquityCurve:
    return EquityCurve(np.asarray(doc["ts_ns"], dtype=np.int64), np.asarray(doc["equity"], dtype=np.float64),
                       np.asarray(doc["exposed"], dtype=bool))
