"""Build the running strategy set from ``[strategies]`` and the markets' rules."""

from __future__ import annotations

from collections.abc import Mapping

from hft_tui.market.candle_builder import parse_timeframe
from hft_tui.model import MarketRules
from hft_tui.strategies.base import Strategy
from hft_tui.strategies.book_imbalance import BookImbalanceStrategy
from hft_tui.strategies.cvd import CvdDetector
from hft_tui.strategies.liquidation_hunter import LiquidationHunter
from hft_tui.strategies.settings import StrategiesSettings
from hft_tui.strategies.spike_fader import SpikeFader
from hft_tui.strategies.trend_filter import TrendFilter
from hft_tui.strategies.vpin import VpinStrategy


def build_strategies(settings: StrategiesSettings, rules: Mapping[str, MarketRules]) -> dict[str, Strategy]:
    """Enabled strategies by name, in dependency order (trend and cvd before the hunter)."""
    enabled = set(settings.enabled)
    built: dict[str, Strategy] = {}
    trend = TrendFilter(settings.trend) if "trend" in enabled else None
    cvd = CvdDetector(settings.cvd) if "cvd" in enabled else None
    if trend is not None:
        built["trend"] = trend
    if cvd is not None:
        built["cvd"] = cvd
    if "liq_hunter" in enabled and trend is not None and cvd is not None:
        built["liq_hunter"] = LiquidationHunter(trend, cvd, settings.liq_hunter)
    if "spike_fader" in enabled:
        built["spike_fader"] = SpikeFader(settings.spike_fader)
    if "book_imbalance" in enabled:
        built["book_imbalance"] = BookImbalanceStrategy(settings.book_imbalance, rules)
    if "vpin" in enabled:
        built["vpin"] = VpinStrategy(settings.vpin)
    return built


def candle_timeframes(strategies: Mapping[str, Strategy]) -> tuple[str, ...]:
    """The candle timeframes the strategies read (the engine builds these from trades)."""
    frames = {"1m"}
    for strategy in strategies.values():
        timeframe = getattr(strategy.params, "timeframe", None)
        if isinstance(timeframe, str):
            frames.add(timeframe)
    return tuple(sorted(frames, key=parse_timeframe))
