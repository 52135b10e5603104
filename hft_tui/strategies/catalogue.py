"""Every strategy that can run, by name, and the order they are built and fed in.

The catalogue reads what each strategy class declares (``name``, ``params_model``,
``needs``); nothing here knows a particular strategy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hft_tui.strategies.base import Strategy
from hft_tui.strategies.book_imbalance import BookImbalanceStrategy
from hft_tui.strategies.cvd import CvdDetector
from hft_tui.strategies.liquidation_hunter import LiquidationHunter
from hft_tui.strategies.spike_fader import SpikeFader
from hft_tui.strategies.trend_filter import TrendFilter
from hft_tui.strategies.vpin import VpinStrategy

BUILT_IN: tuple[type[Strategy], ...] = (
    TrendFilter, CvdDetector, LiquidationHunter, SpikeFader, BookImbalanceStrategy, VpinStrategy,
)


@dataclass(frozen=True)
class StrategySource:
    """Where a user strategy's code came from, and the sha256 of its source file."""

    origin: str  # "entry point NAME (module:Class)" or the file's path
    path: str
    sha256: str
    text: str = field(default="", repr=False)  # the source itself, as it was loaded

    def to_payload(self, *, with_text: bool = False) -> dict[str, Any]:
        payload = {"origin": self.origin, "path": self.path, "sha256": self.sha256}
        return {**payload, "source": self.text} if with_text else payload


@dataclass(frozen=True)
class StrategyCatalogue:
    """Strategy classes by name, in catalogue order (the built-ins first); ``sources`` holds
    the user strategies' code origins (the built-ins are the package's own)."""

    classes: Mapping[str, type[Strategy]]
    sources: Mapping[str, StrategySource] = field(default_factory=dict)

    @classmethod
    def of(cls, classes: Iterable[type[Strategy]],
           sources: Mapping[str, StrategySource] | None = None) -> StrategyCatalogue:
        return cls({strategy.name: strategy for strategy in classes}, dict(sources or {}))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.classes)

    def problems(self, enabled: Sequence[str]) -> list[str]:
        """What is wrong with running ``enabled``: unknown names, repeats, missing needs."""
        found: list[str] = []
        unknown = [name for name in enabled if name not in self.classes]
        if unknown:
            found.append(f"unknown strateg{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}; "
                         f"known: {', '.join(self.names)}")
        if len(set(enabled)) != len(enabled):
            found.append("lists a strategy twice")
        for name in enabled:
            strategy = self.classes.get(name)
            missing = [need for need in strategy.needs if need not in enabled] if strategy else []
            if missing:
                found.append(f"{name} needs {' and '.join(missing)} enabled too")
        return found

    def build_order(self, enabled: Iterable[str]) -> list[str]:
        """``enabled`` in catalogue order, each strategy after the ones it needs."""
        chosen = set(enabled)
        order: list[str] = []

        def place(name: str, path: tuple[str, ...]) -> None:
            if name in order:
                return
            if name in path:
                raise ValueError(f"strategies need each other in a circle: {' -> '.join((*path, name))}")
            for need in self.classes[name].needs:
                place(need, (*path, name))
            order.append(name)

        for name in self.names:
            if name in chosen:
                place(name, ())
        return order


BUILT_IN_CATALOGUE = StrategyCatalogue.of(BUILT_IN)

_installed = [BUILT_IN_CATALOGUE]


def install(catalogue: StrategyCatalogue) -> None:
    """Make ``catalogue`` the strategies this process can run (the command line does this once,
    after finding the user's strategies; forked sweep workers inherit it)."""
    _installed[0] = catalogue


def installed() -> StrategyCatalogue:
    """The strategies this process can run: the built-ins unless ``install`` said more."""
    return _installed[0]
