"""The L0 sanitizer: every book and trade passes here before anything trades on it.

A message is accepted (``None``) or rejected with one ``ReasonCode``; both are counted.
Checks run in a fixed order and the first failure wins:

books:  unknown symbol, malformed arrays, empty side, non-finite, non-positive, unsorted
        levels, crossed, locked, off tick, off lot, below one tick or one lot, level
        notional beyond the sane maximum, sequence duplicate / out of order, stale (older
        than the last accepted book), feed latency, clock skew, spread, jump from the
        trusted reference.
trades: unknown symbol, malformed, non-finite, non-positive, off tick, off lot, below one
        tick or one lot, absurd notional, stale (older than the last accepted trade),
        duplicate trade id, feed latency, clock skew, jump from the trusted reference.
liquidations: unknown symbol, malformed, non-finite, non-positive, below one tick or one
        lot, absurd notional, feed latency, clock skew, jump from the trusted reference.

A market looks like its rules: every size a whole, non-zero number of lots, every price a
whole, non-zero number of ticks (a rule of 0 means the exchange publishes no grid), and no
level or print worth more than ``max_notional``. Timestamps are judged against the local
clock only (latency and skew); the engine never takes its time from them.

Only accepted messages move the per-symbol state (last sequence, timestamps, reference).
The *reference* is the mid of the last trusted book; prices are judged against it. A real
move that looks like a jump is accepted once ``jump_confirmations`` consecutive books agree
on the new level, unless it is beyond ``max_reanchor_bps`` (a feed at 1% of the market
never talks its way in). After a feed resync the source restarts its sequence numbers: the engine
calls ``reset(symbol)`` so the new stream is not rejected as old, but the reference stays:
the first book of the new stream is judged against the market as it was, not trusted at
any price. The references also outlive the process (``references`` /
``restore_references``, through the WAL's state snapshot).

The book checks are the hot path. A healthy book costs a handful of numpy calls over both
sides at once (bids reversed then asks must be strictly increasing in whole ticks, every
quantity a positive whole number of lots); only a book that fails that test pays for the
slower per-check diagnosis that names the reason. An update of a diff-depth feed whose
``changes`` extend the book accepted last is cheaper still: only the levels it sets are
judged (grid, positive, notional), the touch must not cross, and its added and removed
levels must account for its depth (else ``MALFORMED``); every other level was accepted
before. A chain broken by a rejection or a resync is judged whole again.

``parse_raw_book`` / ``parse_raw_trade`` turn untrusted ccxt-shaped dicts into model
objects, or ``MALFORMED``; they never raise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final

import numpy as np

from hft_tui.clock import Clock
from hft_tui.market.sanitizer_settings import SanitizerSettings
from hft_tui.model import LevelChange, Liquidation, MarketRules, OrderBook, ReasonCode, Side, Trade

# Relative float noise of ``value / step`` (decimal values and steps are not exact in
# binary); added to the configured tolerance so huge tick counts are not called off-grid.
_RATIO_NOISE: Final = 1e-15
# Timestamps must fit an int64 of nanoseconds (numpy, the WAL): up to year 2262.
MAX_TS_MS = (2**63 - 1) // 1_000_000
_MAX_SEQ = 2**63 - 1
# Level values at or above this are absurd (and could overflow when divided by a tick).
_MAX_ABS_VALUE = 1e290
# From here up every float is a whole number.
_WHOLE_FLOATS: Final = 4503599627370496.0  # 2.0**52
# Levels a side times two that the per-symbol arrays hold before they grow.
_INITIAL_ROWS = 64
# Exceptions a hostile message can raise out of numpy or comparisons; anything that
# raises one of these is malformed by definition.
_MALFORMED_ERRORS = (TypeError, ValueError, IndexError, AttributeError, OverflowError, ZeroDivisionError)


class _SymbolState:
    """What the sanitizer remembers about one symbol between messages."""

    __slots__ = (
        "tick", "lot", "tolerance", "least_price", "least_qty", "steps", "tolerances", "caps",
        "bounds", "last_seq", "last_ts_ns", "mid", "candidate_mid", "candidate_count",
        "trade_ts_ns", "trade_ids", "n_bids", "n_asks", "bid", "ask", "touch_seq",
    )

    def __init__(self, rules: MarketRules, rows: int, tolerance: float, on_grid: bool) -> None:
        # A step of 0 (or nonsense) means the exchange publishes no grid for that value.
        self.tick = _step(rules.tick_size)
        self.lot = _step(rules.lot_size)
        self.tolerance = tolerance
        # Every price above this and every quantity above that, strictly: one tick, one lot
        # (less the tolerance), or just positive when there is no grid to judge by.
        self.least_price = self.tick * (1.0 - tolerance) if on_grid else 0.0
        self.least_qty = self.lot * (1.0 - tolerance) if on_grid else 0.0
        # [price, qty] upper bounds of the fast test; the qty bound is set per book.
        self.bounds = np.array([_MAX_ABS_VALUE, _MAX_ABS_VALUE])
        self._grid_arrays(rows)
        self.last_seq = 0
        self.last_ts_ns = -1
        self.mid: float | None = None
        self.candidate_mid: float | None = None
        self.candidate_count = 0
        self.trade_ts_ns = -1
        self.trade_ids: set[str] = set()
        # Levels a side of the last accepted book: an update's changes must account for them.
        self.n_bids = 0
        self.n_asks = 0
        # The touch of the last accepted book, and its sequence number (0: none to chain to):
        # an update that neither removes the best level nor adds a better one keeps it.
        self.bid = 0.0
        self.ask = 0.0
        self.touch_seq = 0

    def _grid_arrays(self, rows: int) -> None:
        """Per (row, price|qty): the grid step and the off-grid tolerance, and the caps of the
        rising test (prices: none; quantities: the least one), so the fast book test is a
        few whole-array comparisons."""
        self.steps = np.empty((rows, 2), dtype=np.float64)
        self.tolerances = np.empty((rows, 2), dtype=np.float64)
        for column, step in enumerate((self.tick, self.lot)):
            self.steps[:, column] = step or 1.0
            self.tolerances[:, column] = self.tolerance if step else np.inf
        self.caps = np.empty((rows, 2), dtype=np.float64)
        self.caps[:, 0] = np.inf
        self.caps[:, 1] = self.least_qty

    def ensure_rows(self, rows: int) -> None:
        if rows > self.steps.shape[0]:
            self._grid_arrays(_capacity_for(rows))

    def forget(self) -> None:
        """Forget the stream (sequence, timestamps, trade ids); the reference mid stays."""
        self.last_seq = 0
        self.last_ts_ns = -1
        self.candidate_mid = None
        self.candidate_count = 0
        self.trade_ts_ns = -1
        self.trade_ids.clear()


def _step(value: object) -> float:
    """A market rule's grid step, or 0.0 for none."""
    step = float(value) if isinstance(value, int | float) else 0.0
    return step if 0.0 < step < math.inf else 0.0


