"""``hft-tui replay --verify`` over backtests and hand-driven engine sessions."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from hft_tui.backtest.runner import DataSpec, Window, data_range, run_backtest
from hft_tui.cli.main import main
from hft_tui.clock import FrozenClock
from hft_tui.config.loader import load_settings
from hft_tui.risk.trading_state import TradingState
from hft_tui.session.assembly import build_engine, build_sim_engine
from hft_tui.session.engine import Engine
from hft_tui.session.input_recording import (
    SessionTape,
    attach_input_recorder,
    read_clock_tape,
    recordings_dir,
)
from hft_tui.trading.commands import CancelOrder, Command, Kill, PauseStrategy, PlaceOrder, SetExits, SetStrategyParams
from hft_tui.wal.reader import iter_records
from hft_tui.wal.record import encode_line, parse_line
from hft_tui.wal.segments import list_segments

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "session"
START_NS = 1_767_225_600_000_000_000


def _replay(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


@pytest.fixture(scope="module")
def backtest_wal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample session backtested with default settings, its WAL kept."""
    wal_dir = tmp_path_factory.mktemp("backtest") / "wal"
    spec = DataSpec(kind="recording", path=SAMPLE)
    start, end = data_range(spec)
    run_backtest(load_settings(None, {}), spec, Window("full", start, end), wal_dir=wal_dir)
    return wal_dir


