"""How far a backtest is through its window of simulated time, told while it runs: a rich
bar (share done, events, events per second, time left) on a terminal, else a plain line at
every tenth, so a log or a test sees it too. Reported every ``PROGRESS_EVERY`` events."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO, TypeVar

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

T = TypeVar("T")
PROGRESS_EVERY = 4096
# (simulated time reached in ns, events so far)
ProgressCallback = Callable[[int, int], None]


def reporting(events: Iterable[T], ts_ns_of: Callable[[T], int], progress: ProgressCallback | None) -> Iterable[T]:
    """``events`` unchanged, calling ``progress`` every PROGRESS_EVERY of them (none: as they are)."""
    if progress is None:
        return events
    return _reporting(events, ts_ns_of, progress)


def _reporting(events: Iterable[T], ts_ns_of: Callable[[T], int], progress: ProgressCallback) -> Iterator[T]:
    count = 0
    for event in events:
        yield event
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress(ts_ns_of(event), count)


class WindowProgress:
    """The progress of one window ``start_ts_ns``..``end_ts_ns``; a context manager."""

    def __init__(self, label: str, start_ts_ns: int, end_ts_ns: int, stream: TextIO = sys.stderr) -> None:
        self._label = label
        self._start = start_ts_ns
        self._span = max(end_ts_ns - start_ts_ns, 1)
        self._stream = stream
        self._started = time.perf_counter()
        self._next_tenth = 1
        self._bar: Progress | None = None
        self._task = 0

    def __enter__(self) -> WindowProgress:
        self._started = time.perf_counter()
        if self._stream.isatty():
            self._bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
                                 TextColumn("{task.fields[events]:,} events · {task.fields[rate]:,.0f}/s"),
                                 TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("· left"),
                                 TimeRemainingColumn(),
                                 console=Console(file=self._stream), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(f"backtest {self._label}", total=1.0, events=0, rate=0.0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, ts_ns: int, events: int) -> None:
        done = min(max((ts_ns - self._start) / self._span, 0.0), 1.0)
        elapsed = time.perf_counter() - self._started
        rate = events / elapsed if elapsed > 0 else 0.0
        if self._bar is not None:
            self._bar.update(self._task, completed=done, events=events, rate=rate)
            return
        if done * 10 >= self._next_tenth:
            self._next_tenth = int(done * 10) + 1
            left = elapsed * (1 - done) / done if done > 0 else 0.0
            print(f"backtest {self._label}: {done:.0%} ({events:,} events, {rate:,.0f}/s, about {left:,.0f} s left)",
                  file=self._stream, flush=True)
