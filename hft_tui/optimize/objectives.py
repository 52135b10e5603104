"""What a study optimises: one report metric, or several (a Pareto front).

The sweep's metric names (``sharpe``, ``return``, ``max_drawdown``...) carry their direction;
any other numeric figure of the report is named by its JSON path and a direction,
``trades.avg_win:max``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from hft_tui.backtest.report import BacktestReport
from hft_tui.backtest.sweep import METRICS


@dataclass(frozen=True, slots=True)
class Objective:
    """A report figure at ``path`` and whether higher is better."""

    name: str
    path: tuple[str, ...]
    maximise: bool

    @property
    def direction(self) -> str:
        return "maximize" if self.maximise else "minimize"

    def value(self, report: BacktestReport) -> float | None:
        """The figure in ``report`` (None when undefined: a flat curve has no Sharpe)."""
        node: Any = report
        for part in self.path:
            node = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
        if isinstance(node, bool) or not isinstance(node, (int, float)) or math.isnan(node):
            return None
        return float(node)


def parse_objectives(text: str) -> list[Objective]:
    """``sharpe`` or ``sharpe,max_drawdown`` or ``trades.avg_win:max`` (comma-separated)."""
    objectives = [_parse_one(item.strip()) for item in text.split(",") if item.strip()]
    if not objectives:
        raise ValueError("--objective needs at least one metric")
    names = [o.name for o in objectives]
    if len(set(names)) != len(names):
        raise ValueError(f"--objective names a metric twice: {text}")
    return objectives


def _parse_one(item: str) -> Objective:
    name, _, direction = item.partition(":")
    if direction and direction not in ("max", "min"):
        raise ValueError(f"objective {item!r}: the direction after ':' is max or min")
    if name in METRICS:
        path, higher = METRICS[name]
        return Objective(name, path, higher if not direction else direction == "max")
    path = tuple(name.split("."))
    known = {f for f in BacktestReport.__dataclass_fields__}
    if len(path) < 2 or path[0] not in known:
        raise ValueError(f"unknown objective {name!r}: one of {', '.join(METRICS)}, or a report figure "
                         "with a direction, e.g. trades.avg_win:max")
    if not direction:
        raise ValueError(f"objective {name!r}: say whether to maximise or minimise it ({name}:max or {name}:min)")
    return Objective(name, path, direction == "max")
