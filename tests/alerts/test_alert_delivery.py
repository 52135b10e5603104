"""Alerts reach a local webhook through apprise's json:// target: each event once, a burst of
fills named fill by fill, the URL (which carries the secret) never in the journal or the
output, a dead target's failure a notice the operator sees (by the target's name), and a
slow or dead target never holding up the engine or another target."""

from __future__ import annotations

import asyncio
import io
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hft_tui.alerts.dispatcher import AlertDispatcher
from hft_tui.config.alerts_settings import AlertsSettings
from hft_tui.alerts.targets import targets_from_env
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
OTHER = "HFT_TUI_ALERT_OTHER"
WAIT_S = 30.0
FAST = AlertsSettings(targets=[TARGET], batch_s=0.2, max_per_minute=600)
BOTH = FAST.model_copy(update={"targets": [TARGET, OTHER]})


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


def _dead_url() -> str:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"json://127.0.0.1:{port}/{SECRET}"


async def test_a_dead_target_is_told_by_its_name_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TARGET, _dead_url())
    failures: list[str] = []
    dispatcher = AlertDispatcher(FAST, targets_from_env(FAST), failures.append)
    dispatcher.emit("engine", "engine started")
    await dispatcher.close()
    assert len(failures) == 1 and TARGET in failures[0]
    assert SECRET not in repr(failures)
    assert (dispatcher.sent, dispatcher.failed) == (0, 1)


async def test_a_failed_alert_is_a_notice_the_operator_sees_and_the_other_target_still_gets_its_alerts(
    serve: Callable[[AlertsSettings], Awaitable[Served]], monkeypatch: pytest.MonkeyPatch
) -> None:
    with WebhookServer() as hook:
        monkeypatch.setenv(TARGET, _dead_url())
        monkeypatch.setenv(OTHER, f"json://127.0.0.1:{hook.port}/{SECRET}")
        served = await serve(BOTH)
        failed = f"alert target {TARGET} failed"
        await _until(lambda: any(failed in n.text and n.source == "alerts" for n in served.engine.snapshot.notices),
                     "the dead target's failure never reached the notices")
        client = await served.client()
        assert (await asyncio.wait_for(client.command(Kill("test")), WAIT_S)).ok
        await _until(lambda: "-> HALTED" in hook.texts(), "the live target missed the HALTED alert")
        await client.close()
        assert await asyncio.wait_for(served.stop(), WAIT_S) == 0
        texts = hook.texts()
    assert texts.count("engine started") == 1
    assert "alert target" not in texts, "a failure notice is not itself alerted"
    journal = _journal(served.state_dir)
    assert failed.encode() in journal and SECRET.encode() not in journal


async def test_a_burst_of_fills_reaches_the_webhook_naming_every_fill(monkeypatch: pytest.MonkeyPatch) -> None:
    slow_rate = FAST.model_copy(update={"max_per_minute": 1})
    with WebhookServer() as hook:
        monkeypatch.setenv(TARGET, f"json://127.0.0.1:{hook.port}/{SECRET}")
        failures: list[str] = []
        dispatcher = AlertDispatcher(slow_rate, targets_from_env(slow_rate), failures.append)
        dispatcher.start()
        for i in range(2000):  # more than a snapshot's WAL tail, more than the old queue's bound
            dispatcher.emit("fill", f"fill BTC/USDT buy 0.001 @ 64,000 c{i:04d}")
        # Delivered is counted once apprise returns, after the webhook answered: wait for that.
        await _until(lambda: dispatcher.sent >= 1, "the burst never left")
        await dispatcher.close()
        texts = hook.texts()
    assert failures == [] and dispatcher.sent == 1, "one message a minute: the burst is one batch"
    assert [line.rsplit(" ", 1)[1] for line in texts.splitlines()] == [f"c{i:04d}" for i in range(2000)]


async def test_a_message_under_way_when_the_dispatcher_closes_is_delivered_and_counted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with WebhookServer(hold=True) as hook:
        monkeypatch.setenv(TARGET, f"json://127.0.0.1:{hook.port}/{SECRET}")
        failures: list[str] = []
        dispatcher = AlertDispatcher(FAST, targets_from_env(FAST), failures.append)
        dispatcher.start()
        dispatcher.emit("trading_state", "ACTIVE -> HALTED (KILL: kill by ctl)")
        await _until(hook.arrived.is_set, "the kill alert never left")
        closing = asyncio.create_task(dispatcher.close())  # the engine stops while the webhook holds it
        await asyncio.sleep(0)
        assert not closing.done()
        hook.release()
        await asyncio.wait_for(closing, WAIT_S)
        assert (hook.answered, dispatcher.sent, dispatcher.failed, failures) == (1, 1, 0, [])


async def test_closing_gives_up_on_a_target_that_never_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    with WebhookServer(hold=True) as hook:
        monkeypatch.setenv(TARGET, f"json://127.0.0.1:{hook.port}/{SECRET}")
        dispatcher = AlertDispatcher(FAST, targets_from_env(FAST), [].append)
        dispatcher.start()
        dispatcher.emit("trading_state", "ACTIVE -> HALTED (KILL: kill by ctl)")
        await _until(hook.arrived.is_set, "the kill alert never left")
        (lane,) = dispatcher.lanes
        await asyncio.wait_for(lane.close(flush_timeout_s=0.1), WAIT_S)  # bounded: returns unanswered
        assert (hook.answered, dispatcher.sent) == (0, 0)


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


async def test_a_held_target_does_not_hold_up_the_other_target(
    serve: Callable[[AlertsSettings], Awaitable[Served]], monkeypatch: pytest.MonkeyPatch
) -> None:
    with WebhookServer(hold=True) as held, WebhookServer() as hook:
        monkeypatch.setenv(TARGET, f"json://127.0.0.1:{held.port}/{SECRET}")
        monkeypatch.setenv(OTHER, f"json://127.0.0.1:{hook.port}/{SECRET}")
        served = await serve(BOTH)
        await _until(held.arrived.is_set, "the start alert never left")
        client = await served.client()
        assert (await asyncio.wait_for(client.command(Kill("test")), WAIT_S)).ok
        await _until(lambda: "-> HALTED" in hook.texts(), "the held target held up the other one")
        assert held.answered == 0
        held.release()
        await client.close()
        assert await asyncio.wait_for(served.stop(), WAIT_S) == 0
