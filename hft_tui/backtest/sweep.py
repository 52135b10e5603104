"""Parameter sweeps: a grid of setting overrides, each backtested as its own job on an
executor (local processes, or Ray tasks with ``--ray``), ranked by a chosen metric with
out-of-sample results beside in-sample ones.

Every combination is validated in the parent; jobs carry the validated settings, so a run on
a worker is the same run as in the parent: its report (sent back pickled, floats exact)
gives byte-identical JSON.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hft_tui.backtest.executor import BacktestExecutor, BacktestJob
from hft_tui.backtest.overfitting import overfitting_warnings as warnings_for_values
from hft_tui.backtest.report import BacktestReport
from hft_tui.backtest.runner import DataSpec, Window
from hft_tui.backtest.vectorised_candles import fast_path_blocker
from hft_tui.config.loader import load_settings

# Metric name -> (path into the report, higher is better).
METRICS: Mapping[str, tuple[tuple[str, str], bool]] = {
    "return": (("returns", "total_return_pct"), True),
    "sharpe": (("returns", "sharpe"), True),
    "sortino": (("returns", "sortino"), True),
    "max_drawdown": (("returns", "max_drawdown_pct"), False),
    "profit_factor": (("trades", "profit_factor"), True),
    "expectancy": (("trades", "expectancy"), True),
    "win_rate": (("trades", "win_rate_pct"), True),
    "trades": (("trades", "trades"), True),
}


def parse_value(raw: str) -> Any:
    """A command-line value read as TOML (``3``, ``2.5``, ``true``, ``"1m"``), else the bare string."""
    try:
        return tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        return raw.strip()


def parse_grid(specs: Sequence[str]) -> dict[str, list[Any]]:
    """``["strategies.cvd.lookback=10,20,30", ...]`` -> ``{key: [10, 20, 30]}`` (values read as TOML)."""
    grid: dict[str, list[Any]] = {}
    for spec in specs:
        key, sep, raw = spec.partition("=")
        key = key.strip()
        if not sep or not key or not raw.strip():
            raise ValueError(f"expected KEY=V1,V2,..., got {spec!r}")
        values = [parse_value(item) for item in raw.split(",")]
        if key in grid:
            raise ValueError(f"{key} appears twice in the sweep")
        grid[key] = values
    return grid


def expand_grid(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination, the last key varying fastest (a stable, documented order)."""
    keys = list(grid)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(grid[k] for k in keys))]


def metric_value(report: BacktestReport, metric: str) -> float | None:
    """The named metric of a report (None when undefined, e.g. Sharpe of a flat curve)."""
    (section, field), _ = METRICS[metric]
    value = getattr(getattr(report, section), field)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


@dataclass(frozen=True, slots=True)
class SweepRow:
    """One combination's results: the in-sample report and, with a split, the out-of-sample one."""

    params: dict[str, Any]
    in_sample: BacktestReport
    out_of_sample: BacktestReport | None


@dataclass(frozen=True, slots=True)
class SweepResult:
    """Rows sorted by the in-sample metric, best first, and the overfitting verdict."""

    metric: str
    rows: list[SweepRow]
    warnings: list[str]
    interrupted: bool = False  # Ctrl+C: ``rows`` holds the combinations that had finished
    combinations: int = 0


def run_sweep(
    config_file: Path | None,
    base_overrides: Mapping[str, Any],
    grid: Mapping[str, Sequence[Any]],
    spec: DataSpec,
    in_sample: Window,
    out_of_sample: Window | None,
    executor: BacktestExecutor,
    *,
    metric: str = "sharpe",
    vectorised: bool = False,
    on_done: Callable[[int, int, SweepRow], None] | None = None,
) -> SweepResult:
    """Backtest every combination of ``grid`` (over ``base_overrides``) on ``executor``, each
    on the vectorised candle path when ``vectorised``; ``on_done(finished, total, row)`` after each.
    Ctrl+C stops the executor at once and returns the rows that had finished."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose from {', '.join(METRICS)}")
    combos = expand_grid(grid)
    # Fail fast in the parent on a bad key or value, not once per worker.
    settings = []
    for combo in combos:
        settings.append(load_settings(config_file, {**base_overrides, **combo}))
        blocker = fast_path_blocker(settings[-1]) if vectorised else None
        if blocker is not None:
            raise ValueError(f"--vectorised cannot run the combination {combo}: {blocker}")
    windows = [in_sample] + ([out_of_sample] if out_of_sample is not None else [])
    reports: dict[tuple[int, int], BacktestReport] = {}
    finished: set[int] = set()
    interrupted = False
    try:
        futures: dict[Future[BacktestReport], tuple[int, int]] = {
            executor.submit(BacktestJob(combo_settings, spec, window, vectorised)): (i, w)
            for i, combo_settings in enumerate(settings) for w, window in enumerate(windows)}
        for future in as_completed(futures):
            i, w = futures[future]
            reports[(i, w)] = future.result()
            if all((i, k) in reports for k in range(len(windows))):
                finished.add(i)
                if on_done is not None:
                    on_done(len(finished), len(combos), SweepRow(combos[i], reports[(i, 0)], reports.get((i, 1))))
    except KeyboardInterrupt:
        interrupted = True
        executor.stop_now()
    rows = [SweepRow(combo, reports[(i, 0)], reports.get((i, 1)))
            for i, combo in enumerate(combos) if i in finished]
    rows = rank(rows, metric)
    return SweepResult(metric, rows, overfitting_warnings(rows, metric), interrupted, len(combos))


def rank(rows: Sequence[SweepRow], metric: str) -> list[SweepRow]:
    """Rows best first by the in-sample metric; undefined values last; ties keep grid order."""
    _, higher_is_better = METRICS[metric]

    def key(row: SweepRow) -> tuple[int, float]:
        value = metric_value(row.in_sample, metric)
        if value is None:
            return (1, 0.0)
        return (0, -value if higher_is_better else value)

    return sorted(rows, key=key)


def overfitting_warnings(rows: Sequence[SweepRow], metric: str) -> list[str]:
    """Why the in-sample winner of ``rows`` (ranked) may not be real (``overfitting``)."""
    values = [(metric_value(r.in_sample, metric),
               metric_value(r.out_of_sample, metric) if r.out_of_sample is not None else None) for r in rows]
    return warnings_for_values(values, metric, METRICS[metric][1],
                               has_out_of_sample=bool(rows) and rows[0].out_of_sample is not None)
