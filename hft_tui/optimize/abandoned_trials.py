"""Trials whose worker died or was interrupted: failed, and their parameters queued again so
the study resumes with them (``retry_of`` names the trial they repeat).

A worker stamps each trial it runs with ``worker`` (host, pid, process start time). A trial
left RUNNING by a process of this host that no longer exists is reclaimed at once; one from
another host when its heartbeat has been silent for the storage's grace period.
"""

from __future__ import annotations

import os
import socket
from typing import Any

import optuna
from optuna.exceptions import UpdateFinishedTrialError
from optuna.storages import fail_stale_trials
from optuna.trial import FrozenTrial, TrialState

WORKER_ATTR = "worker"
RETRY_ATTR = "retry_of"


def this_worker() -> str:
    """``host/pid/start-ticks``: unique to this process even when its pid is reused later."""
    pid = os.getpid()
    return f"{socket.gethostname()}/{pid}/{_start_ticks(pid)}"


def retry_later(study: optuna.Study, trial: FrozenTrial) -> None:
    """Queue ``trial``'s parameters again (the trial itself is already failed)."""
    requeue(study, trial.params, trial.number)


def requeue(study: optuna.Study, params: dict[str, Any], number: int) -> None:
    """Queue ``params`` as the next trial to run, a repeat of trial ``number``."""
    study.enqueue_trial(params, user_attrs={RETRY_ATTR: number}, skip_if_exists=False)


def reclaim_abandoned(study: optuna.Study) -> int:
    """Fail and requeue the RUNNING trials no live worker owns; how many were reclaimed."""
    storage = study._storage  # noqa: SLF001 - Optuna's own fail_stale_trials reads it the same way
    host = socket.gethostname()
    reclaimed = 0
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        owner = trial.user_attrs.get(WORKER_ATTR)
        if not isinstance(owner, str) or owner.split("/")[0] != host or _alive(owner):
            continue
        try:
            if storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL):  # noqa: SLF001
                retry_later(study, trial)
                reclaimed += 1
        except UpdateFinishedTrialError:
            pass  # another worker reclaimed it first
    fail_stale_trials(study)  # other hosts: by heartbeat (calls retry_later)
    return reclaimed


def retried_numbers(trials: list[FrozenTrial]) -> set[int]:
    """Numbers of the trials that were queued again (they count once, as their retry)."""
    return {t.user_attrs[RETRY_ATTR] for t in trials if RETRY_ATTR in t.user_attrs}


def _alive(owner: str) -> bool:
    _, pid, ticks = owner.split("/")
    return _start_ticks(int(pid)) == ticks


def _start_ticks(pid: int) -> str:
    """The process's start time in clock ticks since boot ("" if unknown or gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            # Field 22, counted after the command name (which may hold spaces) in parentheses.
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "" if not os.path.isdir("/proc") else "gone"