def _capacity_for(rows: int) -> int:
    capacity = 64
    while capacity < rows:
        capacity *= 2
    return capacity


def _off_whole(ratio: float) -> float:
    """``abs(ratio - round(ratio))`` to the bit, without ``round`` (a generic call in compiled
    code): below 2**52 the fraction and one minus it are exact; above, every float is whole
    (and inf and NaN raise in ``round`` as they always did)."""
    ratio = abs(ratio)
    if ratio < _WHOLE_FLOATS:
        fraction = ratio - int(ratio)
        return fraction if fraction <= 0.5 else 1.0 - fraction
    return abs(ratio - round(ratio))


def _off_grid(value: float, step: float, tolerance: float) -> bool:
    if not step:
        return False
    ratio = value / step
    return _off_whole(ratio) > tolerance + abs(ratio) * _RATIO_NOISE


def _any_off_grid(values: np.ndarray, step: float, tolerance: float) -> bool:
    if not step:
        return False
    ratios = values / step
    error = np.abs(ratios - np.rint(ratios))
    return bool(np.any(error > tolerance + np.abs(ratios) * _RATIO_NOISE))


def _below_one_step(value: float, step: float, tolerance: float) -> bool:
    """A value that is zero steps on its grid (1e-13 of a 0.001 lot, 1e-300 of a 0.1 tick)."""
    return bool(step) and value < step * (1.0 - tolerance)


def _bid_touch(changes: tuple[LevelChange, ...], best: float) -> float:
    """The best bid after an update's bid changes, from the best bid before; 0.0 when the best
    level left and no better one came (only the book knows the next one)."""
    touch = best
    gone = False
    for price, _, new_qty in changes:
        if not new_qty:
            gone = gone or price == best
        elif price > touch:
            touch = price
    return 0.0 if gone and touch == best else touch


