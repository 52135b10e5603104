import pytest

from hft_tui.model import Candle, Liquidation, OrderBook, Priority, ReasonCode, Side, Signal, Trade
from hft_tui.strategies.cvd import CvdDetector
from hft_tui.strategies.liquidation_hunter import LiquidationHunter
from hft_tui.strategies.liquidation_hunter_params import LiquidationHunterParams
from hft_tui.strategies.trend_filter import TrendFilter, TrendState
from hft_tui.strategies.trend_params import TrendParams

S = 1_000_000_000
SYMBOL = "BTC/USDT"
PRICE = 60_000.0


class Market:
    """Feeds one hunter (and the CVD detector it reads) with a scripted tape."""

    def __init__(self, params: LiquidationHunterParams | None = None, trend: TrendFilter | None = None) -> None:
        self.trend = trend if trend is not None else TrendFilter()
        self.cvd = CvdDetector()
        self.hunter = LiquidationHunter(self.trend, self.cvd, params)
        self.signals: list[Signal] = []

    def liq(self, t_s: float, price: float, qty: float, side: Side) -> None:
        self.signals.extend(self.hunter.on_liquidation(Liquidation(SYMBOL, int(t_s * S), price, qty, side)))

    def trade(self, t_s: float, price: float, qty: float = 0.1, side: Side = Side.BUY) -> None:
        t = Trade(SYMBOL, int(t_s * S), price, qty, side)
        self.cvd.on_trade(t)
        self.signals.extend(self.hunter.on_trade(t))

    def book(self, t_s: float, mid: float) -> None:
        b = OrderBook.from_levels(SYMBOL, int(t_s * S), 1, [(mid - 0.5, 1.0)], [(mid + 0.5, 1.0)])
        self.signals.extend(self.hunter.on_book(b))

    def long_flush(self, start_s: float, n: int = 4, qty: float = 0.5) -> None:
        """``n`` long liquidations of ``qty`` BTC, half a second apart, on a falling price."""
        for i in range(n):
            price = PRICE * (1 - 0.002 * (i + 1))
            self.trade(start_s + i * 0.5, price, 0.5, Side.SELL)
            self.liq(start_s + i * 0.5 + 0.1, price, qty, Side.SELL)

    def short_squeeze(self, start_s: float, n: int = 4, qty: float = 0.5) -> None:
        for i in range(n):
            price = PRICE * (1 + 0.002 * (i + 1))
            self.trade(start_s + i * 0.5, price, 0.5, Side.BUY)
            self.liq(start_s + i * 0.5 + 0.1, price, qty, Side.BUY)

    def tape(self, start_s: float, end_s: float, price: float, side: Side = Side.BUY, step_s: float = 0.5) -> None:
        t = start_s
        while t <= end_s:
            self.trade(t, price, 0.1, side)
            t += step_s


def test_a_long_liquidation_cluster_is_faded_with_a_buy_once_it_settles() -> None:
    m = Market()
    m.long_flush(10.0)  # 4 x 0.5 BTC x ~59.8k = ~120k USD within 2 s
    m.trade(13.0, 59_500.0)  # 1.4 s after the last liquidation: not settled yet
    assert m.signals == []
    m.trade(13.8, 59_520.0)
    (sig,) = m.signals
    assert sig.side is Side.BUY
    assert sig.reasons == (ReasonCode.LIQ_CLUSTER_LONG,)
    assert sig.strategy == "liq_hunter"
    assert sig.ts_ns == int(13.8 * S)
    assert sig.expiry_ts_ns == sig.ts_ns + 15 * S
    assert sig.stop_loss is not None and sig.take_profit is not None
    assert sig.stop_loss < 59_520.0 < sig.take_profit
    assert sig.size_hint == 1.0  # trend not ready, volatility not above its usual level


def test_liquidations_below_the_cluster_threshold_are_not_faded() -> None:
    m = Market()
    m.long_flush(10.0, n=3)  # ~90k USD
    m.tape(12.0, 30.0, 59_500.0)
    assert m.signals == []


