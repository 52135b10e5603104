"""Why the winner of a search may not be real: the warnings a sweep and a study both print.

Works on metric values (in-sample, out-of-sample) of rows already ranked best first, so a
sweep's reports and a study's stored trial values share one judgement.
"""

from __future__ import annotations

from collections.abc import Sequence

# Out-of-sample keeping less than this share of the in-sample metric looks like a fit to noise.
OVERFIT_KEEP_RATIO = 0.5


def overfitting_warnings(values: Sequence[tuple[float | None, float | None]], metric: str,
                         higher_is_better: bool, *, has_out_of_sample: bool,
                         what: str = "combinations", stopped_early: int = 0) -> list[str]:
    """Warnings for ``values`` ((in-sample, out-of-sample) per row, ranked best first): always
    the multiple-testing caveat (``stopped_early``: runs tried but pruned, not in ``values``),
    plus what the out-of-sample windows say about the winner."""
    if not values:
        return []
    pruned = f" ({stopped_early} of them stopped early by pruning)" if stopped_early else ""
    warnings = [f"{len(values) + stopped_early} {what} were tried{pruned}: the best in-sample result is "
                "biased upwards by the search itself; judge it on out-of-sample data."]
    if not has_out_of_sample:
        warnings.append("no out-of-sample window: use --split or --walk-forward to check the winner.")
        return warnings
    is_value, oos_value = values[0]
    if oos_value is None:
        warnings.append(f"the winner's out-of-sample {metric} is undefined (no trades there, or withheld on a "
                        "window under a day): nothing checks it; give it a longer out-of-sample window.")
    if is_value is not None and oos_value is not None and higher_is_better and is_value > 0:
        if oos_value < is_value * OVERFIT_KEEP_RATIO:
            warnings.append(f"OVERFITTING LIKELY: the winner's out-of-sample {metric} {oos_value:.3g} keeps "
                            f"less than {OVERFIT_KEEP_RATIO:.0%} of its in-sample {is_value:.3g}.")
    # Ranked out of sample the same way (undefined last, ties keep the in-sample order).
    order = sorted(range(len(values)), key=lambda i: _sort_key(values[i][1], higher_is_better))
    oos_rank = order.index(0) + 1
    if len(values) >= 4 and oos_rank > len(values) // 2:
        warnings.append(f"OVERFITTING LIKELY: the in-sample winner ranks {oos_rank} of {len(values)} out of sample.")
    return warnings


def _sort_key(value: float | None, higher_is_better: bool) -> tuple[int, float]:
    if value is None:
        return (1, 0.0)
    return (0, -value if higher_is_better else value)
