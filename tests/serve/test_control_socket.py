"""The control socket: owner-only, versioned, one client's mistakes are its own, commands
from any client reach the engine and every client sees their effect."""

from __future__ import annotations

import asyncio
import stat
from dataclasses import asdict

import numpy as np
import pytest

from hft_tui.cli.main import main
from hft_tui.serve.control_client import ControlClient, EngineUnreachable
from hft_tui.serve.control_server import ControlServer
from hft_tui.serve.protocol import MAX_MESSAGE_BYTES, decode, encode
from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.trading.commands import AcknowledgeNotices, Kill, PauseStrategy, StopEngine
from hft_tui.trading.notice_log import NOTICE_CAPACITY


async def _raw(server: ControlServer) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_unix_connection(str(server.path), limit=16 * MAX_MESSAGE_BYTES)
    writer.write(encode({"type": "hello", "version": 1, "client": "test"}))
    assert decode(await reader.readline())["type"] == "welcome"
    return reader, writer


async def _snapshot_where(client_snapshots: asyncio.Queue[EngineSnapshot], check) -> EngineSnapshot:  # type: ignore[no-untyped-def]
    while not check(snapshot := await client_snapshots.get()):
        pass
    return snapshot


async def _watching(server: ControlServer, **kwargs: object) -> tuple[ControlClient, asyncio.Queue[EngineSnapshot]]:
    snapshots: asyncio.Queue[EngineSnapshot] = asyncio.Queue()
    client = await ControlClient.connect(server.path, client="test", refresh_hz=20,
                                         on_snapshot=snapshots.put_nowait, **kwargs)  # type: ignore[arg-type]
    return client, snapshots


async def test_the_socket_is_owner_only_in_an_owner_only_directory(served: ControlServer) -> None:
    assert stat.S_ISSOCK(served.path.stat().st_mode)
    assert stat.S_IMODE(served.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(served.path.parent.stat().st_mode) == 0o700


async def test_a_client_rebuilds_the_engines_own_snapshot_from_the_stream(served: ControlServer) -> None:
    published: dict[int, EngineSnapshot] = {}
    served.engine.bus.subscribe(EngineSnapshot, lambda s: published.__setitem__(s.seq, s))
    client, snapshots = await _watching(served)
    # A few deltas in, so the journal tail and the signals have come as appends.
    for _ in range(5):
        received = await _snapshot_where(snapshots, lambda s: s.seq in published)
    engine_snapshot = published[received.seq]
    for name in ("trading_state", "symbols", "wal_tail", "signals", "strategies", "positions",
                 "orders", "account", "risk", "metrics", "notice"):
        assert getattr(received, name) == getattr(engine_snapshot, name), name
    for symbol in engine_snapshot.symbols:
        mine, theirs = received.view(symbol), engine_snapshot.view(symbol)
        assert np.array_equal(mine.book.bids, theirs.book.bids)
        assert np.array_equal(mine.book.asks, theirs.book.asks)
        assert mine.last_trade == theirs.last_trade
    await client.close()


async def test_a_command_from_one_client_shows_in_the_other_clients_snapshots(served: ControlServer) -> None:
    watcher, snapshots = await _watching(served)
    commander = await ControlClient.connect(served.path, client="ctl")
    result = await commander.command(PauseStrategy(None))
    assert result.ok, result.message
    paused = await _snapshot_where(snapshots, lambda s: all(v.status == "paused" for v in s.strategies))
    assert paused.strategies
    await commander.close()
    await watcher.close()


async def test_a_view_only_client_cannot_kill(served: ControlServer) -> None:
    viewer = await ControlClient.connect(served.path, client="attach", view_only=True)
    result = await viewer.command(Kill("viewer"))
    assert not result.ok and "view-only" in result.message
    assert served.engine.publish_snapshot().trading_state == "ACTIVE"
    await viewer.close()


async def test_no_client_can_stop_the_served_engine(served: ControlServer) -> None:
    client = await ControlClient.connect(served.path, client="ctl")
    result = await client.command(StopEngine("client"))
    assert not result.ok
    assert served.engine.snapshot.running
    await client.close()


async def test_malformed_messages_get_an_error_and_the_connection_carries_on(served: ControlServer) -> None:
    reader, writer = await _raw(served)
    for bad in (b"not json\n", b"[1, 2]\n", b'{"type": "launch"}\n',
                b'{"type": "command", "id": 3, "command": {"name": "Flatten", "args": {"symbol": [1]}}}\n'):
        writer.write(bad)
        reply = await _next_reply(reader)
        assert reply["type"] in ("error", "result"), reply
        assert reply.get("ok") in (None, False)
    writer.write(encode({"type": "command", "id": 9, "command": {"name": "PauseStrategy", "args": {}}}))
    reply = await _next_reply(reader)
    assert reply == {"type": "result", "id": 9, "ok": True, "message": reply["message"]}
    writer.close()


async def test_an_oversized_message_drops_only_that_client(served: ControlServer) -> None:
    watcher, snapshots = await _watching(served)
    reader, writer = await _raw(served)
    writer.write(b'{"type": "command", "pad": "' + b"x" * (2 * MAX_MESSAGE_BYTES) + b'"}\n')
    reply = await _next_reply(reader)
    assert reply["type"] == "error" and "longer than" in reply["message"]
    assert await reader.read() == b""  # disconnected
    before = served.engine.core.counters.events
    later = await _snapshot_where(snapshots, lambda s: s.metrics.events_total > before)
    assert later.running
    assert (await watcher.command(PauseStrategy(None))).ok
    await watcher.close()


async def test_a_client_of_another_protocol_version_is_refused(served: ControlServer) -> None:
    reader, writer = await asyncio.open_unix_connection(str(served.path))
    writer.write(encode({"type": "hello", "version": 99}))
    reply = decode(await reader.readline())
    assert reply["type"] == "error" and "version" in reply["message"]
    writer.close()


async def test_connecting_where_no_engine_serves_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EngineUnreachable, match="no served engine"):
        await ControlClient.connect(tmp_path / "control.sock", client="ctl")


