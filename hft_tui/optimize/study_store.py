"""Where studies live: Optuna's RDB storage, a SQLite file in the state dir by default (born
0600 in a 0700 directory), or any SQLAlchemy URL so that workers on other hosts join.

A study records its definition (search space, objectives, windows, base settings) when it is
created; a later run under the same name must define the same study, or it is refused in one
line instead of mixing two searches.
"""

from __future__ import annotations

import fcntl
import os
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import optuna
from optuna.storages import RDBStorage

from hft_tui.optimize.abandoned_trials import retry_later
from hft_tui.private_dir import ensure_private_dir
from hft_tui.wal.segments import open_private

DB_NAME = "optuna.db"
# A worker that stops beating for GRACE_S is presumed dead: its running trials are failed and
# queued again (same host: at once, see abandoned_trials).
HEARTBEAT_S = 5
GRACE_S = 30
DEFINITION_ATTR = "hft_tui_definition"
_OPEN_ATTEMPTS = 3
_CREATION_RACES = ("already exists", "UNIQUE constraint", "duplicate key")


class StudyError(ValueError):
    """The storage or the study cannot be used as asked; the message says why (one line)."""


def default_storage_url(state_dir: Path) -> str:
    """``sqlite:///<state_dir>/optuna.db``, the file created 0600 if it is missing."""
    ensure_private_dir(state_dir)
    path = state_dir / DB_NAME
    _create_private(path)
    return f"sqlite:///{path}"


def _create_private(path: Path) -> None:
    """Create ``path`` empty and 0600 unless it exists (SQLite keeps the mode for its journals)."""
    try:
        os.close(open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        pass


@contextmanager
def _creation_lock(database: Path | None) -> Iterator[None]:
    """Workers opening one new SQLite file take turns to create its tables."""
    if database is None:
        yield
        return
    fd = open_private(database.with_name(database.name + ".lock"), os.O_WRONLY | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _sqlite_file(url: str) -> Path | None:
    """The database file of a ``sqlite:///`` URL whose directory exists, else None."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if not parsed.get_backend_name() == "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return path if path.parent.is_dir() else None


def shown_url(url: str) -> str:
    """``url`` with any password hidden, for messages."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def open_storage(url: str) -> RDBStorage:
    """The RDB storage at ``url``, with heartbeats so that a dead worker's trials are retried."""
    engine_kwargs: dict[str, Any] = {}
    database = _sqlite_file(url)
    if database is not None and not database.exists():
        _create_private(database)
    if url.startswith("sqlite"):
        # Several worker processes write one file: wait for the lock rather than fail.
        engine_kwargs["connect_args"] = {"timeout": 60}
    for attempt in range(_OPEN_ATTEMPTS):
        try:
            with warnings.catch_warnings(), _creation_lock(database):
                warnings.simplefilter("ignore")  # heartbeats are marked experimental
                return RDBStorage(url, engine_kwargs=engine_kwargs, heartbeat_interval=HEARTBEAT_S,
                                  grace_period=GRACE_S, heartbeat_stale_trial_callback=retry_later)
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy and drivers raise many kinds; the user needs one line
            # Workers started together on a new server database race to create its tables: the
            # loser finds them made and opens it on the next attempt.
            if any(race in str(exc) for race in _CREATION_RACES) and attempt + 1 < _OPEN_ATTEMPTS:
                continue
            raise StudyError(f"cannot open the study storage {shown_url(url)}: {str(exc).splitlines()[0]}") from None
    raise AssertionError("unreachable")


def open_study(storage: RDBStorage, name: str, directions: list[str], definition: Mapping[str, Any],
               sampler: optuna.samplers.BaseSampler, pruner: optuna.pruners.BasePruner) -> optuna.Study:
    """Create the study ``name``, or load it when it exists and has the same ``definition``."""
    study = optuna.create_study(storage=storage, study_name=name, directions=directions, sampler=sampler,
                                pruner=pruner, load_if_exists=True)
    stored = study.user_attrs.get(DEFINITION_ATTR)
    if stored is None:
        study.set_user_attr(DEFINITION_ATTR, dict(definition))
        return study
    differences = [key for key in definition if stored.get(key) != definition[key]]
    if differences or [d.name.lower() for d in study.directions] != directions:
        what = ", ".join(differences) or "objective directions"
        raise StudyError(f"study {name!r} was created with other {what}; run the same study, "
                         "or give this one a new --study name")
    return study


def load_study(storage: RDBStorage, name: str) -> optuna.Study:
    """An existing study (``StudyError`` naming the ones there are, when it does not exist)."""
    try:
        return optuna.load_study(study_name=name, storage=storage)
    except KeyError:
        names = [s.study_name for s in optuna.get_all_study_summaries(storage)]
        have = f"studies here: {', '.join(names)}" if names else "there are no studies here yet"
        raise StudyError(f"no study named {name!r} ({have})") from None


def definition_of(study: optuna.Study) -> dict[str, Any]:
    """What the study was created for (empty for a study not made by hft-tui)."""
    return dict(study.user_attrs.get(DEFINITION_ATTR, {}))
