"""Books a strategy declares quiet (the same mid before its next edge of time) are held back by
the core; the strategy's signals and state must equal those of one handed every book."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hft_tui.model import Liquidation, OrderBook, Side, Trade
from hft_tui.strategies.cvd import CvdDetector
from hft_tui.strategies.liquidation_hunter import LiquidationHunter
from hft_tui.strategies.liquidation_hunter_params import LiquidationHunterParams
from hft_tui.strategies.spike_fader import SpikeFader
from hft_tui.strategies.spike_fader_params import SpikeFaderParams
from hft_tui.strategies.trend_filter import TrendFilter

S = 1_000_000_000
T0 = 1_700_000_000 * S
MIDS = (100.0, 100.4, 101.0, 99.0, 102.5, 97.5)
SYMBOLS = ("BTC/USDT", "ETH/USDT")

# Mostly books, most of them at the symbol's last mid; time steps from 1 ms to a few seconds.
events = st.lists(
    st.tuples(
        st.sampled_from(["same", "same", "same", "same", "same", "move", "move", "trade", "liquidation"]),
        st.sampled_from([S // 1000, S // 50, S // 5, S // 2, S, 3 * S, 7 * S]),
        st.sampled_from(MIDS),
        st.sampled_from(SYMBOLS),
    ),
    min_size=1,
    max_size=300,
)


def feed_both(every, held, stream) -> int:
    """Feed ``every`` each event and ``held`` the same, holding back the books its declaration
    says change nothing (as the core does); assert equal signals; return how many were held."""
    ts_ns = T0
    last_mid = dict.fromkeys(SYMBOLS, MIDS[0])
    seq = 0
    skipped = 0
    for kind, step, price, symbol in stream:
        ts_ns += step
        seq += 1
        if kind in ("same", "move"):
            mid = last_mid[symbol] if kind == "same" else price
            last_mid[symbol] = mid
            book = OrderBook.from_levels(symbol, ts_ns, seq, [[mid - 0.5, 2.0]], [[mid + 0.5, 2.0]])
            want = every.on_book(book)
            quiet = held.quiet_books.get(symbol)
            if quiet is not None and quiet.holds(mid, ts_ns):
                got = ()
                skipped += 1
            else:
                got = held.on_book(book)
        elif kind == "trade":
            trade = Trade(symbol, ts_ns, price, 3.0, Side.BUY if price > 100.0 else Side.SELL)
            want, got = every.on_trade(trade), held.on_trade(trade)
        else:
            liquidation = Liquidation(symbol, ts_ns, price, 2_000.0, Side.SELL if price < 100.5 else Side.BUY)
            want, got = every.on_liquidation(liquidation), held.on_liquidation(liquidation)
        assert list(got) == list(want)
    return skipped


def test_a_book_at_the_last_mid_is_held_back_until_the_next_edge() -> None:
    fader = SpikeFader(SpikeFaderParams(window_s=5.0, threshold_pct=1.0, cooldown_s=2.0))
    fader.on_book(OrderBook.from_levels("BTC/USDT", T0, 1, [[99.5, 1.0]], [[100.5, 1.0]]))
    quiet = fader.quiet_books["BTC/USDT"]
    assert quiet.holds(100.0, T0 + S)
    assert not quiet.holds(100.5, T0 + S)  # the mid moved
    assert not quiet.holds(100.0, T0 + 5 * S)  # the window's oldest price leaves it
    fader.on_trade(Trade("BTC/USDT", T0 + 2 * S, 100.0, 1.0, Side.BUY))
    assert "BTC/USDT" not in fader.quiet_books


@settings(max_examples=200)
@given(events, st.sampled_from([1.0, 4.0, 30.0]), st.sampled_from([0.0, 1.5, 20.0]))
@example([("same", S // 1000, 100.0, "BTC/USDT"), ("same", 3 * S, 100.0, "BTC/USDT"),
          ("trade", S, 101.0, "BTC/USDT")], 4.0, 0.0)  # a trade after a held book: the window saw it
def test_spike_fader_with_quiet_books_held_back_equals_one_fed_every_book(stream, window_s, cooldown_s) -> None:
    params = SpikeFaderParams(window_s=window_s, threshold_pct=1.0, rearm_fraction=0.5, cooldown_s=cooldown_s)
    every, held = SpikeFader(params), SpikeFader(params)
    feed_both(every, held, stream)
    # One more book at a fresh mid reaches both: their windows must now hold the same values and times.
    ts_ns = T0 + 10**6 * S
    for fader in (every, held):
        for symbol in SYMBOLS:
            fader.on_book(OrderBook.from_levels(symbol, ts_ns - 1, 0, [[149.5, 1.0]], [[150.5, 1.0]]))
    for symbol in SYMBOLS:
        a, b = every._symbols.get(symbol), held._symbols.get(symbol)
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert (a.extremes.kept(), a.armed_up, a.armed_down, a.last_signal_ts_ns) == \
                   (b.extremes.kept(), b.armed_up, b.armed_down, b.last_signal_ts_ns)


def hunter(params: LiquidationHunterParams) -> LiquidationHunter:
    return LiquidationHunter(TrendFilter(), CvdDetector(), params)


@settings(max_examples=200)
@given(events, st.sampled_from([0.0, 1.0, 3.0]))
def test_liquidation_hunter_with_quiet_books_held_back_equals_one_fed_every_book(stream, settle_s) -> None:
    params = LiquidationHunterParams(cluster_notional_usd=150_000.0, settle_s=settle_s, cooldown_s=1.0,
                                     vol_fast_samples=5, vol_slow_samples=12)
    every, held = hunter(params), hunter(params)
    feed_both(every, held, stream)
    for symbol in SYMBOLS:
        a, b = every._symbols.get(symbol), held._symbols.get(symbol)
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            # repr: a volatility not sampled yet is NaN on both sides
            assert repr((a.last_price, a.vol_fast.sigma, a.vol_slow.sigma, a.vol_fast.count, a.vol_slow.count)) == \
                   repr((b.last_price, b.vol_fast.sigma, b.vol_slow.sigma, b.vol_fast.count, b.vol_slow.count))


def test_books_at_the_same_mid_are_held_back_between_edges() -> None:
    params = SpikeFaderParams(window_s=900.0)
    calm = [("same", S // 50, MIDS[0], "BTC/USDT")] * 200  # 4 s at one mid, a book every 20 ms
    assert feed_both(SpikeFader(params), SpikeFader(params), calm) == 199


def test_a_side_re_arms_when_the_window_low_leaves_it_while_books_are_held_back() -> None:
    # A spike up fires and disarms; the mid then stays put while the window's low (the first
    # price) leaves it, which re-arms the side: the next spike must fire in both.
    params = SpikeFaderParams(window_s=4.0, threshold_pct=1.0, rearm_fraction=0.5, cooldown_s=0.0)
    every, held = SpikeFader(params), SpikeFader(params)
    stream = [("move", S, 100.0, "BTC/USDT"), ("move", S, 102.0, "BTC/USDT")]
    stream += [("same", S // 50, 0.0, "BTC/USDT")] * 175  # 3.5 s at 102
    stream += [("move", S // 50, 104.0, "BTC/USDT")]
    feed_both(every, held, stream)
    assert every._symbols["BTC/USDT"].last_signal_ts_ns == held._symbols["BTC/USDT"].last_signal_ts_ns > T0 + 4 * S
