"""Backtest metrics: pure functions over an equity curve and a list of closed trades.

Conventions, stated once here and in the report itself:

- Returns r are simple returns between consecutive equity samples (each bar for candles, each
  second for book data). Sharpe = mean(r) / std(r, ddof=1) x sqrt(P) and Sortino =
  mean(r) / sqrt(mean(min(r, 0)^2)) x sqrt(P), with a zero risk-free rate, P the samples per
  year (a 365-day year over the median spacing of the curve: crypto trades all year). Under
  a day (the span of the samples plus one spacing: a day of minute bars is a day), or with
  fewer than 30 returns, they are withheld and the report says why: a minute
  scaled to a year is noise times a large number. Sharpe comes with its standard error
  (Lo 2002, returns taken as independent): sqrt((1 + s^2 / 2) / n) x sqrt(P), s the
  per-sample Sharpe and n the returns; it is close to sqrt(365 days / span), about 19 for
  one day and 3.5 for a month, so a short run's Sharpe is mostly noise and says so.
- Annualised return compounds the total return over the curve's span (none under a day:
  extrapolating minutes to a year says nothing).
- Drawdown is measured from the running equity peak; its duration is the longest time
  spent below a previous peak (to recovery, or to the end if it never recovered).
- A trade is a win when its net PnL (fees included) is > 0 and a loss when < 0.
- Profit factor is gross profit / gross loss; with no losing trade it is undefined (null
  in JSON, shown as "inf" when there were wins).

Everything here is deterministic: the same inputs give the same report, byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import orjson

from hft_tui.backtest.buy_and_hold import BuyAndHold
from hft_tui.model import ClosedTrade, ReasonCode

NS_PER_S = 1_000_000_000
SECONDS_PER_YEAR = 365 * 86_400
_MIN_ANNUALISE_S = 86_400
MIN_RATIO_RETURNS = 30
# Digits kept in the JSON: far beyond what a trader reads, and it makes the bytes immune
# to last-ulp differences between numpy builds and SIMD paths.
_JSON_SIGNIFICANT_DIGITS = 12

EXIT_GROUPS: Mapping[ReasonCode, str] = {
    ReasonCode.TAKE_PROFIT: "take_profit",
    ReasonCode.STOP_LOSS: "stop_loss",
    ReasonCode.TRAILING_STOP: "trailing_stop",
    ReasonCode.TIME_STOP: "time_stop",
    ReasonCode.SIGNAL_REVERSAL: "signal",
    ReasonCode.KILL: "kill",
    ReasonCode.FLATTEN: "flatten",
}
EXIT_GROUP_ORDER = ("take_profit", "stop_loss", "trailing_stop", "time_stop", "signal", "kill",
                    "flatten", "other")


@dataclass(frozen=True, slots=True)
class EquityCurve:
    """Equity sampled over the run: ``ts_ns`` increasing, ``exposed`` True where a position was open."""

    ts_ns: np.ndarray
    equity: np.ndarray
    exposed: np.ndarray

    def __post_init__(self) -> None:
        if not len(self.ts_ns) == len(self.equity) == len(self.exposed):
            raise ValueError("ts_ns, equity and exposed must have the same length")

    def __len__(self) -> int:
        return len(self.ts_ns)

    def drawdown(self) -> np.ndarray:
        """Drawdown from the running peak at each sample, as a fraction (0 at a new high)."""
        if not len(self):
            return np.empty(0)
        peak = np.maximum.accumulate(self.equity)
        with np.errstate(divide="ignore", invalid="ignore"):
            dd = np.where(peak > 0, (peak - self.equity) / peak, 0.0)
        return dd


@dataclass(frozen=True, slots=True)
class ReturnStats:
    """Return and risk figures of the equity curve."""

    initial_equity: float
    final_equity: float
    total_return_pct: float
    annualised_return_pct: float | None
    sharpe: float | None
    sortino: float | None
    max_drawdown_pct: float
    max_drawdown_duration_s: float
    exposure_pct: float
    duration_s: float
    samples: int
    ratios_withheld: str = ""  # why Sharpe and Sortino are not given ("" when they are)
    sharpe_se: float | None = None  # the Sharpe's standard error, annualised like it


@dataclass(frozen=True, slots=True)
class TradeStats:
    """Figures over a set of closed trades (amounts in quote currency, net of fees)."""

    trades: int = 0
    wins: int = 0
    losses: int = 0
    win_rate_pct: float = 0.0
    net_pnl: float = 0.0
    gross_profit: float = 0.0
    gross_loss: float = 0.0
    avg_win: float = 0.0
    avg_loss: float = 0.0
    profit_factor: float | None = None
    expectancy: float = 0.0
    payoff_ratio: float | None = None
    avg_hold_s: float = 0.0


@dataclass(frozen=True, slots=True)
class TcaSummary:
    """Post-trade costs: implementation shortfall against the decision mid, fees, maker share."""

    orders: int = 0
    filled_qty: float = 0.0
    arrival_notional: float = 0.0
    avg_shortfall_bps: float = 0.0
    fees: float = 0.0
    fee_bps: float = 0.0
    maker_share_pct: float = 0.0
    by_strategy: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Assumptions:
    """What the numbers rest on; printed with every report."""

    data: str
    fill_model: str
    fees: str
    latency: str
    slippage: str
    clock: str = "simulated: advanced to each event's timestamp; no wall-clock time is read"
    exits: str = ""  # which exit levels positions got, and from where (exit_precedence.py)


@dataclass(frozen=True, slots=True)
class BacktestReport:
    """Everything a backtest report shows."""

    label: str
    start_ts_ns: int
    end_ts_ns: int
    events: int
    returns: ReturnStats
    trades: TradeStats
    fees_paid: float
    exits: dict[str, TradeStats]
    strategies: dict[str, TradeStats]
    entry_reasons: dict[str, TradeStats]  # exit reasons are ``exits`` (by kind)
    tca: TcaSummary
    assumptions: Assumptions
    open_positions: dict[str, float] = field(default_factory=dict)
    symbols: dict[str, TradeStats] = field(default_factory=dict)
    periods: dict[str, TradeStats] = field(default_factory=dict)  # by UTC day (month over 62 days) of exit
    warnings: tuple[str, ...] = ()
    buy_and_hold: dict[str, BuyAndHold] = field(default_factory=dict)  # per symbol, same window and fees
    buy_and_hold_return_pct: float | None = None  # the equal-weight basket of them

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-safe data (floats rounded, non-finite as null)."""
        return _clean(asdict(self))

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> BacktestReport:
        """The report back from ``to_dict`` (a saved run); an infinite profit factor reads back undefined."""
        def stats(rows: Mapping[str, Any]) -> dict[str, TradeStats]:
            return {k: TradeStats(**v) for k, v in rows.items()}

        return cls(
            label=doc["label"], start_ts_ns=doc["start_ts_ns"], end_ts_ns=doc["end_ts_ns"], events=doc["events"],
            returns=ReturnStats(**doc["returns"]), trades=TradeStats(**doc["trades"]), fees_paid=doc["fees_paid"],
            exits=stats(doc["exits"]), strategies=stats(doc["strategies"]),
            entry_reasons=stats(doc["entry_reasons"]), tca=TcaSummary(**doc["tca"]),
            assumptions=Assumptions(**doc["assumptions"]), open_positions=dict(doc["open_positions"]),
            symbols=stats(doc["symbols"]), periods=stats(doc["periods"]), warnings=tuple(doc["warnings"]),
            buy_and_hold={k: BuyAndHold(**v) for k, v in doc.get("buy_and_hold", {}).items()},
            buy_and_hold_return_pct=doc.get("buy_and_hold_return_pct"),
        )


