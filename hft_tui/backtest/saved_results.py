"""What a saved run keeps of each kind of result: the headline figures ``list`` and ``compare``
read, and the body ``show`` renders again (a backtest's reports with their equity curves, or a
sweep's, batch's or study's table)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hft_tui.backtest.report import BacktestReport, EquityCurve
from hft_tui.backtest.report_render import resample
from hft_tui.backtest.result_table import ResultTable
from hft_tui.backtest.sweep import METRICS, metric_value

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
# Points of the equity curve a saved backtest keeps: enough for the chart ``show`` draws.
CURVE_POINTS = 600


def headline(report: BacktestReport) -> dict[str, float | None]:
    """The figures of ``report`` that ``list`` and ``compare`` show."""
    figures: dict[str, float | None] = {name: metric_value(report, name) for name in METRICS}
    figures["fees"] = report.fees_paid
    figures["buy_hold"] = report.buy_and_hold_return_pct
    return figures


def figures_row(label: str, figures: Mapping[str, float | None]) -> dict[str, Any]:
    """A ``figures`` entry of a saved run: its label and the known figures (others left out)."""
    return {"label": label, **{k: figures.get(k) for k in FIGURE_NAMES if k in figures}}


def backtest_record(reports: Sequence[BacktestReport], curves: Sequence[EquityCurve]) -> tuple[
        list[dict[str, Any]], dict[str, Any]]:
    """Figures and body of a backtest (one entry per window)."""
    figures = [figures_row(r.label, headline(r)) for r in reports]
    body = {"windows": [{"report": r.to_dict(), "curve": curve_doc(c)} for r, c in zip(reports, curves, strict=True)]}
    return figures, body


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
