"""A real ``kill -9`` of a LIVE engine process on the OKX loopback: the exchange's dead-man's
switch cancels what was resting once its countdown runs out, and nothing disarmed it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from live_harness import wait_until
from okx_loopback import API_KEY, PASSPHRASE, SECRET, OkxLoopback

TIMEOUT_S = 10
# Not imported from conftest: with several test directories given, `conftest` may be another's.
EXAMPLES = Path(__file__).resolve().parents[2] / "config" / "examples"


@pytest.mark.slow
async def test_a_killed_engine_process_leaves_nothing_resting_once_the_switch_runs_out(
        okx_loopback: OkxLoopback, tmp_path: Path) -> None:
    config = tmp_path / "okx-loopback.toml"
    config.write_text((EXAMPLES / "okx-loopback.toml").read_text().replace("127.0.0.1:8766",
                                                                           f"127.0.0.1:{okx_loopback.port}"))
    env = {**os.environ, "HFT_TUI_OKX_API_KEY": API_KEY, "HFT_TUI_OKX_SECRET": SECRET,
           "HFT_TUI_OKX_PASSWORD": PASSPHRASE}
    engine = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hft_tui", "--headless", "--config", str(config), "--mode", "live", "--live",
        "--state-dir", str(tmp_path / "state"), "--set", f"exchange.dead_man_s={TIMEOUT_S}",
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        await wait_until(lambda: okx_loopback.dead_man_requests, "the engine process arms the dead-man's switch")
        resting = okx_loopback.place_foreign_order("BTC-USDT-SWAP", "buy", 2, 49_000.0)
        armed = len(okx_loopback.dead_man_requests)
        okx_loopback.advance(TIMEOUT_S * 0.6)
        await wait_until(lambda: len(okx_loopback.dead_man_requests) > armed, "the engine refreshes the switch")
        assert resting.is_open, "a live engine's refreshes keep resting orders"
        engine.kill()  # SIGKILL: no clean stop, no disarm
        await engine.wait()
        okx_loopback.advance(TIMEOUT_S + 1)
    finally:
        if engine.returncode is None:
            engine.kill()
            await engine.wait()

    assert resting.state == "canceled" and okx_loopback.dead_man_fired == 1
    assert 0 not in okx_loopback.dead_man_requests
