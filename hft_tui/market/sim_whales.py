"""Whales: large resting orders that sit on one side of a simulated book for a while.

One symbol has at most one whale at a time. A whale is planned (when, which side, how far
from the price, what notional) and placed when its life begins. It is a wall: the price
leans on it instead of going through (the log-price path is reflected off it), until the
selling (or buying) it has soaked up exceeds its capacity, larger for a larger whale;
then it is eaten and the price walks on through. When the market moves away from it, it
trails at its distance (a bid whale only ever moves up), so it stays in view. If it is
not eaten it is pulled when its time is up.

``support`` works on a window's price path before the books are built and returns, per
event, the whale's tick, side and size; ``clamp_touch`` and ``add_size`` then put the
whale into the books.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hft_tui.model import Side

# Capacity of a wall: how far (log price) the market must push through a $1M whale to
# eat it; it scales with the whale's notional within the clip below.
_CAPACITY_PER_MUSD = 8.0e-4
_CAPACITY_RANGE = (5.0e-4, 2.0e-3)


@dataclass(slots=True)
class WhalePlan:
    """One whale's life; the fields after ``notional_usd`` fill in as it plays out."""

    start_s: float
    planned_end_s: float
    side: Side
    distance_ticks: int
    notional_usd: float
    price_idx: int | None = None
    qty_lots: int = 0
    capacity: float = 0.0  # log-price push it can absorb
    absorbed: float = 0.0  # log-price push absorbed so far
    placed_at_s: float | None = None
    gone_at_s: float | None = None  # when it was eaten

    @property
    def end_s(self) -> float:
        """When the whale stops showing: its planned end, or earlier if it was eaten."""
        return self.planned_end_s if self.gone_at_s is None else self.gone_at_s


@dataclass(frozen=True, slots=True)
class _Span:
    """What one whale did over a window, kept to rewind to any instant inside it."""

    plan: WhalePlan
    t_s: np.ndarray  # times of the events it stood at
    price_idx: np.ndarray  # its tick at each
    absorbed: np.ndarray  # push absorbed so far at each
    price_before: int
    absorbed_before: float


@dataclass(frozen=True, slots=True)
class WhaleMarks:
    """Per event of a window: the standing whale's tick, side (+1 bid, -1 ask, 0 none)
    and size in lots."""

    price_idx: np.ndarray
    side: np.ndarray
    qty_lots: np.ndarray