def return_stats(curve: EquityCurve, initial_equity: float) -> ReturnStats:
    """Return, Sharpe, Sortino, drawdown and exposure of ``curve``."""
    n = len(curve)
    if n == 0:
        return ReturnStats(initial_equity, initial_equity, 0.0, None, None, None, 0.0, 0.0, 0.0, 0.0, 0)
    equity = curve.equity
    ts = curve.ts_ns
    final = float(equity[-1])
    total = final / initial_equity - 1.0 if initial_equity > 0 else 0.0
    duration_s = (int(ts[-1]) - int(ts[0])) / NS_PER_S
    period_s = float(np.median(np.diff(ts))) / NS_PER_S if n > 1 else 0.0
    # A curve sampled once a bar covers its last bar too: a day of minute candles is 86,340 s
    # from its first sample to its last, and a day.
    a_day = duration_s + period_s >= _MIN_ANNUALISE_S
    annualised = None
    if a_day and final > 0 and initial_equity > 0:
        annualised = ((final / initial_equity) ** (SECONDS_PER_YEAR / duration_s) - 1.0) * 100.0
    sharpe = sortino = sharpe_se = None
    withheld = ratios_withheld(duration_s, n - 1, a_day)
    if not withheld:
        returns = np.diff(equity) / equity[:-1]
        if period_s > 0:
            scale = math.sqrt(SECONDS_PER_YEAR / period_s)
            mean = float(returns.mean())
            std = float(returns.std(ddof=1))
            downside = float(np.sqrt(np.mean(np.minimum(returns, 0.0) ** 2)))
            sharpe = mean / std * scale if std > 0 else None
            if sharpe is not None:
                sharpe_se = math.sqrt((1.0 + (mean / std) ** 2 / 2.0) / len(returns)) * scale
            sortino = mean / downside * scale if downside > 0 else None
    max_dd, dd_duration = max_drawdown(curve)
    return ReturnStats(
        initial_equity=initial_equity,
        final_equity=final,
        total_return_pct=total * 100.0,
        annualised_return_pct=annualised,
        sharpe=sharpe,
        sortino=sortino,
        max_drawdown_pct=max_dd * 100.0,
        max_drawdown_duration_s=dd_duration,
        exposure_pct=exposure(curve) * 100.0,
        duration_s=duration_s,
        samples=n,
        ratios_withheld=withheld,
        sharpe_se=sharpe_se,
    )


