"""How far a recording is: a rich bar with the events written and a countdown to the end (wall
time for an exchange's feed, kept moving between events; simulated time for the simulator) on
a terminal, else a line at every tenth of the duration."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class _Countdown(ProgressColumn):
    """Time left of a wall-clock recording, from the task's own clock (so it moves when no event comes)."""

    def __init__(self, duration_s: float) -> None:
        super().__init__()
        self._duration_s = duration_s

    def render(self, task: Task) -> Text:
        left = max(0.0, self._duration_s - (task.elapsed or 0.0))
        minutes, seconds = divmod(int(left + 0.999), 60)
        hours, minutes = divmod(minutes, 60)
        return Text(f"{hours}:{minutes:02d}:{seconds:02d} left", style="progress.remaining")


class RecordingProgress:
    """Progress of a recording of ``duration_s`` seconds (``wall``: of wall time); a context manager."""

    def __init__(self, what: str, duration_s: float, *, wall: bool, stream: TextIO | None = None) -> None:
        self._what = what
        self._duration_s = duration_s
        self._wall = wall
        self._stream = stream or sys.stderr
        self._next_tenth = 1
        self._bar: Progress | None = None
        self._task = 0

    def __enter__(self) -> RecordingProgress:
        if self._stream.isatty():
            columns = ((TextColumn("[bold]{task.description}"), TextColumn("{task.fields[events]:,} events ·"),
                        _Countdown(self._duration_s)) if self._wall else
                       (TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
                        TextColumn("{task.fields[events]:,} events · left"), TimeRemainingColumn()))
            self._bar = Progress(*columns, console=Console(file=self._stream), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self._what, total=self._duration_s, events=0)
        else:
            print(f"{self._what}: {self._duration_s:g} s", file=self._stream, flush=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, events: int, seconds: float) -> None:
        """``events`` written, ``seconds`` of the duration (simulated or wall) gone."""
        done = min(max(seconds / self._duration_s, 0.0), 1.0)
        if self._bar is not None:
            # The wall-clock countdown follows the clock itself; events only move the count.
            self._bar.update(self._task, completed=seconds, events=events)
            return
        if done * 10 >= self._next_tenth:
            self._next_tenth = int(done * 10) + 1
            print(f"{self._what}: {done:.0%} ({events:,} events, {self._duration_s - seconds:,.0f} s left)",
                  file=self._stream, flush=True)
