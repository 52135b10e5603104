"""The cached formatter writes exactly what ``iso_utc`` writes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hft_tui.clock import iso_utc
from hft_tui.wal.timestamps import iso_utc_formatter

_YEAR_2100_NS = 4_102_444_800 * 10**9


@given(st.lists(st.integers(min_value=0, max_value=_YEAR_2100_NS), min_size=1, max_size=20))
def test_matches_iso_utc_for_any_sequence_of_times(times_ns: list[int]) -> None:
    format_ts = iso_utc_formatter()
    assert [format_ts(t) for t in times_ns] == [iso_utc(t) for t in times_ns]


def test_crossing_a_second_boundary_updates_the_prefix() -> None:
    format_ts = iso_utc_formatter()
    base = 1_767_225_599 * 10**9
    assert format_ts(base + 999_999_999) == "2025-12-31T23:59:59.999999Z"
    assert format_ts(base + 1_000_000_000) == "2026-01-01T00:00:00.000000Z"
