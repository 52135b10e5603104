"""Where backtests run: one job is one settings object over one window of one data spec.

A sweep row, an optimisation trial's window and one symbol of a batch are all jobs; an
executor runs them in parallel, on local processes (``local_executor``) or as Ray tasks
(``ray_executor``). A job carries validated ``Settings`` (not a config path), so a worker on
another host needs no file of ours, and its report comes back pickled: floats exact, the
JSON byte for byte what the same run gives in the parent.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from typing import Protocol

from hft_tui.backtest.report import BacktestReport
from hft_tui.backtest.runner import DataSpec, Window, run_backtest
from hft_tui.config.settings import Settings


@dataclass(frozen=True, slots=True)
class BacktestJob:
    """One backtest to run: fresh state, ``settings`` over ``window`` of ``spec``."""

    settings: Settings
    spec: DataSpec
    window: Window
    vectorised: bool = False


def run_job(job: BacktestJob) -> BacktestReport:
    """Run one job here (in a worker process, a Ray task or the caller)."""
    return run_backtest(job.settings, job.spec, job.window, vectorised=job.vectorised).report


class ExecutorUnavailable(RuntimeError):
    """The requested executor cannot run here; the message says how to get it."""


class BacktestExecutor(Protocol):
    """Runs jobs in parallel; each submit returns a future of the job's report."""

    description: str

    def submit(self, job: BacktestJob) -> Future[BacktestReport]: ...

    def stop_now(self) -> None:
        """Ctrl+C: abandon running jobs at once (their futures never complete)."""

    def close(self) -> None:
        """Release workers (a Ray cluster we only joined keeps running)."""

