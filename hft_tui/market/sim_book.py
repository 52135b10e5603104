"""The shape of the simulator's order books, built for many snapshots at once.

Books live on the integer tick grid. Which ticks hold resting orders, and how large those
orders usually are, is a fixed pseudo-random function of the absolute tick index (a
"landscape"), so as the price moves the book scrolls over the same levels instead of
being redrawn: a level seen at 65,012.3 is still there a second later, with a size that
jitters around its own typical value. Sizes grow with distance from the touch.

Everything here works on ``(n_snapshots, depth)`` integer arrays of tick indices and lot
counts; converting to prices happens once, in the caller.
"""

from __future__ import annotations

import numpy as np

_GOLDEN = 0x9E3779B97F4A7C15
_U64_MASK = 0xFFFFFFFFFFFFFFFF
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TWO_POW_MINUS_53 = 2.0**-53

# Median size of level j (0 = touch) relative to the touch: deeper levels are fatter.
_DEPTH_GROWTH_PER_LEVEL = 0.12
_SIZE_NOISE_SIGMA = 0.25
_BASE_SIZE_DISPERSION = 0.45


def unit_hash(indices: np.ndarray, salt: int) -> np.ndarray:
    """A uniform number in (0, 1) per integer index, the same every time for a ``salt``."""
    # Mix the salt in Python ints: numpy warns on scalar uint64 overflow, arrays just wrap.
    offset = np.uint64(((salt + 1) * _GOLDEN) & _U64_MASK)
    z = indices.astype(np.uint64) + offset
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    z = z ^ (z >> _S31)
    return ((z >> _S11).astype(np.float64) + 0.5) * _TWO_POW_MINUS_53


class LevelLandscape:
    """Where resting orders sit on one symbol's tick grid and how big they typically are."""

    def __init__(self, salt: int, fill_prob: float) -> None:
        if not 0.0 < fill_prob <= 1.0:
            raise ValueError(f"fill_prob must be in (0, 1], got {fill_prob}")
        self.fill_prob = fill_prob
        self._presence_salt = salt * 2 + 1
        self._size_salt = salt * 2 + 2

    def window(self, depth: int) -> int:
        """How many ticks past the touch usually hold ``depth - 1`` occupied ones."""
        return int(np.ceil(1.5 * max(depth - 1, 1) / self.fill_prob)) + 4

    def tables(self, lo_idx: int, hi_idx: int) -> tuple[np.ndarray, np.ndarray]:
        """Presence flags and typical-size multipliers for tick indices ``lo_idx..hi_idx``."""
        idx = np.arange(lo_idx, hi_idx + 1, dtype=np.int64)
        present = unit_hash(idx, self._presence_salt) < self.fill_prob
        u = unit_hash(idx, self._size_salt)
        # Log-logistic multiplier: median 1, a fat right tail of big resting orders.
        base_size = np.exp(_BASE_SIZE_DISPERSION * np.log(u / (1.0 - u)))
        return present, base_size


def shape_books(
    landscape: LevelLandscape,
    rng: np.random.Generator,
    best_bid_idx: np.ndarray,
    best_ask_idx: np.ndarray,
    depth: int,
    touch_lots: float,
    min_lots: int,
    max_lots: int,
    bid_mult: np.ndarray,
    ask_mult: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Level tick indices and lot counts for ``n`` snapshots: ``(bid_idx, bid_lots,
    ask_idx, ask_lots)``, each ``(n, depth)`` int64, best first.

    ``touch_lots`` is the median size at the touch in lots; ``bid_mult``/``ask_mult`` (n,)
    scale each side (thin bids during a flush, say). Bids are strictly descending, asks
    strictly ascending, every lot count is in ``[min_lots, max_lots]``.
    """
    n = len(best_bid_idx)
    scan = landscape.window(depth)
    beyond = np.arange(depth - 1)
    while True:
        lo = int(best_bid_idx.min()) - scan
        hi = int(best_ask_idx.max()) + scan
        present, base_size = landscape.tables(lo, hi)
        occupied = np.flatnonzero(present)  # tick - lo of every occupied tick, ascending
        below_bid = np.searchsorted(occupied, best_bid_idx - lo) - 1
        above_ask = np.searchsorted(occupied, best_ask_idx - lo, side="right")
        if below_bid.min() >= depth - 2 and above_ask.max() + depth - 1 <= len(occupied):
            break
        scan *= 2  # rare: a sparse stretch of the landscape; look further out
    bid_idx = np.empty((n, depth), dtype=np.int64)
    ask_idx = np.empty((n, depth), dtype=np.int64)
    bid_idx[:, 0] = best_bid_idx
    ask_idx[:, 0] = best_ask_idx
    bid_idx[:, 1:] = occupied[below_bid[:, None] - beyond] + lo
    ask_idx[:, 1:] = occupied[above_ask[:, None] + beyond] + lo
    profile = 1.0 + _DEPTH_GROWTH_PER_LEVEL * np.arange(depth, dtype=np.float64)
    noise = np.exp(_SIZE_NOISE_SIGMA * rng.standard_normal((2, n, depth)))
    bid_size = base_size[bid_idx - lo] * noise[0] * profile * (touch_lots * bid_mult)[:, None]
    ask_size = base_size[ask_idx - lo] * noise[1] * profile * (touch_lots * ask_mult)[:, None]
    bid_lots = np.clip(np.rint(bid_size), min_lots, max_lots).astype(np.int64)
    ask_lots = np.clip(np.rint(ask_size), min_lots, max_lots).astype(np.int64)
    return bid_idx, bid_lots, ask_idx, ask_lots
