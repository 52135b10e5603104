"""The built-in market: seeded L2 books, trades and liquidations for several symbols.

Prices follow correlated log random walks whose drift, volatility and mean reversion come
from each symbol's regime (``sim_regimes``); order flow follows the regime too, so a
cascade shows up as a fast one-sided move with a burst of large aggressive trades and a
stream of liquidations. Books are shaped by ``sim_book`` and carry the odd whale, a wall
the price leans on until it is eaten (``sim_whales``).

Speed comes from working in windows of simulated time: each window's event times, price
path, book levels and trades are drawn as numpy arrays in one go, then turned into event
objects; ``next_event`` just hands them out. Every random number comes from PCG64
generators seeded from ``seed``; nothing reads the wall clock, so a seed and a config fix
the stream byte for byte.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np

from hft_tui.market.sim_book import LevelLandscape, shape_books
from hft_tui.market.sim_book_deltas import SimBookDeltas
from hft_tui.market.sim_regimes import PROFILES, REGIMES, RegimeSchedule, SimRegime
from hft_tui.market.sim_whales import WhaleMarks, WhaleSchedule
from hft_tui.model import Liquidation, MarketRules, OrderBook, Side, Trade


@dataclass(frozen=True, slots=True)
class SimSymbolSpec:
    """One simulated symbol: its grid, its volatility and the sizes it trades in.

    Quantities are in base units (BTC for BTC/USDT). ``volatility_per_s`` is the standard
    deviation of the log price over one second in a calm market (1e-4 ~ 53% a year).
    """

    symbol: str
    start_price: float
    tick_size: float
    lot_size: float
    volatility_per_s: float
    level_qty: float  # median resting qty at the touch; deeper levels are larger
    min_level_qty: float
    max_level_qty: float
    trade_qty: float  # median trade qty in a calm market
    liquidation_qty: float  # median liquidation qty
    level_fill_prob: float  # share of ticks beyond the touch holding resting orders
    spread_ticks: int = 1  # tightest spread
    spread_extra_ticks: float = 0.3  # mean extra spread in a calm market, in ticks
    whale_notional_usd_range: tuple[float, float] = (600_000.0, 3_000_000.0)
    min_notional: float = 5.0

    def __post_init__(self) -> None:
        positive = {
            "start_price": self.start_price,
            "tick_size": self.tick_size,
            "lot_size": self.lot_size,
            "volatility_per_s": self.volatility_per_s,
            "level_qty": self.level_qty,
            "min_level_qty": self.min_level_qty,
            "trade_qty": self.trade_qty,
            "liquidation_qty": self.liquidation_qty,
        }
        for name, value in positive.items():
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"{self.symbol}: {name} must be finite and > 0, got {value}")
        if not self.min_level_qty <= self.level_qty <= self.max_level_qty:
            raise ValueError(f"{self.symbol}: need min_level_qty <= level_qty <= max_level_qty")
        if self.min_level_qty < self.lot_size:
            raise ValueError(f"{self.symbol}: min_level_qty is below one lot")
        if not 0.0 < self.level_fill_prob <= 1.0:
            raise ValueError(f"{self.symbol}: level_fill_prob must be in (0, 1]")
        if self.spread_ticks < 1 or self.spread_extra_ticks < 0:
            raise ValueError(f"{self.symbol}: spread_ticks >= 1 and spread_extra_ticks >= 0")
        low, high = self.whale_notional_usd_range
        if not 0 < low <= high:
            raise ValueError(f"{self.symbol}: bad whale_notional_usd_range {(low, high)}")


DEFAULT_SIM_SYMBOLS: tuple[SimSymbolSpec, ...] = (
    SimSymbolSpec(
        symbol="BTC/USDT",
        start_price=65_000.0,
        tick_size=0.1,
        lot_size=0.001,
        volatility_per_s=1.0e-4,
        level_qty=0.35,
        min_level_qty=0.01,
        max_level_qty=5.0,
        trade_qty=0.015,
        liquidation_qty=0.25,
        level_fill_prob=0.55,
        spread_extra_ticks=0.3,
    ),
    SimSymbolSpec(
        symbol="ETH/USDT",
        start_price=3_200.0,
        tick_size=0.01,
        lot_size=0.001,
        volatility_per_s=1.3e-4,
        level_qty=5.0,
        min_level_qty=0.1,
        max_level_qty=80.0,
        trade_qty=0.25,
        liquidation_qty=4.0,
        level_fill_prob=0.3,
        spread_extra_ticks=0.8,
    ),
)

# Event kinds inside a window. A liquidation is followed by its own trade print.
_BOOK, _TRADE, _LIQ, _LIQ_TRADE = 0, 1, 2, 3

# Per-regime lookup tables, indexed by SimRegime.code.
_BUY_BIAS = np.array([PROFILES[r].buy_bias for r in REGIMES])
_TRADE_QTY_MULT = np.array([PROFILES[r].trade_qty_mult for r in REGIMES])
_LONG_LIQ_SHARE = np.array([PROFILES[r].long_liquidation_share for r in REGIMES])
_SPREAD_EXTRA_MULT = np.array([PROFILES[r].spread_extra_mult for r in REGIMES])
_BID_DEPTH_MULT = np.array([PROFILES[r].bid_depth_mult for r in REGIMES])
_ASK_DEPTH_MULT = np.array([PROFILES[r].ask_depth_mult for r in REGIMES])

_TARGET_EVENTS_PER_WINDOW = 2048
_MAX_WINDOW_S = 30.0  # keeps the closed-form mean reversion well conditioned
_TRADE_QTY_SIGMA = 1.2
_LIQUIDATION_QTY_SIGMA = 1.0
_FLOW_FOLLOWS_PRICE = 0.3  # how strongly the latest price move sets the aggressor side


def _decimals(step: float) -> int:
    """Decimal places of a tick or lot size (0.1 -> 1, 0.25 -> 2, 5 -> 0)."""
    return max(0, -int(Decimal(repr(step)).normalize().as_tuple().exponent))


@dataclass(slots=True)
class _BookState:
    """The last book built for a symbol, as integer ticks and lots, with its log price."""

    bid_idx: np.ndarray
    bid_lots: np.ndarray
    ask_idx: np.ndarray
    ask_lots: np.ndarray
    x: float


@dataclass(slots=True)
class _SymbolWindow:
    """What a window decided for one symbol, kept so that it can be cut short."""

    book_pos: np.ndarray
    bid_idx: np.ndarray
    bid_lots: np.ndarray
    ask_idx: np.ndarray
    ask_lots: np.ndarray
    book_x: np.ndarray
    print_pos: np.ndarray  # trades and liquidations (each liquidation prints one trade)


@dataclass(slots=True)
class _Window:
    """A batch of generated events and the state the market was in before it."""

    start_s: float
    t_s: np.ndarray
    kind: np.ndarray
    x: np.ndarray  # (n, n_symbols) log price of every symbol at every event
    symbols: list[_SymbolWindow]
    x_before: np.ndarray
    last_t_before_s: float
    seq_before: list[int]
    trades_before: list[int]
    books_before: list[_BookState | None]


class SimulatedMarket:
    """A seeded, deterministic multi-symbol market. Call ``next_event`` for the next event."""

    def __init__(
        self,
        symbols: Sequence[SimSymbolSpec],
        seed: int,
        *,
        start_ts_ns: int,
        depth: int = 20,
        book_updates_per_s: float = 20.0,
        trades_per_s: float = 3.0,
        correlation: float = 0.8,
        book_deltas: SimBookDeltas | None = None,
    ) -> None:
        specs = tuple(symbols)
        if not specs:
            raise ValueError("at least one symbol is needed")
        names = [spec.symbol for spec in specs]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate symbols: {names}")
        if depth < 1:
            raise ValueError(f"depth must be >= 1, got {depth}")
        if not book_updates_per_s > 0:
            raise ValueError(f"book_updates_per_s must be > 0, got {book_updates_per_s}")
        if not trades_per_s >= 0:
            raise ValueError(f"trades_per_s must be >= 0, got {trades_per_s}")
        n = len(specs)
        corr = np.full((n, n), correlation, dtype=np.float64)
        np.fill_diagonal(corr, 1.0)
        try:
            self._chol_t = np.linalg.cholesky(corr).T
        except np.linalg.LinAlgError:
            raise ValueError(f"correlation {correlation} is not valid for {n} symbols") from None

        self._specs = specs
        self._index = {name: i for i, name in enumerate(names)}
        self._depth = depth
        self._book_rate = float(book_updates_per_s)
        self._trade_rate = float(trades_per_s)
        self._start_ns = int(start_ts_ns)
        # Books handed out as diff-depth updates (a few levels each) instead of snapshots.
        self._deltas = book_deltas
        self._delta_queue: deque[OrderBook] = deque()
        self._delta_last_ns = int(start_ts_ns)
        expected_rate = n * (self._book_rate + self._trade_rate)
        self._window_s = min(_TARGET_EVENTS_PER_WINDOW / expected_rate, _MAX_WINDOW_S)

        root = np.random.SeedSequence(seed)
        regime_seq, whale_seq, flow_seq, landscape_seq = root.spawn(4)
        self._rng = np.random.Generator(np.random.PCG64(flow_seq))
        self._regimes = RegimeSchedule(n, np.random.Generator(np.random.PCG64(regime_seq)))
        whale_rng = np.random.Generator(np.random.PCG64(whale_seq))
        salts = landscape_seq.generate_state(n, dtype=np.uint64)
        self._landscapes = [
            LevelLandscape(int(salt), spec.level_fill_prob) for salt, spec in zip(salts, specs)
        ]
        self._whales = [
            WhaleSchedule(
                whale_rng,
                start_price=spec.start_price,
                tick_size=spec.tick_size,
                lot_size=spec.lot_size,
                typical_tick_gap=1.0 / spec.level_fill_prob,
                depth=depth,
                notional_usd_range=spec.whale_notional_usd_range,
            )
            for spec in specs
        ]
        self._price_decimals = [_decimals(spec.tick_size) for spec in specs]
        self._qty_decimals = [_decimals(spec.lot_size) for spec in specs]

        # State as of the end of the last generated window.
        self._x = np.zeros(n, dtype=np.float64)
        self._last_t_s = 0.0
        self._next_window_s = 0.0
        self._seq = [0] * n
        self._trades = [0] * n
        self._books: list[_BookState | None] = [None] * n

        self._window: _Window | None = None
        self._scheduled: list[tuple[int, str, SimRegime, float]] = []
        self._events: list[OrderBook | Trade | Liquidation] = []
        self._n_events = 0
        self._i = 0

    # --- public API -----------------------------------------------------------------------

    @property
    def symbols(self) -> tuple[str, ...]:
        """The simulated symbols, in the order given."""
        return tuple(spec.symbol for spec in self._specs)

    @property
    def start_ts_ns(self) -> int:
        """Timestamp of the first event."""
        return self._start_ns

    def spec(self, symbol: str) -> SimSymbolSpec:
        """The spec a symbol was built from."""
        return self._specs[self._symbol_index(symbol)]

    def rules(self, symbol: str) -> MarketRules:
        """Trading rules of a simulated symbol: its grid, 5 USDT minimum, linear-contract fees."""
        spec = self.spec(symbol)
        base, _, quote = spec.symbol.partition("/")
        return MarketRules(
            symbol=spec.symbol,
            tick_size=spec.tick_size,
            lot_size=spec.lot_size,
            min_qty=spec.lot_size,
            min_notional=spec.min_notional,
            maker_fee=0.0002,
            taker_fee=0.0005,
            spot=False,
            base=base,
            quote=quote or "USDT",
        )

    def regime(self, symbol: str) -> SimRegime:
        """The symbol's regime as of the last event handed out."""
        return self._regimes.regime_at(self._symbol_index(symbol), self._now_s())

    def now_ns(self) -> int:
        """Simulated time of the last event handed out (``start_ts_ns`` before the first)."""
        return self._start_ns + int(round(self._now_s() * 1e9))

    def rebase_start(self, start_ts_ns: int) -> None:
        """Move the whole stream to start at ``start_ts_ns``; only before the first event."""
        if self._window is not None:
            raise RuntimeError("the market has already produced events")
        self._start_ns = int(start_ts_ns)

    def resume_prices(self, prices: Mapping[str, float]) -> None:
        """Start each listed symbol at ``prices[symbol]`` (its last mark before a restart)
        instead of its spec's start price; only before the first event."""
        if self._window is not None:
            raise RuntimeError("the market has already produced events")
        for s, spec in enumerate(self._specs):
            price = prices.get(spec.symbol)
            if price is not None and np.isfinite(price) and price > 0:
                self._specs = (*self._specs[:s], replace(spec, start_price=float(price)), *self._specs[s + 1:])
                self._whales[s].rebase_price(float(price))

    def force_regime(
        self, symbol: str, regime: SimRegime, *, duration_s: float | None = None
    ) -> None:
        """Switch ``symbol`` to ``regime`` from the next event on (demos, tests).

        The stay lasts ``duration_s`` if given, else a normal draw for that regime; the
        Markov chain takes over afterwards. Events not yet handed out are redrawn.
        """
        if duration_s is not None and not duration_s > 0:
            raise ValueError(f"duration_s must be > 0, got {duration_s}")
        index = self._symbol_index(symbol)
        at_s = self._rewind()
        self._regimes.force(index, regime, at_s, duration_s)

    def schedule_regime(self, symbol: str, regime: SimRegime, after_s: float, duration_s: float) -> None:
        """Force ``regime`` on ``symbol`` ``after_s`` seconds into the stream (demos)."""
        self._symbol_index(symbol)
        self._scheduled.append((after_s, symbol, regime, duration_s))
        self._scheduled.sort(key=lambda item: item[0])

    def next_event(self) -> OrderBook | Trade | Liquidation:
        """The next event, advancing simulated time (timestamps never decrease)."""
        if self._delta_queue:
            event = self._delta_queue.popleft()
            self._delta_last_ns = event.ts_ns
            return event
        if self._scheduled and self._events and self._i < self._n_events \
                and self._events[self._i].ts_ns >= self._start_ns + self._scheduled[0][0] * 1e9:
            _, symbol, regime, duration_s = self._scheduled.pop(0)
            self.force_regime(symbol, regime, duration_s=duration_s)
        i = self._i
        if i >= self._n_events:
            self._generate()
            i = 0
        self._i = i + 1
        event = self._events[i]
        if self._deltas is not None:
            return self._delta_event(event)
        return event

    def _delta_event(self, event: OrderBook | Trade | Liquidation) -> OrderBook | Trade | Liquidation:
        """``event`` as the delta feed hands it out: a book becomes its updates, in turn."""
        if type(event) is OrderBook:
            assert self._deltas is not None
            self._delta_queue.extend(self._deltas.updates(event, self._delta_last_ns))
            if not self._delta_queue:  # the book changed nothing the feed shows
                return self.next_event()
            event = self._delta_queue.popleft()
        self._delta_last_ns = event.ts_ns
        return event

    # --- time and rewinding ------------------------------------------------------------------

    def _symbol_index(self, symbol: str) -> int:
        try:
            return self._index[symbol]
        except KeyError:
            raise KeyError(f"unknown simulated symbol {symbol!r}") from None

    def _now_s(self) -> float:
        window = self._window
        if window is None:
            return 0.0
        if self._i > 0:
            return float(window.t_s[self._i - 1])
        return window.last_t_before_s

    def _rewind(self) -> float:
        """Drop the events not handed out yet and restore the state after the last one
        that was; returns its time."""
        window = self._window
        if window is None:
            return 0.0
        keep = self._i
        if keep < self._n_events and window.kind[keep] == _LIQ_TRADE:
            keep += 1  # a liquidation already shown keeps its trade print
        self._n_events = keep
        if keep == 0:
            self._x = window.x_before.copy()
            self._last_t_s = window.last_t_before_s
            self._seq = list(window.seq_before)
            self._trades = list(window.trades_before)
            self._books = list(window.books_before)
            now_s = window.last_t_before_s
            self._next_window_s = window.start_s
        else:
            now_s = float(window.t_s[keep - 1])
            self._x = window.x[keep - 1].copy()
            self._last_t_s = now_s
            self._next_window_s = now_s
            for s, sym in enumerate(window.symbols):
                books = int(np.searchsorted(sym.book_pos, keep))
                self._seq[s] = window.seq_before[s] + books
                prints = int(np.searchsorted(sym.print_pos, keep))
                self._trades[s] = window.trades_before[s] + prints
                if books:
                    row = books - 1
                    self._books[s] = _BookState(
                        sym.bid_idx[row], sym.bid_lots[row], sym.ask_idx[row], sym.ask_lots[row],
                        float(sym.book_x[row]),
                    )
                else:
                    self._books[s] = window.books_before[s]
        for segments in (self._regimes.segments(s) for s in range(len(self._specs))):
            for segment in segments:
                if segment.start_s > now_s:
                    segment.anchor_x = None
        for whales in self._whales:
            whales.rewind(now_s)
        return now_s

    # --- generation --------------------------------------------------------------------------

    def _generate(self) -> None:
        """Draw windows until one has events."""
        while True:
            self._build_window()
            if self._n_events:
                return

    def _build_window(self) -> None:
        rng = self._rng
        n_sym = len(self._specs)
        t0 = self._next_window_s
        t1 = t0 + self._window_s
        regimes = self._regimes
        regimes.extend_to(t1)
        regimes.prune_before(min(t0, self._last_t_s))

        t_s, kind, sym = self._draw_event_times(t0, t1)
        n = len(t_s)
        dt = np.diff(t_s, prepend=self._last_t_s)
        z = rng.standard_normal((n, n_sym)) @ self._chol_t
        x = np.empty((n, n_sym), dtype=np.float64)
        regime_code = np.empty((n, n_sym), dtype=np.intp)
        whale_marks: list[WhaleMarks] = []
        for s in range(n_sym):
            self._price_path(s, t_s, dt, z[:, s], t0, t1, x[:, s], regime_code[:, s])
            whale_marks.append(self._whales[s].support(t_s, x[:, s], t1))

        window = _Window(
            start_s=t0,
            t_s=t_s,
            kind=kind,
            x=x,
            symbols=[],
            x_before=self._x.copy(),
            last_t_before_s=self._last_t_s,
            seq_before=list(self._seq),
            trades_before=list(self._trades),
            books_before=list(self._books),
        )
        ts_ns = (self._start_ns + np.rint(t_s * 1e9).astype(np.int64)).tolist()
        events: list[OrderBook | Trade | Liquidation] = [None] * n  # type: ignore[list-item]
        for s in range(n_sym):
            window.symbols.append(
                self._symbol_events(
                    s, t_s, kind, sym, x, regime_code, whale_marks[s], ts_ns, events
                )
            )

        self._window = window
        self._events = events
        self._n_events = n
        self._i = 0
        if n:
            self._x = x[-1].copy()
            self._last_t_s = float(t_s[-1])
        self._next_window_s = t1
        for whales in self._whales:
            # Keep what a rewind to the start of this window would need.
            whales.prune_before(window.last_t_before_s)

    def _draw_event_times(self, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Times, kinds and symbols of the window's events, merged in time order."""
        rng = self._rng
        times: list[np.ndarray] = []
        kinds: list[int] = []
        syms: list[int] = []
        counts: list[int] = []

        def add(s: int, k: int, arr: np.ndarray) -> None:
            times.append(arr)
            kinds.append(k)
            syms.append(s)
            counts.append(len(arr))

        def draw(start: float, end: float, rate: float) -> np.ndarray | None:
            count = int(rng.poisson(rate * (end - start))) if rate > 0 else 0
            return start + rng.random(count) * (end - start) if count else None

        for s in range(len(self._specs)):
            if self._seq[s] == 0:
                # Every symbol opens with a snapshot, so the first trade has a book to hit.
                add(s, _BOOK, np.array([t0]))
        for s in range(len(self._specs)):
            drawn = [(_BOOK, draw(t0, t1, self._book_rate))]
            for segment in self._regimes.overlapping(s, t0, t1):
                start, end = max(segment.start_s, t0), min(segment.end_s, t1)
                if end <= start:
                    continue
                profile = segment.profile
                drawn.append((_TRADE, draw(start, end, self._trade_rate * profile.trade_rate_mult)))
                drawn.append((_LIQ, draw(start, end, profile.liquidations_per_s)))
            for k, arr in drawn:
                if arr is not None:
                    add(s, k, arr)
        if not times:
            empty = np.empty(0, dtype=np.float64)
            return empty, np.empty(0, dtype=np.int8), np.empty(0, dtype=np.intp)
        t_s = np.concatenate(times)
        kind = np.repeat(np.array(kinds, dtype=np.int8), counts)
        sym = np.repeat(np.array(syms, dtype=np.intp), counts)
        order = np.argsort(t_s, kind="stable")
        t_s, kind, sym = t_s[order], kind[order], sym[order]
        # Each liquidation also prints as a trade at the same instant, right after it.
        reps = np.where(kind == _LIQ, 2, 1)
        if (reps == 2).any():
            t_s, kind, sym = np.repeat(t_s, reps), np.repeat(kind, reps), np.repeat(sym, reps)
            kind[np.cumsum(reps)[reps == 2] - 1] = _LIQ_TRADE
        return t_s, kind, sym

    def _price_path(
        self,
        s: int,
        t_s: np.ndarray,
        dt: np.ndarray,
        z: np.ndarray,
        t0: float,
        t1: float,
        out_x: np.ndarray,
        out_regime: np.ndarray,
    ) -> None:
        """Log price of symbol ``s`` at every event, regime segment by regime segment."""
        vol = self._specs[s].volatility_per_s
        x_prev = float(self._x[s])
        for segment in self._regimes.overlapping(s, t0, t1):
            a = int(np.searchsorted(t_s, segment.start_s))
            b = int(np.searchsorted(t_s, segment.end_s))
            if a >= b:
                continue
            profile = segment.profile
            if segment.anchor_x is None:
                segment.anchor_x = x_prev
            sigma = vol * profile.vol_mult
            step_dt = dt[a:b]
            theta = profile.mean_reversion_per_s
            if theta == 0.0:
                steps = segment.drift_per_s * step_dt + sigma * np.sqrt(step_dt) * z[a:b]
                path = x_prev + np.cumsum(steps)
            else:
                # Exact Ornstein-Uhlenbeck steps for uneven gaps, in closed form:
                # y_k = d_k y_{k-1} + e_k  =>  y_k = D_k (y_0 + sum_j e_j / D_j).
                decay = np.exp(-theta * step_dt)
                shocks = segment.drift_per_s * step_dt + sigma * np.sqrt(
                    (1.0 - decay * decay) / (2.0 * theta)
                ) * z[a:b]
                cum_decay = np.cumprod(decay)
                anchor = segment.anchor_x
                path = anchor + cum_decay * ((x_prev - anchor) + np.cumsum(shocks / cum_decay))
            out_x[a:b] = path
            out_regime[a:b] = segment.regime.code
            x_prev = float(path[-1])

    def _symbol_events(
        self,
        s: int,
        t_s: np.ndarray,
        kind: np.ndarray,
        sym: np.ndarray,
        x: np.ndarray,
        regime_code: np.ndarray,
        whale_marks: WhaleMarks,
        ts_ns: list[int],
        events: list[OrderBook | Trade | Liquidation],
    ) -> _SymbolWindow:
        """Build symbol ``s``'s books and prints of the window into ``events``."""
        mine = sym == s
        book_pos = np.flatnonzero(mine & (kind == _BOOK))
        bid_idx, bid_lots, ask_idx, ask_lots, book_x = self._books_for(
            s, book_pos, x[book_pos, s], regime_code[book_pos, s], whale_marks
        )
        self._emit_books(s, book_pos, bid_idx, bid_lots, ask_idx, ask_lots, ts_ns, events)
        print_pos = np.flatnonzero(mine & ((kind == _TRADE) | (kind == _LIQ)))
        if len(print_pos):
            self._emit_prints(
                s, print_pos, kind[print_pos] == _LIQ, x[print_pos, s], regime_code[print_pos, s],
                book_pos, bid_idx, bid_lots, ask_idx, ask_lots, book_x, ts_ns, events,
            )
        if len(book_pos):
            self._books[s] = _BookState(
                bid_idx[-1], bid_lots[-1], ask_idx[-1], ask_lots[-1], float(book_x[-1])
            )
        self._seq[s] += len(book_pos)
        self._trades[s] += len(print_pos)
        return _SymbolWindow(book_pos, bid_idx, bid_lots, ask_idx, ask_lots, book_x, print_pos)

    def _books_for(
        self,
        s: int,
        book_pos: np.ndarray,
        x: np.ndarray,
        regime_code: np.ndarray,
        whale_marks: WhaleMarks,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Integer levels of symbol ``s``'s books at events ``book_pos``, log prices ``x``."""
        spec = self._specs[s]
        depth = self._depth
        if not len(book_pos):
            empty = np.empty((0, depth), dtype=np.int64)
            return empty, empty, empty, empty, x
        fair_idx = spec.start_price * np.exp(x) / spec.tick_size
        extra_mean = spec.spread_extra_ticks * _SPREAD_EXTRA_MULT[regime_code]
        spread = spec.spread_ticks - 1 + self._rng.geometric(1.0 / (1.0 + extra_mean))
        best_bid = np.floor(fair_idx - 0.5 * spread + 0.5).astype(np.int64)
        best_ask = best_bid + spread
        WhaleSchedule.clamp_touch(whale_marks, book_pos, best_bid, best_ask)
        lot = spec.lot_size
        bid_idx, bid_lots, ask_idx, ask_lots = shape_books(
            self._landscapes[s],
            self._rng,
            best_bid,
            best_ask,
            depth,
            spec.level_qty / lot,
            int(round(spec.min_level_qty / lot)),
            int(round(spec.max_level_qty / lot)),
            _BID_DEPTH_MULT[regime_code],
            _ASK_DEPTH_MULT[regime_code],
        )
        WhaleSchedule.add_size(whale_marks, book_pos, bid_idx, bid_lots, ask_idx, ask_lots)
        return bid_idx, bid_lots, ask_idx, ask_lots, x

    def _emit_books(
        self,
        s: int,
        book_pos: np.ndarray,
        bid_idx: np.ndarray,
        bid_lots: np.ndarray,
        ask_idx: np.ndarray,
        ask_lots: np.ndarray,
        ts_ns: list[int],
        events: list[OrderBook | Trade | Liquidation],
    ) -> None:
        n = len(book_pos)
        if not n:
            return
        spec = self._specs[s]
        levels = np.empty((2, n, self._depth, 2), dtype=np.float64)
        # Integer ticks/lots times the step, rounded to the step's decimals: the nearest
        # double to the exact grid value, with no float noise.
        np.round(bid_idx * spec.tick_size, self._price_decimals[s], out=levels[0, :, :, 0])
        np.round(bid_lots * spec.lot_size, self._qty_decimals[s], out=levels[0, :, :, 1])
        np.round(ask_idx * spec.tick_size, self._price_decimals[s], out=levels[1, :, :, 0])
        np.round(ask_lots * spec.lot_size, self._qty_decimals[s], out=levels[1, :, :, 1])
        levels.flags.writeable = False
        symbol = spec.symbol
        seq0 = self._seq[s]
        for seq, pos, bids, asks in zip(
            range(seq0 + 1, seq0 + n + 1), book_pos.tolist(), levels[0], levels[1]
        ):
            events[pos] = OrderBook(symbol, ts_ns[pos], seq, bids, asks)

    def _emit_prints(
        self,
        s: int,
        print_pos: np.ndarray,
        is_liq: np.ndarray,
        print_x: np.ndarray,
        print_regime: np.ndarray,
        book_pos: np.ndarray,
        bid_idx: np.ndarray,
        bid_lots: np.ndarray,
        ask_idx: np.ndarray,
        ask_lots: np.ndarray,
        book_x: np.ndarray,
        ts_ns: list[int],
        events: list[OrderBook | Trade | Liquidation],
    ) -> None:
        """Trades and liquidations, each executed against the symbol's last book."""
        rng = self._rng
        spec = self._specs[s]
        m = len(print_pos)
        # Index of the book each print hits: the last one built before it.
        last_book = np.searchsorted(book_pos, print_pos) - 1
        carry = self._books[s]
        if carry is not None:
            bid_idx = np.concatenate([carry.bid_idx[None], bid_idx])
            bid_lots = np.concatenate([carry.bid_lots[None], bid_lots])
            ask_idx = np.concatenate([carry.ask_idx[None], ask_idx])
            ask_lots = np.concatenate([carry.ask_lots[None], ask_lots])
            book_x = np.concatenate([[carry.x], book_x])
            last_book += 1

        # Aggressors lean with the regime and with the price move since the last book:
        # buyers lift offers as the price rises.
        move_scale = spec.volatility_per_s * np.sqrt(1.0 / self._book_rate)
        p_buy = 0.5 + _BUY_BIAS[print_regime] + _FLOW_FOLLOWS_PRICE * np.tanh(
            (print_x - book_x[last_book]) / move_scale
        )
        p_buy = np.where(is_liq, 1.0 - _LONG_LIQ_SHARE[print_regime], np.clip(p_buy, 0.02, 0.98))
        buy = rng.random(m) < p_buy

        lot = spec.lot_size
        median_lots = np.where(
            is_liq, spec.liquidation_qty / lot, spec.trade_qty / lot * _TRADE_QTY_MULT[print_regime]
        )
        sigma = np.where(is_liq, _LIQUIDATION_QTY_SIGMA, _TRADE_QTY_SIGMA)
        wanted = np.maximum(np.rint(median_lots * np.exp(sigma * rng.standard_normal(m))), 1.0)

        # Sweep the opposite side: the print is at the worst level reached, never better
        # than the touch, and never larger than the visible depth.
        side_idx = np.where(buy[:, None], ask_idx[last_book], bid_idx[last_book])
        side_lots = np.where(buy[:, None], ask_lots[last_book], bid_lots[last_book])
        cum_lots = np.cumsum(side_lots, axis=1)
        reached = np.minimum((cum_lots < wanted[:, None]).sum(axis=1), self._depth - 1)
        price_idx = side_idx[np.arange(m), reached]
        qty_lots = np.minimum(wanted.astype(np.int64), cum_lots[:, -1])

        prices = np.round(price_idx * spec.tick_size, self._price_decimals[s]).tolist()
        qtys = np.round(qty_lots * lot, self._qty_decimals[s]).tolist()
        sides = [Side.BUY if b else Side.SELL for b in buy.tolist()]
        symbol = spec.symbol
        trade0 = self._trades[s]
        trade_nos = range(trade0 + 1, trade0 + m + 1)
        for trade_no, pos, liq, price, qty, side in zip(
            trade_nos, print_pos.tolist(), is_liq.tolist(), prices, qtys, sides
        ):
            ts = ts_ns[pos]
            if liq:
                events[pos] = Liquidation(symbol, ts, price, qty, side)
                events[pos + 1] = Trade(symbol, ts, price, qty, side, str(trade_no))
            else:
                events[pos] = Trade(symbol, ts, price, qty, side, str(trade_no))
