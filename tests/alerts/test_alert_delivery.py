"""Alerts reach a local webhook through apprise's json:// target: each event once, the URL
(which carries the secret) never in the journal or the output, a dead target's failure
journaled by name, and a slow target never holding up the engine."""

from __future__ import annotations

import asyncio
import io
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hft_tui.alerts.dispatcher import AlertDispatcher, targets_from_env
from hft_tui.alerts.settings import AlertsSettings
from hft_tui.clock import WallClock
from hft_tui.config.settings import Settings
from hft_tui.serve.control_client import ControlClient, EngineUnreachable
from hft_tui.serve.protocol import socket_path
from hft_tui.serve.served import run_served
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.engine import Engine
from hft_tui.trading.commands import Kill, PauseStrategy

sys.path.insert(0, str(Path(__file__).parent))
from webhook_server import WebhookServer  # noqa: E402

SECRET = "s3cret-canary-token"
TARGET = "HFT_TUI_ALERT_HOOK"
WAIT_S = 30.0
FAST = AlertsSettings(targets=[TARGET], batch_s=0.2, max_per_minute=600)


@dataclass
class Served:
    engine: Engine
    state_dir: Path
    out: io.StringIO
    task: asyncio.Task[int]

    async def client(self) -> ControlClient:
        deadline = asyncio.get_running_loop().time() + WAIT_S
        while True:
            try:
                return await ControlClient.connect(socket_path(self.state_dir), client="test")
            except EngineUnreachable:
                assert asyncio.get_running_loop().time() < deadline, "the engine never served"
                await asyncio.sleep(0.05)

    async def stop(self) -> int:
        self.engine.request_stop("test over")
        return await self.task


@pytest.fixture
async def serve(tmp_path: Path) -> AsyncIterator[Callable[[AlertsSettings], Awaitable[Served]]]:
    started: list[Served] = []

    async def start(settings: AlertsSettings) -> Served:
        state_dir = tmp_path / "state"
        engine = build_sim_engine(Settings(), clock=WallClock(), wal_dir=state_dir / "wal", paced=True)
        out = io.StringIO()
        served = Served(engine, state_dir, out, asyncio.create_task(run_served(engine, state_dir, settings, out=out)))
        started.append(served)
        return served

    yield start
    for served in started:
        if not served.task.done():
            await served.stop()


async def _until(check: Callable[[], bool], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while not check():
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.05)


def _journal(state_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (state_dir / "wal").glob("wal-*.jsonl"))


async def test_each_event_reaches_the_webhook_once_and_the_secret_url_nowhere_else(
    serve: Callable[[AlertsSettings], Awaitable[Served]], monkeypatch: pytest.MonkeyPatch
) -> None:
    with WebhookServer() as hook:
        monkeypatch.setenv(TARGET, f"json://127.0.0.1:{hook.port}/{SECRET}")
        served = await serve(FAST)
        client = await served.client()
        assert (await client.command(Kill("test"))).ok
        await _until(lambda: "-> HALTED" in hook.texts() and "kill:" in hook.texts(), "no HALTED alert")
        await client.close()
        assert await asyncio.wait_for(served.stop(), WAIT_S) == 0
        texts = hook.texts()
    assert texts.count("engine started") == 1
    assert texts.count("ACTIVE -> HALTED") == 1
    assert texts.count("[notice] kill:") == 1
    assert texts.count("engine stopping") == 1
    assert SECRET not in served.out.getvalue()
    assert SECRET.encode() not in _journal(served.state_dir)


async def test_a_dead_target_is_journaled_by_its_name_only(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv(TARGET, f"json://127.0.0.1:{port}/{SECRET}")
    journal: list[tuple[str, dict[str, object]]] = []
    dispatcher = AlertDispatcher(FAST, targets_from_env(FAST), lambda t, p: journal.append((t, p)))
    dispatcher.emit("engine", "engine started")
    await dispatcher.close()
    assert [record_type for record_type, _ in journal] == ["alert_failed"]
    assert journal[0][1]["target"] == TARGET
    assert SECRET not in repr(journal)


async def test_a_slow_target_never_holds_up_the_engine(
    serve: Callable[[AlertsSettings], Awaitable[Served]], monkeypatch: pytest.MonkeyPatch
) -> None:
    with WebhookServer(hold=True) as hook:
        monkeypatch.setenv(TARGET, f"json://127.0.0.1:{hook.port}/{SECRET}")
        served = await serve(FAST)
        client = await served.client()
        await _until(hook.arrived.is_set, "the start alert never left")
        # The webhook holds the start alert unanswered; the engine answers a command meanwhile.
        result = await asyncio.wait_for(client.command(PauseStrategy(None)), WAIT_S)
        assert result.ok
        assert hook.answered == 0
        hook.release()
        await client.close()
        assert await asyncio.wait_for(served.stop(), WAIT_S) == 0
