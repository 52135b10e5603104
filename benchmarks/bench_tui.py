"""TUI benchmark: the real ``hft-tui`` streaming the simulator under a pseudo-terminal.

For 80x24, 120x35 and 200x60 at the default refresh rate: CPU (% of one core, the whole process:
engine thread included), bytes per second written to the terminal, time to the first full
frame; and key-press-to-engine-command latency through Textual's pilot.

Run ``python benchmarks/bench_tui.py [--quick]``; the benchmark runner imports ``run``.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

from benchmarks.arguments import quick_option

SIZES = ((80, 24), (120, 35), (200, 60))
# The header's mode badge: once it is on screen the first frame is complete.
FIRST_FRAME_MARKER = b"SIM"


def _hft_tui_command() -> list[str]:
    script = Path(sys.executable).with_name("hft-tui")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "hft_tui"]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def measure_streaming(columns: int, rows: int, seconds: float, *, args: tuple[str, ...] = (),
                      marker: bytes = FIRST_FRAME_MARKER, state_dir: Path | None = None) -> dict[str, float]:
    """Run the app (``hft-tui --state-dir D *args``) in a pty of ``columns`` x ``rows`` for
    ``seconds`` after its first frame (``marker`` on screen). A ``state_dir`` given is left as it is."""
    own_state_dir = state_dir is None
    state_dir = Path(tempfile.mkdtemp(prefix="bench-tui-")) if state_dir is None else state_dir
    pid, master = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", COLORTERM="truecolor")
        command = _hft_tui_command()
        os.execv(command[0], [*command, "--state-dir", str(state_dir), *args])
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    started = time.perf_counter()
    first_frame_s = float("nan")
    seen = b""
    streamed = 0
    stream_started = 0.0
    cpu_at_stream_start = 0.0
    try:
        deadline = started + 30.0
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            chunk = os.read(master, 65536)
            now = time.perf_counter()
            if stream_started:
                streamed += len(chunk)
                if now - stream_started >= seconds:
                    break
                continue
            seen += chunk
            if marker in seen:
                first_frame_s = now - started
                # Settle one second (start-up redraws), then count.
                settle_until = now + 1.0
                while time.perf_counter() < settle_until:
                    if select.select([master], [], [], 0.05)[0]:
                        os.read(master, 65536)
                stream_started = time.perf_counter()
                cpu_at_stream_start = _cpu_seconds(pid)
        elapsed = time.perf_counter() - stream_started if stream_started else float("nan")
        cpu = _cpu_seconds(pid) - cpu_at_stream_start
    finally:
        os.kill(pid, signal.SIGTERM)
        end = time.perf_counter() + 10
        while time.perf_counter() < end:
            try:
                if select.select([master], [], [], 0.1)[0]:
                    os.read(master, 65536)
            except OSError:
                break
            if os.waitpid(pid, os.WNOHANG)[0]:
                break
        else:
            os.kill(pid, signal.SIGKILL)
        os.close(master)
        if own_state_dir:
            shutil.rmtree(state_dir, ignore_errors=True)
    tag = f"{columns}x{rows}"
    return {
        f"{tag}_cpu_pct_one_core": 100.0 * cpu / elapsed,
        f"{tag}_terminal_bytes_per_s": streamed / elapsed,
        f"{tag}_first_frame_s": first_frame_s,
    }


async def _key_to_command_latency(presses: int) -> dict[str, float]:
    from hft_tui.session.assembly import build_sim_engine
    from hft_tui.clock import FrozenClock
    from hft_tui.config.settings import Settings
    from hft_tui.tui.app import HftApp
    from hft_tui.tui.engine_link import EngineLink

    state_dir = Path(tempfile.mkdtemp(prefix="bench-tui-keys-"))
    clock = FrozenClock(1_767_225_600_000_000_000)
    engine = build_sim_engine(Settings(), clock=clock, wal_dir=state_dir / "wal", paced=False)
    engine.begin_session()
    link = EngineLink(engine, threaded=False)
    sent_at: list[float] = []
    original_send = link.send

    def timed_send(command, on_done=None):  # type: ignore[no-untyped-def]
        sent_at.append(time.perf_counter())
        original_send(command, on_done)

    link.send = timed_send  # type: ignore[method-assign]
    app = HftApp(link)
    latencies_ms: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(presses):
            before = time.perf_counter()
            await pilot.press("f5")  # pause all / resume all: no confirmation in between
            latencies_ms.append((sent_at[-1] - before) * 1e3)
    engine.wal.close_sync()
    shutil.rmtree(state_dir, ignore_errors=True)
    latencies_ms.sort()
    return {
        "key_to_command_ms_median": latencies_ms[len(latencies_ms) // 2],
        "key_to_command_ms_max": latencies_ms[-1],
    }


def run(quick: bool = False) -> dict[str, float]:
    """Every figure of the benchmark, keyed by name."""
    seconds = 3.0 if quick else 10.0
    figures: dict[str, float] = {}
    for columns, rows in SIZES:
        figures.update(measure_streaming(columns, rows, seconds))
    figures.update(asyncio.run(_key_to_command_latency(10 if quick else 40)))
    return figures


if __name__ == "__main__":
    for name, value in run(quick=quick_option(__file__)).items():
        print(f"{name:<36} {value:>12,.3f}")