def test_a_short_liquidation_cluster_is_faded_with_a_sell() -> None:
    m = Market()
    m.short_squeeze(10.0)
    m.tape(12.0, 16.0, 60_600.0)
    assert [(s.side, s.reasons) for s in m.signals] == [(Side.SELL, (ReasonCode.LIQ_CLUSTER_SHORT,))]
    sig = m.signals[0]
    assert sig.take_profit is not None and sig.take_profit < 60_600.0 < sig.stop_loss  # type: ignore[operator]


def test_book_updates_alone_let_a_quiet_flush_settle() -> None:
    m = Market()
    m.long_flush(10.0)
    m.book(14.0, 59_510.0)
    assert [s.side for s in m.signals] == [Side.BUY]


def test_a_flush_that_never_settles_is_abandoned() -> None:
    m = Market()
    for i in range(300):  # a liquidation every second for five minutes
        m.trade(10.0 + i, PRICE * (1 - 0.0001 * i), 0.5, Side.SELL)
        m.liq(10.1 + i, PRICE * (1 - 0.0001 * i), 0.5, Side.SELL)
    m.tape(311.0, 330.0, 58_000.0)
    assert m.signals == []


def test_one_cluster_is_faded_once_and_a_new_cluster_later_fires_again() -> None:
    m = Market(LiquidationHunterParams(cooldown_s=0.0))
    m.long_flush(10.0)
    m.tape(12.0, 15.0, 59_500.0)
    assert len(m.signals) == 1
    m.liq(15.5, 59_500.0, 0.5, Side.SELL)  # the same cluster still in its 30 s window
    m.tape(16.0, 30.0, 59_500.0)
    assert len(m.signals) == 1
    m.long_flush(60.0)  # the window has emptied: a fresh cluster
    m.tape(62.0, 66.0, 59_400.0)
    assert len(m.signals) == 2


def test_the_cooldown_suppresses_a_second_cluster_soon_after() -> None:
    m = Market(LiquidationHunterParams(cooldown_s=120.0))
    m.long_flush(10.0)
    m.tape(12.0, 15.0, 59_500.0)
    m.long_flush(60.0)
    m.tape(62.0, 66.0, 59_400.0)
    assert len(m.signals) == 1


def _strong_downtrend() -> TrendFilter:
    trend = TrendFilter(TrendParams(fast_period=5, slow_period=20, slope_bars=3))
    for i in range(40):
        close = PRICE * 0.998**i
        trend.on_candle(Candle(SYMBOL, "1m", i * 60 * S, close, close, close, close, 1.0, 0.5))
    assert trend.view(SYMBOL).state is TrendState.STRONG_DOWN
    return trend


def test_a_strong_downtrend_blocks_fading_a_long_flush() -> None:
    m = Market(trend=_strong_downtrend())
    m.long_flush(10.0)
    m.tape(12.0, 20.0, 59_500.0)
    assert m.signals == []


def test_a_strong_downtrend_still_allows_fading_a_short_squeeze_and_keeps_its_size() -> None:
    m = Market(trend=_strong_downtrend())
    m.short_squeeze(10.0)
    m.tape(12.0, 16.0, 60_600.0)
    (sig,) = m.signals
    assert sig.side is Side.SELL
    assert sig.size_hint == pytest.approx(m.trend.size_factor(SYMBOL, Side.SELL))


def test_cvd_confirmation_raises_confidence_and_priority() -> None:
    plain = Market()
    plain.long_flush(10.0)
    plain.tape(12.0, 14.0, 59_500.0, side=Side.SELL)
    confirmed = Market()
    confirmed.long_flush(10.0)
    for i in range(60):  # buyers absorb the flush
        confirmed.trade(12.0 + i * 0.02, 59_500.0, 0.5, Side.BUY)
    confirmed.trade(14.0, 59_500.0)
    (p,) = plain.signals
    (c,) = confirmed.signals
    assert p.reasons == (ReasonCode.LIQ_CLUSTER_LONG,) and p.priority is Priority.MEDIUM
    assert c.reasons == (ReasonCode.LIQ_CLUSTER_LONG, ReasonCode.CVD_CONFIRM) and c.priority is Priority.HIGH
    assert c.confidence == pytest.approx(p.confidence + 0.2)