def ratios_withheld(duration_s: float, returns: int, a_day: bool) -> str:
    """Why annualised Sharpe and Sortino would mean nothing for this run ("" when they would not);
    ``a_day``: whether its samples cover a day."""
    if not a_day:
        return f"withheld: the run spans {duration_s:,.0f} s; annualised ratios need at least a day"
    if returns < MIN_RATIO_RETURNS:
        return f"withheld: {returns} returns; annualised ratios need at least {MIN_RATIO_RETURNS}"
    return ""


def max_drawdown(curve: EquityCurve) -> tuple[float, float]:
    """Deepest drawdown (fraction of the peak) and the longest time under water, seconds."""
    if len(curve) == 0:
        return 0.0, 0.0
    dd = curve.drawdown()
    deepest = float(dd.max())
    under = dd > 0
    longest_ns = 0
    ts = curve.ts_ns
    i, n = 0, len(under)
    while i < n:
        if not under[i]:
            i += 1
            continue
        start = i - 1 if i > 0 else i  # the peak the equity fell from
        j = i
        while j < n and under[j]:
            j += 1
        end = j if j < n else n - 1  # recovery sample, or the end of the run
        longest_ns = max(longest_ns, int(ts[end]) - int(ts[start]))
        i = j
    return deepest, longest_ns / NS_PER_S


def exposure(curve: EquityCurve) -> float:
    """Share of the run's time with a position open (each sample holds until the next)."""
    if len(curve) < 2:
        return 0.0
    spans = np.diff(curve.ts_ns)
    total = int(spans.sum())
    return float(spans[curve.exposed[:-1]].sum()) / total if total > 0 else 0.0


def trade_stats(trades: Iterable[ClosedTrade]) -> TradeStats:
    """Win rate, averages, profit factor and expectancy of ``trades``."""
    pnls: list[float] = []
    holds: list[int] = []
    for trade in trades:
        pnls.append(trade.pnl_usd)
        holds.append(trade.exit_ts_ns - trade.entry_ts_ns)
    if not pnls:
        return TradeStats()
    wins = [p for p in pnls if p > 0]
    losses = [p for p in pnls if p < 0]
    gross_profit = math.fsum(wins)
    gross_loss = -math.fsum(losses)
    avg_win = gross_profit / len(wins) if wins else 0.0
    avg_loss = gross_loss / len(losses) if losses else 0.0
    net = math.fsum(pnls)
    return TradeStats(
        trades=len(pnls),
        wins=len(wins),
        losses=len(losses),
        win_rate_pct=len(wins) / len(pnls) * 100.0,
        net_pnl=net,
        gross_profit=gross_profit,
        gross_loss=gross_loss,
        avg_win=avg_win,
        avg_loss=avg_loss,
        profit_factor=gross_profit / gross_loss if gross_loss > 0 else (math.inf if gross_profit > 0 else None),
        expectancy=net / len(pnls),
        payoff_ratio=avg_win / avg_loss if wins and losses else None,
        avg_hold_s=sum(holds) / len(holds) / NS_PER_S,
    )


def exit_group(reason: ReasonCode | None) -> str:
    """The exit breakdown's row for an exit reason (``other`` for none or any other code)."""
    return EXIT_GROUPS.get(reason, "other") if reason is not None else "other"


