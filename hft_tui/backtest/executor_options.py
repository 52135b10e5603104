"""``--workers`` and ``--ray [ADDRESS]``: the command-line choice of executor, shared by
``backtest`` (sweeps, per-symbol batches) and ``optimize run``."""

from __future__ import annotations

import argparse
from typing import Any

from hft_tui.backtest.executor import BacktestExecutor
from hft_tui.backtest.runner import DataSpec

LOCAL_RAY = "local"


def add_executor_arguments(parser: Any) -> None:
    """Add ``--workers N`` and ``--ray [ADDRESS]``."""
    parser.add_argument("--workers", type=int, metavar="N",
                        help="local processes, or the CPUs of a local Ray instance (default: the CPU count)")
    parser.add_argument("--ray", nargs="?", const=LOCAL_RAY, metavar="ADDRESS",
                        help="run the backtests as Ray tasks: on the cluster at ADDRESS (host:port, or 'auto' "
                             "for the one `ray start` runs on this host), or on a local Ray instance when no "
                             "ADDRESS is given. Needs pip install 'hft-tui[ray]'")


def executor_from_args(args: argparse.Namespace, spec: DataSpec) -> BacktestExecutor:
    """The executor the options ask for (``ExecutorUnavailable`` says why one cannot run)."""
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be at least 1, got {args.workers}")
    ray = getattr(args, "ray", None)
    if ray is not None:
        from hft_tui.backtest.ray_executor import RayExecutor

        return RayExecutor(spec, address=None if ray == LOCAL_RAY else ray, workers=args.workers)
    from hft_tui.backtest.local_executor import LocalExecutor

    return LocalExecutor(workers=args.workers)
