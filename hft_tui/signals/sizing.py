"""Position sizing: how much to buy or sell for an accepted decision.

Three methods, chosen in :class:`SizingSettings`:

- ``fixed_fractional``: risk ``fraction`` of equity per trade, i.e. qty = equity * fraction
  / stop distance, so a stop-out loses that fraction.
- ``volatility_target``: notional = equity * target_vol / realised_vol (both annualised),
  so every position carries about the same volatility.
- ``kelly``: risk ``kelly_fraction`` of the full Kelly fraction f* = W - (1 - W) / R (W the
  strategy's win rate, R its payoff ratio), capped at ``kelly_cap`` of equity.

Kelly needs a record and volatility targeting needs a volatility estimate; without them
the sizer falls back to fixed fractional and says so in :attr:`SizeResult.method`.
The raw size is then scaled by the signal's ``size_hint``, the decision's
``size_factor`` and the caller's risk scale, capped at ``max_leverage``, rounded down to
the lot and zeroed below the market's minimum quantity or notional.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hft_tui.model import MarketRules, ReasonCode
from hft_tui.signals.scoring import StrategyStats

SizingMethod = Literal["fixed_fractional", "volatility_target", "kelly"]

# Tolerance for qty / lot landing a hair under a whole number of lots through float error.
_LOT_EPS = 1e-9


class SizingSettings(BaseModel):
    """How positions are sized."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    method: SizingMethod = Field(
        "fixed_fractional",
        description="fixed_fractional = risk a fixed share of equity to the stop; volatility_target = "
        "scale notional to a target volatility; kelly = fractional Kelly from the strategy's record.",
    )
    fraction: float = Field(
        0.005, gt=0.0, le=0.1, description="Share of equity lost if the stop is hit (fixed fractional)."
    )
    default_stop_bps: float = Field(
        50.0, gt=0.0, le=5000.0, description="Stop distance assumed when a signal has none, in bps of price."
    )
    kelly_fraction: float = Field(0.25, gt=0.0, le=1.0, description="Share of the full Kelly fraction taken.")
    kelly_cap: float = Field(0.02, gt=0.0, le=0.5, description="Most equity risked per trade under Kelly.")
    kelly_min_trades: int = Field(
        30, ge=1, le=100_000, description="Closed trades needed before Kelly is trusted; fixed fractional until then."
    )
    target_vol: float = Field(
        0.5, gt=0.0, le=10.0, description="Annualised volatility a position should carry, per unit of equity."
    )
    max_leverage: float = Field(1.0, gt=0.0, le=100.0, description="Largest position notional as a multiple of equity.")


@dataclass(frozen=True, slots=True)
class SizeResult:
    """The order quantity and how it came about.

    ``code`` says why ``qty`` is zero when the sizer zeroed it; it is None for a non-zero
    qty, and also when a zero scale passed in by the caller (whose owner knows why) did.
    """

    qty: float
    notional_usd: float
    risk_usd: float
    method: SizingMethod
    code: ReasonCode | None = None


class PositionSizer:
    """Sizes entries under one :class:`SizingSettings`."""

    def __init__(self, settings: SizingSettings | None = None) -> None:
        self.settings = settings or SizingSettings()

    def size(
        self,
        *,
        equity_usd: float,
        price: float,
        rules: MarketRules,
        stop_price: float | None = None,
        realised_vol: float | None = None,
        stats: StrategyStats | None = None,
        size_hint: float = 1.0,
        size_factor: float = 1.0,
        risk_scale: float = 1.0,
    ) -> SizeResult:
        """The quantity to trade at ``price`` for an entry (unsigned; the side is the signal's)."""
        s = self.settings
        if not (math.isfinite(price) and price > 0):
            return _zero(s.method, ReasonCode.RISK_NO_PRICE)
        if not (math.isfinite(equity_usd) and equity_usd > 0):
            return _zero(s.method, ReasonCode.INSUFFICIENT_FUNDS)
        stop_distance = _stop_distance(price, stop_price, s.default_stop_bps)
        method: SizingMethod = s.method
        if method == "kelly":
            risk_share, kelly_ready = self._kelly_risk_share(stats)
            if not kelly_ready:
                method = "fixed_fractional"
                risk_share = s.fraction
            elif risk_share <= 0:
                return _zero(method, ReasonCode.KELLY_NO_EDGE)
            qty = equity_usd * risk_share / stop_distance
        elif method == "volatility_target" and realised_vol is not None and realised_vol > 0:
            qty = equity_usd * s.target_vol / realised_vol / price
        else:
            method = "fixed_fractional"
            qty = equity_usd * s.fraction / stop_distance
        scale = max(size_hint, 0.0) * max(size_factor, 0.0) * max(risk_scale, 0.0)
        if scale == 0.0:
            return _zero(method, None)
        qty = min(qty * scale, equity_usd * s.max_leverage / price)
        qty = _round_down_to_lot(qty, rules.lot_size)
        if qty <= 0 or qty < rules.min_qty or qty * price < rules.min_notional:
            return _zero(method, ReasonCode.RISK_MIN_NOTIONAL)
        return SizeResult(qty=qty, notional_usd=qty * price, risk_usd=qty * stop_distance, method=method)

    def _kelly_risk_share(self, stats: StrategyStats | None) -> tuple[float, bool]:
        """(share of equity to risk, whether the record is long enough to use)."""
        s = self.settings
        if stats is None or stats.trades < s.kelly_min_trades:
            return 0.0, False
        win_rate = stats.win_rate
        if stats.wins == 0:
            return 0.0, True
        # No losing trade yet: the payoff ratio is unbounded and f* tends to W.
        full_kelly = win_rate if stats.losses == 0 else win_rate - (1.0 - win_rate) / stats.payoff_ratio
        return min(s.kelly_fraction * full_kelly, s.kelly_cap), True


def _stop_distance(price: float, stop_price: float | None, default_stop_bps: float) -> float:
    if stop_price is not None and math.isfinite(stop_price):
        distance = abs(price - stop_price)
        if distance > 0:
            return distance
    return price * default_stop_bps / 1e4


def _round_down_to_lot(qty: float, lot_size: float) -> float:
    if lot_size <= 0:
        return qty
    lots = math.floor(qty / lot_size + _LOT_EPS)
    # Digits of the lot so 3 * 0.001 comes back as 0.003, not 0.0030000000000000001.
    digits = max(0, -math.floor(math.log10(lot_size))) + 2
    return round(lots * lot_size, digits)


def _zero(method: SizingMethod, code: ReasonCode | None) -> SizeResult:
    return SizeResult(qty=0.0, notional_usd=0.0, risk_usd=0.0, method=method, code=code)