def test_a_bigger_cluster_earns_more_confidence() -> None:
    small = Market()
    small.long_flush(10.0, qty=0.5)
    small.tape(12.0, 14.0, 59_500.0, side=Side.SELL)
    big = Market()
    big.long_flush(10.0, qty=1.0)
    big.tape(12.0, 14.0, 59_500.0, side=Side.SELL)
    assert big.signals[0].confidence > small.signals[0].confidence


def test_a_violent_flush_shrinks_the_size_and_widens_tp_sl_up_to_their_caps() -> None:
    params = LiquidationHunterParams(vol_fast_samples=10, vol_slow_samples=300)
    m = Market(params)
    for i in range(200):  # calm: 0.001% wiggles once a second
        m.trade(float(i), PRICE * (1.00001 if i % 2 else 0.99999))
    for i in range(10):  # violent: 0.3% swings once a second with long liquidations
        price = PRICE * (0.99 + (0.003 if i % 2 else 0.0))
        m.trade(200.0 + i, price, 1.0, Side.SELL)
        m.liq(200.1 + i, price, 1.0, Side.SELL)
    m.trade(212.0, PRICE * 0.99)
    (sig,) = m.signals
    assert params.min_size_hint <= sig.size_hint < 1.0
    assert sig.take_profit == pytest.approx(PRICE * 0.99 * 1.02)
    assert sig.stop_loss == pytest.approx(PRICE * 0.99 * 0.985)


def crash(m: Market, burst_qty: float, start_s: float = 120.0) -> None:
    """Two minutes of calm 1/s trading, then 20 s of 5/s selling down 0.83%, then calm buying."""
    for i in range(int(start_s)):
        m.trade(float(i), PRICE * (1.0001 if i % 2 else 0.9999), 1.0, Side.BUY if i % 2 else Side.SELL)
    for k in range(100):
        m.trade(start_s + k * 0.2, PRICE * (1 - 0.0083 * (k + 1) / 100), burst_qty, Side.SELL)
    for j in range(10):
        m.trade(start_s + 20.0 + j, PRICE * 0.9925, 1.0, Side.BUY)


def test_without_a_liquidation_feed_a_fast_selloff_on_a_volume_burst_is_faded() -> None:
    m = Market()
    crash(m, burst_qty=3.0)
    (sig,) = m.signals
    assert sig.side is Side.BUY and sig.reasons == (ReasonCode.LIQ_CASCADE_PROXY,)
    assert sig.ts_ns >= int(142.0 * S)  # only after the selling stopped making new lows


def test_a_selloff_on_ordinary_volume_is_not_a_cascade() -> None:
    m = Market()
    crash(m, burst_qty=0.2)
    assert m.signals == []


def test_a_volume_burst_without_a_move_is_not_a_cascade() -> None:
    m = Market()
    for i in range(120):
        m.trade(float(i), PRICE, 1.0, Side.BUY if i % 2 else Side.SELL)
    for k in range(100):
        m.trade(120.0 + k * 0.2, PRICE * (0.9999 if k % 2 else 1.0001), 3.0, Side.SELL)
    m.tape(141.0, 150.0, PRICE)
    assert m.signals == []


def test_once_liquidations_are_seen_the_trade_proxy_stands_down() -> None:
    m = Market()
    m.liq(0.5, PRICE, 0.01, Side.SELL)  # the exchange has a liquidation feed
    crash(m, burst_qty=3.0)
    assert m.signals == []


@pytest.mark.parametrize(
    "bad",
    [
        {"min_take_profit_pct": 3.0, "max_take_profit_pct": 2.0},
        {"min_stop_loss_pct": 3.0, "max_stop_loss_pct": 2.0},
        {"vol_fast_samples": 900, "vol_slow_samples": 900},
        {"cluster_notional_usd": 0.0},
    ],
)
def test_inconsistent_parameters_are_rejected(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        LiquidationHunterParams(**bad)  # type: ignore[arg-type]
