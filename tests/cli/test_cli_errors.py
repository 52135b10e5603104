"""A user's mistakes and the environment's failures end in one line naming the thing, their
own exit status, and never a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cli_process import hft_tui, hft_tui_interrupted, loopback_config
from loopback_thread import loopback_exchange_thread

from hft_tui import exit_codes
from hft_tui.backtest.saved_runs import RunStore
from hft_tui.cli.main import main
from hft_tui.session.assembly import build_sim_engine
from hft_tui.clock import FrozenClock
from hft_tui.trading.commands import PauseStrategy, ResumeStrategy
from hft_tui.config.settings import Settings
from hft_tui.wal.lock import DirectoryLock


def assert_one_line(outcome_stderr: str, *words: str) -> None:
    assert "Traceback" not in outcome_stderr
    lines = [line for line in outcome_stderr.splitlines() if line.startswith("hft-tui")]
    assert len(lines) == 1, outcome_stderr
    for word in words:
        assert word in lines[0], outcome_stderr


def test_an_unknown_theme_is_a_configuration_error_with_a_suggestion(tmp_path: Path) -> None:
    outcome = hft_tui("--state-dir", tmp_path, "--theme", "hft-lite", "--headless")
    assert outcome.code == exit_codes.CONFIG_ERROR
    assert_one_line(outcome.stderr, "ui.theme", "hft-lite", "did you mean 'hft-light'")
    assert not (tmp_path / "wal").exists()  # refused before anything started


def test_config_check_refuses_an_unknown_theme() -> None:
    outcome = hft_tui("--theme", "nope", "config", "check")
    assert outcome.code == exit_codes.CONFIG_ERROR
    assert "ui.theme = 'nope'" in outcome.stderr and "hft-dark" in outcome.stderr
    assert "Traceback" not in outcome.stderr


def test_a_second_instance_on_the_same_state_dir_is_refused(tmp_path: Path) -> None:
    wal_dir = tmp_path / "wal"
    wal_dir.mkdir(mode=0o700)
    lock = DirectoryLock(wal_dir)
    lock.acquire()  # as the first instance holds it
    try:
        outcome = hft_tui("--state-dir", tmp_path, "--headless")
    finally:
        lock.release()
    assert outcome.code == exit_codes.STATE_IN_USE
    assert_one_line(outcome.stderr, str(wal_dir), "another hft-tui", "--state-dir")


@pytest.mark.parametrize("command", [("attach",), ("ctl", "status"), ("ctl", "kill", "--yes")])
def test_nothing_served_is_its_own_exit_status(tmp_path: Path, command: tuple[str, ...],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--state-dir", str(tmp_path), *command])
    assert code == exit_codes.NO_SERVED_ENGINE
    assert_one_line(capsys.readouterr().err, "no served engine")


def test_every_exit_status_means_one_thing() -> None:
    codes = [value for name, value in vars(exit_codes).items() if name.isupper()]
    assert len(codes) == len(set(codes))


def test_a_corrupt_wal_at_start_is_one_line(tmp_path: Path) -> None:
    engine = build_sim_engine(Settings(), clock=FrozenClock(1_767_225_600_000_000_000),
                              wal_dir=tmp_path / "wal", paced=False)
    engine.begin_session()
    engine.apply(PauseStrategy(None))  # records after the one to be damaged
    engine.apply(ResumeStrategy(None))
    engine.wal.close_sync()
    segment = sorted((tmp_path / "wal").glob("wal-*.jsonl"))[0]
    lines = segment.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) > 2
    lines[1] = lines[1].replace('"', "#", 3)  # a damaged record with records after it
    segment.write_text("".join(lines), encoding="utf-8")
    outcome = hft_tui("--state-dir", tmp_path, "--headless")
    assert outcome.code == exit_codes.WAL_UNUSABLE
    assert_one_line(outcome.stderr, segment.name, "wal repair")


def _refused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed on exit: nothing listens there


def test_download_from_an_unreachable_exchange(tmp_path: Path) -> None:
    config = loopback_config(tmp_path, _refused_port())
    outcome = hft_tui("--config", config, "download", "--from", "2026-01-01", "--data-dir", tmp_path / "data")
    assert outcome.code == exit_codes.EXCHANGE_UNREACHABLE
    assert_one_line(outcome.stderr, "cannot reach binance", "127.0.0.1")


def test_download_of_a_symbol_the_exchange_does_not_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with loopback_exchange_thread() as exchange:
        config = loopback_config(tmp_path, exchange.port)
        code = main(["--config", str(config), "download", "--symbols", "BTC/USDC", "--from", "2026-01-01",
                     "--data-dir", str(tmp_path / "data")])
    assert code == exit_codes.UNKNOWN_SYMBOL
    assert_one_line(capsys.readouterr().err, "binance does not list BTC/USDC", "did you mean BTC/USDT")


def test_record_into_a_directory_that_holds_a_recording(tmp_path: Path) -> None:
    out = tmp_path / "session"
    assert hft_tui("record", "--duration", "1", "--out", out).code == 0
    outcome = hft_tui("record", "--duration", "1", "--out", out)
    assert outcome.code == exit_codes.OUTPUT_EXISTS
    assert_one_line(outcome.stderr, str(out), "already holds a recording", "--out")


# A user strategy for the sweep below: its run 1 trades through; every other run waits on its
# first trade for an event nothing sets, so those runs cannot finish before Ctrl+C, however
# loaded the machine (the sweep's Ctrl+C terminates the workers).
HELD = """
import threading
from typing import ClassVar
from pydantic import Field
from hft_tui.strategies.base import NO_SIGNALS, Strategy, StrategyParams


class HeldParams(StrategyParams):
    run: int = Field(1, ge=1, le=100, description="Which run of the sweep this is; only run 1 ends.")


class Held(Strategy[HeldParams]):
    name: ClassVar[str] = "held"
    params_model: ClassVar[type[StrategyParams]] = HeldParams

    def on_trade(self, trade):
        if self.params.run > 1:
            threading.Event().wait()
        return NO_SIGNALS
"""


@pytest.mark.slow
def test_ctrl_c_in_a_sweep_keeps_the_finished_rows(tmp_path: Path) -> None:
    (tmp_path / "strategies").mkdir()
    (tmp_path / "strategies" / "held.py").write_text(HELD)
    # Ctrl+C once run 1 is done: runs 2-6 are still held, so it lands mid-sweep.
    outcome = hft_tui_interrupted("1/6 combinations done", "--state-dir", tmp_path / "state",
                                  "--strategies-dir", tmp_path / "strategies", "backtest", "--sim", "60",
                                  "--strategies", "trend,held", "--workers", "2",
                                  "--sweep", "strategies.held.run=1,2,3,4,5,6", "--out", tmp_path)
    assert outcome.code == exit_codes.INTERRUPTED
    assert_one_line(outcome.stderr.replace("sweep: ", "progress: "), "interrupted", "1 of 6 combinations")
    assert "sweep ranked by" in outcome.stdout
    assert (tmp_path / "sweep.json").exists()
    saved = RunStore(tmp_path / "state").load(1)  # the finished row is saved too, marked interrupted
    assert saved.kind == "sweep" and saved.interrupted
    assert [row[0] for row in saved.body["table"]["rows"]] == ["1"]


def test_a_reader_that_leaves_early_is_not_an_error() -> None:
    child = subprocess.Popen([sys.executable, "-m", "hft_tui", "fees", "0.5", "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None
    child.stdout.close()  # `| head` that has already gone
    _, stderr = child.communicate(timeout=120)
    assert child.returncode == exit_codes.OK
    assert stderr == b""
