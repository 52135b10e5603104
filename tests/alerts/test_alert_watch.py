"""What the alert watch sees in a stream of snapshots: new fills (every one, however many
between two snapshots), state changes, breaker trips, a feed STALE for too long (once),
reconcile differences, and new notices; nothing from before it watched."""

from __future__ import annotations

from dataclasses import replace

from hft_tui.alerts.watch import AlertWatch
from hft_tui.model import FeedState, Fill, Liquidity, Notice, Side
from hft_tui.model.reason_codes import ReasonCode
from hft_tui.risk.drb_state import BreakerState, DrbState
from hft_tui.risk.trading_state import TradingState
from hft_tui.session.engine_snapshot import AccountView, EngineSnapshot, SymbolView, WalLine
from hft_tui.trading.fill_feed import FILL_FEED_SIZE, FillFeed

S = 1_000_000_000


def _risk(tripped: bool) -> DrbState:
    breaker = BreakerState("volatility", ReasonCode.DRB_VOLATILITY_SPIKE, tripped, 5 * S if tripped else None, "3.1 sigma")
    return DrbState(TradingState.ACTIVE, ReasonCode.SIGNAL_ACCEPTED, 1.0, (), (breaker,), 0, 1e5, 1e5, 1e5, 1e5, 0.0)


def _snapshot(ts_s: float, *, feed: FeedState = FeedState.LIVE, wal: tuple[WalLine, ...] = (),
              state: str = "ACTIVE", notice: str = "", tripped: bool = False,
              notices: tuple[Notice, ...] = ()) -> EngineSnapshot:
    view = SymbolView("BTC/USDT", None, None, feed, 0.1)
    return EngineSnapshot(seq=int(ts_s * 10), ts_ns=int(ts_s * S), mode="SIM", exchange="sim", trading_state=state,
                          symbols=("BTC/USDT",), views={"BTC/USDT": view}, wal_tail=wal,
                          wal_seq=wal[-1].seq if wal else 0, notice=notice, risk=_risk(tripped),
                          notices=notices)


def _watch(fills: FillFeed | None = None) -> tuple[AlertWatch, list[tuple[str, str]]]:
    events: list[tuple[str, str]] = []
    return AlertWatch(lambda kind, text: events.append((kind, text)), stale_after_s=30, fills=fills), events


def _feed(*fills: Fill, keep: int = FILL_FEED_SIZE) -> FillFeed:
    feed = FillFeed(keep)
    for fill in fills:
        feed.append(fill)
    return feed


def _fill(i: int) -> Fill:
    return Fill(f"c{i:04d}", "BTC/USDT", Side.BUY if i % 2 else Side.SELL, 0.5, 64_000.0 + i, 1.25,
                Liquidity.TAKER, i * S, strategy="trend")


def _notice(seq: int, source: str, text: str, count: int = 1) -> Notice:
    return Notice(seq, seq * S, source, text, count=count, last_ts_ns=seq * S)


def test_what_was_there_before_watching_is_not_news() -> None:
    watch, events = _watch()
    watch, events = _watch(_feed(_fill(1)))
    watch.observe(_snapshot(0, state="HALTED", tripped=True, notices=(_notice(1, "kill", "old"),)))
    assert events == []


def test_fills_state_changes_breaker_trips_and_notices_are_each_emitted_once() -> None:
    fills = _feed()
    watch, events = _watch(fills)
    first = _snapshot(0, wal=(WalLine(1, "t", "order", "o1"),))
    watch.observe(first)
    fills.append(_fill(7))
    later = _snapshot(1, state="HALTED", notice="kill: done", tripped=True, notices=(_notice(1, "kill", "kill: done"),))
    later = replace(later, trading_state_reason="KILL")
    watch.observe(later)
    watch.observe(replace(later, seq=later.seq + 1))
    assert [kind for kind, _ in events] == ["fill", "trading_state", "breaker", "notice"]
    assert "64,007" in events[0][1] and "c0007" in events[0][1] and "buy 0.5" in events[0][1]
    assert events[1][1] == "trading state ACTIVE -> HALTED (KILL)"
    assert "volatility" in events[2][1] and "3.1 sigma" in events[2][1]