def _ask_touch(changes: tuple[LevelChange, ...], best: float) -> float:
    """``_bid_touch`` of the asks: the best is the lowest."""
    touch = best
    gone = False
    for price, _, new_qty in changes:
        if not new_qty:
            gone = gone or price == best
        elif price < touch:
            touch = price
    return 0.0 if gone and touch == best else touch


class Sanitizer:
    """Accepts or rejects books and trades; counts every verdict.

    ``counts`` maps each reason code seen to its number of rejections; ``accepted`` counts
    messages that passed.
    """

    def __init__(
        self, settings: SanitizerSettings, rules: Mapping[str, MarketRules], clock: Clock
    ) -> None:
        self.settings = settings
        self.counts: dict[ReasonCode, int] = {}
        self.accepted = 0
        # The mid of the book accepted last (of any symbol): the core marks with it.
        self.mid = 0.0
        self._clock = clock
        self._states = {symbol: _SymbolState(r, _INITIAL_ROWS, settings.tick_tolerance, settings.check_tick_lot)
                        for symbol, r in rules.items()}
        self._max_latency_ns = int(settings.max_feed_latency_ms * 1_000_000)
        self._max_skew_ns = int(settings.max_clock_skew_ms * 1_000_000)
        self._max_spread = settings.max_spread_bps / 1e4
        self._max_jump = settings.max_jump_bps / 1e4
        self._max_reanchor = settings.max_reanchor_bps / 1e4
        self._confirmations = settings.jump_confirmations
        self._check_tick_lot = settings.check_tick_lot
        self._tolerance = settings.tick_tolerance
        self._max_notional = settings.max_notional

    @property
    def rejected(self) -> int:
        """Total rejections across all reason codes."""
        return sum(self.counts.values())

    def last_good_mid(self, symbol: str) -> float | None:
        """The trusted reference of ``symbol``: the mid of its last accepted book, if any."""
        state = self._states.get(symbol)
        return None if state is None else state.mid

    def references(self) -> dict[str, float]:
        """Every symbol's trusted reference mid, for the state the WAL keeps across restarts."""
        return {symbol: state.mid for symbol, state in self._states.items() if state.mid is not None}

    def restore_references(self, references: Mapping[str, object]) -> None:
        """Take back references saved by ``references`` (unknown symbols and nonsense ignored)."""
        for symbol, mid in references.items():
            state = self._states.get(symbol)
            if state is not None and isinstance(mid, int | float) and 0.0 < mid < _MAX_ABS_VALUE:
                state.mid = float(mid)

    def reset(self, symbol: str | None = None) -> None:
        """Forget sequence numbers and timestamps (after a resync), for one or all symbols;
        the reference mid stays, so the new stream's first book is judged against it."""
        if symbol is None:
            for state in self._states.values():
                state.forget()
        elif symbol in self._states:
            self._states[symbol].forget()

    def count_rejection(self, code: ReasonCode) -> None:
        """Count a rejection made upstream (e.g. a source's MALFORMED) with the sanitizer's own."""
        self.counts[code] = self.counts.get(code, 0) + 1

    def check_book(self, book: object) -> ReasonCode | None:
        """None if ``book`` is a healthy ``OrderBook`` (and now the symbol's reference, its mid
        ``mid``), else why not."""
        # ``_judge`` written out: no bound method made and called through on every book.
        try:
            code = self._book_verdict(book)  # type: ignore[arg-type]  # not a book: TypeError
        except _MALFORMED_ERRORS:
            code = ReasonCode.MALFORMED
        return self._counted(code)

    def check_trade(self, trade: Trade) -> ReasonCode | None:
        """None if ``trade`` is healthy, else why not."""
        return self._judge(self._trade_verdict, trade)

    def check_liquidation(self, liquidation: Liquidation) -> ReasonCode | None:
        """None if ``liquidation`` is plausible, else why not (no grid: its size is an average)."""
        return self._judge(self._liquidation_verdict, liquidation)

    def _judge(self, verdict: Callable[[Any], ReasonCode | None], message: object) -> ReasonCode | None:
        """``verdict(message)``, counted; a message that makes it raise is malformed."""
        try:
            code = verdict(message)
        except _MALFORMED_ERRORS:
            code = ReasonCode.MALFORMED
        return self._counted(code)

    def _counted(self, code: ReasonCode | None) -> ReasonCode | None:
        """``code``, counted as an acceptance (None) or a rejection."""
        if code is None:
            self.accepted += 1
        else:
            self.counts[code] = self.counts.get(code, 0) + 1
        return code

    # --- books --------------------------------------------------------------------------

    def _book_verdict(self, book: OrderBook) -> ReasonCode | None:
        state = self._states.get(book.symbol)
        if state is None:
            return ReasonCode.UNKNOWN_SYMBOL
        bids = book.bids
        asks = book.asks
        bid_shape = bids.shape
        ask_shape = asks.shape
        if len(bid_shape) != 2 or len(ask_shape) != 2 or bid_shape[1] != 2 or ask_shape[1] != 2:
            return ReasonCode.MALFORMED
        n_bids = bid_shape[0]
        n_asks = ask_shape[0]
        if n_bids == 0 or n_asks == 0:
            return ReasonCode.EMPTY_BOOK
        changes = book.changes
        bid = ask = 0.0
        if changes is not None and changes.prev_seq == state.last_seq > 0:
            # An update of the book accepted last: only what it changed needs judging.
            bid_changes = changes.bids
            ask_changes = changes.asks
            healthy = self._changes_look_healthy(bid_changes, ask_changes, n_bids, n_asks, state)
            if healthy is None:
                return ReasonCode.MALFORMED  # its changes do not account for its levels
            if healthy:
                if state.touch_seq == state.last_seq:
                    bid = _bid_touch(bid_changes, state.bid)
                    ask = _ask_touch(ask_changes, state.ask)
                if not bid:
                    bid = bids.item(0, 0)
                if not ask:
                    ask = asks.item(0, 0)
                healthy = bid < ask
        else:
            healthy = self._levels_look_healthy(bids, asks, state, n_bids + n_asks)
        if not healthy:
            code = self._diagnose_levels(bids, asks, state)
            if code is not None:
                return code
            bid = ask = 0.0  # the fast test was over-strict: the book's own levels say
        if not bid:
            bid = bids.item(0, 0)
        if not ask:
            ask = asks.item(0, 0)

        seq = book.seq
        ts_ns = book.ts_ns
        if not (isinstance(seq, int) and isinstance(ts_ns, int)):
            return ReasonCode.MALFORMED
        if seq > 0:
            if seq == state.last_seq:
                return ReasonCode.SEQ_DUPLICATE
            if seq < state.last_seq:
                return ReasonCode.SEQ_OUT_OF_ORDER
        if ts_ns < state.last_ts_ns:
            return ReasonCode.STALE_DATA
        code = self._timing_verdict(ts_ns)
        if code is not None:
            return code

        mid = (bid + ask) * 0.5
        if ask - bid > mid * self._max_spread:
            return ReasonCode.SPREAD_TOO_WIDE
        reference = state.mid
        if reference is not None and abs(mid - reference) > reference * self._max_jump:
            if abs(mid - reference) > reference * self._max_reanchor:
                return ReasonCode.PRICE_JUMP
            candidate = state.candidate_mid
            if candidate is not None and abs(mid - candidate) <= candidate * self._max_jump:
                state.candidate_count += 1
            else:
                state.candidate_mid = mid
                state.candidate_count = 1
            if state.candidate_count <= self._confirmations:
                return ReasonCode.PRICE_JUMP

        if seq > 0:
            state.last_seq = seq
        state.last_ts_ns = ts_ns
        state.n_bids = n_bids
        state.n_asks = n_asks
        state.bid = bid
        state.ask = ask
        state.touch_seq = seq
        state.mid = mid
        state.candidate_mid = None
        state.candidate_count = 0
        self.mid = mid
        return None

    def _levels_look_healthy(
        self, bids: np.ndarray, asks: np.ndarray, state: _SymbolState, rows: int
    ) -> bool:
        """The fast test: True means every level check passes; False means diagnose."""
        state.ensure_rows(rows)
        # Bids reversed then asks: prices strictly rising across the whole array covers
        # bid order, ask order, crossed and locked at once. Row i is compared with row i-1
        # capped at [+inf, least qty], so column 1 asks "qty > least qty" (one lot, or 0
        # without a grid); row 0 is checked by hand, against the least price too.
        levels = np.concatenate((bids[::-1], asks))
        rising = np.greater(levels[1:], np.minimum(levels[:-1], state.caps[: rows - 1]))
        if np.count_nonzero(rising) != 2 * (rows - 1):
            return False  # NaN fails every comparison
        if not (levels.item(0, 0) > state.least_price and levels.item(0, 1) > state.least_qty):
            return False
        # All positive now; screening inf and absurd magnitudes keeps the ufuncs below
        # free of inf - inf and overflow (numpy would print a RuntimeWarning over the TUI).
        # No quantity may be worth more than the maximum notional at the book's highest
        # price: a bound that can only be too strict, and then the diagnosis judges exactly.
        bounds = state.bounds
        bounds[1] = self._max_notional / levels.item(rows - 1, 0)
        if np.count_nonzero(np.less(levels, bounds)) != 2 * rows:
            return False
        if not self._check_tick_lot:
            return True
        ratios = np.divide(levels, state.steps[:rows], out=levels)
        error = np.subtract(ratios, np.rint(ratios), out=ratios)
        np.abs(error, out=error)
        return int(np.count_nonzero(np.less_equal(error, state.tolerances[:rows]))) == 2 * rows

    def _changes_look_healthy(
        self, bid_changes: tuple[LevelChange, ...], ask_changes: tuple[LevelChange, ...], n_bids: int,
        n_asks: int, state: _SymbolState,
    ) -> bool | None:
        """The fast test of an update whose every other level was accepted before: each level
        it sets is positive, within the maximum notional and on the grid, and the levels it
        adds and removes account for the book's depth (None when they do not); the caller
        judges the touch. The order of the levels is the feed's to keep (the simulator's delta
        mode and the ccxt source build sorted sides)."""
        least_price = state.least_price
        least_qty = state.least_qty
        max_notional = self._max_notional
        tick = state.tick if self._check_tick_lot else 0.0
        lot = state.lot if self._check_tick_lot else 0.0
        tolerance = state.tolerance
        healthy = True
        added_bids = 0
        n = 0
        for side in (bid_changes, ask_changes):
            for price, old_qty, new_qty in side:
                if not new_qty:
                    n -= 1
                    continue
                if not old_qty:
                    n += 1
                if not (price > least_price and new_qty > least_qty and price * new_qty <= max_notional):
                    healthy = False
                    continue
                if _off_grid(price, tick, tolerance) or _off_grid(new_qty, lot, tolerance):
                    healthy = False
            if side is bid_changes:
                added_bids, n = n, 0
        if n_bids != state.n_bids + added_bids or n_asks != state.n_asks + n:
            return None
        return healthy

    def _diagnose_levels(
        self, bids: np.ndarray, asks: np.ndarray, state: _SymbolState
    ) -> ReasonCode | None:
        """Name the first failing level check; None if the fast test was over-strict."""
        with np.errstate(all="ignore"):  # absurd values may overflow; they are judged, not warned about
            return self._first_failing_level_check(bids, asks, state)

    def _first_failing_level_check(
        self, bids: np.ndarray, asks: np.ndarray, state: _SymbolState
    ) -> ReasonCode | None:
        if not (np.isfinite(bids).all() and np.isfinite(asks).all()):
            return ReasonCode.NON_FINITE
        if (bids <= 0.0).any() or (asks <= 0.0).any():
            return ReasonCode.NON_POSITIVE
        if (np.diff(bids[:, 0]) >= 0.0).any() or (np.diff(asks[:, 0]) <= 0.0).any():
            return ReasonCode.UNSORTED_LEVELS
        best_bid = bids.item(0, 0)
        best_ask = asks.item(0, 0)
        if best_bid > best_ask:
            return ReasonCode.CROSSED_BOOK
        if best_bid == best_ask:
            return ReasonCode.LOCKED_BOOK
        if not (np.all(bids < _MAX_ABS_VALUE) and np.all(asks < _MAX_ABS_VALUE)):
            return ReasonCode.ABSURD_NOTIONAL
        if (bids[:, 0] * bids[:, 1] > self._max_notional).any() or (
            asks[:, 0] * asks[:, 1] > self._max_notional
        ).any():
            return ReasonCode.ABSURD_NOTIONAL
        if self._check_tick_lot:
            tolerance = self._tolerance
            tick = state.tick
            lot = state.lot
            if (tick and (bids.item(-1, 0) < tick * (1.0 - tolerance))) or (
                lot and (min(bids[:, 1].min(), asks[:, 1].min()) < lot * (1.0 - tolerance))
            ):
                return ReasonCode.BELOW_ONE_STEP
            if _any_off_grid(bids[:, 0], tick, tolerance) or _any_off_grid(asks[:, 0], tick, tolerance):
                return ReasonCode.OFF_TICK
            if _any_off_grid(bids[:, 1], lot, tolerance) or _any_off_grid(asks[:, 1], lot, tolerance):
                return ReasonCode.OFF_LOT
        return None

    # --- trades -------------------------------------------------------------------------

    def _trade_verdict(self, trade: Trade) -> ReasonCode | None:
        state = self._states.get(trade.symbol)
        if state is None:
            return ReasonCode.UNKNOWN_SYMBOL
        trade_id = trade.trade_id
        if not isinstance(trade_id, str):
            return ReasonCode.MALFORMED
        code = self._print_verdict(state, trade.price, trade.qty, trade.ts_ns, trade.side, on_grid=True)
        if code is not None:
            return code
        ts_ns = trade.ts_ns
        if ts_ns < state.trade_ts_ns:
            return ReasonCode.STALE_DATA
        if ts_ns == state.trade_ts_ns and trade_id and trade_id in state.trade_ids:
            return ReasonCode.SEQ_DUPLICATE
        code = self._market_verdict(state, trade.price, ts_ns)
        if code is not None:
            return code

        if ts_ns > state.trade_ts_ns:
            state.trade_ts_ns = ts_ns
            state.trade_ids.clear()
        if trade_id:
            # Only ids at the newest timestamp are kept: an older redelivery is already
            # STALE_DATA, so the set stays as small as one millisecond of prints.
            state.trade_ids.add(trade_id)
        return None

    def _liquidation_verdict(self, liquidation: Liquidation) -> ReasonCode | None:
        state = self._states.get(liquidation.symbol)
        if state is None:
            return ReasonCode.UNKNOWN_SYMBOL
        # A liquidation's size may be an average or a contract conversion: no grid, only sanity.
        code = self._print_verdict(state, liquidation.price, liquidation.qty, liquidation.ts_ns,
                                   liquidation.side, on_grid=False)
        return code if code is not None else self._market_verdict(state, liquidation.price, liquidation.ts_ns)

    def _print_verdict(self, state: _SymbolState, price: object, qty: object, ts_ns: object, side: object,
                       *, on_grid: bool) -> ReasonCode | None:
        """What a trade or a liquidation must be on its own: typed, finite, positive, at least
        one tick and one lot, not absurdly large, and (``on_grid``) on the tick and lot grid."""
        if not isinstance(price, float | int) or not isinstance(qty, float | int):
            return ReasonCode.MALFORMED
        if not isinstance(ts_ns, int) or not isinstance(side, Side):
            return ReasonCode.MALFORMED
        if not (math.isfinite(price) and math.isfinite(qty)):
            return ReasonCode.NON_FINITE
        if price <= 0.0 or qty <= 0.0:
            return ReasonCode.NON_POSITIVE
        if not price * qty <= self._max_notional:
            return ReasonCode.ABSURD_NOTIONAL
        if self._check_tick_lot:
            tolerance = self._tolerance
            if _below_one_step(price, state.tick, tolerance) or _below_one_step(qty, state.lot, tolerance):
                return ReasonCode.BELOW_ONE_STEP
            if on_grid and _off_grid(price, state.tick, tolerance):
                return ReasonCode.OFF_TICK
            if on_grid and _off_grid(qty, state.lot, tolerance):
                return ReasonCode.OFF_LOT
        return None

    def _market_verdict(self, state: _SymbolState, price: float, ts_ns: int) -> ReasonCode | None:
        """Timely by the local clock, and priced near the trusted reference."""
        code = self._timing_verdict(ts_ns)
        if code is not None:
            return code
        reference = state.mid
        if reference is not None and abs(price - reference) > reference * self._max_jump:
            return ReasonCode.PRICE_JUMP
        return None

    def _timing_verdict(self, ts_ns: int) -> ReasonCode | None:
        lag_ns = self._clock.now_ns() - ts_ns
        if lag_ns > self._max_latency_ns:
            return ReasonCode.FEED_LATENCY
        if -lag_ns > self._max_skew_ns:
            return ReasonCode.CLOCK_SKEW
        return None


