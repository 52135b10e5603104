"""Which swept settings changed anything: a key whose every value gave the same run (same
trades, same equity) is said to have had no effect, and the rows it would have multiplied
are shown once, instead of a table of identical rows that reads like a robust optimum."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from hft_tui.backtest.report import BacktestReport


class RowLike(Protocol):
    """What is read from a sweep row (``sweep.SweepRow``)."""

    params: dict[str, Any]
    in_sample: BacktestReport
    out_of_sample: BacktestReport | None


def run_fingerprint(row: RowLike) -> str:
    """What makes two runs the same run: their returns, trades, fees, exits and open positions
    (in sample and out of sample; exact float reprs); the label and the assumptions are left out."""
    def of(report: BacktestReport | None) -> tuple[Any, ...]:
        if report is None:
            return ()
        return (report.events, report.returns, report.trades, report.fees_paid, report.exits,
                sorted(report.open_positions.items()))
    return repr((of(row.in_sample), of(row.out_of_sample)))


def keys_without_effect(grid: Mapping[str, Sequence[Any]], rows: Sequence[RowLike]) -> list[str]:
    """The grid keys with more than one value for which no two finished rows that differ only
    in that key differ in their run; keys never compared (too few rows finished) are not named."""
    fingerprints = [run_fingerprint(row) for row in rows]
    found = []
    for key in grid:
        if len(set(map(repr, grid[key]))) < 2:
            continue
        runs_by_rest: dict[tuple[str, ...], dict[str, str]] = {}
        for row, fingerprint in zip(rows, fingerprints):
            rest = tuple(repr(row.params[k]) for k in grid if k != key)
            runs_by_rest.setdefault(rest, {})[repr(row.params[key])] = fingerprint
        compared = [runs for runs in runs_by_rest.values() if len(runs) > 1]
        if compared and all(len(set(runs.values())) == 1 for runs in compared):
            found.append(key)
    return found


@dataclass(frozen=True, slots=True)
class ShownRow:
    """One table row: the shown value of each key (the values merged when the key had no effect)."""

    shown: dict[str, str]
    row: RowLike


def merge_rows(grid: Mapping[str, Sequence[Any]], rows: Sequence[RowLike], without_effect: Sequence[str]) -> list[ShownRow]:
    """``rows`` in their order, the ones that differ only in keys without effect shown once
    (their values joined, e.g. ``20|30|50``)."""
    merged: dict[tuple[str, ...], tuple[RowLike, dict[str, list[str]]]] = {}
    for row in rows:
        identity = tuple(repr(row.params[k]) for k in grid if k not in without_effect)
        first, values = merged.setdefault(identity, (row, {k: [] for k in without_effect}))
        for key in without_effect:
            if str(row.params[key]) not in values[key]:
                values[key].append(str(row.params[key]))
    return [ShownRow({k: "|".join(values[k]) if k in values else str(first.params[k]) for k in grid}, first)
            for first, values in merged.values()]
