"""``python -m benchmarks [--quick] [--repeat N] [--only NAME]``: run every ``bench_*.py``.

Each benchmark module exposes ``run(quick: bool) -> dict[str, float]``. Each is run
``--repeat`` times in a fresh process (so peak RSS is its own); the median, min and max of
every figure and the peak RSS are printed and written to ``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import json
import multiprocessing
import platform
import statistics
import sys
from pathlib import Path

from benchmarks.arguments import benchmark_parser
from benchmarks.runner import run_once
from hft_tui.compiled_build import build_line

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = benchmark_parser(__file__)
    parser.add_argument("--quick", action="store_true", help="smaller workloads")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", action="append", default=[], help="bench module name part")
    args = parser.parse_args(argv)
    print(build_line())
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if args.only:
        modules = [m for m in modules if any(o in m for o in args.only)]
    results: dict[str, dict[str, dict[str, float]]] = {}
    for module_name in modules:
        runs = [run_once(module_name, args.quick) for _ in range(args.repeat)]
        figures: dict[str, dict[str, float]] = {}
        for key in runs[0][0]:
            values = [r[0][key] for r in runs]
            figures[key] = {"median": statistics.median(values), "min": min(values),
                            "max": max(values)}
        figures["peak_rss_mb"] = {"median": statistics.median(r[1] for r in runs),
                                  "min": min(r[1] for r in runs), "max": max(r[1] for r in runs)}
        results[module_name] = figures
        print(f"\n{module_name}")
        for key, stats in figures.items():
            print(f"  {key:<40} median {stats['median']:>14,.3f}   "
                  f"min {stats['min']:>14,.3f}   max {stats['max']:>14,.3f}")
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    payload = {"machine": {"python": sys.version.split()[0], "platform": platform.platform(),
                           "cpus": multiprocessing.cpu_count(), "build": build_line()},
               "quick": args.quick, "repeat": args.repeat, "results": results}
    (out_dir / "latest.json").write_text(json.dumps(payload, indent=2))
    print(f"\nwritten {out_dir / 'latest.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
