"""The loopback serves its websocket peers as a real exchange does: a peer that stops
reading is dropped, and the others get every frame without waiting on it."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import loopback_exchange
import pytest
from live_harness import HANG_GUARD_S, wait_until
from loopback_exchange import LoopbackExchange

FRAME = json.dumps({"e": "filler", "pad": "x" * 256_000})


async def subscribe(session: aiohttp.ClientSession, exchange: LoopbackExchange) -> aiohttp.ClientWebSocketResponse:
    ws = await session.ws_connect(f"ws://127.0.0.1:{exchange.port}/stream/ws/peer", max_msg_size=0)
    await ws.send_str(json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@depth"], "id": 1}))
    assert json.loads((await ws.receive()).data) == {"result": None, "id": 1}
    return ws


async def test_a_peer_that_stops_reading_is_dropped_and_the_others_get_every_frame(
        loopback: LoopbackExchange, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loopback_exchange, "SEND_TIMEOUT_S", 2.0)
    async with aiohttp.ClientSession() as session:
        reading, stopped = await subscribe(session, loopback), await subscribe(session, loopback)
        await wait_until(lambda: loopback.subscriber_count("btcusdt@depth") == 2, "both peers subscribed")
        sent = received = 0
        async with asyncio.timeout(HANG_GUARD_S):  # a broadcast that waits on the stopped peer never ends
            while loopback.subscriber_count("btcusdt@depth") == 2:  # until the stopped peer's buffers are full
                await loopback.send_raw(FRAME)
                sent += 1
                assert (await reading.receive()).data == FRAME
                received += 1
            await loopback.push_depth("BTCUSDT", bids=[(49_999.5, 2.0)])
            update = json.loads((await reading.receive()).data)

    assert received == sent > 1
    assert update["b"] == [["49999.50000000", "2.00000000"]]
    assert loopback.subscriber_count("btcusdt@depth") == 1, "only the peer that stopped reading was dropped"
