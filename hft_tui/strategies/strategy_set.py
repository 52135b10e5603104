"""Build the running strategy set from ``[strategies]`` and the markets' rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from hft_tui.market.candle_builder import parse_timeframe
from hft_tui.model import MarketRules
from hft_tui.strategies.base import BuildContext, Strategy, StrategyParams
from hft_tui.strategies.settings import StrategiesSettings


class Unbuilt(Strategy[StrategyParams]):
    """Stands in for a strategy whose ``build`` raised: it is listed (disabled, with why), is
    fed nothing and offers nothing, until a reload of its code builds it."""

    params_model: ClassVar[type[StrategyParams]] = StrategyParams

    @classmethod
    def standing_in_for(cls, name: str, params: StrategyParams) -> Unbuilt:
        stand_in = type(f"Unbuilt_{name}", (cls,), {"name": name, "params_model": type(params)})
        return stand_in(params)


@dataclass
class BuiltSet:
    """The strategies by name, in build order, and the ones that could not be built (their
    stand-ins are in ``strategies``) with the error each raised."""

    strategies: dict[str, Strategy]
    failures: dict[str, Exception] = field(default_factory=dict)


def build_strategies(settings: StrategiesSettings, rules: Mapping[str, MarketRules]) -> BuiltSet:
    """Enabled strategies by name, each built after (and given) the strategies it needs.

    A strategy whose needs are not enabled is refused, never quietly left out (the settings
    already refuse it; this guards a set built around them). One whose ``build`` raises, or
    that needs one that did, is an ``Unbuilt`` stand-in and a failure: the others still run."""
    catalogue = settings.catalogue
    problems = catalogue.problems(settings.enabled)
    if problems:
        raise ValueError("; ".join(problems))
    result = BuiltSet({})
    for name in catalogue.build_order(settings.enabled):
        cls = catalogue.classes[name]
        params = settings.params(name)
        broken = [need for need in cls.needs if need in result.failures]
        try:
            if broken:
                raise RuntimeError(f"it needs {', '.join(broken)}, which could not be built")
            context = BuildContext(rules=rules, needs={need: result.strategies[need] for need in cls.needs})
            result.strategies[name] = cls.build(params, context)
        except Exception as exc:  # noqa: BLE001 - a strategy's bug must not stop the session's start
            result.failures[name] = exc
            result.strategies[name] = Unbuilt.standing_in_for(name, params)
    return result


def candle_timeframes(strategies: Mapping[str, Strategy]) -> tuple[str, ...]:
    """The candle timeframes the strategies read (the engine builds these from trades)."""
    frames = {"1m"}
    for strategy in strategies.values():
        timeframe = getattr(strategy.params, "timeframe", None)
        if isinstance(timeframe, str):
            frames.add(timeframe)
    return tuple(sorted(frames, key=parse_timeframe))
