"""The strategy host (``core.strategies``) is read as a mapping of the running strategies and
changed only through its methods: what the snapshot, the reload and the backtests read of it
is the hosting's own account (failed, defaults, signal counts), not a dict anyone may edit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sim_driver import drive_seconds, make_engine

from hft_tui.model import ReasonCode


def test_the_host_reads_as_the_running_strategies_and_refuses_edits(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    engine.begin_session()
    host = engine.core.strategies
    names = list(host)
    assert names and all(host[name].name == name for name in names)
    with pytest.raises(TypeError):
        host["x"] = host[names[0]]  # type: ignore[index]
    with pytest.raises(TypeError):
        host.failed["x"] = "no"  # type: ignore[index]
    with pytest.raises(TypeError):
        host.default_params["x"] = host[names[0]].params  # type: ignore[index]


def test_signals_count_per_strategy_and_in_total_and_a_disabled_one_is_listed_as_failed(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    engine.begin_session()
    drive_seconds(engine, 600)
    host = engine.core.strategies
    assert host.signals == sum(host.signal_counts.values()) > 0
    name = next(iter(host))
    assert host.disable(name, ReasonCode.STRATEGY_ERROR, "test").ok
    assert host.failed == {name: "STRATEGY_ERROR: test"}
    assert host.disable(name, ReasonCode.STRATEGY_ERROR).message == f"{name} already disabled"
    host.feed_again(name)
    assert dict(host.failed) == {}
