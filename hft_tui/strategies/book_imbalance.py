"""Order-book imbalance with whale detection and a volume profile.

Fires BUY (``BOOK_IMBALANCE_BID``) when the top-N depth leans to the bid by more than the
threshold for ``persist_s`` without a break, SELL (``BOOK_IMBALANCE_ASK``) for the mirror
case. Flicker is the norm in a book, so one update under the threshold restarts the clock.

Whales are resting orders worth at least ``whale_notional_usd`` within
``whale_max_distance_bps`` of the touch. A whale that has rested ``whale_min_age_s`` (a
spoofed order rarely does) is support or resistance: one on the signal's side adds
``WHALE_BID``/``WHALE_ASK`` to its reasons and raises its confidence; one on the other side
lowers it. Whales never fire on their own: a wall says where price may stall, not which way
it goes next, so it only qualifies an imbalance.

Trades feed a rolling :class:`VolumeProfile`; buying below the value area (or selling above
it) leans back towards accepted value and earns a small confidence bonus.

On a diff-depth feed (books with ``changes``) nothing reads the whole book: the top-level
sums follow the changes (``depth_sums``, exact integer sums) and the whales come from the
levels worth one, kept up to date from the changed levels alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import ClassVar, NamedTuple

import numpy as np

from hft_tui.model import LevelChange, MarketRules, OrderBook, Priority, ReasonCode, Side, Signal, Trade
from hft_tui.strategies.base import NO_SIGNALS, BuildContext, Strategy, StrategyParams
from hft_tui.strategies.book_imbalance_params import BookImbalanceParams
from hft_tui.strategies.depth_sums import BookDepth
from hft_tui.strategies.offers import Offers
from hft_tui.strategies.volume_profile import VolumeProfile, VolumeProfileView

_NS_PER_S = 1_000_000_000
_NEVER = -(1 << 62)


class Whale(NamedTuple):
    """A large resting order near the touch."""

    side: Side
    price: float
    qty: float
    notional: float


class _SymbolState:
    __slots__ = ("onset_side", "onset_ts_ns", "last_buy_ts_ns", "last_sell_ts_ns", "bid_whales", "ask_whales",
                 "tick_size", "profile", "depth", "big_seq", "bid_big", "ask_big", "bid_touch", "ask_touch",
                 "bid_last", "ask_last", "bid_limit", "ask_limit")

    def __init__(self) -> None:
        self.onset_side: Side | None = None
        self.onset_ts_ns = 0
        self.last_buy_ts_ns = _NEVER
        self.last_sell_ts_ns = _NEVER
        # The whales, per side: price -> the stamp of the book it was first seen near the
        # touch in (the price key keeps a whale's age while its qty changes); its qty and
        # notional are its level's in ``bid_big``/``ask_big``.
        self.bid_whales: dict[float, int] = {}
        self.ask_whales: dict[float, int] = {}
        self.tick_size: float | None = None
        self.profile: VolumeProfile | None = None
        # Levels worth a whale, price -> (qty, notional): on a diff-depth feed every one
        # anywhere in the book of ``big_seq``, kept from the changes (as the top-level sums
        # are); on whole books (``big_seq`` None) those of the scanned levels near the touch.
        self.depth: BookDepth | None = None
        self.big_seq: int | None = None
        self.bid_big: dict[float, tuple[float, float]] = {}
        self.ask_big: dict[float, tuple[float, float]] = {}
        # What the whales were last picked by, per side: the touch and the price of the last
        # level scanned (-inf/inf: the whole side was scanned); NaN touch: an empty side (or
        # none picked yet), which no reach equals.
        self.bid_touch = math.nan
        self.ask_touch = math.nan
        self.bid_last = -math.inf
        self.ask_last = math.inf
        # The furthest price a whale may rest at, from the reach (NaN: an empty side).
        self.bid_limit = math.nan
        self.ask_limit = math.nan


class BookImbalanceStrategy(Strategy[BookImbalanceParams]):
    """Top-of-book imbalance, qualified by whales and the volume profile."""

    name: ClassVar[str] = "book_imbalance"
    params_model: ClassVar[type[StrategyParams]] = BookImbalanceParams
    exit_params: ClassVar[tuple[str, ...]] = ("take_profit_bps", "stop_loss_bps")

    def __init__(
        self, params: BookImbalanceParams | None = None, rules: Mapping[str, MarketRules] | None = None
    ) -> None:
        super().__init__(params)
        self._states: dict[str, _SymbolState] = {}
        self._tick_by_symbol: dict[str, float] = {s: r.tick_size for s, r in (rules or {}).items()}
        self._cache_params()

    @classmethod
    def build(cls, params: StrategyParams, context: BuildContext) -> BookImbalanceStrategy:
        return cls(params, context.rules)  # type: ignore[arg-type]

    def offers(self) -> Offers:
        return Offers(book_marks=self.whales)

    def set_market_rules(self, rules: MarketRules) -> None:
        """Use the exchange's tick size for ``rules.symbol``'s volume profile."""
        self._tick_by_symbol[rules.symbol] = rules.tick_size
        state = self._states.get(rules.symbol)
        if state is not None and state.tick_size != rules.tick_size:
            state.tick_size = rules.tick_size
            state.profile = None

    def on_params_changed(self) -> None:
        old = self._profile_key
        self._cache_params()
        for state in self._states.values():
            state.depth = None  # the depth or the whale size may have changed: read afresh
            state.big_seq = None
        if self._profile_key != old:
            # Buckets of a different size cannot be merged: start the profiles afresh.
            for state in self._states.values():
                state.profile = None

    def _cache_params(self) -> None:
        p = self.params
        self._persist_ns = int(p.persist_s * _NS_PER_S)
        self._cooldown_ns = int(p.cooldown_s * _NS_PER_S)
        self._ttl_ns = int(p.signal_ttl_s * _NS_PER_S)
        self._whale_age_ns = int(p.whale_min_age_s * _NS_PER_S)
        self._whale_dist = p.whale_max_distance_bps / 1e4
        self._whale_notional = p.whale_notional_usd
        self._scan_levels = p.whale_scan_levels
        self._depth_levels = p.depth_levels
        self._threshold = p.imbalance_threshold
        self._profile_key = (p.profile_ticks_per_bucket, p.profile_window_s, p.value_area_share)

    # --- read side for the UI -------------------------------------------------------------

    def whales(self, symbol: str) -> list[Whale]:
        """Whales resting near the touch in the latest book: bids best first, then asks."""
        state = self._states.get(symbol)
        if state is None:
            return []
        return [Whale(side, price, *big[price])
                for side, seen, big in ((Side.BUY, state.bid_whales, state.bid_big),
                                        (Side.SELL, state.ask_whales, state.ask_big))
                for price in sorted(seen, reverse=side is Side.BUY)]

    def profile(self, symbol: str) -> VolumeProfileView | None:
        """The symbol's volume profile, or None before its first profiled trade."""
        state = self._states.get(symbol)
        return None if state is None or state.profile is None else state.profile.view()

    # --- hooks ----------------------------------------------------------------------------

    def on_trade(self, trade: Trade) -> Sequence[Signal]:
        state = self._state(trade.symbol)
        profile = state.profile or self._new_profile(trade.symbol, state)
        if profile is not None:
            profile.add(trade.price, trade.qty, trade.ts_ns)
        return NO_SIGNALS

    def on_book(self, book: OrderBook) -> Sequence[Signal]:
        state = self._state(book.symbol)
        if state.tick_size is None:
            state.tick_size = _infer_tick_size(book)
        if book.changes is None:
            self._track_whales(book, state)
            imbalance = book.imbalance(self._depth_levels)
            state.depth = None
            state.big_seq = None
            mid = book.mid
        else:
            self._follow_whales(book, state)
            depth = state.depth or BookDepth(self._depth_levels)
            depth.update(book)
            state.depth = depth
            imbalance = depth.imbalance()
            # The touches the whales were just picked by: the book's mid without reading it again
            # (NaN, as None, when a side is empty).
            mid = (state.bid_touch + state.ask_touch) / 2.0
            if mid != mid:
                mid = None
        if imbalance is None or mid is None:
            state.onset_side = None
            return NO_SIGNALS
        threshold = self._threshold
        if imbalance >= threshold:
            side = Side.BUY
        elif imbalance <= -threshold:
            side = Side.SELL
        else:
            state.onset_side = None
            return NO_SIGNALS
        ts = book.ts_ns
        if state.onset_side is not side:
            state.onset_side = side
            state.onset_ts_ns = ts
        if ts - state.onset_ts_ns < self._persist_ns:
            return NO_SIGNALS
        last = state.last_buy_ts_ns if side is Side.BUY else state.last_sell_ts_ns
        if ts - last < self._cooldown_ns:
            return NO_SIGNALS
        if side is Side.BUY:
            state.last_buy_ts_ns = ts
        else:
            state.last_sell_ts_ns = ts
        return (self._signal(book.symbol, side, abs(imbalance), mid, ts, state),)

    # --- internals ------------------------------------------------------------------------

    def _state(self, symbol: str) -> _SymbolState:
        state = self._states.get(symbol)
        if state is None:
            state = self._states[symbol] = _SymbolState()
            state.tick_size = self._tick_by_symbol.get(symbol)
        return state

    def _new_profile(self, symbol: str, state: _SymbolState) -> VolumeProfile | None:
        # Without the tick size there is no honest bucket; trades before the first book are skipped.
        if state.tick_size is None:
            return None
        p = self.params
        state.profile = VolumeProfile(
            symbol, state.tick_size, p.profile_ticks_per_bucket, p.profile_window_s, p.value_area_share
        )
        return state.profile

    def _track_whales(self, book: OrderBook, state: _SymbolState) -> None:
        levels = self._scan_levels
        ts_ns = book.ts_ns
        state.bid_big = big = self._worth_a_whale(book.bids[:levels].tolist(), True)
        state.bid_whales = {p: state.bid_whales.get(p, ts_ns) for p in big}
        state.ask_big = big = self._worth_a_whale(book.asks[:levels].tolist(), False)
        state.ask_whales = {p: state.ask_whales.get(p, ts_ns) for p in big}

    def _follow_whales(self, book: OrderBook, state: _SymbolState) -> None:
        """The whales of an update, from the levels it changed: the same as ``_track_whales``.
        A side takes its changed levels in, then the levels worth a whale between its old and
        its new limit when its reach moved the limit; a fresh book picks them all again."""
        changes = book.changes
        threshold = self._whale_notional
        if changes is None or changes.prev_seq != state.big_seq:
            state.bid_big = {p: (q, n) for p, q in book.bids.tolist() if (n := p * q) >= threshold}
            state.ask_big = {p: (q, n) for p, q in book.asks.tolist() if (n := p * q) >= threshold}
            changes = None  # every side picks its whales afresh
        state.big_seq = book.seq
        ts_ns = book.ts_ns
        # A side's reach: its touch and the price of the last level scanned (-inf/inf: the
        # whole side; NaN touch: an empty side).
        levels = self._scan_levels
        side = book.bids
        depth = len(side)
        touch: float = side.item(0, 0) if depth else math.nan
        last: float = side.item(levels - 1, 0) if depth > levels else -math.inf
        limit = state.bid_limit
        if changes is None or touch != state.bid_touch or last != state.bid_last:
            state.bid_touch = touch
            state.bid_last = last
            limit = self._limit(touch, last, True)
        if changes is None:
            state.bid_whales = _near_touch(state.bid_big, limit, True, ts_ns, state.bid_whales)
        else:
            if changes.bids:
                _follow_big(state.bid_big, changes.bids, threshold, state.bid_whales, limit, True, ts_ns)
            if limit != state.bid_limit:
                state.bid_whales = _move_limit(state.bid_big, state.bid_whales, state.bid_limit, limit, True, ts_ns)
        state.bid_limit = limit
        side = book.asks
        depth = len(side)
        touch = side.item(0, 0) if depth else math.nan
        last = side.item(levels - 1, 0) if depth > levels else math.inf
        limit = state.ask_limit
        if changes is None or touch != state.ask_touch or last != state.ask_last:
            state.ask_touch = touch
            state.ask_last = last
            limit = self._limit(touch, last, False)
        if changes is None:
            state.ask_whales = _near_touch(state.ask_big, limit, False, ts_ns, state.ask_whales)
        else:
            if changes.asks:
                _follow_big(state.ask_big, changes.asks, threshold, state.ask_whales, limit, False, ts_ns)
            if limit != state.ask_limit:
                state.ask_whales = _move_limit(state.ask_big, state.ask_whales, state.ask_limit, limit, False, ts_ns)
        state.ask_limit = limit

    def _limit(self, touch: float, last: float, bids: bool) -> float:
        """The furthest price a whale may rest at: the distance from the touch, or the last
        level scanned if that is nearer (NaN: an empty side, no whales)."""
        if bids:
            limit = touch * (1.0 - self._whale_dist)
            return last if last > limit else limit
        limit = touch * (1.0 + self._whale_dist)
        return last if last < limit else limit

    def _worth_a_whale(self, rows: list[list[float]], bids: bool) -> dict[float, tuple[float, float]]:
        """The levels worth a whale near the touch, price -> (qty, notional), among one side's
        ``[price, qty]`` rows (best first).

        Plain floats rather than numpy: on 20 levels the per-call overhead of a handful of
        ufuncs costs more than the whole scan (profiled: 27 us -> 5 us per book).
        """
        if not rows:
            return {}
        threshold = self._whale_notional
        if bids:
            limit = rows[0][0] * (1.0 - self._whale_dist)
            return {p: (q, n) for p, q in rows if (n := p * q) >= threshold and p >= limit}
        limit = rows[0][0] * (1.0 + self._whale_dist)
        return {p: (q, n) for p, q in rows if (n := p * q) >= threshold and p <= limit}

    def _confirmed_whale(self, state: _SymbolState, side: Side, ts_ns: int) -> bool:
        seen = state.bid_whales if side is Side.BUY else state.ask_whales
        oldest = ts_ns - self._whale_age_ns
        return any(first_ts <= oldest for first_ts in seen.values())

    def _signal(self, symbol: str, side: Side, strength_abs: float, mid: float, ts: int, state: _SymbolState) -> Signal:
        p = self.params
        strength = min(max((strength_abs - p.imbalance_threshold) / (1.0 - p.imbalance_threshold), 0.0), 1.0)
        confidence = p.base_confidence + (p.max_confidence - p.base_confidence) * strength
        imbalance_code = ReasonCode.BOOK_IMBALANCE_BID if side is Side.BUY else ReasonCode.BOOK_IMBALANCE_ASK
        reasons: tuple[ReasonCode, ...] = (imbalance_code,)
        if self._confirmed_whale(state, side, ts):
            confidence += p.whale_confidence_bonus
            reasons += (ReasonCode.WHALE_BID if side is Side.BUY else ReasonCode.WHALE_ASK,)
        if self._confirmed_whale(state, side.opposite, ts):
            confidence -= p.whale_confidence_bonus
        view = state.profile.view() if state.profile is not None else None
        if view is not None and _outside_value_towards(view, side, mid):
            confidence += p.value_area_bonus
        sign = side.sign
        return Signal(
            symbol=symbol,
            side=side,
            confidence=min(max(confidence, 0.0), 1.0),
            priority=Priority.MEDIUM,
            reasons=reasons,
            strategy=self.name,
            ts_ns=ts,
            expiry_ts_ns=ts + self._ttl_ns,
            take_profit=mid * (1.0 + sign * p.take_profit_bps / 1e4),
            stop_loss=mid * (1.0 - sign * p.stop_loss_bps / 1e4),
        )


