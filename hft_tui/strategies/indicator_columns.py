"""The incremental indicators of ``indicators.py`` over a whole column at once, bit for bit.

``rolling_mean_column(x, n)[i]`` is exactly ``RollingMean(n).value`` after pushing
``x[0..i]``, and ``rolling_std_column`` the same for ``RollingStd.std``: equal, not merely
close, so a vectorised backtest decides exactly what the event path decides.

The incremental forms keep running sums (``sum - oldest + newest`` per push) and recompute
them with ``math.fsum`` once per turn of the ring. Between two recomputations a sum is a
sequential chain of additions; ``np.add.accumulate`` along a row is sequential too, so one
row per turn of the ring, ``[exact sum, -oldest, +newest, -oldest, +newest, ...]``, gives
every intermediate sum with the very same roundings (``a - b`` is ``a + (-b)`` in IEEE 754).
Only the ``fsum`` at each turn runs in Python: one call per ``n`` values.
"""

from __future__ import annotations

import math

import numpy as np


def rolling_mean_column(values: np.ndarray, period: int) -> np.ndarray:
    """``RollingMean(period).value`` after each push of ``values`` (float64, same length)."""
    if period < 1:
        raise ValueError(f"period must be >= 1, got {period}")
    x = np.ascontiguousarray(values, dtype=np.float64)
    sums = _running_sums(x, _lagged(x, period), x, period)
    return sums / _counts(len(x), period)


def rolling_std_column(values: np.ndarray, period: int) -> np.ndarray:
    """``RollingStd(period).std`` after each push of ``values`` (NaN before the second value)."""
    if period < 2:
        raise ValueError(f"period must be >= 2, got {period}")
    x = np.ascontiguousarray(values, dtype=np.float64)
    n = len(x)
    if n == 0:
        return np.empty(0)
    stored, recentred = _shifted(x, period)
    evicted = _lagged(recentred, period)
    sums = _running_sums(stored, evicted, recentred, period)
    sumsq = _running_sums(stored * stored, evicted * evicted, recentred * recentred, period)
    counts = _counts(n, period)
    with np.errstate(invalid="ignore"):
        var = (sumsq - sums * sums / counts) / (counts - 1.0)
    std = np.sqrt(np.where(var > 0.0, var, 0.0))
    std[:1] = np.nan
    return std


def _counts(n: int, period: int) -> np.ndarray:
    return np.minimum(np.arange(1, n + 1, dtype=np.float64), float(period))


def _lagged(x: np.ndarray, period: int) -> np.ndarray:
    """``x[i - period]`` at push i: what a full ring evicts (0.0 while it fills)."""
    out = np.zeros(len(x))
    out[period:] = x[:-period] if len(x) > period else out[period:]
    return out


def _shifted(x: np.ndarray, period: int) -> tuple[np.ndarray, np.ndarray]:
    """What ``RollingStd`` stores for each push, and that value as re-centred at its turn's end.

    The first value is the shift until the first turn of the ring; at each turn the ring is
    re-centred on its mean (each held value minus the offset, rounded) and the shift moves by
    the offset. A value is stored relative to the shift of its turn, and the next turn evicts
    its re-centred copy. The offsets chain from turn to turn: one Python step per turn.
    Re-centred copies of an unfinished last turn are never used (NaN).
    """
    n = len(x)
    stored = np.empty(n)
    recentred = np.full(n, np.nan)
    shift = x.item(0)
    for start in range(0, n, period):
        end = min(start + period, n)
        block = x[start:end] - shift
        stored[start:end] = block
        if end - start < period:
            break
        offset = math.fsum(block.tolist()) / period
        recentred[start:end] = block - offset
        shift += offset
    return stored, recentred


def _running_sums(added: np.ndarray, removed: np.ndarray, exact: np.ndarray, period: int) -> np.ndarray:
    """The running sum after each push i, where ``removed[i]`` leaves and ``added[i]`` enters.

    After every ``period``-th push the sum is recomputed as the ``fsum`` of the last
    ``period`` values of ``exact`` (the ring as it then holds them); between those, it is the
    sequential chain of additions the ring does.
    """
    n = len(added)
    out = np.empty(n)
    if n == 0:
        return out
    head = min(period - 1, n)
    # Filling the ring: 0.0 + a0 + a1 + ... (nothing is evicted yet).
    out[:head] = np.add.accumulate(np.concatenate(([0.0], added[:head])))[1:]
    if n < period:
        return out
    turns = (n - period) // period + 1
    ends = np.arange(period - 1, n, period)
    rings = exact[: turns * period].reshape(turns, period)
    turn_sums = np.fromiter(map(math.fsum, rings.tolist()), dtype=np.float64, count=turns)
    out[ends] = turn_sums
    steps = period - 1
    if steps == 0:
        return out
    # Turn q is followed by the pushes (q + 1) * period + j, j < steps: one column per turn,
    # [exact sum, -removed, +added, -removed, +added, ...] down it, summed row after row
    # (whole rows at a time, still in order within each column).
    span = (turns + 1) * period
    padded_added = np.zeros(span)
    padded_removed = np.zeros(span)
    padded_added[: n] = added
    padded_removed[: n] = removed
    after_added = padded_added[period:].reshape(turns, period)[:, :steps].T
    after_removed = padded_removed[period:].reshape(turns, period)[:, :steps].T
    running = turn_sums.copy()
    chained = np.empty((turns, period))
    for j in range(steps):
        running -= after_removed[j]
        running += after_added[j]
        chained[:, j] = running
    # Row q of ``chained`` covers pushes (q + 1) * period + j; its last slot is the next
    # turn's exact sum, already in ``out``.
    chained[:, steps] = np.append(turn_sums[1:], 0.0)
    follow = min(n - period, turns * period)
    out[period: period + follow] = chained.reshape(-1)[:follow]
    return out
