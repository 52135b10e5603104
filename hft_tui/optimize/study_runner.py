"""The study loop: ask a fixed batch of trials, run their backtests on the executor, tell.

Determinism: the sampler is asked for a whole batch before any of it is told, and a pruning
decision is taken only when every trial of the batch has reached the same fold, in trial
order. What a trial gets suggested therefore depends on the seed, the batch size and the
trials already told, never on which worker was quicker: local processes and a Ray cluster
give the same trials.

Durability: a trial is told (written to the storage) the moment its last window finishes, so
a killed study loses only the trials that were still running, and those are queued again
(``abandoned_trials``). Ctrl+C stops the executor at once and does the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import dataclass, field
from typing import Any

import optuna
from optuna.trial import TrialState

from hft_tui.backtest.executor import BacktestExecutor, BacktestJob
from hft_tui.backtest.report import BacktestReport
from hft_tui.backtest.runner import DataSpec
from hft_tui.backtest.sweep import METRICS, metric_value
from hft_tui.backtest.walk_forward import Fold
from hft_tui.config.errors import ConfigError
from hft_tui.config.settings import Settings
from hft_tui.optimize.abandoned_trials import WORKER_ATTR, reclaim_abandoned, requeue, retried_numbers, this_worker
from hft_tui.optimize.heartbeat import Heartbeat
from hft_tui.optimize.objectives import Objective
from hft_tui.optimize.samplers import AskTellGridSampler, grid_size
from hft_tui.optimize.search_space import Param

IN_SAMPLE_ATTR = "in_sample"
OUT_OF_SAMPLE_ATTR = "out_of_sample"
ERROR_ATTR = "error"


@dataclass(frozen=True, slots=True)
class StudyPlan:
    """What each trial runs: its parameters over the base settings, on every fold."""

    space: Sequence[Param]
    objectives: Sequence[Objective]
    folds: Sequence[Fold]
    spec: DataSpec
    settings_for: Callable[[Mapping[str, Any]], Settings]  # raises ConfigError/ValueError
    vectorised: bool = False
    prune: bool = False


@dataclass(slots=True)
class RunTally:
    """What this process did."""

    complete: int = 0
    pruned: int = 0
    failed: int = 0
    reclaimed: int = 0
    interrupted: bool = False
    grid_exhausted: bool = False


@dataclass(slots=True)
class _Work:
    trial: optuna.Trial
    settings: Settings
    reports: dict[tuple[str, int], BacktestReport] = field(default_factory=dict)
    told: bool = False


def run_study(study: optuna.Study, plan: StudyPlan, executor: BacktestExecutor, heartbeat: Heartbeat, *,
              trials: int | None, until: int | None, batch: int,
              on_trial: Callable[[optuna.trial.FrozenTrial], None] | None = None) -> RunTally:
    """Run ``trials`` trials here (or until the study holds ``until``), ``batch`` at a time."""
    tally = RunTally()
    started = 0
    while True:
        tally.reclaimed += reclaim_abandoned(study)
        want = batch if trials is None else min(batch, trials - started)
        if until is not None:
            want = min(want, until - _counted(study))
        if isinstance(study.sampler, AskTellGridSampler):
            left = _grid_left(study, plan)
            tally.grid_exhausted = left == 0
            want = min(want, left)
        if want <= 0:
            return tally
        work: list[_Work] = []
        try:
            for _ in range(want):
                started += 1
                item = _ask(study, plan, heartbeat, tally, on_trial)
                if item is not None:
                    work.append(item)
            _run_batch(study, plan, executor, heartbeat, work, tally, on_trial)
        except KeyboardInterrupt:
            tally.interrupted = True
            executor.stop_now()
            for item in work:
                if not item.told:
                    item.trial.set_user_attr(ERROR_ATTR, "interrupted (queued again)")
                    _tell(study, heartbeat, item, TrialState.FAIL, None, tally, on_trial)
                    requeue(study, item.trial.params, item.trial.number)
            return tally


def _ask(study: optuna.Study, plan: StudyPlan, heartbeat: Heartbeat, tally: RunTally,
         on_trial: Callable[[optuna.trial.FrozenTrial], None] | None) -> _Work | None:
    trial = study.ask()
    trial.set_user_attr(WORKER_ATTR, this_worker())
    heartbeat.track(trial._trial_id)  # noqa: SLF001 - the storage keys heartbeats by it
    params = {p.key: _suggest(trial, p) for p in plan.space}
    item = _Work(trial, None)  # type: ignore[arg-type]
    try:
        item.settings = plan.settings_for(params)
    except (ConfigError, ValueError) as exc:
        trial.set_user_attr(ERROR_ATTR, f"invalid combination: {str(exc).splitlines()[0]}")
        _tell(study, heartbeat, item, TrialState.FAIL, None, tally, on_trial)
        return None
    return item


def _suggest(trial: optuna.Trial, param: Param) -> Any:
    if param.kind == "choice":
        return trial.suggest_categorical(param.key, param.choices)
    if param.kind == "int":
        return trial.suggest_int(param.key, int(param.low), int(param.high),  # type: ignore[arg-type]
                                 step=int(param.step or 1), log=param.log)
    return trial.suggest_float(param.key, param.low, param.high, step=param.step, log=param.log)  # type: ignore[arg-type]


def _run_batch(study: optuna.Study, plan: StudyPlan, executor: BacktestExecutor, heartbeat: Heartbeat,
               work: list[_Work], tally: RunTally,
               on_trial: Callable[[optuna.trial.FrozenTrial], None] | None) -> None:
    folds = range(len(plan.folds))
    if plan.prune:
        stages = [[("is", k)] for k in folds] + [[("oos", k) for k in folds]]
    else:
        stages = [[("is", k) for k in folds] + [("oos", k) for k in folds]]
    for stage in stages:
        futures: dict[Future[BacktestReport], tuple[_Work, tuple[str, int]]] = {}
        for item in work:
            if item.told:
                continue
            for side, k in stage:
                fold = plan.folds[k]
                window = fold.in_sample if side == "is" else fold.out_of_sample
                futures[executor.submit(BacktestJob(item.settings, plan.spec, window, plan.vectorised))] = \
                    (item, (side, k))
        for future in as_completed(futures):
            item, where = futures[future]
            if item.told:
                continue
            try:
                item.reports[where] = future.result()
            except Exception as exc:  # noqa: BLE001 - a failing backtest fails its trial, not the study
                item.trial.set_user_attr(ERROR_ATTR, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
                _tell(study, heartbeat, item, TrialState.FAIL, None, tally, on_trial)
                continue
            if len(item.reports) == 2 * len(plan.folds):
                _finish(study, plan, heartbeat, item, tally, on_trial)
        if plan.prune and stage[0][0] == "is":
            _prune(study, plan, heartbeat, work, stage[0][1], tally, on_trial)


def _prune(study: optuna.Study, plan: StudyPlan, heartbeat: Heartbeat, work: list[_Work], k: int,
           tally: RunTally, on_trial: Callable[[optuna.trial.FrozenTrial], None] | None) -> None:
    """Every trial of the batch has run fold ``k`` in sample: report, then prune in trial order."""
    for item in work:
        if item.told:
            continue
        value = plan.objectives[0].value(item.reports[("is", k)])
        if value is None:
            continue
        item.trial.report(value, k)
        if item.trial.should_prune():
            _store_summaries(plan, item)
            _tell(study, heartbeat, item, TrialState.PRUNED, None, tally, on_trial)


def _finish(study: optuna.Study, plan: StudyPlan, heartbeat: Heartbeat, item: _Work, tally: RunTally,
            on_trial: Callable[[optuna.trial.FrozenTrial], None] | None) -> None:
    in_sample = _store_summaries(plan, item)
    values = [in_sample[o.name] for o in plan.objectives]
    if any(v is None for v in values):
        undefined = ", ".join(o.name for o, v in zip(plan.objectives, values, strict=True) if v is None)
        item.trial.set_user_attr(ERROR_ATTR, f"{undefined} undefined in every in-sample window (no trades?)")
        _tell(study, heartbeat, item, TrialState.FAIL, None, tally, on_trial)
        return
    _tell(study, heartbeat, item, TrialState.COMPLETE, values, tally, on_trial)  # type: ignore[arg-type]


def _store_summaries(plan: StudyPlan, item: _Work) -> dict[str, float | None]:
    """Mean in-sample and out-of-sample figures over the folds run so far, as user attrs."""
    summaries = {}
    for side, attr in (("is", IN_SAMPLE_ATTR), ("oos", OUT_OF_SAMPLE_ATTR)):
        reports = [r for (s, _), r in sorted(item.reports.items()) if s == side]
        summary: dict[str, float | None] = {name: _mean([metric_value(r, name) for r in reports]) for name in METRICS}
        summary.update({o.name: _mean([o.value(r) for r in reports]) for o in plan.objectives})
        item.trial.set_user_attr(attr, summary)
        summaries[side] = summary
    return summaries["is"]


def _mean(values: list[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def _tell(study: optuna.Study, heartbeat: Heartbeat, item: _Work, state: TrialState, values: list[float] | None,
          tally: RunTally, on_trial: Callable[[optuna.trial.FrozenTrial], None] | None) -> None:
    frozen = study.tell(item.trial, values, state=state)
    item.told = True
    heartbeat.forget(item.trial._trial_id)  # noqa: SLF001
    if state == TrialState.COMPLETE:
        tally.complete += 1
    elif state == TrialState.PRUNED:
        tally.pruned += 1
    else:
        tally.failed += 1
    if on_trial is not None:
        on_trial(frozen)


def _counted(study: optuna.Study) -> int:
    """Trials that count towards ``until``: running or finished, a failed one that was queued
    again counting once (as its repeat)."""
    trials = study.get_trials(deepcopy=False)
    retried = retried_numbers(trials)
    return sum(1 for t in trials if t.state != TrialState.WAITING and t.number not in retried)


def _grid_left(study: optuna.Study, plan: StudyPlan) -> int:
    """Grid points no trial has taken yet (repeats of abandoned trials are queued apart)."""
    taken = {t.system_attrs["grid_id"] for t in study.get_trials(deepcopy=False)
             if "grid_id" in t.system_attrs}
    waiting = sum(1 for t in study.get_trials(deepcopy=False, states=(TrialState.WAITING,)))
    return grid_size(plan.space) - len(taken) + waiting