def _follow_big(
    big: dict[float, tuple[float, float]], changes: tuple[LevelChange, ...], threshold: float,
    whales: dict[float, int], limit: float, bids: bool, ts_ns: int,
) -> None:
    """Keep ``big`` (price -> (qty, notional) of every level worth ``threshold``) up to date
    with one side's changes, and ``whales`` with those of its changed levels that rest within
    ``limit`` (first seen at ``ts_ns``; none within a NaN limit)."""
    for price, old_qty, qty in changes:
        if qty and (notional := price * qty) >= threshold:
            big[price] = (qty, notional)
            if price >= limit if bids else price <= limit:
                whales.setdefault(price, ts_ns)
        elif price * old_qty >= threshold:  # it was worth a whale, so it is in ``big``
            big.pop(price, None)
            whales.pop(price, None)


def _move_limit(
    big: dict[float, tuple[float, float]], whales: dict[float, int], old: float, new: float, bids: bool, ts_ns: int,
) -> dict[float, int]:
    """``whales`` (the levels of ``big`` within the limit ``old``) within the limit ``new``:
    the levels between the two leave or join (first seen at ``ts_ns``)."""
    if old != old or new != new:  # an empty side at either end: pick them afresh
        return _near_touch(big, new, bids, ts_ns, whales)
    if bids:
        if new > old:
            for price in big:
                if old <= price < new:
                    whales.pop(price, None)
        else:
            for price in big:
                if new <= price < old:
                    whales.setdefault(price, ts_ns)
    elif new < old:
        for price in big:
            if new < price <= old:
                whales.pop(price, None)
    else:
        for price in big:
            if old < price <= new:
                whales.setdefault(price, ts_ns)
    return whales


