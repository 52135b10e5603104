"""Comparing two decision streams: the WAL's and a replay's, record by record, field by field.

The envelope (``seq``, ``ts``) is never compared: it is when the journal wrote, not what
was decided. Payloads are compared exactly (determinism is byte for byte), except that a
wall-clock session's clock readings are left out (see ``is_clock_field``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hft_tui.replay.decision_stream import DecisionRecord, is_clock_field

# Fields listed per divergence before the rest are summarised as "... and N more".
MAX_LISTED_FIELDS = 12
_MISSING = object()


@dataclass(frozen=True, slots=True)
class FieldDifference:
    """One field that differs: its path in the payload (``budgets[2].used``), both values."""

    path: str
    expected: Any
    got: Any

    def describe(self) -> str:
        """``path: expected X, got Y`` (a missing side reads "absent")."""
        return f"{self.path}: expected {_show(self.expected)}, got {_show(self.got)}"


@dataclass(frozen=True, slots=True)
class Divergence:
    """The first place the replay decided differently from the WAL."""

    index: int
    expected: DecisionRecord | None
    got: DecisionRecord | None
    differences: tuple[FieldDifference, ...]
    event: int | None

    def describe(self) -> list[str]:
        """Human-readable lines: where, which record, which fields, expected against got."""
        where = f"decision #{self.index}"
        if self.event is not None:
            where += f", around market event {self.event}"
        if self.got is None:
            assert self.expected is not None
            return [f"first divergence at {where}: the WAL has a {self.expected.type} record "
                    f"(seq {self.expected.seq}) that the replay never made",
                    f"  expected: {_show(self.expected.payload)}"]
        if self.expected is None:
            return [f"first divergence at {where}: the replay made a {self.got.type} record "
                    f"the WAL does not have",
                    f"  got: {_show(self.got.payload)}"]
        if self.expected.type != self.got.type:
            return [f"first divergence at {where}: the WAL has {self.expected.type} "
                    f"(seq {self.expected.seq}), the replay {self.got.type} (seq {self.got.seq})",
                    f"  expected: {_show(self.expected.payload)}",
                    f"  got: {_show(self.got.payload)}"]
        lines = [f"first divergence at {where}: {self.expected.type} (WAL seq {self.expected.seq}, "
                 f"replay seq {self.got.seq})"]
        listed = self.differences[:MAX_LISTED_FIELDS]
        lines += [f"  {d.describe()}" for d in listed]
        if len(self.differences) > len(listed):
            lines.append(f"  ... and {len(self.differences) - len(listed)} more fields")
        return lines


@dataclass(frozen=True, slots=True)
class DecisionComparison:
    """How many decisions agreed, and the first divergence if there is one."""

    compared: int
    divergence: Divergence | None
    clock_fields_compared: bool

    @property
    def ok(self) -> bool:
        return self.divergence is None

    def summary(self) -> str:
        """``verified N decisions, 0 divergences``, or where the streams first part."""
        if self.divergence is None:
            return f"verified {self.compared} decisions, 0 divergences"
        return "\n".join(self.divergence.describe())


def compare_streams(
    expected: Sequence[DecisionRecord],
    got: Sequence[DecisionRecord],
    *,
    compare_clock_fields: bool = True,
    event_of: Callable[[DecisionRecord], int | None] = lambda _: None,
) -> DecisionComparison:
    """Walk both streams in step and stop at the first record that differs.

    ``event_of`` maps a replay decision to the market event that caused it (for the report).
    """
    for i in range(min(len(expected), len(got))):
        want, have = expected[i], got[i]
        differences = record_differences(want, have, compare_clock_fields=compare_clock_fields)
        if differences:
            return DecisionComparison(i, Divergence(i, want, have, tuple(differences), event_of(have)),
                                compare_clock_fields)
    common = min(len(expected), len(got))
    if len(expected) == len(got):
        return DecisionComparison(common, None, compare_clock_fields)
    last_event = event_of(got[-1]) if got else None
    if len(expected) > len(got):
        divergence = Divergence(common, expected[common], None, (), last_event)
    else:
        divergence = Divergence(common, None, got[common], (), event_of(got[common]))
    return DecisionComparison(common, divergence, compare_clock_fields)


def record_differences(expected: DecisionRecord, got: DecisionRecord, *,
                       compare_clock_fields: bool = True) -> list[FieldDifference]:
    """Every differing field of two decision records (the type first, if it differs)."""
    differences: list[FieldDifference] = []
    if expected.type != got.type:
        differences.append(FieldDifference("type", expected.type, got.type))
    _diff(expected.payload, got.payload, "", compare_clock_fields, differences)
    return differences


def _diff(expected: Any, got: Any, path: str, clock_fields: bool, out: list[FieldDifference]) -> None:
    if isinstance(expected, Mapping) and isinstance(got, Mapping):
        for key in _keys(expected, got):
            if not clock_fields and is_clock_field(key):
                continue
            child = f"{path}.{key}" if path else str(key)
            _diff(expected.get(key, _MISSING), got.get(key, _MISSING), child, clock_fields, out)
        return
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            out.append(FieldDifference(path, expected, got))
            return
        for i, (a, b) in enumerate(zip(expected, got)):
            _diff(a, b, f"{path}[{i}]", clock_fields, out)
        return
    # ``1 == 1.0`` and ``True == 1`` in Python; the journal would tell them apart.
    if expected != got or type(expected) is not type(got):
        out.append(FieldDifference(path, expected, got))


def _keys(expected: Mapping[str, Any], got: Mapping[str, Any]) -> list[str]:
    """Both payloads' keys, in the WAL record's order, then any the replay added."""
    return [*expected, *(k for k in got if k not in expected)]


def _show(value: Any) -> str:
    if value is _MISSING:
        return "absent"
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."
