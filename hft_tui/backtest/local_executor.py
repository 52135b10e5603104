"""Jobs on local worker processes (``concurrent.futures.ProcessPoolExecutor``).

Workers read the data from its own files and ignore SIGINT: the parent decides what Ctrl+C
means, and keeps whatever had finished.
"""

from __future__ import annotations

import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor

from hft_tui.backtest.executor import BacktestJob, run_job
from hft_tui.backtest.report import BacktestReport


class LocalExecutor:
    """A process pool of ``workers`` processes (default: the CPU count)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.description = f"{self.workers} local processes"
        self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_leave_ctrl_c_to_the_parent)

    def submit(self, job: BacktestJob) -> Future[BacktestReport]:
        return self._pool.submit(run_job, job)

    def stop_now(self) -> None:
        # Running jobs would otherwise finish first, however long they take.
        for process in list(self._pool._processes.values()):  # noqa: SLF001 - no public way to stop them
            process.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _leave_ctrl_c_to_the_parent() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
