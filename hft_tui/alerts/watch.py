"""Alert events from the engine's snapshots: fills, trading-state changes, breaker trips,
feeds STALE for too long, reconcile differences, notices, and the day's PnL when the risk
guard's trading day rolls over. Runs on every published snapshot, so it only compares.

Fills are read from the core's fill feed (the latest fills and a running count), not from
the snapshot's WAL tail: a burst of more records than the tail holds between two snapshots
would otherwise skip some; one longer than the feed keeps is sent with how many are missing. Notices are read by their sequence numbers (and a repeat of an
unread one by its count), so several between two snapshots are all sent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from hft_tui.model import FeedState
from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.trading.fill_feed import FillFeed

Emit = Callable[[str, str], None]
# Notices from these sources are alert events of their own kind, not "notice".
NOTICE_KINDS = {"reconcile": "reconcile"}
# The alerts' own failures are notices too: sending them would loop on a dead target.
UNSENT_NOTICE_SOURCES = frozenset({"alerts"})


class AlertWatch:
    """Compares each snapshot with the previous one and emits ``(kind, text)`` for what is new."""

    def __init__(self, emit: Emit, stale_after_s: float, fills: FillFeed | None = None) -> None:
        self._emit = emit
        self._stale_after_ns = int(stale_after_s * 1e9)
        self._last: EngineSnapshot | None = None
        self._fills = fills if fills is not None else FillFeed()
        self._fills_seen = 0
        self._notice_counts: dict[int, int] = {}  # seq -> count already sent
        self._stale_since: dict[str, int] = {}
        self._stale_alerted: set[str] = set()

    def observe(self, snapshot: EngineSnapshot) -> None:
        last = self._last
        self._last = snapshot
        if last is None:  # what was there before we watched is not news
            self._fills_seen = self._fills.total
            self._notice_counts = {n.seq: n.count for n in snapshot.notices}
            return
        self._new_fills()
        if snapshot.trading_state != last.trading_state:
            why = f" ({snapshot.trading_state_reason})" if snapshot.trading_state_reason else ""
            self._emit("trading_state", f"trading state {last.trading_state} -> {snapshot.trading_state}{why}")
        self._breakers(last, snapshot)
        self._feeds(snapshot)
        self._day_rollover(last, snapshot)
        self._notices(snapshot)

    def _new_fills(self) -> None:
        fills, missed = self._fills.since(self._fills_seen)
        if missed:
            self._emit("fill", f"{missed} fill(s) not listed (more than {len(fills)} since the last snapshot; "
                               "hft-tui trades or the WAL has them)")
        for fill in fills:
            by = f" ({fill.strategy})" if fill.strategy else ""
            self._emit("fill", f"fill {fill.symbol} {fill.side.value} {fill.qty:g} @ {fill.price:,.8g}{by} "
                               f"fee {fill.fee:,.4g} {fill.client_id}")
        self._fills_seen = self._fills.total

    def _notices(self, snapshot: EngineSnapshot) -> None:
        counts: dict[int, int] = {}
        for notice in snapshot.notices:
            counts[notice.seq] = notice.count
            sent = self._notice_counts.get(notice.seq, 0)
            if notice.count <= sent or notice.source in UNSENT_NOTICE_SOURCES:
                continue
            again = f" (x{notice.count})" if sent else ""
            self._emit(NOTICE_KINDS.get(notice.source, "notice"), f"{notice.text}{again}")
        self._notice_counts = counts

    def _breakers(self, last: EngineSnapshot, snapshot: EngineSnapshot) -> None:
        if snapshot.risk is None:
            return
        was = {b.name for b in last.risk.breakers if b.tripped} if last.risk is not None else set()
        for breaker in snapshot.risk.breakers:
            if breaker.tripped and breaker.name not in was:
                detail = f": {breaker.detail}" if breaker.detail else ""
                self._emit("breaker", f"breaker {breaker.name} tripped ({breaker.code.value}){detail}")

    def _feeds(self, snapshot: EngineSnapshot) -> None:
        for symbol, view in snapshot.views.items():
            if view.feed_state is not FeedState.STALE:
                self._stale_since.pop(symbol, None)
                self._stale_alerted.discard(symbol)
                continue
            since = self._stale_since.setdefault(symbol, snapshot.ts_ns)
            if symbol not in self._stale_alerted and snapshot.ts_ns - since >= self._stale_after_ns:
                self._stale_alerted.add(symbol)
                self._emit("feed_stale", f"{symbol} feed STALE for {(snapshot.ts_ns - since) / 1e9:.0f} s")

    def _day_rollover(self, last: EngineSnapshot, snapshot: EngineSnapshot) -> None:
        """The closing figures of a trading day, from the last snapshot taken inside it."""
        if last.risk is None or snapshot.risk is None or last.account is None:
            return
        if snapshot.risk.day_start_ts_ns <= last.risk.day_start_ts_ns:
            return
        day = datetime.fromtimestamp(last.risk.day_start_ts_ns / 1e9, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
        account = last.account
        self._emit("daily_pnl", f"trading day from {day}: PnL {account.day_pnl:+,.2f} "
                                f"(realised {account.realized_pnl:+,.2f}, fees {account.fees_paid:,.2f}), "
                                f"equity {account.equity:,.2f}, state {last.trading_state}")
