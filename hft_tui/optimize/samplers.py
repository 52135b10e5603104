"""TPE by default, grid and random on request, each seeded; and the pruner.

With a seed, a fresh study draws the same suggestions on any executor (the runner asks in
fixed batches). A resumed study mixes the number of trials it already holds into the seed,
so it does not replay the suggestions of its first run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import optuna
from optuna.samplers import BaseSampler, GridSampler, RandomSampler, TPESampler

from hft_tui.optimize.search_space import Param

SAMPLERS = ("tpe", "random", "grid")


class AskTellGridSampler(GridSampler):
    """The grid sampler without its call to ``study.stop()`` (which only works inside
    ``study.optimize``): the runner stops at an exhausted grid itself."""

    def after_trial(self, study: optuna.Study, trial: optuna.trial.FrozenTrial,
                    state: optuna.trial.TrialState, values: Sequence[float] | None) -> None:
        return None


def make_sampler(name: str, seed: int | None, space: Sequence[Param], trials_so_far: int) -> BaseSampler:
    """The sampler ``name`` seeded by ``seed`` and ``trials_so_far``."""
    if seed is not None and trials_so_far:
        seed = int(np.random.SeedSequence([seed, trials_so_far]).generate_state(1)[0])
    if name == "tpe":
        return TPESampler(seed=seed)
    if name == "random":
        return RandomSampler(seed=seed)
    if name == "grid":
        return AskTellGridSampler({p.key: p.grid() for p in space}, seed=seed)
    raise ValueError(f"unknown sampler {name!r}; choose from {', '.join(SAMPLERS)}")


def grid_size(space: Sequence[Param]) -> int:
    """How many points the grid has."""
    size = 1
    for param in space:
        size *= len(param.grid())
    return size


def make_pruner(enabled: bool) -> optuna.pruners.BasePruner:
    """The median pruner (a trial below the median of finished trials at the same walk-forward
    fold stops), or none."""
    if enabled:
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0)
    return optuna.pruners.NopPruner()
