"""Where an open position's exit fires, found over a run of bars at once.

The trading core feeds ``ExitTracker.on_mark`` each bar's close. ``first_exit`` answers, for
a run of closes, at which bar the tracker would first return an exit (stop loss, trailing
stop, take profit or time stop), with the tracker's comparisons and trailing-stop
arithmetic, so the vectorised candle backtest hands the core only that bar.
"""

from __future__ import annotations

import numpy as np

from hft_tui.model import Side
from hft_tui.signals.exits import ExitRules

# Bars examined per pass; passes grow so a long hold costs few of them and a short one little work.
_FIRST_CHUNK = 64
_MAX_CHUNK = 1 << 16


def first_exit(rules: ExitRules, best_price: float, close: np.ndarray, close_ts_ns: np.ndarray) -> int:
    """Offset of the first bar of ``close`` (marks at ``close_ts_ns``) at which a tracker whose
    best mark so far is ``best_price`` fires an exit; -1 if none does."""
    n = len(close)
    start = 0
    chunk = _FIRST_CHUNK
    while start < n:
        end = min(start + chunk, n)
        hit, best_price = _first_in(rules, best_price, close[start:end], close_ts_ns[start:end])
        if hit >= 0:
            return start + hit
        start = end
        chunk = min(chunk * 4, _MAX_CHUNK)
    return -1


def best_mark(side: Side, close: np.ndarray) -> int:
    """Offset of the mark most in a ``side`` position's favour (the first of equals), -1 if none."""
    if not len(close):
        return -1
    return int(np.argmax(close) if side is Side.BUY else np.argmin(close))


def _first_in(rules: ExitRules, best: float, close: np.ndarray, ts_ns: np.ndarray) -> tuple[int, float]:
    """(first firing offset or -1, the best mark after the chunk)."""
    long = rules.side is Side.BUY
    # The tracker moves its best before judging the mark: the running best includes this bar.
    running = (np.maximum if long else np.minimum).accumulate(np.concatenate(([best], close)))[1:]
    fires = np.zeros(len(close), dtype=bool)
    stop = rules.stop_loss
    if rules.trailing_stop_bps is not None and rules.trailing_activation_price is not None:
        distance = rules.trailing_stop_bps / 1e4
        if long:
            armed = running >= rules.trailing_activation_price
            trail = running * (1.0 - distance)
        else:
            armed = running <= rules.trailing_activation_price
            trail = running * (1.0 + distance)
        # The tighter of the two stops applies; a tie is the plain stop loss.
        if stop is None:
            level = np.where(armed, trail, np.nan)
        else:
            level = np.where(armed & ((trail > stop) if long else (trail < stop)), trail, stop)
        with np.errstate(invalid="ignore"):
            fires |= (close <= level) if long else (close >= level)
    elif stop is not None:
        fires |= (close <= stop) if long else (close >= stop)
    take_profit = rules.take_profit
    if take_profit is not None:
        fires |= (close >= take_profit) if long else (close <= take_profit)
    if rules.time_stop_ts_ns is not None:
        fires |= ts_ns >= rules.time_stop_ts_ns
    hit = int(np.argmax(fires)) if fires.any() else -1
    return hit, float(running[-1]) if len(close) else best
