"""A diff-depth feed repeats the mid on most updates: the candle builder skips folding a mid
it already holds, and its candles must equal those of every mid folded (an independent oracle)."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hft_tui.market.candle_builder import CandleBuilder
from hft_tui.model import Candle, Side, Trade

S = 1_000_000_000
T0 = 1_700_000_040 * S
FRAMES = (("1s", S), ("3s", 3 * S))


class OracleFrame:
    """One timeframe's open bucket with every value it was given, folded only when read."""

    def __init__(self, tf: str, tf_ns: int) -> None:
        self.tf, self.tf_ns = tf, tf_ns
        self.start: int | None = None
        self.mids: list[float] = []
        self.trades: list[tuple[float, float, bool]] = []
        self.late = 0

    def candle(self, symbol: str) -> Candle:
        assert self.start is not None
        if self.trades:
            prices = [p for p, _, _ in self.trades]
            volume = buy = 0.0
            for _, qty, is_buy in self.trades:
                volume += qty
                if is_buy:
                    buy += qty
            return Candle(symbol, self.tf, self.start, prices[0], max(prices), min(prices), prices[-1], volume, buy)
        return Candle(symbol, self.tf, self.start, self.mids[0], max(self.mids), min(self.mids), self.mids[-1],
                      0.0, 0.0)

    def take(self, symbol: str, ts_ns: int, mid: float | None, trade: tuple[float, float, bool] | None,
             closed: list[Candle]) -> None:
        if self.start is None or ts_ns >= self.start + self.tf_ns:
            if self.start is not None:
                closed.append(self.candle(symbol))
            self.start, self.mids, self.trades = ts_ns - ts_ns % self.tf_ns, [], []
        elif ts_ns < self.start:
            self.late += 1
            return
        if mid is not None:
            self.mids.append(mid)
        if trade is not None:
            self.trades.append(trade)


events = st.lists(
    st.tuples(
        st.sampled_from(["mid", "mid", "mid", "mid", "trade", "time"]),
        st.integers(-S // 2, 2 * S),  # time step; negative: a late event
        st.sampled_from([100.0, 100.5, 101.0, 99.5]),
        st.sampled_from(["BTC/USDT", "ETH/USDT"]),
    ),
    max_size=120,
)


@settings(max_examples=150)
@given(events)
@example([("mid", 9 * S // 10, 100.0, "BTC/USDT"), ("mid", 3 * S // 10, 100.0, "BTC/USDT"),
          ("mid", -4 * S // 10, 100.0, "BTC/USDT")])  # the same mid, late for the new 1s bar only
@example([("mid", S, 100.0, "ETH/USDT"), ("mid", -1, 100.5, "ETH/USDT"),
          ("mid", 1, 100.5, "ETH/USDT")])  # a new mid late for the 1s bar, then on time: not a repeat
def test_candles_with_repeated_mids_skipped_equal_those_of_every_mid_folded(stream) -> None:
    builder = CandleBuilder([tf for tf, _ in FRAMES])
    oracle = {s: [OracleFrame(tf, ns) for tf, ns in FRAMES] for s in ("BTC/USDT", "ETH/USDT")}
    ts_ns = T0
    for kind, step, price, symbol in stream:
        ts_ns = max(T0, ts_ns + step)
        expected: list[Candle] = []
        if kind == "mid":
            got = list(builder.on_mid(symbol, ts_ns, price))
            for frame in oracle[symbol]:
                frame.take(symbol, ts_ns, price, None, expected)
        elif kind == "trade":
            side = Side.BUY if price >= 100.5 else Side.SELL
            got = list(builder.on_trade(Trade(symbol, ts_ns, price, 0.25, side)))
            for frame in oracle[symbol]:
                frame.take(symbol, ts_ns, None, (price, 0.25, side is Side.BUY), expected)
        else:
            got = list(builder.on_time(symbol, ts_ns))
            for frame in oracle[symbol]:
                if frame.start is not None and ts_ns >= frame.start + frame.tf_ns:
                    expected.append(frame.candle(symbol))
                    frame.start = None
        assert got == expected
        for frame in oracle[symbol]:
            current = builder.current(symbol, frame.tf)
            assert current == (frame.candle(symbol) if frame.start is not None else None)
    assert builder.late_events == sum(frame.late for frames in oracle.values() for frame in frames)