class WhaleSchedule:
    """The whales of one symbol: drawn on demand, played out over windows of events."""

    def __init__(
        self,
        rng: np.random.Generator,
        *,
        start_price: float,
        tick_size: float,
        lot_size: float,
        typical_tick_gap: float,
        depth: int,
        notional_usd_range: tuple[float, float],
        mean_gap_s: float = 90.0,
        duration_range_s: tuple[float, float] = (20.0, 120.0),
    ) -> None:
        self._rng = rng
        self._start_price = start_price
        self._tick_size = tick_size
        self._lot_size = lot_size
        self._typical_tick_gap = typical_tick_gap
        self._depth = depth
        self._notional_range = notional_usd_range
        self._mean_gap_s = mean_gap_s
        self._duration_range_s = duration_range_s
        # The first whale comes sooner than the rest, so a fresh screen shows one early.
        self._plans: list[WhalePlan] = [self._draw(float(rng.exponential(mean_gap_s / 3.0)))]
        self._last_spans: list[_Span] = []

    def _draw(self, start_s: float) -> WhalePlan:
        rng = self._rng
        duration_s = float(rng.uniform(*self._duration_range_s))
        side = Side.BUY if rng.random() < 0.5 else Side.SELL
        # Somewhere in the visible book, not at the touch.
        levels_out = float(rng.uniform(2.0, max(0.6 * self._depth, 2.5)))
        distance_ticks = max(1, int(round(levels_out * self._typical_tick_gap)))
        low, high = self._notional_range
        notional = float(np.exp(rng.uniform(np.log(low), np.log(high))))
        return WhalePlan(start_s, start_s + duration_s, side, distance_ticks, notional)

    def rebase_price(self, start_price: float) -> None:
        """The market starts at ``start_price`` (a restart resuming from its last mark)."""
        self._start_price = start_price

    def _ticks(self, x: np.ndarray) -> np.ndarray:
        return self._start_price * np.exp(x) / self._tick_size

    def support(self, t_s: np.ndarray, x: np.ndarray, window_end_s: float) -> WhaleMarks:
        """Play the whales out over events at times ``t_s`` (ascending) with log prices
        ``x``, reflecting ``x`` off standing walls in place."""
        n = len(t_s)
        marks = WhaleMarks(
            np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int8), np.zeros(n, dtype=np.int64)
        )
        self._last_spans = []
        while True:
            plan = self._plans[-1]
            if plan.start_s >= window_end_s:
                return marks
            r0 = int(np.searchsorted(t_s, plan.start_s))
            r1 = int(np.searchsorted(t_s, plan.end_s))
            if plan.price_idx is None and r0 < r1:
                self._place(plan, float(t_s[r0]), float(self._ticks(x[r0 : r0 + 1])[0]))
            if plan.price_idx is not None and r0 < r1:
                self._stand(plan, r0, r1, t_s, x, marks)
            if plan.end_s >= window_end_s:
                return marks
            gap_s = float(self._rng.exponential(self._mean_gap_s))
            self._plans.append(self._draw(plan.end_s + gap_s))

    def _place(self, plan: WhalePlan, t_s: float, fair_idx: float) -> None:
        if plan.side is Side.BUY:
            plan.price_idx = int(np.floor(fair_idx)) - plan.distance_ticks
        else:
            plan.price_idx = int(np.ceil(fair_idx)) + plan.distance_ticks
        price = fair_idx * self._tick_size
        plan.qty_lots = max(1, int(round(plan.notional_usd / price / self._lot_size)))
        capacity = _CAPACITY_PER_MUSD * plan.notional_usd / 1e6
        plan.capacity = float(np.clip(capacity, *_CAPACITY_RANGE))
        plan.absorbed = 0.0
        plan.placed_at_s = t_s

    def _stand(
        self, plan: WhalePlan, r0: int, r1: int, t_s: np.ndarray, x: np.ndarray, marks: WhaleMarks
    ) -> None:
        """Trail, reflect and maybe break the whale over events ``[r0, r1)``; the push it
        gave the price carries on to every later event of the window."""
        assert plan.price_idx is not None
        # The wall trails the price it holds up and the price depends on the wall, so this
        # is a sequential recurrence: a plain loop over floats, run only while a whale stands.
        ticks_per_unit = self._start_price / self._tick_size  # ticks = k * exp(x)
        buy = plan.side is Side.BUY
        sign = 1.0 if buy else -1.0
        distance = plan.distance_ticks
        wall = plan.price_idx
        wall_x = math.log(wall / ticks_per_unit)
        remaining = plan.capacity - plan.absorbed
        push = 0.0
        free = x[r0:r1].tolist()
        held: list[float] = []
        walls: list[int] = []
        stand_end = r1
        for i, free_x in enumerate(free):
            held_x = free_x + push
            if sign * (held_x - wall_x) < 0.0:
                push = wall_x - free_x
                if abs(push) > remaining:
                    # The wall gives way: the price goes through by what it could not hold.
                    push = sign * remaining
                    stand_end = r0 + i
                    held.extend(f + push for f in free[i:])
                    break
                held_x = wall_x
            else:
                ticks = ticks_per_unit * math.exp(held_x)
                trail = math.floor(ticks) - distance if buy else math.ceil(ticks) + distance
                if sign * (trail - wall) > 0:
                    wall = trail
                    wall_x = math.log(wall / ticks_per_unit)
            held.append(held_x)
            walls.append(wall)
        if stand_end < r1:
            plan.gone_at_s = float(t_s[stand_end])
        wall_arr = np.array(walls, dtype=np.int64)
        held_arr = np.array(held)
        absorbed = plan.absorbed + np.abs(held_arr[: len(walls)] - x[r0:stand_end])
        self._last_spans.append(
            _Span(plan, t_s[r0:stand_end], wall_arr, absorbed, plan.price_idx, plan.absorbed)
        )
        x[r0:r1] = held_arr
        x[r1:] += push
        rows = slice(r0, stand_end)
        marks.price_idx[rows] = wall_arr
        marks.side[rows] = 1 if buy else -1
        marks.qty_lots[rows] = plan.qty_lots
        plan.price_idx = wall
        plan.absorbed += abs(push)

    @staticmethod
    def clamp_touch(
        marks: WhaleMarks,
        rows: np.ndarray,
        best_bid: np.ndarray,
        best_ask: np.ndarray,
    ) -> None:
        """Keep the touches of books at events ``rows`` behind the standing whale, in
        place (rounding to ticks can leave the touch a tick through the wall)."""
        side = marks.side[rows]
        wall = marks.price_idx[rows]
        spread = best_ask - best_bid
        under = (side == 1) & (best_bid < wall)
        best_bid[under] = wall[under]
        best_ask[under] = wall[under] + spread[under]
        over = (side == -1) & (best_ask > wall)
        best_ask[over] = wall[over]
        best_bid[over] = wall[over] - spread[over]

    @staticmethod
    def add_size(
        marks: WhaleMarks,
        rows: np.ndarray,
        bid_idx: np.ndarray,
        bid_lots: np.ndarray,
        ask_idx: np.ndarray,
        ask_lots: np.ndarray,
    ) -> None:
        """Add the standing whale's size to books at events ``rows``, in place."""
        side = marks.side[rows]
        wall = marks.price_idx[rows][:, None]
        qty = marks.qty_lots[rows]
        for sign, levels, lots, reached in (
            (1, bid_idx, bid_lots, bid_idx <= wall),
            (-1, ask_idx, ask_lots, ask_idx >= wall),
        ):
            showing = (side == sign) & reached.any(axis=1)
            hit_rows = np.flatnonzero(showing)
            cols = np.argmax(reached[showing], axis=1)
            # The level before the first one at or past the whale's tick is strictly
            # better than the whale's price, so taking that level's place keeps order.
            levels[hit_rows, cols] = wall[showing, 0]
            lots[hit_rows, cols] += qty[showing]

    def rewind(self, t_s: float) -> None:
        """Forget everything decided after ``t_s`` (events after it are being redrawn)."""
        for span in self._last_spans:
            shown = int(np.searchsorted(span.t_s, t_s, side="right"))
            if shown:
                span.plan.price_idx = int(span.price_idx[shown - 1])
                span.plan.absorbed = float(span.absorbed[shown - 1])
            else:
                span.plan.price_idx = span.price_before
                span.plan.absorbed = span.absorbed_before
        kept = [self._plans[0]]
        self._undo_after(self._plans[0], t_s)
        for plan in self._plans[1:]:
            if kept[-1].end_s > t_s:
                # Drawn when its predecessor ended, which has not happened yet.
                break
            self._undo_after(plan, t_s)
            kept.append(plan)
        self._plans = kept

    @staticmethod
    def _undo_after(plan: WhalePlan, t_s: float) -> None:
        if plan.placed_at_s is not None and plan.placed_at_s > t_s:
            plan.price_idx = None
            plan.qty_lots = 0
            plan.capacity = 0.0
            plan.absorbed = 0.0
            plan.placed_at_s = None
        if plan.gone_at_s is not None and plan.gone_at_s > t_s:
            plan.gone_at_s = None

    def prune_before(self, t_s: float) -> None:
        """Drop whales that were gone by ``t_s``, keeping the latest plan."""
        while len(self._plans) > 1 and self._plans[0].end_s <= t_s:
            del self._plans[0]
