"""A backtest's data as bytes, shipped once to workers that may not share our disk.

``DataBundle.of(spec)`` reads the files a spec needs (each symbol's candle file and market
rules, or a recorded session's directory) into memory; a worker lays them out under a private
temporary directory once per process (``local_spec``) and runs on that copy. The bytes are the
files' own, so the run reads exactly what the parent would have read; the report still names
the data as the user gave it (``named_as_given``).
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from hft_tui.backtest.report import BacktestReport
from hft_tui.backtest.runner import DataSpec
from hft_tui.config.settings import Settings
from hft_tui.data.candle_store import CandleStore
from hft_tui.private_dir import ensure_private_dir
from hft_tui.wal.segments import write_private_file

# digest -> where this process laid that bundle out.
_LAID_OUT: dict[str, Path] = {}


@dataclass(frozen=True, slots=True)
class DataBundle:
    """Relative path -> file bytes, and a digest naming the whole."""

    files: dict[str, bytes]
    digest: str

    @classmethod
    def of(cls, spec: DataSpec) -> DataBundle | None:
        """The files ``spec`` reads; None for the simulator (its seed is its data)."""
        if spec.kind == "sim":
            return None
        if spec.kind == "recording":
            assert spec.path is not None
            root = spec.path
            paths = sorted(p for p in root.rglob("*") if p.is_file())
        else:
            assert spec.data_dir is not None
            store, root = CandleStore(spec.data_dir), spec.data_dir
            paths = [p for s in spec.symbols for p in (store.path(spec.exchange, s, spec.timeframe),
                                                       store.rules_path(spec.exchange, s)) if p.exists()]
        files = {str(p.relative_to(root)): p.read_bytes() for p in paths}
        digest = hashlib.sha256()
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
        return cls(files, digest.hexdigest())

    def local_spec(self, spec: DataSpec) -> DataSpec:
        """``spec`` pointed at this process's copy of the bundle (laid out on first use)."""
        root = _LAID_OUT.get(self.digest)
        if root is None:
            root = Path(tempfile.mkdtemp(prefix="hft-tui-shipped-"))
            atexit.register(shutil.rmtree, root, True)
            for name, data in self.files.items():
                ensure_private_dir((root / name).parent)
                write_private_file(root / name, data)
            _LAID_OUT[self.digest] = root
        if spec.kind == "recording":
            return replace(spec, path=root)
        return replace(spec, data_dir=root)


def named_as_given(report: BacktestReport, settings: Settings, spec: DataSpec) -> BacktestReport:
    """``report`` of a run on shipped data, naming the data as ``spec`` (the user's) does."""
    return replace(report, assumptions=replace(report.assumptions, data=spec.describe(settings)))
