"""Attached clients: what attaching costs and what it feels like, against a real
``hft-tui serve`` process on the default paced simulator.

- attach_first_snapshot_ms: connect, hello, welcome and the first full snapshot decoded
  (what the workstation needs before its first frame), median of several attaches;
- attached_120x35_first_frame_s: ``hft-tui attach`` started in a 120x35 pty until its
  header (``ATTACHED``) is on screen, process start-up and imports included; and that
  workstation's CPU and terminal bytes per second while it streams;
- command_rtt_p50/p99_ms: a command's round trip through the socket (journaled durably
  by the engine, so it includes one group commit);
- bytes_per_s_per_client: what one client at 10 Hz receives (the default 120x35 workstation
  asks for the same stream whatever its size);
- engine_cpu_pct_5_clients: the served process's CPU (% of one core) with five clients at
  10 Hz, minus the same window with none.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.arguments import quick_option
from benchmarks.bench_tui import measure_streaming
from hft_tui.serve.control_client import ControlClient, EngineUnreachable
from hft_tui.serve.protocol import socket_path
from hft_tui.trading.commands import PauseStrategy, ResumeStrategy

REFRESH_HZ = 10.0
STARTUP_TIMEOUT_S = 60.0


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _connect(state_dir: Path, **kwargs: object) -> ControlClient:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        try:
            return await ControlClient.connect(socket_path(state_dir), client="bench", **kwargs)  # type: ignore[arg-type]
        except EngineUnreachable:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


async def _first_snapshot_ms(state_dir: Path) -> float:
    started = time.perf_counter()
    arrived = asyncio.Event()
    client = await _connect(state_dir, refresh_hz=REFRESH_HZ, on_snapshot=lambda _s: arrived.set())
    await arrived.wait()
    elapsed = (time.perf_counter() - started) * 1e3
    await client.close()
    return elapsed


async def _bytes_per_s(state_dir: Path, seconds: float) -> float:
    reader, writer = await asyncio.open_unix_connection(str(socket_path(state_dir)), limit=1 << 24)
    writer.write(b'{"type":"hello","version":1,"client":"bench","refresh_hz":10}\n')
    await reader.readline()
    await reader.readline()  # the first, full snapshot is not the steady rate
    received = 0
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            received += len(await asyncio.wait_for(reader.readline(), left))
        except TimeoutError:
            break
    writer.close()
    return received / seconds


async def _measure(state_dir: Path, pid: int, quick: bool) -> dict[str, float]:
    window_s = 3.0 if quick else 10.0
    await (await _connect(state_dir)).close()  # the engine is up
    attaches = [await _first_snapshot_ms(state_dir) for _ in range(5 if quick else 20)]

    client = await _connect(state_dir)
    rtts = []
    for i in range(100 if quick else 500):
        started = time.perf_counter()
        await client.command(PauseStrategy(None) if i % 2 == 0 else ResumeStrategy(None))
        rtts.append((time.perf_counter() - started) * 1e3)
    await client.close()
    rtts.sort()

    rate = await _bytes_per_s(state_dir, window_s)

    idle_before = _cpu_s(pid)
    await asyncio.sleep(window_s)
    idle_pct = (_cpu_s(pid) - idle_before) / window_s * 100
    clients = [await _connect(state_dir, refresh_hz=REFRESH_HZ) for _ in range(5)]
    busy_before = _cpu_s(pid)
    await asyncio.sleep(window_s)
    busy_pct = (_cpu_s(pid) - busy_before) / window_s * 100
    for c in clients:
        await c.close()
    workstation = await asyncio.to_thread(measure_streaming, 120, 35, window_s, args=("attach",),
                                          marker=b"ATTACHED", state_dir=state_dir)
    return {
        **{f"attached_{key}": value for key, value in workstation.items()},
        "attach_first_snapshot_ms": statistics.median(attaches),
        "command_rtt_p50_ms": statistics.median(rtts),
        "command_rtt_p99_ms": rtts[max(int(len(rtts) * 0.99) - 1, 0)],
        "bytes_per_s_per_client": rate,
        "engine_cpu_pct_no_clients": idle_pct,
        "engine_cpu_pct_5_clients": busy_pct,
        "engine_cpu_pct_added_by_5_clients": busy_pct - idle_pct,
    }


def run(quick: bool = False) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-attach-") as tmp:
        state_dir = Path(tmp) / "state"
        served = subprocess.Popen([sys.executable, "-m", "hft_tui", "--state-dir", str(state_dir), "serve"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            return asyncio.run(_measure(state_dir, served.pid, quick))
        finally:
            served.terminate()
            served.wait(30)


if __name__ == "__main__":
    for key, value in run(quick=quick_option(__file__)).items():
        print(f"{key:36s} {value:14,.3f}")