# --- untrusted input ----------------------------------------------------------------------


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _ms_to_ns(value: object) -> int | None:
    """Exchange milliseconds to int nanoseconds; None if not a usable timestamp."""
    if not is_number(value):
        return None
    ms = float(value)  # type: ignore[arg-type]  # is_number proved it is int or float
    if not (0.0 <= ms <= MAX_TS_MS):  # also rejects NaN
        return None
    if isinstance(value, int):
        return value * 1_000_000
    return int(ms * 1_000_000)


def _parse_levels(raw: object) -> list[float] | None:
    """``[[price, qty, ...], ...]`` flattened to ``[p0, q0, p1, q1, ...]``; None if malformed."""
    if not isinstance(raw, list | tuple):
        return None
    flat: list[float] = []
    append = flat.append
    for level in raw:
        # ccxt levels are [price, amount] or [price, amount, count/id]: extra items ignored.
        if not isinstance(level, list | tuple) or len(level) < 2:
            return None
        price = level[0]
        qty = level[1]
        if not (is_number(price) and is_number(qty)):
            return None
        append(float(price))
        append(float(qty))
    return flat


def parse_raw_book(symbol: str, raw: object) -> OrderBook | ReasonCode:
    """A ccxt unified order book dict as an ``OrderBook``, or ``MALFORMED``; never raises.

    Expects ``{"bids": [[price, qty], ...], "asks": [...], "timestamp": ms, "nonce": int}``;
    a missing or None ``nonce`` means the source has no sequence numbers (seq 0). Values
    are only type-checked here: ``check_book`` judges them.
    """
    try:
        if not isinstance(symbol, str) or not symbol or not isinstance(raw, dict):
            return ReasonCode.MALFORMED
        ts_ns = _ms_to_ns(raw.get("timestamp"))
        if ts_ns is None:
            return ReasonCode.MALFORMED
        nonce = raw.get("nonce")
        if nonce is None:
            seq = 0
        elif isinstance(nonce, int) and not isinstance(nonce, bool) and 0 <= nonce <= _MAX_SEQ:
            seq = nonce
        else:
            return ReasonCode.MALFORMED
        bids = _parse_levels(raw.get("bids"))
        asks = _parse_levels(raw.get("asks"))
        if bids is None or asks is None:
            return ReasonCode.MALFORMED
        return OrderBook.from_levels(
            symbol, ts_ns, seq, np.array(bids, dtype=np.float64), np.array(asks, dtype=np.float64)
        )
    except (OverflowError, ValueError):  # an int too large for a float or a str
        return ReasonCode.MALFORMED


