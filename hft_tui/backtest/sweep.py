"""Parameter sweeps: a grid of setting overrides, each backtested in its own process, ranked
by a chosen metric with out-of-sample results beside in-sample ones.

Workers receive only picklable inputs (config file path, override dicts, the data spec and
the windows) and build everything themselves, so a run in a worker is the same run as in
the parent: its report (sent back pickled, floats exact) gives byte-identical JSON.
"""

from __future__ import annotations

import itertools
import math
import signal
import tomllib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hft_tui.backtest.report import BacktestReport
from hft_tui.backtest.runner import DataSpec, Window, run_backtest
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
# Out-of-sample keeping less than this share of the in-sample metric looks like a fit to noise.
OVERFIT_KEEP_RATIO = 0.5


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


def run_one(config_file: Path | None, overrides: dict[str, Any], spec: DataSpec,
            windows: Sequence[Window], vectorised: bool = False) -> list[BacktestReport]:
    """Backtest one combination over each window (runs in a worker; reports pickle exactly)."""
    settings = load_settings(config_file, overrides)
    return [run_backtest(settings, spec, window, vectorised=vectorised).report for window in windows]


def run_sweep(
    config_file: Path | None,
    base_overrides: Mapping[str, Any],
    grid: Mapping[str, Sequence[Any]],
    spec: DataSpec,
    in_sample: Window,
    out_of_sample: Window | None,
    *,
    metric: str = "sharpe",
    workers: int | None = None,
    vectorised: bool = False,
    on_done: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Backtest every combination of ``grid`` (over ``base_overrides``) in parallel processes,
    each on the vectorised candle path when ``vectorised``; ``on_done(finished, total)`` after
    each. Ctrl+C stops the workers at once and returns the rows that had finished."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose from {', '.join(METRICS)}")
    combos = expand_grid(grid)
    # Fail fast in the parent on a bad key or value, not once per worker.
    for combo in combos:
        settings = load_settings(config_file, {**base_overrides, **combo})
        blocker = fast_path_blocker(settings) if vectorised else None
        if blocker is not None:
            raise ValueError(f"--vectorised cannot run the combination {combo}: {blocker}")
    windows = [in_sample] + ([out_of_sample] if out_of_sample is not None else [])
    outputs: dict[int, list[BacktestReport]] = {}
    interrupted = False
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_leave_ctrl_c_to_the_parent)
    try:
        futures = {pool.submit(run_one, config_file, {**base_overrides, **combo}, spec, windows, vectorised): i
                   for i, combo in enumerate(combos)}
        for future in as_completed(futures):
            outputs[futures[future]] = future.result()
            if on_done is not None:
                on_done(len(outputs), len(combos))
    except KeyboardInterrupt:
        interrupted = True
        # Running combinations would otherwise finish first, however long they take.
        for process in list(pool._processes.values()):  # noqa: SLF001 - no public way to stop them
            process.terminate()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    rows = [SweepRow(combo, outputs[i][0], outputs[i][1] if len(outputs[i]) > 1 else None)
            for i, combo in enumerate(combos) if i in outputs]
    rows = rank(rows, metric)
    return SweepResult(metric, rows, overfitting_warnings(rows, metric), interrupted, len(combos))


def _leave_ctrl_c_to_the_parent() -> None:
    """Workers ignore SIGINT: the parent decides, and keeps the rows already finished."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
    """Why the in-sample winner may not be real: always the multiple-testing caveat, plus
    what the out-of-sample window says about the winner and about the ranking as a whole."""
    if not rows:
        return []
    warnings = [f"{len(rows)} combinations were tried: the best in-sample result is biased upwards "
                "by the search itself; judge it on out-of-sample data."]
    best = rows[0]
    if best.out_of_sample is None:
        warnings.append("no out-of-sample window: use --split or --walk-forward to check the winner.")
        return warnings
    _, higher_is_better = METRICS[metric]
    is_value = metric_value(best.in_sample, metric)
    oos_value = metric_value(best.out_of_sample, metric)
    if is_value is not None and oos_value is not None and higher_is_better and is_value > 0:
        if oos_value < is_value * OVERFIT_KEEP_RATIO:
            warnings.append(f"OVERFITTING LIKELY: the winner's out-of-sample {metric} {oos_value:.3g} keeps "
                            f"less than {OVERFIT_KEEP_RATIO:.0%} of its in-sample {is_value:.3g}.")
    oos_order = rank([SweepRow(r.params, r.out_of_sample, None) for r in rows  # type: ignore[arg-type]
                      if r.out_of_sample is not None], metric)
    oos_rank = next(i for i, r in enumerate(oos_order) if r.params == best.params) + 1
    if len(rows) >= 4 and oos_rank > len(rows) // 2:
        warnings.append(f"OVERFITTING LIKELY: the in-sample winner ranks {oos_rank} of {len(rows)} out of sample.")
    return warnings