async def _next_reply(reader: asyncio.StreamReader) -> dict:  # type: ignore[type-arg]
    while True:
        message = decode(await reader.readline())
        if message["type"] != "snapshot":
            return message


async def test_notices_are_the_engines_notice_log_with_sources_repeats_and_acknowledgements(
        served: ControlServer) -> None:
    core = served.engine.core
    # Said in one go, between two snapshots, and before any client asked.
    core.add_notice("broker", "order s1o7 found live; cancelling it")
    core.add_notice("account", "BTC balance 1.2 but the position plus outside make 1.0")
    core.add_notice("account", "BTC balance 1.2 but the position plus outside make 1.0")
    client = await ControlClient.connect(served.path, client="ctl")
    first = next(n.seq for n in core.notices.notices if n.source == "broker")
    assert (await client.command(AcknowledgeNotices(first))).ok
    while served.engine.snapshot.notices != core.notices.notices:
        await asyncio.sleep(0.01)  # the next snapshot carries the log

    rows = await client.notices()
    await client.close()
    assert rows == [asdict(n) for n in core.notices.notices]
    broker, account = rows[-2:]
    assert (broker["source"], broker["acknowledged"]) == ("broker", True)
    assert (account["source"], account["count"], account["acknowledged"]) == ("account", 2, False)


def test_ctl_help_says_notices_answers_from_the_whole_notice_log(capsys: pytest.CaptureFixture[str]) -> None:
    # The server answers from the engine's NoticeLog (above), not from a short recent history.
    with pytest.raises(SystemExit) as exited:
        main(["ctl", "--help"])
    assert exited.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())  # as one line, however argparse wraps it
    assert f"notices the engine's notice log: up to {NOTICE_CAPACITY}, read and unread, kept across restarts" \
        in shown