def exit_breakdown(trades: Sequence[ClosedTrade]) -> dict[str, TradeStats]:
    """Trade stats per exit kind (TP/SL/trailing/time/signal/kill/flatten/other), in that order."""
    groups: dict[str, list[ClosedTrade]] = {}
    for trade in trades:
        groups.setdefault(exit_group(trade.exit_reason), []).append(trade)
    return {name: trade_stats(groups[name]) for name in EXIT_GROUP_ORDER if name in groups}


def by_strategy(trades: Sequence[ClosedTrade]) -> dict[str, TradeStats]:
    """Trade stats per strategy, sorted by name."""
    groups: dict[str, list[ClosedTrade]] = {}
    for trade in trades:
        groups.setdefault(trade.strategy, []).append(trade)
    return {name: trade_stats(groups[name]) for name in sorted(groups)}


def by_entry_reason(trades: Sequence[ClosedTrade]) -> dict[str, TradeStats]:
    """Trade stats per reason code a trade's entry carried (a trade counts under each), by code."""
    groups: dict[str, list[ClosedTrade]] = {}
    for trade in trades:
        for code in sorted({str(code) for code in trade.entry_reasons}) or ["(none)"]:
            groups.setdefault(code, []).append(trade)
    return {code: trade_stats(groups[code]) for code in sorted(groups)}


def by_symbol(trades: Sequence[ClosedTrade]) -> dict[str, TradeStats]:
    """Trade stats per symbol, sorted by symbol."""
    groups: dict[str, list[ClosedTrade]] = {}
    for trade in trades:
        groups.setdefault(trade.symbol, []).append(trade)
    return {name: trade_stats(groups[name]) for name in sorted(groups)}


def by_period(trades: Sequence[ClosedTrade], span_s: float) -> dict[str, TradeStats]:
    """Trade stats per UTC day of exit (per month when the run spans over 62 days), in time order."""
    width = 7 if span_s > 62 * 86_400 else 10  # "YYYY-MM" or "YYYY-MM-DD"
    groups: dict[str, list[ClosedTrade]] = {}
    for trade in trades:
        day = np.datetime_as_string(np.datetime64(trade.exit_ts_ns, "ns"), unit="D")
        groups.setdefault(str(day)[:width], []).append(trade)
    return {period: trade_stats(groups[period]) for period in sorted(groups)}


def cost_warnings(strategies: Mapping[str, TradeStats], tca: TcaSummary) -> tuple[str, ...]:
    """A line for each strategy whose average win is smaller than its average cost per trade
    (fees and shortfall of its orders, over its trades): its targets do not pay for the round trip."""
    found = []
    for name, stats in strategies.items():
        row = tca.by_strategy.get(name)
        if row is None or not stats.trades or not stats.wins:
            continue
        cost = (row["fees_quote"] + row["avg_shortfall_bps"] * row["arrival_notional_quote"] / 1e4) / stats.trades
        if stats.avg_win < cost:
            found.append(f"{name}: its average win ({stats.avg_win:,.2f}) is smaller than its average cost per "
                         f"trade ({cost:,.2f} in fees and shortfall): its targets do not pay for the round trip")
    return tuple(found)


def tca_summary(by_strategy_payload: Mapping[str, Mapping[str, float]]) -> TcaSummary:
    """Overall costs from ``TcaAggregator.to_payload()["by_strategy"]``, weighted by notional."""
    orders = 0
    qty = notional = shortfall_quote = fees = maker_qty = 0.0
    for row in by_strategy_payload.values():
        orders += int(row["orders"])
        qty += row["filled_qty"]
        notional += row["arrival_notional_quote"]
        shortfall_quote += row["avg_shortfall_bps"] * row["arrival_notional_quote"] / 1e4
        fees += row["fees_quote"]
        maker_qty += row["maker_share"] * row["filled_qty"]
    return TcaSummary(
        orders=orders,
        filled_qty=qty,
        arrival_notional=notional,
        avg_shortfall_bps=shortfall_quote / notional * 1e4 if notional > 0 else 0.0,
        fees=fees,
        fee_bps=fees / notional * 1e4 if notional > 0 else 0.0,
        maker_share_pct=maker_qty / qty * 100.0 if qty > 0 else 0.0,
        by_strategy={k: dict(v) for k, v in sorted(by_strategy_payload.items())},
    )


def report_json(report: BacktestReport) -> bytes:
    """The report as canonical JSON (sorted keys, two-space indent, trailing newline)."""
    return orjson.dumps(report.to_dict(), option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.{_JSON_SIGNIFICANT_DIGITS}g}")
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        return _clean(value.item())
    return value
