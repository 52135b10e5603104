"""``python -m benchmarks.wal_fingerprint``: the sha256 of the WAL of four seeded backtests.

A refactoring that must not change behaviour keeps these four figures: a seeded
simulator run of about 300,000 events, the same simulator's diff-depth feed (every book an
update of a few levels, ``sim.book_updates = "deltas"``: the incremental readers' path), a
candle backtest over the sample data and a backtest of the sample recording. Each run goes through the command line in a fresh
process, so the figure covers the product's whole path whatever its module layout.
Compare a branch with the commit it is based on (other work may change WAL bytes).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.arguments import benchmark_parser
from hft_tui.compiled_build import build_line

REPO = Path(__file__).resolve().parent.parent

RUNS: dict[str, list[str]] = {
    "sim": ["--sim", "6600", "--seed", "7"],
    "deltas": ["--sim", "3600", "--seed", "7", "--set", "sim.book_updates=deltas"],
    "candles": ["--candles", "--data-dir", "data/sample", "--seed", "7"],
    "recording": ["--recording", "data/sample/session", "--seed", "7"],
}


def wal_sha256(args: list[str]) -> tuple[str, int]:
    """The sha256 of the journal a backtest with ``args`` writes, and its record count."""
    with tempfile.TemporaryDirectory() as wal_dir, tempfile.TemporaryDirectory() as state_dir:
        # Its own state dir: the saved run stays out of the user's.
        subprocess.run([sys.executable, "-m", "hft_tui", "--state-dir", state_dir, "backtest", *args,
                        "--wal-dir", wal_dir, "--json"],
                       cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        digest = hashlib.sha256()
        records = 0
        for segment in sorted(Path(wal_dir).glob("wal-*.jsonl")):
            data = segment.read_bytes()
            digest.update(data)
            records += data.count(b"\n")
        return digest.hexdigest(), records


def main(argv: list[str] | None = None) -> int:
    parser = benchmark_parser(__file__)
    parser.add_argument("--only", choices=sorted(RUNS), action="append", default=[])
    chosen = parser.parse_args(argv).only or list(RUNS)
    print(build_line())
    for name in chosen:
        digest, records = wal_sha256(RUNS[name])
        print(f"{name:<10} {digest}  {records:>6} records  backtest {' '.join(RUNS[name])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
