"""The strategy interface: what the engine feeds a strategy and what it gets back.

A strategy is a small state machine over market events. Its indicators update in O(1) per
event; it returns the signals the event caused (usually none). The engine calls it between
events only, so ``set_params`` is atomic with respect to the data.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

from mypy_extensions import mypyc_attr

from hft_tui.model import Candle, Liquidation, MarketRules, OrderBook, ReasonCode, Signal, Trade
from hft_tui.model.reason_codes import register_user_code
from hft_tui.strategies.offers import NOTHING_OFFERED, Offers
from hft_tui.strategies.quiet_book import QuietBook
from hft_tui.strategies.strategy_params import StrategyParams


P = TypeVar("P", bound=StrategyParams)

NO_SIGNALS: tuple[Signal, ...] = ()


@dataclass(frozen=True, slots=True)
class BuildContext:
    """What a strategy may be built with: the markets' rules and the strategies it ``needs``."""

    rules: Mapping[str, MarketRules]
    needs: Mapping[str, Strategy]


# Compiled by mypyc, subclassed by plain Python: the user's strategies, loaded from files.
@mypyc_attr(allow_interpreted_subclasses=True)
class Strategy(ABC, Generic[P]):
    """Base class. Subclasses set ``name`` and ``params_model`` and override the hooks they use.

    Hooks return a sequence of signals (``NO_SIGNALS`` when nothing fired). Pausing is the
    engine's business: a paused strategy is still called, so its indicators stay warm, and
    its signals are dropped. A strategy that reads others names them in ``needs`` (they are
    built and fed before it; enabling it without them is a config error) and takes them in
    ``build``; what it adds besides signals (gates, book marks) it declares in ``offers``.
    """

    name: ClassVar[str]
    params_model: ClassVar[type[StrategyParams]]
    needs: ClassVar[tuple[str, ...]] = ()
    # A user strategy's own reason codes, CODE -> one-line meaning; registered as "<name>.CODE".
    reason_codes: ClassVar[Mapping[str, str]] = {}
    # Read by the backtest's exit precedence (never a strategy's name): whether it opens
    # positions at all, and which of its parameters set its own take profit and stop loss
    # (those win over [exits]; none: its entries take [exits]).
    makes_entries: ClassVar[bool] = True
    exit_params: ClassVar[tuple[str, ...]] = ()
    # A strategy whose ``on_book`` reads only the mid and the time may keep, per symbol, until
    # when a book at the same mid changes nothing in it: the core then holds such books back
    # (``strategies/quiet_book.py``). None: every book is handed over.
    quiet_books: dict[str, QuietBook] | None = None

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        name = vars(cls).get("name")
        if isinstance(name, str):
            for code, meaning in cls.reason_codes.items():
                register_user_code(name, code, meaning)  # registered as the class is defined

    def __init__(self, params: P | None = None) -> None:
        self._params: P = params if params is not None else self.params_model()  # type: ignore[assignment]

    @classmethod
    def build(cls, params: StrategyParams, context: BuildContext) -> Strategy[P]:
        """The running strategy for ``params``; override to take rules or the strategies it needs."""
        return cls(params)  # type: ignore[arg-type]

    def reason(self, code: str) -> ReasonCode:
        """This strategy's own reason code ``code`` (declared in ``reason_codes``)."""
        return ReasonCode(f"{self.name}.{code}")  # type: ignore[call-arg]  # the member of that value

    def offers(self) -> Offers:
        """The gates and book marks this strategy adds to the pipeline; default: none."""
        return NOTHING_OFFERED

    @property
    def params(self) -> P:
        return self._params

    def set_params(self, params: P) -> None:
        """Replace the parameters; takes effect from the next event."""
        if not isinstance(params, self.params_model):
            raise TypeError(f"{self.name} expects {self.params_model.__name__}")
        self._params = params
        self.on_params_changed()

    def on_params_changed(self) -> None:
        """Resize windows etc. after a parameter change; default: nothing to do."""

    def on_book(self, book: OrderBook) -> Sequence[Signal]:
        return NO_SIGNALS

    def on_trade(self, trade: Trade) -> Sequence[Signal]:
        return NO_SIGNALS

    def on_candle(self, candle: Candle) -> Sequence[Signal]:
        return NO_SIGNALS

    def on_liquidation(self, liquidation: Liquidation) -> Sequence[Signal]:
        return NO_SIGNALS