def test_a_feed_is_alerted_once_it_has_been_stale_long_enough_and_again_after_it_recovered() -> None:
    watch, events = _watch()
    watch.observe(_snapshot(0))
    for t in (1, 10, 30, 31, 60):
        watch.observe(_snapshot(t, feed=FeedState.STALE))
    assert events == [("feed_stale", "BTC/USDT feed STALE for 30 s")]
    watch.observe(_snapshot(61))
    for t in (62, 93):
        watch.observe(_snapshot(t, feed=FeedState.STALE))
    assert len(events) == 2


def test_the_day_s_closing_pnl_is_sent_once_when_the_guard_s_trading_day_rolls_over() -> None:
    watch, events = _watch()
    account = AccountView(equity=100_389.0, initial_equity=100_000.0, day_pnl=389.0, realized_pnl=401.5,
                          unrealized_pnl=-12.5, fees_paid=20.25, gross_exposure=0.0, net_exposure=0.0)
    today = replace(_snapshot(0), account=account)
    watch.observe(today)
    watch.observe(replace(today, seq=today.seq + 1, ts_ns=today.ts_ns + S))
    assert events == [], "no summary inside a trading day"
    tomorrow = replace(_risk(False), day_start_ts_ns=86_400 * S)
    watch.observe(replace(today, seq=today.seq + 2, risk=tomorrow,
                          account=replace(account, day_pnl=0.0)))
    watch.observe(replace(today, seq=today.seq + 3, risk=tomorrow, account=replace(account, day_pnl=5.0)))
    assert [kind for kind, _ in events] == ["daily_pnl"]
    text = events[0][1]
    assert "1970-01-01 00:00 UTC" in text and "PnL +389.00" in text and "fees 20.25" in text


def test_a_burst_of_fills_between_two_snapshots_is_alerted_fill_by_fill() -> None:
    fills = _feed()
    watch, events = _watch(fills)
    watch.observe(_snapshot(0))
    for i in range(500):  # far more than a snapshot's WAL tail holds
        fills.append(_fill(i))
    watch.observe(_snapshot(1))
    fills.append(_fill(500))
    watch.observe(_snapshot(2))
    assert [kind for kind, _ in events] == ["fill"] * 501
    assert [text.rsplit(" ", 1)[1] for _, text in events] == [f"c{i:04d}" for i in range(501)]


def test_a_burst_longer_than_the_feed_keeps_says_how_many_fills_are_not_listed() -> None:
    fills = _feed(_fill(0), keep=4)
    watch, events = _watch(fills)
    watch.observe(_snapshot(0))
    for i in range(1, 11):
        fills.append(_fill(i))
    watch.observe(_snapshot(1))
    assert events[0] == ("fill", "6 fill(s) not listed (more than 4 since the last snapshot; "
                                 "hft-tui trades or the WAL has them)")
    assert [text.rsplit(" ", 1)[1] for _, text in events[1:]] == ["c0007", "c0008", "c0009", "c0010"]


def test_reconcile_differences_are_an_event_of_their_own_and_every_new_notice_is_sent() -> None:
    watch, events = _watch()
    watch.observe(_snapshot(0, notices=(_notice(1, "broker", "old"),)))
    both = (_notice(1, "broker", "old"), _notice(2, "reconcile", "reconcile: 1 difference(s): BTC/USDT qty 0.5 vs 0"),
            _notice(3, "broker", "order c1 alive on the exchange"))
    watch.observe(_snapshot(1, notices=both))
    assert events == [("reconcile", "reconcile: 1 difference(s): BTC/USDT qty 0.5 vs 0"),
                      ("notice", "order c1 alive on the exchange")]
    repeated = (*both[:2], replace(both[2], count=2))
    watch.observe(_snapshot(2, notices=repeated))
    assert events[2:] == [("notice", "order c1 alive on the exchange (x2)")]


def test_the_alerts_own_failures_are_not_sent_as_alerts() -> None:
    watch, events = _watch()
    watch.observe(_snapshot(0))
    watch.observe(_snapshot(1, notices=(_notice(1, "alerts", "alert target HFT_TUI_ALERT_X failed: refused"),)))
    assert events == []
