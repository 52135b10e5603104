import pytest

from hft_tui.model import MarketRules, OrderBook, Priority, ReasonCode, Side, Trade
from hft_tui.strategies.book_imbalance import BookImbalanceStrategy, Whale
from hft_tui.strategies.book_imbalance_params import BookImbalanceParams

S = 1_000_000_000
SYMBOL = "BTC/USDT"


def book(ts_s: float, bid_qty: float, ask_qty: float, extra_bid: tuple[float, float] | None = None,
         extra_ask: tuple[float, float] | None = None) -> OrderBook:
    """Five levels a side around 100.0/100.1 (tick 0.1), each with the given qty."""
    bids = [(round(100.0 - 0.1 * i, 1), bid_qty) for i in range(5)]
    asks = [(round(100.1 + 0.1 * i, 1), ask_qty) for i in range(5)]
    if extra_bid:
        bids = [lvl if lvl[0] != extra_bid[0] else extra_bid for lvl in bids]
    if extra_ask:
        asks = [lvl if lvl[0] != extra_ask[0] else extra_ask for lvl in asks]
    return OrderBook.from_levels(SYMBOL, int(ts_s * S), int(ts_s * 1000), bids, asks)


def strategy(**overrides: float) -> BookImbalanceStrategy:
    params = {"persist_s": 2.0, "cooldown_s": 10.0, "whale_min_age_s": 1.0, **overrides}
    return BookImbalanceStrategy(BookImbalanceParams(**params))


def feed(strat: BookImbalanceStrategy, books: list[OrderBook]) -> list:
    signals = []
    for b in books:
        signals.extend(strat.on_book(b))
    return signals


def test_bid_heavy_book_that_persists_fires_a_buy_with_levels_and_expiry() -> None:
    strat = strategy()
    # imbalance (3 - 1) / 4 = 0.5 > 0.4
    assert feed(strat, [book(0, 3, 1), book(1, 3, 1)]) == []
    (signal,) = strat.on_book(book(2, 3, 1))
    assert signal.side is Side.BUY
    assert signal.reasons == (ReasonCode.BOOK_IMBALANCE_BID,)
    assert signal.strategy == "book_imbalance"
    assert signal.priority is Priority.MEDIUM
    # strength (0.5 - 0.4) / 0.6 = 1/6 of the way from 0.55 to 0.85
    assert signal.confidence == pytest.approx(0.55 + 0.30 / 6)
    assert signal.expiry_ts_ns == 2 * S + 3 * S
    assert signal.take_profit == pytest.approx(100.05 * 1.002)
    assert signal.stop_loss == pytest.approx(100.05 * (1 - 0.0012))


def test_ask_heavy_book_fires_a_sell() -> None:
    strat = strategy(persist_s=0.0)
    (signal,) = strat.on_book(book(0, 1, 4))
    assert signal.side is Side.SELL
    assert signal.reasons == (ReasonCode.BOOK_IMBALANCE_ASK,)
    assert signal.take_profit < 100.05 < signal.stop_loss  # type: ignore[operator]


def test_balanced_book_and_a_flicker_below_threshold_do_not_fire() -> None:
    strat = strategy()
    assert feed(strat, [book(t, 1, 1) for t in range(10)]) == []
    # heavy, heavy, balanced (clock restarts), heavy ... only 2 s after the restart does it fire
    assert feed(strat, [book(10, 3, 1), book(11, 3, 1), book(11.5, 1, 1), book(12, 3, 1), book(13.9, 3, 1)]) == []
    assert len(strat.on_book(book(14, 3, 1))) == 1


def test_a_side_flip_restarts_persistence() -> None:
    strat = strategy()
    assert feed(strat, [book(0, 3, 1), book(1.5, 1, 3), book(2.5, 1, 3)]) == []
    (signal,) = strat.on_book(book(3.5, 1, 3))
    assert signal.side is Side.SELL


