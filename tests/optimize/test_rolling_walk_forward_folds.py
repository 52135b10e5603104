from __future__ import annotations

import pytest

from hft_tui.backtest.runner import split_windows
from hft_tui.backtest.walk_forward import rolling_folds


def test_out_of_sample_windows_tile_the_end_of_the_data_and_each_follows_its_in_sample_window() -> None:
    folds = rolling_folds(1_000, 101_000, 4, 0.75)
    assert folds[-1].out_of_sample.end_ts_ns == 101_000
    for fold in folds:
        assert fold.in_sample.end_ts_ns == fold.out_of_sample.start_ts_ns
        length = fold.in_sample.end_ts_ns - fold.in_sample.start_ts_ns
        assert length == folds[0].in_sample.end_ts_ns - folds[0].in_sample.start_ts_ns  # rolling, not anchored
    for before, after in zip(folds, folds[1:], strict=False):
        assert before.out_of_sample.end_ts_ns == after.out_of_sample.start_ts_ns  # no gap, no overlap
        assert after.in_sample.start_ts_ns > before.in_sample.start_ts_ns
    assert folds[0].in_sample.start_ts_ns == 1_000


def test_one_fold_is_the_plain_split() -> None:
    (fold,) = rolling_folds(0, 10_000, 1, 0.7)
    in_sample, out_of_sample = split_windows(0, 10_000, 0.7, None)
    assert (fold.in_sample.start_ts_ns, fold.in_sample.end_ts_ns) == (in_sample.start_ts_ns, in_sample.end_ts_ns)
    assert (fold.out_of_sample.start_ts_ns, fold.out_of_sample.end_ts_ns) == \
        (out_of_sample.start_ts_ns, out_of_sample.end_ts_ns)


@pytest.mark.parametrize(("folds", "fraction"), [(0, 0.7), (3, 1.0), (3, 0.0)])
def test_impossible_folds_are_refused(folds: int, fraction: float) -> None:
    with pytest.raises(ValueError):
        rolling_folds(0, 10_000, folds, fraction)
