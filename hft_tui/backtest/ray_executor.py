"""Jobs as Ray tasks, on an existing cluster (``--ray ADDRESS``) or a local one (``--ray``).

The data is put in Ray's object store once (``DataBundle``); each task receives a reference,
and a worker process lays the bytes out on its own disk the first time it sees them. Every
node must have the same hft-tui installed (docs/research.md says how to start a cluster); the
user strategies' code goes with each task, as text checked by its sha256.
"""

from __future__ import annotations

import logging
import os
import pickle
from concurrent.futures import Future
from typing import Any

from hft_tui.backtest.data_bundle import DataBundle, named_as_given
from hft_tui.backtest.executor import BacktestJob, ExecutorUnavailable, run_job
from hft_tui.backtest.report import BacktestReport
from hft_tui.backtest.runner import DataSpec
from hft_tui.strategies.catalogue import installed
from hft_tui.strategies.user_strategies import ShippedCode, code_to_ship, load_shipped

# Ray's switch for single-host mode ("0": node addresses on the loopback), read when ray is imported.
LOOPBACK_ONLY_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
INSTALL_HINT = "--ray needs Ray: pip install 'hft-tui[ray]' (on every node of the cluster)"


def _run_shipped(bundle_box: list[Any], code: tuple[ShippedCode, ...], pickled_job: bytes) -> BacktestReport:
    """A Ray task: the job on this worker's copy of the shipped data, with the user strategies'
    code the caller runs (loaded by sha256 before the job, whose settings name their classes,
    is unpickled)."""
    import ray

    load_shipped(code)
    job: BacktestJob = pickle.loads(pickled_job)  # noqa: S301 - our own driver pickled it
    spec = job.spec
    if bundle_box:
        bundle = _bundle_cache.get(bundle_box[1])
        if bundle is None:
            # Inside a list Ray passes the reference itself: fetched once per worker, not per task.
            bundle = _bundle_cache.setdefault(bundle_box[1], ray.get(bundle_box[0]))
        spec = bundle.local_spec(spec)
    report = run_job(BacktestJob(job.settings, spec, job.window, job.vectorised))
    return named_as_given(report, job.settings, job.spec) if bundle_box else report


_bundle_cache: dict[str, DataBundle] = {}


class RayExecutor:
    """Tasks of one CPU each on the Ray cluster at ``address`` (None: start a local one with
    ``workers`` CPUs, default the CPU count)."""

    def __init__(self, spec: DataSpec, *, address: str | None = None, workers: int | None = None) -> None:
        if address is None:
            # A private local instance: every Ray socket on the loopback (by default Ray
            # announces the host's outward address, as a cluster node must).
            os.environ.setdefault(LOOPBACK_ONLY_ENV, "0")
        try:
            import ray
        except ImportError:
            raise ExecutorUnavailable(INSTALL_HINT) from None
        self._ray = ray
        self._started_here = not ray.is_initialized()
        if self._started_here:
            # "local": a new instance of our own even when `ray start` runs on this host.
            options: dict[str, Any] = {"address": address or "local", "include_dashboard": False,
                                       "log_to_driver": False, "logging_level": logging.ERROR,
                                       "configure_logging": True}
            if address is None:
                options["num_cpus"] = workers or os.cpu_count() or 1
            try:
                ray.init(**options)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ExecutorUnavailable(f"cannot reach the Ray cluster at {address}: {exc}") from None
        cpus = int(ray.cluster_resources().get("CPU", 0))
        self.description = (f"the Ray cluster at {address}" if address else "a local Ray instance") + f" ({cpus} CPUs)"
        bundle = DataBundle.of(spec)
        self._bundle_box = [] if bundle is None else [ray.put(bundle), bundle.digest]
        self._task = ray.remote(num_cpus=1, max_retries=0)(_run_shipped)
        self._code = code_to_ship(installed())
        self._pending: list[Any] = []

    def submit(self, job: BacktestJob) -> Future[BacktestReport]:
        ref = self._task.remote(self._bundle_box, self._code, pickle.dumps(job))
        self._pending.append(ref)
        return ref.future()  # type: ignore[no-any-return]

    def stop_now(self) -> None:
        for ref in self._pending:
            try:
                self._ray.cancel(ref, force=True)
            except Exception:  # noqa: BLE001, S110 - a finished task cannot be cancelled; nothing to do
                pass
        self._pending.clear()

    def close(self) -> None:
        self._pending.clear()
        if self._started_here:
            self._ray.shutdown()

