"""How far a batch of runs is (a sweep's combinations, a study's trials, a batch's symbols),
told while it runs: a rich bar (runs done of the total, runs per minute, elapsed, time left
and the best result so far) on a terminal, else a plain line per finished run, so a log or a
test sees it too. Lines printed through it go above the bar."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)


class RunsProgress:
    """Progress of ``total`` runs (None: open-ended) called ``unit`` (e.g. "combinations");
    a context manager. ``plain`` is the line format off a terminal (``{done}``, ``{total}``,
    ``{unit}``, ``{best}``), None for no line."""

    def __init__(self, what: str, unit: str, total: int | None, *, plain: str | None = None,
                 stream: TextIO | None = None) -> None:
        self._what = what
        self._unit = unit
        self._total = total
        self._plain = plain
        self._stream = stream or sys.stderr
        self._console = Console(file=self._stream)
        self._started = time.perf_counter()
        self._bar: Progress | None = None
        self._task = 0

    def __enter__(self) -> RunsProgress:
        self._started = time.perf_counter()
        if self._stream.isatty():
            self._bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn(f"{self._unit} · {{task.fields[rate]}}"), TextColumn("elapsed"),
                                 TimeElapsedColumn(), TextColumn("· left {task.fields[left]}"),
                                 TextColumn("{task.fields[best]}"),
                                 console=self._console, transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self._what, total=self._total, rate="-", left="-:--:--", best="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, done: int, best: str = "") -> None:
        """``done`` runs have finished; ``best`` says the best so far (e.g. "best sharpe 1.2")."""
        elapsed = time.perf_counter() - self._started
        per_minute = done / elapsed * 60 if elapsed > 0 else 0.0
        if self._bar is not None:
            self._bar.update(self._task, completed=done, rate=f"{per_minute:,.1f}/min",
                             left=time_left(done, self._total, elapsed), best=f"· {best}" if best else "")
        elif self._plain is not None:
            line = self._plain.format(done=done, total=self._total if self._total is not None else "?",
                                      unit=self._unit, best=f", {best}" if best else "")
            print(line, file=self._stream, flush=True)

    def print(self, text: str) -> None:
        """A line above the bar (or plainly off a terminal); rich markup allowed."""
        self._console.print(text)  # the bar's own console: the line goes above it


def time_left(done: int, total: int | None, elapsed_s: float) -> str:
    """The time the rest will take at the rate so far (h:mm:ss). Runs finish in batches, so
    the rate is over the whole run, not the recent ones rich's own column would time."""
    if total is None or done <= 0 or elapsed_s <= 0:
        return "-:--:--"
    seconds = round((total - done) * elapsed_s / done)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class BestSoFar:
    """The best value of a metric among the finished runs, as the progress says it."""

    def __init__(self, name: str, higher_is_better: bool) -> None:
        self._name = name
        self._higher = higher_is_better
        self._value: float | None = None
        self._label = ""

    def offer(self, value: float | None, label: str = "") -> None:
        """A finished run's value (None: undefined, e.g. no trades) and what to call it."""
        if value is None:
            return
        if self._value is None or (value > self._value if self._higher else value < self._value):
            self._value, self._label = value, label

    @property
    def text(self) -> str:
        """``best sharpe 1.23 (trial 4)``, or "" before any defined value."""
        if self._value is None:
            return ""
        return f"best {self._name} {self._value:,.4g}" + (f" ({self._label})" if self._label else "")
