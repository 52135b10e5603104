"""Build the running strategy set from ``[strategies]`` and the markets' rules."""

from __future__ import annotations

from collections.abc import Mapping

from hft_tui.market.candle_builder import parse_timeframe
from hft_tui.model import MarketRules
from hft_tui.strategies.base import BuildContext, Strategy
from hft_tui.strategies.settings import StrategiesSettings


def build_strategies(settings: StrategiesSettings, rules: Mapping[str, MarketRules]) -> dict[str, Strategy]:
    """Enabled strategies by name, each built after (and given) the strategies it needs.

    A strategy whose needs are not enabled is refused, never quietly left out (the settings
    already refuse it; this guards a set built around them)."""
    catalogue = settings.catalogue
    problems = catalogue.problems(settings.enabled)
    if problems:
        raise ValueError("; ".join(problems))
    built: dict[str, Strategy] = {}
    for name in catalogue.build_order(settings.enabled):
        cls = catalogue.classes[name]
        context = BuildContext(rules=rules, needs={need: built[need] for need in cls.needs})
        built[name] = cls.build(settings.params(name), context)
    return built


def candle_timeframes(strategies: Mapping[str, Strategy]) -> tuple[str, ...]:
    """The candle timeframes the strategies read (the engine builds these from trades)."""
    frames = {"1m"}
    for strategy in strategies.values():
        timeframe = getattr(strategy.params, "timeframe", None)
        if isinstance(timeframe, str):
            frames.add(timeframe)
    return tuple(sorted(frames, key=parse_timeframe))
