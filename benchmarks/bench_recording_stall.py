"""How long an engine's loop waits on its input recording: ``SessionRecorder.write`` at a live
pace, a part every 10,000 events as a sim or paper session writes them.

40,000 events of the default two-symbol sim (20 levels a side), generated first, written in
batches of 50 with a 10 ms pause between batches (5,000 events/s, about what 400 live
symbols send), so the recorder's part writes overlap the caller as they do on a live loop.

- ``recording_batch_p50_ms`` / ``recording_batch_max_ms``: the time one batch of 50 writes
  took, median and worst: the worst is the batch that ended a part.
- ``recording_parts``: parts written.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.arguments import quick_option
from hft_tui.config.loader import load_settings
from hft_tui.data.capture import DEFAULT_SIM_START_NS
from hft_tui.data.recording import RecordingMeta, SessionRecorder
from hft_tui.market.sim_setup import build_sim_market
from hft_tui.session.input_recording import SESSION_PART_EVENTS

BATCH_EVENTS = 50
PAUSE_S = 0.01


def run(quick: bool = False) -> dict[str, float]:
    """The caller's wait per batch of writes while parts are written."""
    n = 20_000 if quick else 40_000
    settings = load_settings(None, {})
    market = build_sim_market(settings.sim, settings.engine.symbols, settings.engine.seed, DEFAULT_SIM_START_NS)
    events = [market.next_event() for _ in range(n)]
    batches: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-recording-") as tmp:
        recorder = SessionRecorder(Path(tmp) / "s", RecordingMeta("sim", market.symbols, {}),
                                   part_events=SESSION_PART_EVENTS)
        for start in range(0, n, BATCH_EVENTS):
            started = time.perf_counter()
            for event in events[start:start + BATCH_EVENTS]:
                recorder.write(event)
            batches.append(time.perf_counter() - started)
            time.sleep(PAUSE_S)
        meta = recorder.close()
    batches.sort()
    return {
        "recording_batch_p50_ms": batches[len(batches) // 2] * 1e3,
        "recording_batch_max_ms": batches[-1] * 1e3,
        "recording_parts": float(meta.parts),
    }


if __name__ == "__main__":
    for key, value in run(quick=quick_option(__file__)).items():
        print(f"{key:40s} {value:16,.3f}")
