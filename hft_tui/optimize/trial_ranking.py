"""A study's trials ranked for ``optimize show``: finished trials best first by the first
objective in sample, the Pareto front marked when there are several objectives, out-of-sample
figures beside, and the overfitting warnings the sweep prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from hft_tui.backtest.overfitting import overfitting_warnings
from hft_tui.optimize.abandoned_trials import RETRY_ATTR
from hft_tui.optimize.study_runner import ERROR_ATTR, IN_SAMPLE_ATTR, OUT_OF_SAMPLE_ATTR

_STATE_ORDER = {TrialState.COMPLETE: 0, TrialState.PRUNED: 1, TrialState.RUNNING: 2, TrialState.WAITING: 3,
                TrialState.FAIL: 4}


@dataclass(frozen=True, slots=True)
class RankedTrial:
    """One trial as ``show`` lists it."""

    number: int
    state: str
    params: dict[str, Any]
    in_sample: dict[str, float | None]
    out_of_sample: dict[str, float | None]
    on_front: bool
    note: str


@dataclass(frozen=True, slots=True)
class Ranking:
    """The ranked trials, the objective names and directions, and the warnings."""

    objectives: list[str]
    maximise: list[bool]
    trials: list[RankedTrial]
    warnings: list[str]


def rank_study(study: optuna.Study, objectives: list[str]) -> Ranking:
    """``study``'s trials ranked by its first objective (``objectives`` names its values)."""
    maximise = [d == optuna.study.StudyDirection.MAXIMIZE for d in study.directions]
    trials = study.get_trials(deepcopy=False)
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    front = {t.number for t in study.best_trials} if len(maximise) > 1 and complete else set()
    first, higher = objectives[0], maximise[0]

    def key(trial: FrozenTrial) -> tuple[int, float, int]:
        value = trial.values[0] if trial.state == TrialState.COMPLETE and trial.values else None
        if value is None:
            return (_STATE_ORDER.get(trial.state, 5) + 1, 0.0, trial.number)
        return (0, -value if higher else value, trial.number)

    ranked = [RankedTrial(t.number, t.state.name, dict(t.params), dict(t.user_attrs.get(IN_SAMPLE_ATTR, {})),
                          dict(t.user_attrs.get(OUT_OF_SAMPLE_ATTR, {})), t.number in front, _note(t))
              for t in sorted(trials, key=key)]
    done = [r for r in ranked if r.state == "COMPLETE"]
    values = [(r.in_sample.get(first), r.out_of_sample.get(first)) for r in done]
    # Every fold of a study holds out a window (rolling_folds): an undefined value there is said as such.
    pruned = sum(r.state == "PRUNED" for r in ranked)
    return Ranking(objectives, maximise, ranked,
                   overfitting_warnings(values, first, higher, has_out_of_sample=True, what="trials",
                                        stopped_early=pruned))


def _note(trial: FrozenTrial) -> str:
    notes = []
    if ERROR_ATTR in trial.user_attrs:
        notes.append(str(trial.user_attrs[ERROR_ATTR]))
    if RETRY_ATTR in trial.user_attrs:
        notes.append(f"repeats trial {trial.user_attrs[RETRY_ATTR]}")
    if trial.state == TrialState.PRUNED and trial.intermediate_values:
        notes.append(f"pruned after fold {max(trial.intermediate_values) + 1}")
    return "; ".join(notes)
