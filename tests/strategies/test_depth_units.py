"""A quantity's whole 1e-8 units are ``round(qty * 1e8)`` to the unit, ties to even included:
the depth sums' own rounding (written with ``floor``, native when compiled) moves no sum."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hft_tui.strategies.depth_sums import depth_units


def _tie(units: int) -> float | None:
    """A quantity whose scaled value is exactly ``units + 0.5``, if a float is one."""
    qty = (units + 0.5) / 1e8
    return qty if qty * 1e8 == units + 0.5 else None


@settings(max_examples=2_000)
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False))
@example(0.0)
@example(-0.0)
@example(0.000000015)
@example(0.000000025)
@example(1e-9)
@example(0.123456785)
@example(4503599627370497.0 / 1e8)  # scaled past 2**52: every float there is whole
@example(1e9)
def test_depth_units_equal_round_of_the_scaled_quantity(qty: float) -> None:
    assert depth_units(qty) == round(qty * 1e8)


@settings(max_examples=1_000)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_depth_units_break_ties_to_even_as_round_does(units: int) -> None:
    qty = _tie(units)
    if qty is not None:
        assert depth_units(qty) == round(qty * 1e8) == (units if units % 2 == 0 else units + 1)


def test_ties_are_reached_on_both_sides_of_even() -> None:
    ties = [qty for qty in map(_tie, range(0, 2_000)) if qty is not None]
    assert len(ties) > 1_000
    assert [depth_units(q) for q in ties] == [round(q * 1e8) for q in ties]
    assert {depth_units(q) % 2 for q in ties} == {0}
