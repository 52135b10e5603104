"""Every stored SVG snapshot belongs to a test that still exists.

syrupy fails a serial run on an unused snapshot, but not a run split across pytest-xdist
workers (no worker sees every test), which is how `make test` runs: this test makes the same
check from the collected items, which every xdist worker holds in full."""

from __future__ import annotations

from pathlib import Path

import pytest

SNAPSHOTS = Path(__file__).parent / "__snapshots__"


def test_every_stored_snapshot_belongs_to_a_collected_test(request: pytest.FixtureRequest) -> None:
    config = request.config
    if config.option.keyword or config.option.markexpr or any("::" in arg for arg in config.args):
        pytest.skip("a run of selected tests cannot tell which snapshots are unused")
    collected = {(Path(item.path).stem, item.name) for item in request.session.items}
    modules = {module for module, _ in collected}
    stored = {(svg.parent.name, svg.stem) for svg in SNAPSHOTS.rglob("*.svg")}
    assert stored, "no snapshot found: the check would pass vacuously"
    orphans = sorted(f"{module}/{name}.svg" for module, name in stored
                     if module in modules and (module, name) not in collected)
    assert orphans == [], "snapshots no test takes any more (delete them, or run with --snapshot-update)"
