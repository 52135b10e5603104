"""What ``hft-tui strategy new NAME`` writes: a runnable strategy and a test for it."""

from __future__ import annotations

STRATEGY = '''"""{title}: buys a new high of the last ``window`` trades, sells a new low.

Written by ``hft-tui strategy new {name}``; change it into your idea. See docs/strategies.md.
Check it:   hft-tui strategy check {name}
Backtest:   hft-tui backtest --sim 3600 --strategies trend,{name}
Tune it:    [strategies.{name}] in your config, --set strategies.{name}.window=300, or the TUI (t)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import ClassVar

from pydantic import Field

from hft_tui.model import Priority, Side, Signal, Trade
from hft_tui.strategies.base import NO_SIGNALS, Strategy, StrategyParams

NS_PER_S = 1_000_000_000


class {cls}Params(StrategyParams):
    """Bounded, described, immutable: the config table, the tuning form and sweeps use these."""

    window: int = Field(200, ge=10, le=10_000, description="Trades in the range, per symbol.")
    confidence: float = Field(0.7, ge=0.0, le=1.0, description="Confidence of every signal.")
    ttl_s: float = Field(2.0, gt=0.0, le=60.0, description="How long a signal stays valid, seconds.")


class {cls}(Strategy[{cls}Params]):
    name: ClassVar[str] = "{name}"
    params_model: ClassVar[type[StrategyParams]] = {cls}Params
    # Your reason codes; signals, the WAL and the reports show them as "{name}.NEW_HIGH".
    reason_codes: ClassVar[dict[str, str]] = {{
        "NEW_HIGH": "The price made a new high of the window: buy the breakout.",
        "NEW_LOW": "The price made a new low of the window: sell the breakdown.",
    }}

    def __init__(self, params: {cls}Params | None = None) -> None:
        super().__init__(params)
        # State per symbol, built only from the events fed to the hooks (see determinism rules).
        self._prices: dict[str, deque[float]] = {{}}

    def on_params_changed(self) -> None:
        self._prices.clear()  # a new window length: warm up again

    def on_trade(self, trade: Trade) -> Sequence[Signal]:
        p = self.params
        prices = self._prices.setdefault(trade.symbol, deque(maxlen=p.window))
        full = len(prices) == p.window
        high, low = (max(prices), min(prices)) if full else (0.0, 0.0)
        prices.append(trade.price)
        if not full or low <= trade.price <= high:
            return NO_SIGNALS
        side, code = (Side.BUY, "NEW_HIGH") if trade.price > high else (Side.SELL, "NEW_LOW")
        # Time only from the event: ts_ns and the expiry come from the trade, never the wall clock.
        return (Signal(trade.symbol, side, p.confidence, Priority.MEDIUM, (self.reason(code),),
                       self.name, trade.ts_ns, trade.ts_ns + int(p.ttl_s * NS_PER_S)),)
'''

TEST = '''"""Tests of the {name} strategy: run with  python -m pytest {test_path}"""

from __future__ import annotations

from pathlib import Path

from hft_tui.model import Side, Trade
from hft_tui.strategies.user_strategies import import_strategy_file, strategies_in

(STRATEGY,) = strategies_in(import_strategy_file(Path(__file__).resolve().parents[1] / "{name}.py"))


def test_a_new_high_after_a_full_window_is_a_buy_with_its_reason() -> None:
    strategy = STRATEGY(STRATEGY.params_model(window=10))
    signals = [s for i in range(11)
               for s in strategy.on_trade(Trade("BTC/USDT", i, 100.0 + i, 1.0, Side.BUY))]
    assert [(s.side, s.reasons[0].value) for s in signals] == [(Side.BUY, "{name}.NEW_HIGH")]


def test_nothing_fires_inside_the_range() -> None:
    strategy = STRATEGY(STRATEGY.params_model(window=10))
    prices = [100.0, 101.0] * 10
    assert not [s for i, p in enumerate(prices) for s in strategy.on_trade(Trade("BTC/USDT", i, p, 1.0, Side.BUY))]
'''


def strategy_source(name: str) -> str:
    """The template strategy named ``name``."""
    return STRATEGY.format(name=name, cls=_class_name(name), title=name.replace("_", " ").capitalize())


def test_source(name: str, test_path: str) -> str:
    """The template's test, for the strategy file beside its ``tests`` directory."""
    return TEST.format(name=name, test_path=test_path)


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_")) or "Mine"
