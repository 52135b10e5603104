import pytest

from hft_tui.strategies.volume_profile import VolumeProfile

S = 1_000_000_000


def profile_of(volumes: dict[float, float], tick: float = 1.0, ticks_per_bucket: int = 1) -> VolumeProfile:
    profile = VolumeProfile("BTC/USDT", tick, ticks_per_bucket, window_s=3600)
    for ts, (price, qty) in enumerate(volumes.items()):
        profile.add(price, qty, ts)
    return profile


def test_poc_is_the_heaviest_bucket_and_value_area_grows_towards_the_heavier_side() -> None:
    # total 100, target 70: POC 100 (40) + 101 (20 beats 10 below) + 102 (15 beats 10) = 75.
    view = profile_of({98: 5, 99: 10, 100: 40, 101: 20, 102: 15, 103: 10}).view()
    assert view is not None
    assert view.poc_price == 100
    assert (view.value_area_low, view.value_area_high) == (100, 102)
    assert view.total_qty == pytest.approx(100)
    assert view.levels[0] == (98, 5)


def test_value_area_extends_down_when_the_lower_neighbour_is_heavier() -> None:
    view = profile_of({98: 30, 99: 25, 100: 40, 101: 5}).view()
    assert view is not None
    # 40 + 25 = 65 < 70, then 30 below beats 5 above.
    assert (view.value_area_low, view.poc_price, view.value_area_high) == (98, 100, 100)


def test_prices_are_bucketed_by_ticks_without_float_flooring_errors() -> None:
    profile = profile_of({100.1: 1, 100.9: 2, 101.0: 4}, tick=0.1, ticks_per_bucket=10)
    view = profile.view()
    assert view is not None
    assert view.levels == ((100.0, 3.0), (101.0, 4.0))
    # 100.1 / 0.1 is 1000.9999999999999 in floats; the tick index must still say 1001.
    assert profile_of({100.1: 1}, tick=0.1).view().poc_price == 100.1  # type: ignore[union-attr]


def test_trades_older_than_the_window_drop_out() -> None:
    profile = VolumeProfile("BTC/USDT", 1.0, 1, window_s=10)
    profile.add(100, 50, 0)
    profile.add(105, 1, 5 * S)
    assert profile.view().poc_price == 100  # type: ignore[union-attr]
    profile.add(105, 1, 11 * S)
    view = profile.view()
    assert view is not None
    assert view.poc_price == 105
    assert view.levels == ((105.0, 2.0),)


def test_no_view_before_the_first_trade_and_in_value_area_covers_whole_buckets() -> None:
    assert VolumeProfile("X/USDT", 0.5, 2, 60).view() is None
    view = profile_of({10.0: 5, 11.0: 1}, tick=0.5, ticks_per_bucket=2).view()
    assert view is not None
    assert view.in_value_area(10.9)
    assert not view.in_value_area(11.0)