def parse_raw_trade(symbol: str, raw: object) -> Trade | ReasonCode:
    """A ccxt unified trade dict as a ``Trade``, or ``MALFORMED``; never raises.

    Expects ``{"price", "amount", "side": "buy"|"sell", "timestamp": ms, "id"}``; a None
    ``id`` becomes an empty trade id.
    """
    try:
        if not isinstance(symbol, str) or not symbol or not isinstance(raw, dict):
            return ReasonCode.MALFORMED
        price = raw.get("price")
        qty = raw.get("amount")
        if not (is_number(price) and is_number(qty)):
            return ReasonCode.MALFORMED
        side_raw = raw.get("side")
        if not isinstance(side_raw, str):
            return ReasonCode.MALFORMED
        if side_raw == "buy":
            side = Side.BUY
        elif side_raw == "sell":
            side = Side.SELL
        else:
            return ReasonCode.MALFORMED
        ts_ns = _ms_to_ns(raw.get("timestamp"))
        if ts_ns is None:
            return ReasonCode.MALFORMED
        raw_id = raw.get("id")
        if raw_id is None:
            trade_id = ""
        elif isinstance(raw_id, str):
            trade_id = raw_id
        elif isinstance(raw_id, int) and not isinstance(raw_id, bool):
            trade_id = str(raw_id)
        else:
            return ReasonCode.MALFORMED
        return Trade(symbol, ts_ns, float(price), float(qty), side, trade_id)  # type: ignore[arg-type]
    except (OverflowError, ValueError):  # an int too large for a float or a str
        return ReasonCode.MALFORMED