def test_a_backtest_over_a_recording_verifies_with_zero_divergences(
        backtest_wal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _replay(capsys, "--state-dir", str(tmp_path), "replay", "--verify",
                        "--recording", str(SAMPLE), "--wal", str(backtest_wal))
    assert code == 0, out
    decisions = sum(1 for r in iter_records(backtest_wal) if r.type in ("signal", "order", "fill", "risk"))
    assert decisions > 10, "the sample must trade for this test to mean anything"
    assert "0 divergences" in out
    assert out.splitlines()[-1].startswith("verified ")


def test_an_altered_parameter_reports_the_first_divergence_and_exits_1(
        backtest_wal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _replay(capsys, "--state-dir", str(tmp_path), "replay", "--verify",
                        "--recording", str(SAMPLE), "--wal", str(backtest_wal),
                        "--set", "strategies.cvd.base_confidence=0.6")
    assert code == 1
    assert "first divergence at decision #" in out
    assert "around market event" in out
    assert "signal" in out
    assert "confidence: expected" in out and ", got " in out


def test_an_invalid_override_is_a_setup_error_not_a_divergence(
        backtest_wal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--state-dir", str(tmp_path), "replay", "--verify", "--recording", str(SAMPLE),
                 "--wal", str(backtest_wal), "--set", "strategies.cvd.base_confidence=7"])
    assert code == 2
    assert "base_confidence" in capsys.readouterr().err


# --- engine sessions driven by hand ---------------------------------------------------------------


async def _run_session(state_dir: Path, clock: FrozenClock, script: list[tuple[float, Command | None]],
                       overrides: dict[str, Any] | None = None) -> Engine:
    """One recorded sim session on ``clock``: for each step, ``seconds`` of market, then the command."""
    settings = load_settings(None, overrides or {})
    engine = build_sim_engine(settings, clock=clock, wal_dir=state_dir / "wal", paced=False)
    attach_input_recorder(engine, settings, state_dir)
    await engine.wal.start()
    engine.begin_session()
    market = engine.source.market  # type: ignore[attr-defined]
    for seconds, command in script:
        end = clock.now_ns() + int(seconds * 1e9)
        while clock.now_ns() < end:
            await engine.feed(market.next_event())
        if command is not None:
            assert (await engine.execute(command)).ok
    await engine.stop("test over")
    return engine


async def test_an_engine_session_with_operator_commands_replays_exactly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = await _run_session(tmp_path, FrozenClock(START_NS), [
        (25.0, SetStrategyParams("cvd", {"cooldown_s": 5.0})),
        (15.0, PauseStrategy("spike_fader")),
        (10.0, Kill("test")),
        (10.0, None),
    ])
    records = list(iter_records(tmp_path / "wal"))
    assert [r.type for r in records].count("kill") == 1
    assert any(r.type == "fill" for r in records), "the session must trade for this test to mean anything"
    recording = recordings_dir(tmp_path) / "session-1"
    tape = SessionTape.read(recording)
    assert tape == SessionTape(1, "sim", "sim", "data", START_NS, engine.core.settings.model_dump(mode="json"))
    assert len(read_clock_tape(recording)) == engine.core.counters.events

    code, out = _replay(capsys, "--state-dir", str(tmp_path), "replay", "--verify")
    assert code == 0, out
    assert "3 operator command(s) re-applied" in out
    assert "0 divergences" in out


async def test_manual_orders_exits_and_cancels_replay_with_zero_divergences(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = await _run_session(tmp_path, FrozenClock(START_NS), [
        (5.0, PlaceOrder("BTC/USDT", "buy", notional=2_000.0, stop_loss=60_000.0)),
        (3.0, PlaceOrder("ETH/USDT", "buy", 0.5, price=3_150.0)),
        (2.0, SetExits("BTC/USDT", take_profit=70_000.0, stop_loss=64_000.0)),
        (2.0, CancelOrder("s1o2")),
        (10.0, None),
    ], {"strategies.enabled": []})
    records = list(iter_records(tmp_path / "wal"))
    manual = [r.payload for r in records if r.type == "order" and r.payload["strategy"] == "manual"]
    assert [(o["symbol"], o["order_type"]) for o in manual] == [("BTC/USDT", "market"), ("ETH/USDT", "limit")]
    assert any(r.type == "cancel" and r.payload["client_id"] == "s1o2" for r in records)
    assert engine.core.exits.rules("BTC/USDT") is None or engine.core.exits.rules("BTC/USDT").stop_loss == 64_000.0

    code, out = _replay(capsys, "--state-dir", str(tmp_path), "replay", "--verify")
    assert code == 0, out
    assert "4 operator command(s) re-applied" in out
    assert "0 divergences" in out


async def test_a_restarted_session_replays_from_the_state_it_recovered(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await _run_session(tmp_path, FrozenClock(START_NS), [(30.0, Kill("test")), (5.0, None)])
    second = await _run_session(tmp_path, FrozenClock(START_NS + 3_600 * 10**9), [(20.0, None)])
    assert second.core.state.state is TradingState.HALTED, "the restart must start from the first session's end"

    code, out = _replay(capsys, "--state-dir", str(tmp_path), "replay", "--verify")
    assert code == 0, out
    assert "replayed session 2" in out

    first = recordings_dir(tmp_path) / "session-1"
    code, out = _replay(capsys, "--state-dir", str(tmp_path), "replay", "--verify", "--recording", str(first))
    assert code == 0, out
    assert "replayed session 1" in out


async def test_a_command_replayed_at_another_event_is_a_divergence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await _run_session(tmp_path, FrozenClock(START_NS), [(30.0, Kill("test")), (5.0, None)])
    # Journal the kill 200 events earlier than it took effect: the replay kills there instead.
    segment = list_segments(tmp_path / "wal")[0]
    rewritten = []
    for line in segment.read_bytes().splitlines():
        doc = parse_line(line)
        if doc["type"] == "kill":
            seq, ts, kind = doc.pop("seq"), doc.pop("ts"), doc.pop("type")
            del doc["crc"]
            doc["at_event"] -= 200
            rewritten.append(encode_line(seq, ts, kind, doc))
        else:
            rewritten.append(line + b"\n")
    segment.write_bytes(b"".join(rewritten))

    code, out = _replay(capsys, "--state-dir", str(tmp_path), "replay", "--verify")
    assert code == 1
    assert "first divergence" in out


def test_sessions_record_their_input_private_and_can_be_switched_off(tmp_path: Path) -> None:
    overrides = {"sim.paced": False, "paths.state_dir": str(tmp_path / "on")}
    on = build_engine(load_settings(None, overrides))
    assert on.on_event is not None and on.on_stop is not None
    on.wal.close_sync()
    off = build_engine(load_settings(None, {**overrides, "paths.state_dir": str(tmp_path / "off"),
                                            "engine.record_input": False}))
    assert off.on_event is None
    off.wal.close_sync()


async def test_recording_files_are_owner_only(tmp_path: Path) -> None:
    await _run_session(tmp_path, FrozenClock(START_NS), [(2.0, None)])
    root = recordings_dir(tmp_path)
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


async def test_commands_sent_while_the_engine_streams_replay_at_the_event_they_took_effect(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(None, {"sim.paced": False, "paths.state_dir": str(tmp_path)})
    engine = build_engine(settings)
    await engine.start()
    for command in (SetStrategyParams("cvd", {"cooldown_s": 5.0}), PauseStrategy("spike_fader"), Kill("test")):
        await asyncio.sleep(0.1)  # the sim streams unpaced meanwhile: commands land mid-stream
        assert (await engine.execute(command)).ok
    await asyncio.sleep(0.05)
    await engine.stop("test over")
    assert engine.core.counters.events > 1_000

    code, out = _replay(capsys, "--state-dir", str(tmp_path), "replay", "--verify")
    assert code == 0, out
    assert "3 operator command(s) re-applied" in out


class JitteryWallClock:
    """A stand-in for the wall clock: each read is a microsecond later than the one before,
    as real reads inside one event are."""

    def __init__(self, start_ns: int) -> None:
        self._now_ns = start_ns

    def now_ns(self) -> int:
        self._now_ns += 1_000
        return self._now_ns

    def catch_up(self, ts_ns: int) -> None:
        self._now_ns = max(self._now_ns, ts_ns)


async def _jittery_wall_clock_session(tmp_path: Path) -> None:
    """60 s of the sim on a wall clock whose every read is later than the last, with
    operator commands between events, recorded as a paced session is."""
    settings = load_settings(None, {})
    clock = JitteryWallClock(START_NS)
    engine = build_sim_engine(settings, clock=clock, wal_dir=tmp_path / "wal", paced=False)
    attach_input_recorder(engine, settings, tmp_path)
    await engine.wal.start()
    engine.begin_session()
    market = engine.source.market  # type: ignore[attr-defined]
    commands = {1_000: PauseStrategy("vpin"), 2_600: Kill("test")}
    while clock.now_ns() < START_NS + 60 * 10**9:
        event = market.next_event()
        clock.catch_up(event.ts_ns)
        await engine.feed(event)
        command = commands.pop(engine.core.counters.events, None)
        if command is not None:
            assert (await engine.execute(command)).ok
    await engine.stop("test over")
    assert not commands
    assert any(r.type == "fill" for r in iter_records(tmp_path / "wal")), "it must trade to mean anything"


async def test_a_wall_clock_session_verifies_every_decision_and_timestamp(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await _jittery_wall_clock_session(tmp_path)
    # The core's clock is latched once per event and per command: the tape holds every read.
    assert SessionTape.read(recordings_dir(tmp_path) / "session-1").clock == "latched"  # type: ignore[union-attr]

    code, out = _replay(capsys, "--state-dir", str(tmp_path), "replay", "--verify")
    assert code == 0, out
    assert "2 operator command(s) re-applied" in out
    assert "not compared" not in out


async def test_a_session_recorded_before_latching_verifies_without_its_timestamps(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await _jittery_wall_clock_session(tmp_path)
    session_file = recordings_dir(tmp_path) / "session-1" / "session.json"
    doc = json.loads(session_file.read_text())
    session_file.write_text(json.dumps({**doc, "clock": "wall"}))  # as older versions wrote it

    code, out = _replay(capsys, "--state-dir", str(tmp_path), "replay", "--verify")
    assert code == 0, out
    assert "timestamps and latencies are not compared" in out
