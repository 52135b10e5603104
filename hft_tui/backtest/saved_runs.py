"""Every backtest, sweep, per-symbol batch and study result, saved in the state dir so that
``hft-tui backtest list|show|compare`` can find it again.

A run is one JSON file ``<state_dir>/backtests/<id>.json`` (0600 in a 0700 directory), ``id``
a number counting up. It holds what was run (the command line), when, a ``figures`` row per
result (the headline numbers ``list`` and ``compare`` read) and a ``body`` that ``show``
renders again (the reports, the sweep rows, the ranked trials). A file is written under a
private temporary name and linked to its id, so two processes saving at once take two ids
and a reader never sees half a run.

Saving prunes: the newest ``backtest.keep_runs`` runs stay, older ones are removed, except
runs marked kept (an empty ``<id>.kept`` beside the run, neither counted nor removed). The
next id is one past the newest run's, so only deleting the newest run frees its id again.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from hft_tui.private_dir import ensure_private_dir
from hft_tui.redaction import redact, redact_bytes

FILE_MODE = 0o600
SAVED_RUNS_DIR = "backtests"
FORMAT = 1
_ID = re.compile(r"^[1-9][0-9]*$")


class UnknownRun(LookupError):
    """No saved run has this id; the message says which ids exist."""


@dataclass(frozen=True, slots=True)
class SavedRun:
    """One saved run as read back."""

    id: int
    kind: str  # backtest | sweep | per-symbol | study
    created: str  # ISO UTC
    command: str
    title: str
    figures: list[dict[str, Any]]  # each: label, then the headline figures (None = undefined)
    body: dict[str, Any]
    interrupted: bool
    kept: bool = False  # exempt from pruning (``backtest keep``)


def command_line(argv: Sequence[str] | None = None) -> str:
    """The command as the user typed it (``hft-tui`` and its arguments), for the record; a
    database password in ``--storage`` or any other credential is blanked."""
    args = list(sys.argv[1:] if argv is None else argv)
    return redact(shlex.join(["hft-tui", *args]))


class RunStore:
    """The saved runs under a state dir."""

    def __init__(self, state_dir: Path) -> None:
        self.root = state_dir / SAVED_RUNS_DIR

    def save(self, kind: str, title: str, figures: Sequence[Mapping[str, Any]], body: Mapping[str, Any], *,
             command: str, interrupted: bool = False) -> int:
        """Write a new run and return its id."""
        ensure_private_dir(self.root)
        doc = {"format": FORMAT, "kind": kind, "created": datetime.now(UTC).isoformat(timespec="seconds"),
               "command": command, "title": title, "figures": [dict(f) for f in figures], "body": dict(body),
               "interrupted": interrupted}
        fd, scratch = tempfile.mkstemp(prefix=".saving-", dir=self.root)  # 0600 by mkstemp
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(redact_bytes(orjson.dumps(doc, option=orjson.OPT_SERIALIZE_NUMPY)) + b"\n")
            run_id = max(self.ids(), default=0) + 1
            while True:
                try:
                    os.link(scratch, self.root / f"{run_id}.json")  # fails if another process took the id
                    return run_id
                except FileExistsError:
                    run_id += 1
        finally:
            os.unlink(scratch)

    def ids(self) -> list[int]:
        """The saved ids, oldest first."""
        if not self.root.is_dir():
            return []
        return sorted(int(p.stem) for p in self.root.glob("*.json") if _ID.match(p.stem))

    def load(self, run_id: str | int) -> SavedRun:
        """The run ``run_id``; UnknownRun when there is none."""
        path = self._path(run_id)
        try:
            doc = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            raise UnknownRun(f"no saved run {path.stem!r}; {self._known()}") from None  # removed meanwhile
        except orjson.JSONDecodeError as exc:
            raise UnknownRun(f"saved run {path.stem} cannot be read ({path}: {exc})") from None
        return SavedRun(int(path.stem), doc["kind"], doc["created"], doc["command"], doc["title"], doc["figures"],
                        doc["body"], bool(doc.get("interrupted")), self._marker(int(path.stem)).exists())

    def delete(self, run_id: str | int) -> int:
        """Remove the run ``run_id`` (kept or not); its id. UnknownRun when there is none."""
        path = self._path(run_id)
        path.unlink(missing_ok=True)
        self._marker(int(path.stem)).unlink(missing_ok=True)
        return int(path.stem)

    def keep(self, run_id: str | int, kept: bool = True) -> int:
        """Mark the run ``run_id`` kept (never pruned), or no longer kept; its id."""
        number = int(self._path(run_id).stem)
        if kept:
            os.close(os.open(self._marker(number), os.O_CREAT | os.O_WRONLY, FILE_MODE))
        else:
            self._marker(number).unlink(missing_ok=True)
        return number

    def prune(self, keep: int) -> list[int]:
        """Remove the runs older than the newest ``keep`` that are not marked kept; the ids removed."""
        removable = [i for i in self.ids() if not self._marker(i).exists()]
        removed = removable[:-keep] if keep > 0 else removable
        for run_id in removed:
            (self.root / f"{run_id}.json").unlink(missing_ok=True)  # another saver may prune it too
        return removed

    def _path(self, run_id: str | int) -> Path:
        text = str(run_id).strip()
        path = self.root / f"{text}.json"
        if not _ID.match(text) or not path.is_file():
            raise UnknownRun(f"no saved run {text!r}; {self._known()}")
        return path

    def _marker(self, run_id: int) -> Path:
        return self.root / f"{run_id}.kept"

    def _known(self) -> str:
        ids = self.ids()
        if not ids:
            return f"nothing is saved in {self.root} yet (every backtest, sweep and study saves its result)"
        shown = ", ".join(str(i) for i in ids[-10:])
        return f"saved runs are {'…, ' if len(ids) > 10 else ''}{shown} (hft-tui backtest list)"
