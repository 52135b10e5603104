"""The volume profile's rolling window stays consistent whatever the sizes of the prints."""

import math

import pytest

from hft_tui.strategies.volume_profile import VolumeProfile

S = 1_000_000_000


def profile() -> VolumeProfile:
    return VolumeProfile("BTC/USDT", tick_size=0.1, ticks_per_bucket=1, window_s=10.0)


@pytest.mark.parametrize("absurd_qty", [1e250, 1e-13, 1e-300, 5e-324])
def test_an_absurd_print_ages_out_of_the_window_with_its_bucket_neighbours(absurd_qty: float) -> None:
    vp = profile()
    vp.add(100.0, absurd_qty, 0)
    vp.add(100.0, 1.0, 1 * S)
    vp.add(100.0, absurd_qty, 2 * S)
    # Each later print pushes the earlier ones out of the 10 s window, one at a time.
    for t in range(11, 14):
        vp.add(200.0, 2.0, t * S)
    view = vp.view()
    assert view is not None
    assert [price for price, _ in view.levels] == [200.0]
    assert view.total_qty == pytest.approx(6.0)


def test_a_bucket_whose_volume_rounds_to_nothing_keeps_its_remaining_prints() -> None:
    vp = profile()
    vp.add(100.0, 1e250, 0)
    vp.add(100.0, 1.0, 5 * S)
    vp.add(300.0, 1.0, 10 * S + 1)  # 1e250 ages out; the 1.0 at 100.0 is still in the window
    view = vp.view()
    assert view is not None
    assert [price for price, _ in view.levels] == [100.0, 300.0]
    vp.add(300.0, 1.0, 16 * S)  # now the 1.0 at 100.0 ages out too
    assert [price for price, _ in vp.view().levels] == [300.0]  # type: ignore[union-attr]


@pytest.mark.parametrize("price, qty", [(math.nan, 1.0), (100.0, math.nan), (math.inf, 1.0),
                                        (100.0, math.inf), (1e308, 1.0), (0.0, 1.0), (100.0, -1.0)])
def test_prints_that_are_not_positive_finite_numbers_are_ignored(price: float, qty: float) -> None:
    vp = profile()
    vp.add(price, qty, 0)
    assert vp.view() is None
