"""The dynamic risk budget (DRB) guard: losses, drawdowns, streaks, spikes and errors.

Each budget has a hard limit from ``RiskSettings`` and a soft limit at ``soft_fraction`` of
it. As budgets are consumed, ``size_scale`` shrinks new positions linearly (1 when nothing
is used, 0 at a hard limit). Crossing a soft limit calls for REDUCING; crossing a hard
limit trips that budget's breaker. The hard budgets' breakers (the day's loss, the
drawdown) latch and call for HALTED until an operator reset; every other tripped breaker
holds REDUCING. REDUCING ends by itself, with hysteresis: once every budget is below
``recover_fraction`` of its soft limit, when the other breakers re-arm too. The error
budget counts order and exchange errors only: feed faults freeze entries elsewhere.

Pure and synchronous: the engine feeds events with their timestamps and journals every
``DrbState`` a method returns. A method returns a state only when something an operator
or a recovery cares about changed (budget use moves in ``publish_step_pct`` steps), so
the engine journals on change, not on every tick. Budgets are fractions with fixed
limits (of start-of-day equity, of the high-water mark, ...) so a limit never moves
between two ticks; the equity levels a recovery needs are journaled on a grid one step of
the finest equity budget wide.

Daily budgets (the day's loss, realised PnL and the losing streak) reset when an event's
timestamp crosses ``daily_reset_utc``. A reset never re-arms a tripped breaker.

A book update evaluates only when an input it reads moved: ``on_market`` with the mark, the
position and the equity it last saw, before the next edge of time any window, bucket,
streak or error count can cross (``_quiet_until_ns``, and per symbol the next edge of its
volatility buckets), would evaluate to the state already published, so it returns None at
once. On a diff-depth feed most updates leave the mid where it was.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from hft_tui.model import Position, ReasonCode
from hft_tui.risk.breakers import CircuitBreaker
from hft_tui.risk.drb_state import BudgetState, DrbState
from hft_tui.risk.rolling_windows import EventCounter, RollingMax
from hft_tui.risk.settings import RiskSettings
from hft_tui.risk.trading_state import TradingState
from hft_tui.risk.volatility_monitor import VolatilityMonitor

DAY_NS = 86_400 * 1_000_000_000
_SECOND_NS = 1_000_000_000

# name, code, unit, whether use is a count (published exactly rather than in steps)
_BUDGETS: tuple[tuple[str, ReasonCode, str, bool], ...] = (
    ("daily_loss", ReasonCode.DRB_DAILY_LOSS, "fraction of start-of-day equity", False),
    ("drawdown", ReasonCode.DRB_DRAWDOWN, "fraction of high-water mark", False),
    ("rapid_drawdown", ReasonCode.DRB_RAPID_DRAWDOWN, "fraction of window peak equity", False),
    ("position_loss", ReasonCode.DRB_POSITION_LOSS, "fraction of equity", False),
    ("consecutive_losses", ReasonCode.DRB_CONSECUTIVE_LOSSES, "losing trades", True),
    ("volatility", ReasonCode.DRB_VOLATILITY_SPIKE, "sigma", False),
    ("errors", ReasonCode.DRB_ERROR_RATE, "errors in window", True),
)
BUDGET_NAMES: tuple[str, ...] = tuple(name for name, _, _, _ in _BUDGETS)
_DAILY_LOSS, _DRAWDOWN, _RAPID_DRAWDOWN, _POSITION_LOSS, _CONSECUTIVE, _VOLATILITY, _ERRORS = range(len(_BUDGETS))
_INDEX_OF_CODE = {code: i for i, (_, code, _, _) in enumerate(_BUDGETS)}
_N_BUDGETS = len(_BUDGETS)
# A value beyond any limit by this factor publishes as this; keeps inf out of the WAL.
_MAX_FRACTION = 100.0
# Hysteresis: a published step p stands while the true value stays within [p - 0.5, p + 1.5)
# steps, so a value wobbling across a step boundary is not journaled on every wobble.
_BAND_LOW = -0.5
_BAND_HIGH = 1.5


class DrbGuard:
    """Tracks every budget, trips breakers and publishes ``DrbState`` on change."""

    def __init__(self, settings: RiskSettings) -> None:
        s = settings
        self._limits: tuple[float, ...] = (
            s.daily_loss_fraction,
            s.max_drawdown_fraction,
            s.rapid_drawdown_fraction,
            s.position_loss_fraction,
            float(s.max_consecutive_losses),
            s.volatility_sigma,
            float(s.max_errors),
        )
        # Equity levels are journaled on a grid one publish step of the finest equity budget wide.
        self._grid_fraction = min(s.daily_loss_fraction, s.max_drawdown_fraction, s.rapid_drawdown_fraction) * (
            s.publish_step_pct / 100.0
        )
        self._soft_limits = tuple(round(limit * s.soft_fraction, 12) for limit in self._limits)
        self._recover_limits = tuple(round(soft * s.recover_fraction, 12) for soft in self._soft_limits)
        self._step_pct = s.publish_step_pct
        self._steps_per_unit = tuple(100.0 / s.publish_step_pct / limit for limit in self._limits)
        self._max_steps = _MAX_FRACTION * 100.0 / s.publish_step_pct
        self._reset_offset_ns = s.daily_reset_offset_ns
        self._breakers = tuple(CircuitBreaker(name, code) for name, code, _, _ in _BUDGETS)
        self._used = [0.0] * len(_BUDGETS)
        self._published_steps = [0] * len(_BUDGETS)

        self._equity = s.initial_equity
        self._start_of_day_equity = s.initial_equity
        self._hwm = s.initial_equity
        self._grid_usd = s.initial_equity * self._grid_fraction
        # Grid cells of equity, high-water mark and rapid-window peak, as last published.
        self._cells = [_settle(0, s.initial_equity / self._grid_usd)] * 3
        self._halting = False  # a latching breaker is tripped
        self._restored_peak: float | None = None
        self._realized_pnl_day = 0.0
        self._consecutive_losses = 0
        self._last_loss_ts_ns = 0
        self._streak_cooloff_ns = int(settings.losing_streak_cooloff_s * 1e9)
        self._day: int | None = None
        self._day_start_ts_ns = 0
        self._now_ns = 0
        self._daily_reset_pending = False
        self._last_error_kind = ""

        self._window_peak = RollingMax(int(s.rapid_drawdown_window_s * 1e9), _SECOND_NS)
        self._volatility = VolatilityMonitor(
            s.volatility_horizons_s, s.volatility_lookback_returns, s.volatility_min_returns, s.volatility_floor_bps
        )
        self._spikes = RollingMax(int(s.volatility_hold_s * 1e9), _SECOND_NS)
        self._errors = EventCounter(int(s.error_window_s * 1e9), s.max_errors + 1)
        self._positions: dict[str, tuple[float, float]] = {}  # symbol -> (signed qty, avg entry)
        # symbol -> the Position applied last (immutable: the same object is the same position,
        # so a book update's quiet path need not read its fields)
        self._applied: dict[str, Position] = {}
        self._marks: dict[str, float] = {}
        self._position_losses: dict[str, float] = {}  # symbol -> unrealised loss >= 0, quote currency

        self._desired = TradingState.ACTIVE
        self._reason = ReasonCode.DRB_WITHIN_BUDGET
        self._size_scale = 1.0
        self._dirty = False
        self._state = self._publish()
        # How many times the budgets were recomputed: what the quiet paths of ``on_market`` save.
        self.evaluations = 0

        # Time moves the windows only at multiples of this (buckets, window lengths, the day).
        edges = [_SECOND_NS, DAY_NS, self._reset_offset_ns, int(s.rapid_drawdown_window_s * 1e9),
                 int(s.volatility_hold_s * 1e9), *(int(h * 1e9) for h in s.volatility_horizons_s)]
        self._edge_ns = math.gcd(*edges)
        self._quiet_until_ns = 0  # before this, with unchanged inputs, nothing would change
        self._symbol_quiet_until_ns: dict[str, int] = {}

    # --- reading ------------------------------------------------------------------------

    @property
    def state(self) -> DrbState:
        """The latest published state."""
        return self._state

    def size_scale(self) -> float:
        """Multiplier in [0, 1] for the size of new positions: 1 untouched, 0 at a hard limit."""
        return self._size_scale

    # --- feeding ------------------------------------------------------------------------

    def on_market(self, symbol: str, price: float, position: Position, equity: float, ts_ns: int) -> DrbState | None:
        """One book update's inputs at once (the mark, the position in that symbol, equity):
        the same as ``on_price``, ``on_position`` and ``on_equity`` with one evaluation, not three,
        and none when no input moved and no edge of time passed since the last."""
        if (ts_ns < self._quiet_until_ns and equity == self._equity
                and ts_ns < self._symbol_quiet_until_ns.get(symbol, 0)
                and (position is self._applied.get(symbol)
                     or self._positions.get(symbol) == (None if position.is_flat else (position.qty, position.avg_entry)))):
            if price == self._marks.get(symbol):
                if ts_ns > self._now_ns:
                    self._now_ns = ts_ns
                return None
            # The position is the one applied last: flat exactly when the guard holds none.
            if symbol not in self._positions and price > 0.0 and math.isfinite(price):
                # Only a flat symbol's mark moved: it reaches the budgets through its volatility
                # score alone, and a score under the window's spike changes nothing they publish.
                if ts_ns > self._now_ns:
                    self._now_ns = ts_ns
                if self._apply_price(symbol, price) <= self._used[_VOLATILITY]:
                    return None
                return self._evaluate()
        if not (math.isfinite(price) and price > 0):
            return self.on_error("invalid_price", ts_ns)
        if not math.isfinite(equity):
            return self.on_error("non_finite_equity", ts_ns)
        self._equity = equity
        self._advance(ts_ns)
        self._apply_price(symbol, price)
        self._apply_position(position)
        self._apply_equity(equity)
        state = self._evaluate()
        self._quiet_until_ns, self._symbol_quiet_until_ns[symbol] = self._next_edge_ns(), self._next_bucket_ns()
        return state

    def on_equity(self, equity: float, ts_ns: int) -> DrbState | None:
        """Account equity (cash plus unrealised PnL, quote currency) at ``ts_ns``."""
        if not math.isfinite(equity):
            return self.on_error("non_finite_equity", ts_ns)
        # Set before the day check, so a daily reset starts the day from the newest equity.
        self._equity = equity
        self._advance(ts_ns)
        self._apply_equity(equity)
        return self._evaluate()

    def on_position(self, position: Position, ts_ns: int) -> DrbState | None:
        """A position after a fill (or after recovery); flat positions stop counting."""
        self._advance(ts_ns)
        self._apply_position(position)
        return self._evaluate()

    def on_price(self, symbol: str, price: float, ts_ns: int) -> DrbState | None:
        """A mark (mid or last trade) for ``symbol``: volatility and open-position loss."""
        if not (math.isfinite(price) and price > 0):
            return self.on_error("invalid_price", ts_ns)
        self._advance(ts_ns)
        self._apply_price(symbol, price)
        return self._evaluate()

    def on_trade_closed(self, pnl: float, ts_ns: int) -> DrbState | None:
        """A round trip closed with realised ``pnl`` (quote currency, after fees)."""
        if not math.isfinite(pnl):
            return self.on_error("non_finite_pnl", ts_ns)
        self._advance(ts_ns)
        self._realized_pnl_day += pnl
        if pnl < 0.0:
            self._consecutive_losses += 1
            self._last_loss_ts_ns = self._now_ns
        elif pnl > 0.0:
            self._consecutive_losses = 0
        self._dirty = True
        return self._evaluate()

    def on_error(self, kind: str, ts_ns: int) -> DrbState | None:
        """An order or exchange error of ``kind`` (e.g. ``order_rejected``); never a feed fault."""
        self._advance(ts_ns)
        self._errors.add(self._now_ns)
        self._last_error_kind = kind
        return self._evaluate()

    def on_time(self, ts_ns: int) -> DrbState | None:
        """Time passed without data: daily reset and window expiry still happen."""
        self._advance(ts_ns)
        return self._evaluate()

    # --- operator and recovery ----------------------------------------------------------

    def operator_reset(self, ts_ns: int) -> DrbState:
        """Re-arm every breaker and acknowledge the losses that tripped them.

        The drawdown baseline moves to current equity and the streak, spike and error
        windows clear, otherwise those breakers would trip again at once with no way to
        recover while halted. The day's loss is not forgiven: if it is still beyond its
        limit its breaker trips again and the returned state still calls for HALTED.
        Engine: ``if state.desired_state is not HALTED: machine.operator_reset(ts, to=state.desired_state)``.
        """
        self._advance(ts_ns)
        for breaker in self._breakers:
            breaker.rearm()
        self._halting = False
        self._hwm = self._equity
        self._restored_peak = None
        self._window_peak.clear()
        self._window_peak.push(self._equity, self._now_ns)
        self._consecutive_losses = 0
        self._errors.clear()
        self._spikes.clear()
        self._dirty = True
        state = self._evaluate()
        assert state is not None  # _dirty forces a publication
        return state

    def restore(self, payload: Mapping[str, Any]) -> DrbState:
        """Rebuild from the last journaled ``DrbState`` payload after a crash.

        Breakers come back latched; the day, start-of-day equity, realised PnL and losing
        streak come back exactly. Published levels lag the truth by up to the hysteresis band,
        so they are read the strict way (equity at the band's bottom, high-water mark, window
        peak and spike at its top): budgets may look up to two steps more used than they
        were, never less, and the first event after a restore may republish. The window peak is
        re-seeded at the first event after the restart, so losses made while the engine was
        down count as rapid; error and spike windows restart at the record's time.
        Feed ``on_position`` for every open position and ``on_equity`` right after.
        """
        state = DrbState.from_payload(payload)
        restored = {b.name: b for b in state.breakers}
        for breaker in self._breakers:
            if breaker.name in restored:
                breaker.restore(restored[breaker.name])
        self._halting = any(b.tripped and b.latching for b in self._breakers)
        used = {b.name: b.used for b in state.budgets}
        self._now_ns = max(self._now_ns, state.ts_ns)
        self._day_start_ts_ns = state.day_start_ts_ns
        self._day = (state.day_start_ts_ns - self._reset_offset_ns) // DAY_NS
        self._start_of_day_equity = state.start_of_day_equity
        self._grid_usd = state.start_of_day_equity * self._grid_fraction
        # Published levels lag the truth by up to the hysteresis band: read them the strict
        # way, at the band's edges (just inside, so the cells themselves stay as journaled).
        grid = self._grid_usd
        self._cells = [int(round(level / grid)) if grid > 0.0 else 0
                       for level in (state.equity, state.high_water_mark, state.window_peak_equity)]
        self._hwm = state.high_water_mark + grid * (_BAND_HIGH - 1e-9)
        self._equity = state.equity + grid * _BAND_LOW
        self._realized_pnl_day = state.realized_pnl_day
        self._consecutive_losses = int(round(used.get("consecutive_losses", 0.0)))
        self._last_loss_ts_ns = state.ts_ns
        self._window_peak.clear()
        self._restored_peak = state.window_peak_equity + grid * (_BAND_HIGH - 1e-9)
        self._spikes.clear()
        if used.get("volatility", 0.0) > 0.0:
            sigma_per_step = self._limits[_VOLATILITY] * self._step_pct / 100.0
            self._spikes.push(used["volatility"] + sigma_per_step * (_BAND_HIGH - 1e-9), self._now_ns)
        self._errors.clear()
        for _ in range(int(round(used.get("errors", 0.0)))):
            self._errors.add(self._now_ns)
        self._positions.clear()
        self._applied.clear()
        self._position_losses.clear()
        self._desired = state.desired_state
        self._reason = state.reason
        self._size_scale = state.size_scale
        pct = {b.name: b.pct for b in state.budgets}
        self._published_steps = [int(round(pct.get(name, 0.0) / self._step_pct)) for name in BUDGET_NAMES]
        self._state = state
        self._dirty = False
        self._quiet_until_ns = 0
        return state

    # --- internals ----------------------------------------------------------------------

    def _next_bucket_ns(self) -> int:
        """The next multiple of the edge step after now: a bucket or a window may turn there."""
        return (self._now_ns // self._edge_ns + 1) * self._edge_ns

    def _next_edge_ns(self) -> int:
        """The first time at which time alone could change an evaluation made now."""
        edge = self._next_bucket_ns()
        if self._consecutive_losses and self._streak_cooloff_ns:
            edge = min(edge, self._last_loss_ts_ns + self._streak_cooloff_ns)
        expiry = self._errors.next_expiry_ns()
        return edge if expiry is None else min(edge, expiry)

    def _advance(self, ts_ns: int) -> None:
        """Move time forward (never back) and run the daily reset when a day boundary passes;
        whatever called it may change the state, so the next book update evaluates."""
        self._quiet_until_ns = 0
        if ts_ns > self._now_ns:
            self._now_ns = ts_ns
        if (self._consecutive_losses and self._streak_cooloff_ns
                and self._now_ns - self._last_loss_ts_ns >= self._streak_cooloff_ns):
            # A streak that REDUCING stopped can never be broken by a win: let it cool off.
            self._consecutive_losses = 0
            self._dirty = True
        day = (self._now_ns - self._reset_offset_ns) // DAY_NS
        if self._day is None:
            self._day = day
            self._day_start_ts_ns = day * DAY_NS + self._reset_offset_ns
            self._dirty = True
        elif day > self._day:
            self._day = day
            self._day_start_ts_ns = day * DAY_NS + self._reset_offset_ns
            self._start_of_day_equity = self._equity
            self._grid_usd = max(self._equity, 0.0) * self._grid_fraction
            self._realized_pnl_day = 0.0
            self._consecutive_losses = 0
            self._daily_reset_pending = True
            self._dirty = True

    def _apply_equity(self, equity: float) -> None:
        if equity > self._hwm:
            self._hwm = equity
        self._window_peak.push(equity, self._now_ns)

    def _apply_position(self, position: Position) -> None:
        symbol = position.symbol
        self._applied[symbol] = position
        if position.is_flat:
            self._positions.pop(symbol, None)
            self._position_losses.pop(symbol, None)
        else:
            self._positions[symbol] = (position.qty, position.avg_entry)
            self._update_position_loss(symbol, self._marks.get(symbol, position.avg_entry))

    def _apply_price(self, symbol: str, price: float) -> float:
        """Take a mark in; its volatility score."""
        self._marks[symbol] = price
        score = self._volatility.update(symbol, price, self._now_ns)
        if score > 0.0:
            self._spikes.push(score, self._now_ns)
        if symbol in self._positions:
            self._update_position_loss(symbol, price)
        return score

    def _update_position_loss(self, symbol: str, mark: float) -> None:
        qty, avg_entry = self._positions[symbol]
        self._position_losses[symbol] = max((avg_entry - mark) * qty, 0.0)

    def _evaluate(self) -> DrbState | None:
        """Recompute every budget; trip breakers; publish if anything visible changed."""
        self.evaluations += 1
        now = self._now_ns
        used = self._used
        equity = self._equity
        if self._restored_peak is not None:
            self._window_peak.push(self._restored_peak, now)
            self._restored_peak = None
        peak = self._window_peak.max(now)
        if peak is None:
            peak = equity
        used[_DAILY_LOSS] = _loss_fraction(self._start_of_day_equity, equity)
        used[_DRAWDOWN] = _loss_fraction(self._hwm, equity)
        used[_RAPID_DRAWDOWN] = _loss_fraction(peak, equity)
        # max(..., default=0.0) written out (the first of equal values, as max): a builtin
        # called with a keyword is a generic call in compiled code.
        worst_loss = 0.0
        first = True
        for loss in self._position_losses.values():
            if first or loss > worst_loss:
                worst_loss = loss
                first = False
        if equity > 0.0:
            used[_POSITION_LOSS] = worst_loss / equity
        else:
            used[_POSITION_LOSS] = _MAX_FRACTION if worst_loss > 0.0 else 0.0
        used[_CONSECUTIVE] = float(self._consecutive_losses)
        spike = self._spikes.max(now)
        used[_VOLATILITY] = 0.0 if spike is None else spike
        used[_ERRORS] = float(self._errors.count(now))

        dirty = self._dirty
        cells = self._cells
        per_usd = 1.0 / self._grid_usd if self._grid_usd > 0.0 else 1.0
        # _settle inlined on this per-event path: only a value leaving its band calls it.
        units = equity * per_usd
        if not cells[0] + _BAND_LOW <= units < cells[0] + _BAND_HIGH:
            cells[0] = _settle(cells[0], units)
            dirty = True
        units = self._hwm * per_usd
        if not cells[1] + _BAND_LOW <= units < cells[1] + _BAND_HIGH:
            cells[1] = _settle(cells[1], units)
            dirty = True
        units = peak * per_usd
        if not cells[2] + _BAND_LOW <= units < cells[2] + _BAND_HIGH:
            cells[2] = _settle(cells[2], units)
            dirty = True

        limits = self._limits
        soft_limits = self._soft_limits
        recover_limits = self._recover_limits
        breakers = self._breakers
        published = self._published_steps
        steps_per_unit = self._steps_per_unit
        worst_steps = 0
        soft_breached = False
        above_recovery = False
        any_tripped = False
        for i in range(_N_BUDGETS):
            value = used[i]
            if value >= recover_limits[i]:
                above_recovery = True
                if value >= soft_limits[i]:
                    soft_breached = True
                    if value >= limits[i] and not breakers[i].tripped:
                        breakers[i].trip(now, self._trip_detail(i))
                        self._halting = self._halting or breakers[i].latching
                        dirty = True
            elif breakers[i].tripped and not breakers[i].latching:
                breakers[i].rearm()  # its condition cleared, past the hysteresis band
                dirty = True
            any_tripped = any_tripped or breakers[i].tripped
            steps = published[i]
            units = value * steps_per_unit[i]
            if not steps + _BAND_LOW <= units < steps + _BAND_HIGH:
                steps = published[i] = _settle(steps, min(units, self._max_steps))
                dirty = True
            if steps > worst_steps:
                worst_steps = steps

        # Hysteresis: REDUCING starts at a soft limit and ends only below every recovery level.
        reducing = soft_breached or any_tripped or (above_recovery and self._desired is TradingState.REDUCING)
        if self._halting or reducing or self._daily_reset_pending or self._desired is not TradingState.ACTIVE:
            desired, reason = self._verdict(reducing)
        else:
            desired, reason = TradingState.ACTIVE, self._reason
        if any_tripped:
            size_scale = 0.0
        else:
            # From the published steps, so the scale moves exactly when a published budget does.
            size_scale = round(max(100.0 - worst_steps * self._step_pct, 0.0) / 100.0, 6)
        if desired is not self._desired or reason is not self._reason or size_scale != self._size_scale:
            self._desired, self._reason, self._size_scale = desired, reason, size_scale
            dirty = True
        self._daily_reset_pending = False
        if not dirty:
            return None
        self._dirty = False
        self._state = self._publish()
        return self._state

    def _verdict(self, reducing: bool) -> tuple[TradingState, ReasonCode]:
        """The state the budgets call for and why; reasons are sticky so they do not flicker."""
        if self._halting:
            tripped = [b for b in self._breakers if b.tripped and b.latching]
            first = min(tripped, key=lambda b: b.tripped_ts_ns or 0)
            return TradingState.HALTED, first.code
        if reducing:
            # A budget still holds REDUCING while past its recovery level or its breaker tripped.
            holding = [i for i in range(_N_BUDGETS)
                       if self._used[i] >= self._recover_limits[i] or self._breakers[i].tripped]
            current = _INDEX_OF_CODE.get(self._reason)
            if self._desired is TradingState.REDUCING and current in holding:
                return TradingState.REDUCING, self._reason
            worst = max(holding, key=lambda i: self._used[i] / self._limits[i])
            return TradingState.REDUCING, _BUDGETS[worst][1]
        if self._daily_reset_pending:
            return TradingState.ACTIVE, ReasonCode.DRB_DAILY_RESET
        if self._desired is TradingState.ACTIVE:
            return TradingState.ACTIVE, self._reason
        return TradingState.ACTIVE, ReasonCode.DRB_WITHIN_BUDGET

    def _trip_detail(self, i: int) -> str:
        name, _, unit, _ = _BUDGETS[i]
        detail = f"{name} {self._used[i]:.4g} >= {self._limits[i]:.4g} {unit}"
        if i == _ERRORS and self._last_error_kind:
            detail += f"; last error: {self._last_error_kind}"
        return detail

    def _publish(self) -> DrbState:
        step = self._step_pct
        budgets = []
        for i, (name, code, unit, counted) in enumerate(_BUDGETS):
            limit = self._limits[i]
            pct = round(self._published_steps[i] * step, 6)
            used = self._used[i] if counted else round(pct / 100.0 * limit, 12)
            budgets.append(BudgetState(name, code, unit, used, limit, self._soft_limits[i], pct))
        return DrbState(
            desired_state=self._desired,
            reason=self._reason,
            size_scale=self._size_scale,
            budgets=tuple(budgets),
            breakers=tuple(b.state() for b in self._breakers),
            day_start_ts_ns=self._day_start_ts_ns,
            start_of_day_equity=self._start_of_day_equity,
            equity=round(self._cells[0] * self._grid_usd, 6),
            high_water_mark=round(self._cells[1] * self._grid_usd, 6),
            window_peak_equity=round(self._cells[2] * self._grid_usd, 6),
            realized_pnl_day=round(self._realized_pnl_day, 6),
            ts_ns=self._now_ns,
        )


def _loss_fraction(reference: float, equity: float) -> float:
    """How far ``equity`` is below ``reference``, as a fraction of it (0 when above)."""
    if reference <= 0.0:
        # No equity to lose: every budget measured against it is spent.
        return _MAX_FRACTION
    return max(reference - equity, 0.0) / reference


def _settle(published: int, value_steps: float) -> int:
    """The step to publish for a value, given the step published last (with hysteresis)."""
    if published + _BAND_LOW <= value_steps < published + _BAND_HIGH:
        return published
    # The nudge keeps 0.013 / 0.05 * 100 (25.999...) on step 26 where it belongs.
    return math.floor(value_steps + 1e-9)
