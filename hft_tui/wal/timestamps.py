"""Fast ``iso_utc``: the WAL stamps every record, and formatting a datetime per record is slow."""

from __future__ import annotations

from collections.abc import Callable

from hft_tui.clock import iso_utc

_NS_PER_S = 1_000_000_000


def iso_utc_formatter() -> Callable[[int], str]:
    """A function equal to ``iso_utc`` that reuses the date-and-seconds prefix within a second.

    A closure rather than a class with ``__call__``: it is called once per append.
    """
    cached_second: int | None = None
    prefix = ""
    last_ns: int | None = None
    last_ts = ""

    def format_ts(ts_ns: int) -> str:
        nonlocal cached_second, prefix, last_ns, last_ts
        if ts_ns == last_ns:  # simulated clocks stamp many records with one event time
            return last_ts
        second, rem_ns = divmod(ts_ns, _NS_PER_S)
        if second != cached_second:
            # "YYYY-MM-DDTHH:MM:SS" from the reference formatter, so both always agree.
            prefix = iso_utc(second * _NS_PER_S)[:19]
            cached_second = second
        last_ns, last_ts = ts_ns, "%s.%06dZ" % (prefix, rem_ns // 1_000)
        return last_ts

    return format_ts