def _near_touch(
    big: dict[float, tuple[float, float]], limit: float, bids: bool, ts_ns: int, previous: dict[float, int],
) -> dict[float, int]:
    """The whales among ``big`` that rest within ``limit`` (none when it is NaN), each first
    seen when ``previous`` says, else now (``ts_ns``)."""
    if bids:
        return {p: previous.get(p, ts_ns) for p in big if p >= limit}
    return {p: previous.get(p, ts_ns) for p in big if p <= limit}

def _outside_value_towards(view: VolumeProfileView, side: Side, mid: float) -> bool:
    """Buying below the value area or selling above it: trading back towards value."""
    if side is Side.BUY:
        return mid < view.value_area_low
    return mid >= view.value_area_high + view.bucket_size


def _infer_tick_size(book: OrderBook) -> float | None:
    """The smallest gap between adjacent levels: the tick, when no market rules were given."""
    gaps = [np.abs(np.diff(levels[:, 0])) for levels in (book.bids, book.asks) if len(levels) > 1]
    positive = [g[g > 0] for g in gaps]
    smallest = [float(g.min()) for g in positive if len(g)]
    if not smallest:
        return None
    # Float subtraction leaves 0.09999999999; six significant digits recover the quoted tick.
    return float(f"{min(smallest):.6g}")
