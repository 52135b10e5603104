"""The trading core: one market event in, every decision it causes out, synchronously.

source -> sanitizer -> books/candles -> strategies -> signal manager -> sizing -> risk gate
-> broker -> fills -> portfolio/exits/TCA -> DRB guard. Live, paper, sim, backtest and
replay all run this class; only the clock, the source and the broker differ.

Orders are *intents* until ``release_orders``: the caller first makes the WAL durable
(WAL before effect), then releases them to the broker. Every decision, order and fill is
journaled here; the operator's commands are ``operator``'s, the trading state's changes
``risk_journal``'s, the reduce-only closing of a symbol ``flatten_orders``' and the hosting
of the strategies (feeding, gates, isolating a failing one) ``strategy_host``'s
(``core.strategies``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from types import MappingProxyType
from dataclasses import dataclass

from hft_tui.bus import Metrics
from hft_tui.clock import Clock
from hft_tui.config.settings import Settings
from hft_tui.execution.broker import Broker, SynchronousBroker, is_synchronous
from hft_tui.execution.fee_model import FeeModel
from hft_tui.execution.paper_broker import PaperBroker
from hft_tui.execution.portfolio import Portfolio
from hft_tui.execution.tca import TcaAggregator, pre_trade
from hft_tui.market.candle_bar import CandleBar
from hft_tui.market.candle_builder import CandleBuilder
from hft_tui.market.feed_health import FeedHealth, freeze_code
from hft_tui.market.sanitizer import Sanitizer
from hft_tui.model import (
    Candle,
    ClosedTrade,
    FeedState,
    FeedStatus,
    Fill,
    Liquidation,
    MarketRejection,
    MarketRules,
    Order,
    OrderBook,
    OrderStatus,
    OrderType,
    Position,
    ReasonCode,
    Side,
    Signal,
    Trade,
)
from hft_tui.redaction import redact
from hft_tui.risk.drb_guard import DrbGuard
from hft_tui.risk.risk_gate import RiskContext, RiskGate, position_limit_reason
from hft_tui.risk.trading_state import TradingState, TradingStateMachine
from hft_tui.signals.decision import Decision
from hft_tui.signals.exits import Exit, ExitRules, ExitTracker
from hft_tui.signals.manager import SignalManager
from hft_tui.signals.sizing import PositionSizer
from hft_tui.strategies.strategy_set import candle_timeframes
from hft_tui.trading.commands import MANUAL_STRATEGY
from hft_tui.trading.fault_journal import FaultJournal
from hft_tui.trading.fill_feed import FillFeed
from hft_tui.trading.flatten_orders import FlattenOrders
from hft_tui.trading.notice_log import NoticeLog
from hft_tui.trading.order_bookkeeping import OrderBookkeeping
from hft_tui.trading.read_views import FeedView, NoticesView, PortfolioView
from hft_tui.trading.risk_journal import RiskJournal
from hft_tui.trading.strategy_host import StrategyHost
from hft_tui.trading.trade_lifecycle import OpenTrade, PendingEntry, TradeLifecycle
from hft_tui.wal.errors import WalError
from hft_tui.wal.record_types import (
    CancelSent,
    ExitRulesArmed,
    FillBooked,
    NoticeGiven,
    OrderPlaced,
    OrderUpdate,
    SignalVerdict,
    TradeClosed,
)
from hft_tui.wal.writer import WalWriter

SIGNAL_HISTORY = 300


@dataclass(frozen=True, slots=True)
class SignalOutcome:
    """A decided signal with what finally happened to it (for the UI's signals pane)."""

    decision: Decision
    accepted: bool
    outcome: tuple[str, ...]
    detail: str



@dataclass
class CoreCounters:
    events: int = 0
    orders: int = 0
    fills: int = 0


class TradingCore:
    """The synchronous pipeline: one market event in, the decisions, orders and fills it causes."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock,
        wal: WalWriter,
        rules: Mapping[str, MarketRules],
        exchange_id: str,
        metrics: Metrics | None = None,
        session_id: str = "s1",
        broker: Broker | None = None,
        client_id_prefix: str = "",
        keep_closed_trades: bool = False,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.wal = wal
        self.rules = dict(rules)
        self.symbols = tuple(rules)
        self.metrics = metrics or Metrics()
        self.sanitizer = Sanitizer(settings.sanitizer, self.rules, clock)
        self.faults = FaultJournal(wal=wal, clock=clock, rules=self.rules, sanitizer=self.sanitizer,
                                   metrics=self.metrics)
        self.manager = SignalManager(settings.signals, clock=clock)
        self.strategies = StrategyHost(settings.strategies, self.rules, clock=clock, wal=wal, manager=self.manager,
                                       metrics=self.metrics, notify=self.add_notice, faults=self.faults,
                                       last_gates=(self._feed_gate,))
        self.candles = CandleBuilder(candle_timeframes(self.strategies))
        self.sizer = PositionSizer(settings.sizing)
        self.exits = ExitTracker()
        self.gate = RiskGate(settings.risk)
        self.drb = DrbGuard(settings.risk)
        self.state = TradingStateMachine()
        self.portfolio = Portfolio(settings.risk.initial_equity)
        self.tca = TcaAggregator()
        self.fee_models = {s: FeeModel.for_market(exchange_id, r, settings.execution) for s, r in rules.items()}
        self.broker: Broker = broker or PaperBroker(self.rules, clock, settings.execution,
                                                    exchange_id=exchange_id)
        # What the broker declares: a synchronous one (paper matching, deterministic backtests)
        # is handed intents and cancels in the call; any other is driven by the engine's loop
        # through ``take_orders``/``take_cancels``.
        self.sync_broker: SynchronousBroker | None = self.broker if is_synchronous(self.broker) else None
        self.broker.on_order = self._on_order
        self.broker.on_fill = self._on_fill
        self.books: dict[str, OrderBook | None] = {s: None for s in self.symbols}
        self.last_trades: dict[str, Trade | None] = {s: None for s in self.symbols}
        self.feed_health = FeedHealth(self.symbols,
                                      stale_after_ns=int(settings.exchange.stale_after_ms * 1_000_000))
        # Live: ``client_id_prefix`` is a per-install nonce in front of every client id.
        self.bookkeeping = OrderBookkeeping(session_id, client_id_prefix)
        self.trades = TradeLifecycle(keep_closed=keep_closed_trades)
        self.fill_feed = FillFeed()
        self.signal_history: deque[SignalOutcome] = deque(maxlen=SIGNAL_HISTORY)
        self.notices = NoticeLog()
        self.counters = CoreCounters()
        self.flattening = FlattenOrders(self)
        self.risk = RiskJournal(wal=wal, clock=clock, drb=self.drb, state=self.state, portfolio=self.portfolio,
                                notify=self.add_notice)

    # --- read API: what the session layer reads (it changes the core only through methods) ---

    @property
    def session_id(self) -> str:
        return self.bookkeeping.session_id

    @property
    def session_number(self) -> int:
        return int(self.session_id.lstrip("s") or 1)

    @property
    def orders(self) -> Mapping[str, Order]:
        """The working orders by client id (read-only)."""
        return self.bookkeeping.working

    def start_session(self, number: int) -> None:
        """This is the ``number``th session on the journal: client ids say so."""
        self.bookkeeping.session_id = f"s{number}"

    @property
    def open_trades(self) -> Mapping[str, OpenTrade]:
        """The open trades by symbol (read-only)."""
        return MappingProxyType(self.trades.open)

    @property
    def closed_trades(self) -> list[ClosedTrade]:
        """The trades closed, oldest first, when the core keeps them (``keep_closed_trades``:
        a backtest's report reads them; a trading session's are in the WAL)."""
        return self.trades.closed

    @property
    def portfolio_view(self) -> PortfolioView:
        """Positions and PnL, to read (``trading/read_views.py``)."""
        return self.portfolio

    @property
    def feed_view(self) -> FeedView:
        """Each symbol's feed state, to read."""
        return self.feed_health

    @property
    def notices_view(self) -> NoticesView:
        """The operator's notices, to read (add one with ``add_notice``)."""
        return self.notices

    @property
    def rejection_counts(self) -> Mapping[ReasonCode, int]:
        """Every input the sanitizer (or the core) rejected, by code: the one count of them."""
        return MappingProxyType(self.sanitizer.counts)

    def exit_rules(self, symbol: str) -> ExitRules | None:
        """The take-profit, stop-loss and other exits armed on ``symbol``'s position."""
        return self.exits.rules(symbol)

    def follow_account(self, equity: float, *, first: bool) -> None:
        """LIVE: the exchange's account equity. The ``first`` read is the base the PnL counts
        from; later ones keep what the engine's fills do not explain apart (``outside_pnl``)."""
        if first:
            self.portfolio.rebase(equity)
        else:
            self.portfolio.follow_account(equity)

    # --- the event path ---------------------------------------------------------------------

    def process(self, event: object) -> None:
        """Apply one market event and every decision it causes (orders wait in the outbox).

        Nothing the event causes escapes: an error is the event's rejection (``EVENT_FAILED``),
        counted and journaled, and the session carries on. A journal that cannot write is the
        one exception: that is the engine's to stop on, not an event to skip.
        """
        self.counters.events += 1
        self.metrics.count_event()
        try:
            self._step(event)
        except WalError:
            raise
        except Exception as exc:  # noqa: BLE001 - the component boundary: no exception crosses it
            self.faults.event_failed(event, exc)

    def _step(self, event: object) -> None:
        # Silence is judged on the core's clock at every event: a symbol that went quiet while
        # others kept talking is STALE at the same point in a replay as it was live.
        for change in self.feed_health.check_silence(self.clock.now_ns()):
            self.faults.feed(change)
        if isinstance(event, OrderBook):
            self._on_book(event)
        elif isinstance(event, Trade):
            self._on_trade(event)
        elif isinstance(event, Candle):
            self._on_candle_event(event)
        elif isinstance(event, Liquidation):
            self._on_liquidation(event)
        elif isinstance(event, FeedStatus):
            self._on_feed_status(event)
        elif isinstance(event, MarketRejection):
            code = event.code if isinstance(event.code, ReasonCode) else ReasonCode.MALFORMED
            self.sanitizer.count_rejection(code)
            self.faults.rejected(event.symbol, code)
        self._decide()

    @property
    def has_pending_orders(self) -> bool:
        return self.bookkeeping.pending

    @property
    def has_exit_work(self) -> bool:
        """A position is open (its stop-loss and take-profit watch the marks) or a reduce-only
        order is working: a FAILED engine takes market data only while this holds."""
        return (bool(self.flattening) or bool(self.portfolio.positions())
                or any(o.is_open and o.reduce_only for o in self.bookkeeping.working.values()))

    def drop_entries(self) -> None:
        """The journal failed before these intents were durable: entries never go out (an
        order needs its record); reduce-only exits stay queued for the broker."""
        kept = []
        for order in self.take_orders():
            if order.reduce_only:
                kept.append(order)
            else:
                self._on_order(order.with_status(OrderStatus.REJECTED, ReasonCode.JOURNAL_FAILED.value))
        self.bookkeeping.requeue(kept)

    def take_orders(self) -> list[Order]:
        """The journaled order intents, handed over once (for an async broker)."""
        return self.bookkeeping.take_intents()

    def take_cancels(self) -> list[str]:
        return self.bookkeeping.take_cancels()

    def release_orders(self) -> None:
        """Hand the journaled intents to the synchronous (paper) broker, after the WAL made
        them durable; fills that trigger further intents are released in the same call."""
        broker = self.sync_broker
        if broker is None:
            raise TypeError(f"{self.broker.name} is not synchronous: its orders go out from the engine's loop")
        while self.bookkeeping.has_intents:
            for order in self.take_orders():
                broker.submit_now(order)

    def _on_book(self, book: OrderBook) -> None:
        code = self.sanitizer.check_book(book)
        now_ns = self.clock.now_ns()
        if code is not None:
            self.faults.rejected(book.symbol, code)
            self.faults.feed(self.feed_health.on_rejected_book(book.symbol, code, now_ns))
            return
        symbol = book.symbol
        ts_ns = book.ts_ns
        self.books[symbol] = book
        latency_ms = (now_ns - ts_ns) / 1e6
        self.metrics.feed_latency_ms[symbol] = 0.0 if 0.0 > latency_ms else latency_ms  # max(..., 0.0)
        change = self.feed_health.on_accepted_book(symbol, now_ns)
        if change is not None:
            self.faults.feed(change)
        mid = self.sanitizer.mid  # the book's mid, as the sanitizer read it to judge the book
        self.portfolio.mark(symbol, mid, ts_ns)
        self.broker.on_book(book)
        host = self.strategies
        for candle in self.candles.on_mid(symbol, ts_ns, mid):
            host.emit(host.candle_hooks, candle)
        quiet = host.quiet_book_hooks
        if quiet is None:
            host.emit(host.book_hooks, book)
        else:
            awake = []
            for hook, books in quiet:
                if books is not None:
                    held = books.get(symbol)
                    if held is not None and ts_ns < held.until_ns and mid == held.mid:
                        held.held_ts_ns = ts_ns  # QuietBook.holds, inline: this runs on every book
                        continue
                awake.append(hook)
            host.emit(awake, book)
        self.check_exits(symbol, mid, ts_ns)
        self.flattening.work(symbol, ts_ns)
        self.risk.on_market(symbol, mid, ts_ns)

    def _on_trade(self, trade: Trade) -> None:
        code = self.sanitizer.check_trade(trade)
        if code is not None:
            self.faults.rejected(trade.symbol, code)
            return
        self.last_trades[trade.symbol] = trade
        self.broker.on_trade(trade)
        host = self.strategies
        for candle in self.candles.on_trade(trade):
            host.emit(host.candle_hooks, candle)
        host.emit(host.trade_hooks, trade)

    def _on_liquidation(self, liquidation: Liquidation) -> None:
        code = self.sanitizer.check_liquidation(liquidation)
        if code is not None:
            self.faults.rejected(liquidation.symbol, code)
            return
        self.strategies.emit(self.strategies.liquidation_hooks, liquidation)

    def _on_candle_event(self, candle: Candle) -> None:
        """A candle from a file (candle backtests), taken at its close as the market it stands
        for (``CandleBar``), so book, trade and candle strategies all see the bar."""
        symbol = candle.symbol
        rules = self.rules.get(symbol)
        if rules is None:
            return
        bar = CandleBar.at_close(candle, rules, self.books[symbol])
        candle, ts_ns, book = bar.candle, bar.ts_ns, bar.book
        self.books[symbol] = book
        self.faults.feed(self.feed_health.on_accepted_book(symbol, ts_ns, watch=False))
        self.portfolio.mark(symbol, candle.close, ts_ns)
        self.broker.on_book(book)
        host = self.strategies
        host.emit(host.candle_hooks, candle)
        host.emit(host.book_hooks, book)
        if host.trade_hooks:
            for trade in bar.trades():
                self.last_trades[symbol] = trade
                host.emit(host.trade_hooks, trade)
        elif (last := bar.last_trade()) is not None:
            self.last_trades[symbol] = last  # for the display; no strategy reads trades
        self.check_exits(symbol, candle.close, ts_ns)
        self.flattening.work(symbol, ts_ns)
        self.risk.on_market(symbol, candle.close, ts_ns)

    def _on_feed_status(self, status: FeedStatus) -> None:
        """A feed fault is not a trading error: it freezes entries on the symbol until the feed
        is healthy again, and never counts against the DRB guard's error budget."""
        if status.symbol not in self.rules:
            return
        if status.state is FeedState.LIVE and self.feed_health.state(status.symbol) is FeedState.RESYNCING:
            # A resubscribed feed restarts its sequence numbers.
            self.sanitizer.reset(status.symbol)
        self.faults.feed(self.feed_health.on_status(status))

    # --- decisions ----------------------------------------------------------------------------

    def _decide(self) -> None:
        decisions = self.manager.decide(self.clock.now_ns())
        for decision in decisions:
            self._act_on(decision)

    def _act_on(self, decision: Decision) -> None:
        signal = decision.signal
        order: Order | None = None
        outcome: tuple[str, ...]
        detail = ""
        if not decision.accepted:
            outcome = tuple(code.value for code in decision.reasons)
        else:
            trade = self.trades.open.get(signal.symbol)
            # A strategy's signal never reverses the operator's own trade: its exits and the
            # operator close it (the signal then meets ALREADY_POSITIONED).
            manual = trade is not None and trade.strategy == MANUAL_STRATEGY
            reversal = None if manual else self.exits.on_decision(decision)
            if reversal is not None:
                outcome = (ReasonCode.SIGNAL_REVERSAL.value,)
                self._close_for_exit(reversal)
            else:
                order, code, detail = self._entry_order(decision)
                outcome = (ReasonCode.SIGNAL_ACCEPTED.value, order.client_id) if order else (code.value,)
        accepted = order is not None or outcome[0] == ReasonCode.SIGNAL_REVERSAL.value
        # The final verdict: the manager's, then sizing's and the gate's.
        self.wal.write(SignalVerdict.from_payload({**decision.to_record(), "accepted": accepted,
                                                   "outcome": list(outcome), **({"detail": detail} if detail else {})}))
        self.signal_history.append(SignalOutcome(decision, accepted, outcome, detail))
        if order is not None:
            self.send(order, signal.reasons[0].value, entry=PendingEntry(signal, decision))

    def _entry_order(self, decision: Decision) -> tuple[Order | None, ReasonCode, str]:
        signal = decision.signal
        symbol = signal.symbol
        book = self.books.get(symbol)
        if book is None or book.mid is None:
            return None, ReasonCode.RISK_NO_PRICE, ""
        if self.lots_held(symbol) or symbol in self.flattening or self.bookkeeping.has_open(symbol):
            return None, ReasonCode.ALREADY_POSITIONED, ""
        if self.state.state is not TradingState.ACTIVE:
            return None, ReasonCode.RISK_REDUCE_ONLY, f"trading state {self.state.state.value}"
        size = self.sizer.size(
            equity_usd=self.portfolio.equity(),
            price=book.mid,
            rules=self.rules[symbol],
            stop_price=signal.stop_loss,
            stats=self.manager.scoreboard.stats(signal.strategy),
            size_hint=signal.size_hint,
            size_factor=decision.size_factor,
            risk_scale=self.drb.size_scale(),
        )
        if size.qty <= 0:
            return None, size.code or ReasonCode.RISK_MIN_NOTIONAL, f"sizing {size.method}"
        qty = self._within_limits(symbol, signal.side, size.qty, book.mid)
        if qty <= 0:
            return None, ReasonCode.RISK_MIN_NOTIONAL, f"sizing {size.method}: nothing left within limits"
        order = self.new_order(symbol, signal.side, qty, strategy=signal.strategy, reduce_only=False)
        code = self.gate.check(order, self.risk_context())
        if code is not None:
            return None, code, f"qty {qty:g} notional {qty * book.mid:.2f}"
        return order, ReasonCode.SIGNAL_ACCEPTED, f"qty {qty:g} notional {qty * book.mid:.2f} ({size.method})"

    def _within_limits(self, symbol: str, side: Side, qty: float, mid: float) -> float:
        """Shrink an entry to the per-symbol limits (sizing proposes, limits cap), on the lot grid.

        The limits bound the position, not the order: what is already held on the entry's side
        (dust below one lot, e.g. a spot buy's commission taken in the base asset) takes its share
        of the room, as the risk gate counts it, so an entry sized to the limit is not refused."""
        risk = self.settings.risk
        rules = self.rules[symbol]
        held = self.portfolio.position(symbol).qty
        used = max(0.0, side.sign * held)
        cap = min(qty, risk.position_qty_limit(symbol) - used, risk.max_position_notional / mid - used)
        lots = int(cap / rules.lot_size + 1e-9)
        # The floor's tolerance can reach a hair past the room (a float residue held): the
        # gate's own test decides, one lot down at a time.
        while lots > 0 and position_limit_reason(risk, symbol, side, held,
                                                 round(lots * rules.lot_size, 12), mid) is not None:
            lots -= 1
        capped = lots * rules.lot_size
        if capped < rules.min_qty or capped * mid < rules.min_notional:
            return 0.0
        return round(capped, 12)

    def new_order(self, symbol: str, side: Side, qty: float, *, strategy: str, reduce_only: bool,
                  price: float | None = None) -> Order:
        """A market order (or a limit order at ``price``) with the session's next client id."""
        return Order(
            client_id=self.bookkeeping.next_client_id(),
            symbol=symbol,
            side=side,
            type=OrderType.MARKET if price is None else OrderType.LIMIT,
            qty=qty,
            price=price,
            created_ts_ns=self.clock.now_ns(),
            strategy=strategy,
            reduce_only=reduce_only,
        )

    def send(self, order: Order, reason: str, *, entry: PendingEntry | None = None, queue: bool = True) -> None:
        """Journal the intent of an order the risk gate passed and queue it; the caller
        releases it once the WAL is durable (``queue=False``: the caller hands it to the broker
        itself, e.g. the live kill). ``entry``: the signal and decision it opens a trade for."""
        book = self.books[order.symbol]
        mid = book.mid if book is not None else None
        estimate = (pre_trade(book, order.side, order.qty, self.fee_models[order.symbol])
                    if book is not None else None)
        self.wal.write(OrderPlaced.of(order, reason, mid, estimate.total_bps if estimate is not None else None))
        self.counters.orders += 1
        self.bookkeeping.sent(order, reason, queue=queue)
        if entry is not None:
            self.trades.entry_sent(order.client_id, entry)
        if mid is not None:
            self.tca.on_decision(order, mid, reason, order.created_ts_ns)
        self.gate.record_submission(order.created_ts_ns)

    def _feed_gate(self, signal: Signal) -> tuple[float, ReasonCode | None]:
        """The last gate: no entry on a symbol whose feed is not healthy."""
        if signal.symbol not in self.rules:
            return 0.0, ReasonCode.FEED_STALE
        code = freeze_code(self.feed_health.state(signal.symbol))
        return (1.0, None) if code is None else (0.0, code)

    def risk_context(self) -> RiskContext:
        """What the risk gate judges an order against, now."""
        return RiskContext(
            ts_ns=self.clock.now_ns(),
            trading_state=self.state.state,
            positions_qty={s: self.portfolio.position(s).qty for s in self.symbols},
            marks={s: (b.mid if b is not None else None) for s, b in self.books.items()},
            equity=self.portfolio.equity(),
            open_orders=self.bookkeeping.open_orders(),
            rules=self.rules,
            frozen=self.feed_health.frozen(),
        )

    # --- broker callbacks ----------------------------------------------------------------------

    def _on_order(self, order: Order) -> None:
        known = self.bookkeeping.updated(order)
        if order.exchange_id and not order.status.is_terminal and (known is None or not known.exchange_id):
            # Live: recovery finds the order on the exchange by this id after a crash.
            self.wal.write(OrderUpdate.acknowledged(order))
        if order.status.is_terminal:
            tca = self.tca.on_order(order)
            self.wal.write(OrderUpdate.ended(order, tca.to_payload() if tca is not None else None))
            self.trades.order_ended(order.client_id)
            if order.status is OrderStatus.REJECTED and order.reason != ReasonCode.JOURNAL_FAILED.value:
                # An order the broker or the exchange refused is what the error budget counts
                # (one the journal could not record is the FAILED state's business, not an error).
                ts_ns = self.clock.now_ns()
                self.risk.record(self.drb.on_error(f"order_rejected {order.reason}".strip(), ts_ns), ts_ns)

    def _on_fill(self, fill: Fill) -> None:
        self.counters.fills += 1
        self.fill_feed.append(fill)
        self.bookkeeping.booked(fill)
        self.tca.on_fill(fill)
        before = self.portfolio.position(fill.symbol)
        after = self.portfolio.on_fill(fill)
        self.wal.write(FillBooked.of(fill, after.qty))
        held_before, held_after = self._lots(fill.symbol, before.qty), self._lots(fill.symbol, after.qty)
        if not held_before and held_after:
            self._opened(fill, after)
        self.trades.filled(fill, after)
        if held_before and not held_after:
            self._closed(fill, after)
        self.risk.on_market(fill.symbol, fill.price, fill.ts_ns)

    def _opened(self, fill: Fill, position: Position) -> None:
        signal = self.trades.opened(fill, position)
        rules = ExitRules.for_entry(
            fill.symbol, self.trades.open[fill.symbol].side, position.avg_entry, fill.ts_ns, self.settings.exits,
            take_profit=signal.take_profit if signal is not None else None,
            stop_loss=signal.stop_loss if signal is not None else None,
            min_take_profit_bps=self._round_trip_bps(fill.symbol) * self.settings.exits.take_profit_min_round_trips,
        )
        self.exits.track(rules)
        self.wal.write(ExitRulesArmed.from_payload(rules.to_record()))

    def _round_trip_bps(self, symbol: str) -> float:
        """Taker fees of an entry and its exit, bps: what a take profit must at least cover."""
        return 2.0 * self.fee_models[symbol].schedule.taker * 1e4

    def _closed(self, fill: Fill, after: Position) -> None:
        ended = self.trades.closed_by(fill, after)
        self.exits.untrack(fill.symbol)
        self.flattening.done(fill.symbol)
        if ended is None:
            return
        trade, closed = ended
        self.wal.write(TradeClosed.of(closed))
        if trade.strategy in self.strategies:
            self.strategies.journal_status(self.manager.record_trade(closed))
        self.risk.record(self.drb.on_trade_closed(closed.pnl_usd, fill.ts_ns), fill.ts_ns)

    # --- exits and flattening --------------------------------------------------------------------

    def check_exits(self, symbol: str, mark: float, ts_ns: int) -> None:
        """Check ``symbol``'s exits against a mark; one that fires starts closing the position.
        On every book and candle close; the vectorised candle backtest also hands it the best
        close of the bars it skipped, so a trailing stop trails from where the event path's would."""
        exit_ = self.exits.on_mark(symbol, mark, ts_ns)
        if exit_ is not None:
            self._close_for_exit(exit_)

    def _close_for_exit(self, exit_: Exit) -> None:
        self.flattening.start(exit_.symbol, exit_.reason, exit_.ts_ns)

    def lots_held(self, symbol: str) -> int:
        """Whole lots of the position (signed); what is left below one lot is dust nobody can
        trade (a spot buy's commission taken in the base asset leaves some)."""
        return self._lots(symbol, self.portfolio.position(symbol).qty)

    def _lots(self, symbol: str, qty: float) -> int:
        lot = self.rules[symbol].lot_size if symbol in self.rules else 0.0
        if lot <= 0:
            return 0 if abs(qty) < 1e-12 else (1 if qty > 0 else -1)
        lots = int(abs(qty) / lot + 1e-6)
        return lots if qty > 0 else -lots

    # --- notices ----------------------------------------------------------------------------------

    def add_notice(self, source: str, text: str) -> None:
        """Tell the operator: journaled (a ``notice`` record) and kept until acknowledged. Any
        part may call it (a broker's ``on_notice``, reconciliation, recovery, the kill)."""
        text = redact(text)
        try:
            self.wal.write(NoticeGiven(source=source, text=text))
        except WalError:
            pass  # a journal that refuses is FAILED and says so itself; the operator still sees this
        self.notices.add(source, text, self.clock.now_ns())

    def cancel(self, order: Order) -> None:
        """Journal the cancel of one open order, then cancel it (paper: at once; live: queued
        for the engine's cancel lane)."""
        self.wal.write(CancelSent(client_id=order.client_id, symbol=order.symbol))
        if self.sync_broker is not None:
            self.sync_broker.cancel_now(order.client_id, ReasonCode.CANCELLED_BY_OPERATOR)
        else:
            self.bookkeeping.cancel(order.client_id)

