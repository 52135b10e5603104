"""One table of WAL record types: every type the code writes is in it, every type is in a WAL
filter, and the replay's decision stream is read from it."""

from __future__ import annotations

import re
from pathlib import Path

from hft_tui.replay.decision_stream import DECISION_TYPES
from hft_tui.session.engine import _command_type
from hft_tui.trading.commands import Kill, PauseStrategy
from hft_tui.tui.panes.wal_tail import WAL_FILTERS
from hft_tui.wal.record_types import RECORD_TYPES

PACKAGE = Path(__file__).resolve().parents[2] / "hft_tui"
_APPEND = re.compile(r"wal\.append(?:_durable)?\(\s*([^,]+?),", re.S)
_LITERAL = re.compile(r'"([a-z_]+)"')


def _written_types() -> set[str]:
    """Record types in every ``wal.append``/``append_durable`` call in the package: string
    literals in the first argument, or a module constant it names."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for first in _APPEND.findall(source):
            literals = _LITERAL.findall(first)
            if literals:
                found.update(literals)
            elif re.fullmatch(r"[A-Z_]+", first.strip()):
                constant = re.search(rf'^{first.strip()}\s*=\s*"([a-z_]+)"', source, re.M)
                assert constant, f"{path}: cannot resolve record type {first.strip()}"
                found.add(constant.group(1))
    return found


def test_every_record_type_the_code_writes_is_registered() -> None:
    written = _written_types() | {_command_type(Kill()), _command_type(PauseStrategy())}
    assert len(written) > 20  # the scan found the writers
    missing = written - set(RECORD_TYPES)
    assert not missing, f"add these to hft_tui/wal/record_types.py: {sorted(missing)}"


def test_every_registered_type_is_in_some_wal_filter_besides_all() -> None:
    filtered = set().union(*(types for _, types in WAL_FILTERS if types is not None))
    assert filtered == set(RECORD_TYPES)
    assert ("all", None) in WAL_FILTERS


def test_the_decision_stream_is_what_it_was_before_the_table() -> None:
    assert DECISION_TYPES == {
        "signal", "order", "order_rejected", "order_update", "fill", "trade_closed", "exit_rules",
        "state", "risk", "flatten", "flatten_incomplete", "cancel", "param", "pause", "strategy",
        "command", "kill", "feed", "rejection",
    }
