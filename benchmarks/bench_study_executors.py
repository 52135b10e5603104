"""A study on local processes against the same study on Ray, on the same machine.

100 trials (``--quick``: 20) of a 2-parameter study (the trend filter's ``slow_period`` and
``strong_spread_bps``, TPE, seed 1, batch 8) over one year of 1-minute candles (525,600; quick:
100,000) on the vectorised path, each trial one in-sample (70 %) and one out-of-sample run.
Each figure is the wall time of the whole ``hft-tui optimize run`` command, as a user waits
for it:

- ``local_wall_s``: ``--workers 2`` (local processes);
- ``ray_local_wall_s``: ``--ray --workers 2`` (a Ray instance started and stopped by the command);
- ``ray_cluster_wall_s``: ``--ray 127.0.0.1:PORT``, a 2-CPU cluster already running
  (``ray start --head`` on the loopback), as a user with a cluster runs it;
- ``*_overhead_pct``: Ray's wall time over the local one, in percent;
- ``identical_trials``: 1 when the three studies hold the same trials (``optimize show --json``).

Run it alone on a quiet machine: ``python -m benchmarks.bench_study_executors``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.arguments import quick_option
from benchmarks.bench_backtest import _write_candles

_LOOPBACK_RAY = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_AUTH_MODE": "token"}


def _study(root: Path, name: str, trials: int, executor: list[str]) -> float:
    argv = [sys.executable, "-m", "hft_tui", "--state-dir", str(root / "state"), "optimize", "run",
            "--candles", "--data-dir", str(root),
            "--symbols", "BTC/USDT", "--strategies", "trend", "--vectorised",
            "--param", "strategies.trend.slow_period=100..400:10",
            "--param", "strategies.trend.strong_spread_bps=5..60", "--split", "0.7",
            "--trials", str(trials), "--batch", "8", "--sampler-seed", "1",
            "--storage", f"sqlite:///{root / (name + '.db')}", "--study", "bench", *executor]
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, **_LOOPBACK_RAY})
    return time.perf_counter() - started


def _shown(root: Path, name: str) -> bytes:
    return subprocess.run([sys.executable, "-m", "hft_tui", "optimize", "show", "--json", "--study", "bench",
                           "--storage", f"sqlite:///{root / (name + '.db')}"], check=True,
                          capture_output=True).stdout


def _start_cluster() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    head = subprocess.Popen([str(Path(sys.executable).with_name("ray")), "start", "--head", "--block",
                             f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
                             "--disable-usage-stats"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env={**os.environ, **_LOOPBACK_RAY})
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return head, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    os.killpg(head.pid, signal.SIGKILL)
    raise RuntimeError("the Ray head never listened")


def run(quick: bool = False) -> dict[str, float]:
    """Wall times of the same study on each executor."""
    candles, trials = (100_000, 20) if quick else (525_600, 100)
    figures = {"load_avg_1m_before": os.getloadavg()[0], "trials": float(trials), "candles": float(candles)}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write_candles(root, candles)
        figures["local_wall_s"] = _study(root, "local", trials, ["--workers", "2"])
        figures["ray_local_wall_s"] = _study(root, "ray_local", trials, ["--ray", "--workers", "2"])
        head, address = _start_cluster()
        try:
            figures["ray_cluster_wall_s"] = _study(root, "ray_cluster", trials, ["--ray", address])
        finally:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()
        shown = {_shown(root, name) for name in ("local", "ray_local", "ray_cluster")}
    local = figures["local_wall_s"]
    figures["ray_local_overhead_pct"] = 100.0 * (figures["ray_local_wall_s"] - local) / local
    figures["ray_cluster_overhead_pct"] = 100.0 * (figures["ray_cluster_wall_s"] - local) / local
    figures["identical_trials"] = 1.0 if len(shown) == 1 else 0.0
    figures["load_avg_1m_after"] = os.getloadavg()[0]
    return figures


if __name__ == "__main__":
    for key, value in run(quick=quick_option(__file__)).items():
        print(f"{key:<28} {value:>12,.2f}")
