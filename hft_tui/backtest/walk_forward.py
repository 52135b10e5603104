"""Rolling walk-forward windows: in-sample windows that roll forward by the length of the
out-of-sample window that follows each, so the out-of-sample windows tile the end of the data
without overlapping. One fold is the plain ``--split`` (in-sample first, the rest after)."""

from __future__ import annotations

from dataclasses import dataclass

from hft_tui.backtest.runner import Window


@dataclass(frozen=True, slots=True)
class Fold:
    """One in-sample window and the out-of-sample window right after it."""

    in_sample: Window
    out_of_sample: Window


def rolling_folds(start_ns: int, end_ns: int, folds: int, in_sample_fraction: float) -> list[Fold]:
    """``folds`` rolling folds over ``[start_ns, end_ns)``, each in-sample window holding
    ``in_sample_fraction`` of its fold."""
    if folds < 1:
        raise ValueError(f"walk-forward needs at least 1 fold, got {folds}")
    if not 0.0 < in_sample_fraction < 1.0:
        raise ValueError(f"the in-sample fraction must be between 0 and 1, got {in_sample_fraction}")
    span = end_ns - start_ns
    ratio = in_sample_fraction / (1.0 - in_sample_fraction)
    in_len = int(span * ratio / (folds + ratio))
    out_len = (span - in_len) // folds
    if in_len <= 0 or out_len <= 0:
        raise ValueError("the data is too short for that many walk-forward folds")
    result = []
    for i in range(folds):
        is_start = start_ns + i * out_len
        cut = is_start + in_len
        out_end = end_ns if i == folds - 1 else cut + out_len
        n = f" {i + 1}" if folds > 1 else ""
        result.append(Fold(Window(f"in-sample{n}", is_start, cut), Window(f"out-of-sample{n}", cut, out_end)))
    return result