def test_cooldown_silences_repeats_on_the_same_side() -> None:
    strat = strategy(persist_s=0.0, cooldown_s=10.0)
    fired = feed(strat, [book(t, 3, 1) for t in range(0, 25)])
    assert [s.ts_ns // S for s in fired] == [0, 10, 20]


def test_whales_lists_large_orders_near_the_touch_only() -> None:
    strat = strategy(whale_notional_usd=50_000, whale_max_distance_bps=25)
    # 600 @ 99.9 = 59,940 (near); 1000 @ 99.6 is 40 bps away (too far); 400 @ 100.2 = 40,080 (too small)
    strat.on_book(OrderBook.from_levels(
        SYMBOL, 0, 1,
        [(100.0, 1), (99.9, 600), (99.8, 1), (99.7, 1), (99.6, 1000)],
        [(100.1, 1), (100.2, 400), (100.3, 700)],
    ))
    assert strat.whales(SYMBOL) == [
        Whale(Side.BUY, 99.9, 600.0, pytest.approx(59_940.0)),
        Whale(Side.SELL, 100.3, 700.0, pytest.approx(70_210.0)),
    ]
    strat.on_book(book(1, 1, 1))
    assert strat.whales(SYMBOL) == []
    assert strat.whales("ETH/USDT") == []


def test_a_whale_that_rested_long_enough_supports_the_signal() -> None:
    # Imbalance over the top level only, so the whale one level down changes nothing but support.
    whale = (99.9, 1000.0)
    plain = strategy(persist_s=2.0, depth_levels=1)
    supported = strategy(persist_s=2.0, depth_levels=1)
    (base,) = feed(plain, [book(t, 3, 1) for t in (0, 1, 2)])
    (boosted,) = feed(supported, [book(t, 3, 1, extra_bid=whale) for t in (0, 1, 2)])
    assert boosted.reasons == (ReasonCode.BOOK_IMBALANCE_BID, ReasonCode.WHALE_BID)
    assert boosted.confidence == pytest.approx(base.confidence + 0.1)


def test_a_fresh_whale_does_not_count_yet() -> None:
    strat = strategy(persist_s=2.0, whale_min_age_s=5.0)
    whale = (99.9, 1000.0)
    (signal,) = feed(strat, [book(0, 3, 1), book(1, 3, 1), book(2, 3, 1, extra_bid=whale)])
    assert signal.reasons == (ReasonCode.BOOK_IMBALANCE_BID,)
    assert strat.whales(SYMBOL)[0].price == 99.9


def test_an_opposing_whale_lowers_confidence() -> None:
    plain = strategy(persist_s=1.0, depth_levels=1)
    resisted = strategy(persist_s=1.0, depth_levels=1)
    (base,) = feed(plain, [book(t, 3, 1) for t in (0, 1)])
    (signal,) = feed(resisted, [book(t, 3, 1, extra_ask=(100.2, 1000.0)) for t in (0, 1)])
    assert signal.confidence == pytest.approx(base.confidence - 0.1)
    assert ReasonCode.WHALE_ASK not in signal.reasons


def test_profile_uses_market_rules_tick_size() -> None:
    strat = BookImbalanceStrategy(
        BookImbalanceParams(profile_ticks_per_bucket=5),
        rules={SYMBOL: MarketRules(SYMBOL, tick_size=0.1, lot_size=0.001)},
    )
    for i, (price, qty) in enumerate([(100.0, 1), (100.4, 3), (100.5, 1)]):
        strat.on_trade(Trade(SYMBOL, i, price, qty, Side.BUY))
    view = strat.profile(SYMBOL)
    assert view is not None
    assert view.levels == ((100.0, 4.0), (100.5, 1.0))
    assert view.poc_price == 100.0


def test_profile_infers_the_tick_from_the_book_without_rules() -> None:
    strat = BookImbalanceStrategy(BookImbalanceParams(profile_ticks_per_bucket=1))
    strat.on_trade(Trade(SYMBOL, 0, 100.0, 1.0, Side.BUY))  # before any book: no tick known, skipped
    assert strat.profile(SYMBOL) is None
    strat.on_book(book(0, 1, 1))
    strat.on_trade(Trade(SYMBOL, 1, 100.1, 2.0, Side.SELL))
    view = strat.profile(SYMBOL)
    assert view is not None
    assert view.bucket_size == pytest.approx(0.1)
    assert view.poc_price == 100.1


def test_buying_below_the_value_area_earns_the_value_bonus() -> None:
    rules = {SYMBOL: MarketRules(SYMBOL, tick_size=0.1, lot_size=0.001)}
    params = BookImbalanceParams(persist_s=0.0, profile_ticks_per_bucket=1, value_area_bonus=0.05)
    cheap = BookImbalanceStrategy(params, rules=rules)
    cheap.on_trade(Trade(SYMBOL, 0, 101.0, 10.0, Side.BUY))
    (signal,) = cheap.on_book(book(1, 3, 1))  # mid 100.05 is below the value area at 101.0
    (base,) = BookImbalanceStrategy(params, rules=rules).on_book(book(1, 3, 1))
    assert signal.confidence == pytest.approx(base.confidence + 0.05)


def test_changing_bucket_params_restarts_the_profile() -> None:
    strat = strategy()
    strat.on_book(book(0, 1, 1))
    strat.on_trade(Trade(SYMBOL, 1, 100.0, 1.0, Side.BUY))
    assert strat.profile(SYMBOL) is not None
    strat.set_params(strat.params.model_copy(update={"cooldown_s": 1.0}))
    assert strat.profile(SYMBOL) is not None
    strat.set_params(strat.params.model_copy(update={"profile_ticks_per_bucket": 3}))
    assert strat.profile(SYMBOL) is None


def test_params_reject_max_confidence_below_base() -> None:
    with pytest.raises(ValueError):
        BookImbalanceParams(base_confidence=0.8, max_confidence=0.7)


def test_market_rules_arriving_later_replace_the_inferred_tick() -> None:
    strat = BookImbalanceStrategy(BookImbalanceParams(profile_ticks_per_bucket=1))
    strat.on_book(book(0, 1, 1))
    strat.on_trade(Trade(SYMBOL, 1, 100.1, 1.0, Side.BUY))
    strat.set_market_rules(MarketRules(SYMBOL, tick_size=0.5, lot_size=0.001))
    assert strat.profile(SYMBOL) is None
    strat.on_trade(Trade(SYMBOL, 2, 100.5, 1.0, Side.BUY))
    assert strat.profile(SYMBOL).bucket_size == 0.5  # type: ignore[union-attr]
