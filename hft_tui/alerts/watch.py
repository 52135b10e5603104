"""Alert events from the engine's snapshots: fills, trading-state changes, breaker trips,
feeds STALE for too long, notices, and the day's PnL when the risk guard's trading day rolls
over. Runs on every published snapshot, so it only compares."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from hft_tui.model import FeedState
from hft_tui.session.engine_snapshot import EngineSnapshot

Emit = Callable[[str, str], None]


class AlertWatch:
    """Compares each snapshot with the previous one and emits ``(kind, text)`` for what is new."""

    def __init__(self, emit: Emit, stale_after_s: float) -> None:
        self._emit = emit
        self._stale_after_ns = int(stale_after_s * 1e9)
        self._last: EngineSnapshot | None = None
        self._seen_wal_seq = 0
        self._stale_since: dict[str, int] = {}
        self._stale_alerted: set[str] = set()

    def observe(self, snapshot: EngineSnapshot) -> None:
        last = self._last
        self._last = snapshot
        if last is None:  # what was there before we watched is not news
            self._seen_wal_seq = snapshot.wal_seq
            return
        for line in snapshot.wal_tail:
            if line.seq > self._seen_wal_seq and line.type == "fill":
                self._emit("fill", f"fill {line.summary}")
        self._seen_wal_seq = snapshot.wal_seq
        if snapshot.trading_state != last.trading_state:
            why = f" ({snapshot.trading_state_reason})" if snapshot.trading_state_reason else ""
            self._emit("trading_state", f"trading state {last.trading_state} -> {snapshot.trading_state}{why}")
        self._breakers(last, snapshot)
        self._feeds(snapshot)
        self._day_rollover(last, snapshot)
        if snapshot.notice and snapshot.notice != last.notice:
            self._emit("notice", snapshot.notice)

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
