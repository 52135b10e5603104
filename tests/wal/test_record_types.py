"""One module of WAL record types: every record the session writes is a registered typed
record, every type is in a WAL filter, the replay's decision stream is read from it, and
each type's codec gives back the very payload it read (so typed writers keep the bytes)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from hft_tui.backtest.runner import DataSpec, Window, run_backtest
from hft_tui.config.loader import load_settings
from hft_tui.market.sim_setup import DEFAULT_SIM_START_NS
from hft_tui.replay.decision_stream import DECISION_TYPES
from hft_tui.tui.panes.wal_tail import WAL_FILTERS
from hft_tui.wal.reader import iter_records
from hft_tui.wal.record_types import (
    ABSENT,
    RECORD_CLASSES,
    RECORD_TYPES,
    AccountRead,
    CommandIssued,
    HoldChanged,
    KillIssued,
    OrderRejected,
    OrderUpdate,
    Record,
    decode,
)

PACKAGE = Path(__file__).resolve().parents[2] / "hft_tui"
WAL_PACKAGE = PACKAGE / "wal"


def _append_calls(path: Path) -> list[ast.Call]:
    """``<x>.append(...)``/``append_durable(...)`` calls on something named ``wal``."""
    calls = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("append", "append_durable")
                and ast.unparse(node.func.value).split(".")[-1] == "wal"):
            calls.append(node)
    return calls


def test_outside_the_wal_package_records_are_written_typed() -> None:
    """A dict literal under a string type is how the schema lost its home: only a verbatim
    copy of a record already read (the replay's) may go through ``append``."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        if WAL_PACKAGE in path.parents:
            continue
        for call in _append_calls(path):
            if ast.unparse(call.args[0]) != "record.type" or ast.unparse(call.args[1]) != "record.payload":
                found.append(f"{path.relative_to(PACKAGE)}:{call.lineno}: {ast.unparse(call)[:80]}")
    assert not found, "write a typed record (wal/record_types.py) with wal.write:\n" + "\n".join(found)


SERVE_PACKAGE = PACKAGE / "serve"  # the control protocol's messages have a "type" of their own


def _reads_a_type(node: ast.expr) -> bool:
    """``x.type``, ``x["type"]`` or ``x.get("type")``."""
    if isinstance(node, ast.Attribute):
        return node.attr == "type"
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "type"
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value == "type")


def _record_type_literals(node: ast.expr) -> list[str]:
    """The record type names written as string literals in ``node`` (a constant or a collection)."""
    return [n.value for n in ast.walk(node)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in RECORD_TYPES]


def _type_literal_comparisons(source: str) -> list[tuple[int, str]]:
    """Comparisons of a record's type with a record type's name spelled as a string."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_reads_a_type(o) for o in operands):
                names = [name for o in operands for name in _record_type_literals(o)]
                if names:
                    found.append((node.lineno, ast.unparse(node)[:90]))
    return found


def test_journal_readers_name_record_types_through_their_classes() -> None:
    """A reader that spells ``"snapshot"`` or ``"command"`` keeps a type list of its own, which
    is how the readers came to disagree: ``RecordClass.TYPE`` is the one spelling."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        if WAL_PACKAGE in path.parents or SERVE_PACKAGE in path.parents:
            continue
        for line, text in _type_literal_comparisons(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(PACKAGE)}:{line}: {text}")
    assert not found, "compare with RecordClass.TYPE (wal/record_types.py):\n" + "\n".join(found)


def test_the_type_literal_scan_finds_what_the_readers_used_to_write() -> None:
    old_readers = (
        'if record.type == "snapshot": pass\n'
        'signals = [r for r in records if r["type"] == "signal"]\n'
        'x = record.get("type") in ("order", "fill")\n'
        'ok = record.type == StateSnapshot.TYPE\n'
        'kind = message["type"] == "hello"\n'
    )
    assert sorted(line for line, _ in _type_literal_comparisons(old_readers)) == [1, 2, 3]


def test_every_record_class_is_registered_under_its_type() -> None:
    def subclasses(cls: type) -> set[type]:
        return {s for c in cls.__subclasses__() for s in (c, *subclasses(c))}
    # By name: a slotted dataclass replaces the class it decorates, and the replaced one may
    # still be listed among the subclasses.
    concrete = {c.__name__ for c in subclasses(Record) if not c.__name__.startswith("_")}
    assert concrete == {cls.__name__ for cls in RECORD_CLASSES.values()}
    assert all(RECORD_CLASSES[cls.TYPE] is cls for cls in RECORD_CLASSES.values())
    assert set(RECORD_CLASSES) == set(RECORD_TYPES)
    assert len(RECORD_TYPES) > 30


def test_every_registered_type_is_in_some_wal_filter_besides_all() -> None:
    filtered = set().union(*(types for _, types in WAL_FILTERS if types is not None))
    assert filtered == set(RECORD_TYPES)
    assert ("all", None) in WAL_FILTERS


def test_the_decision_stream_is_what_it_was_before_the_table_and_strategy_reloads() -> None:
    assert DECISION_TYPES == {
        "signal", "order", "order_rejected", "order_update", "fill", "trade_closed", "exit_rules",
        "state", "risk", "flatten", "flatten_incomplete", "cancel", "param", "pause", "strategy",
        "command", "kill", "feed", "rejection", "strategy_reload",
    }


def _round_trips(record_type: str, payload: dict[str, Any]) -> bool:
    typed = decode(record_type, payload)
    assert typed is not None, record_type
    return list(typed.to_payload().items()) == list(payload.items())


def test_every_record_of_a_seeded_session_decodes_and_encodes_to_the_same_payload(tmp_path: Path) -> None:
    settings = load_settings(None, {"engine.seed": 7})
    spec = DataSpec("sim", duration_s=600, symbols=tuple(settings.engine.symbols))
    window = Window("full", DEFAULT_SIM_START_NS, DEFAULT_SIM_START_NS + 600 * 10**9)
    run_backtest(settings, spec, window, wal_dir=tmp_path / "wal")
    records = list(iter_records(tmp_path / "wal"))
    seen = {r.type for r in records}
    assert {"signal", "order", "order_update", "fill", "exit_rules", "trade_closed", "risk"} <= seen
    assert [r.seq for r in records if not _round_trips(r.type, r.payload)] == []


@pytest.mark.parametrize(("record", "payload"), [
    (OrderUpdate(client_id="s1o1", symbol="BTC/USDT", status="open", exchange_id="x9"),
     {"client_id": "s1o1", "symbol": "BTC/USDT", "status": "open", "exchange_id": "x9"}),
    (OrderUpdate(client_id="s1o1", symbol="BTC/USDT", status="filled", filled_qty=0.1, avg_fill_price=10.0,
                 reason=None),
     {"client_id": "s1o1", "symbol": "BTC/USDT", "status": "filled", "filled_qty": 0.1, "avg_fill_price": 10.0,
      "reason": None}),
    (OrderUpdate.not_executed("s1o1", "BTC/USDT", "RECOVERED_NOT_EXECUTED"),
     {"client_id": "s1o1", "symbol": "BTC/USDT", "status": "cancelled", "reason": "RECOVERED_NOT_EXECUTED"}),
    (OrderRejected(client_id="s1o2", code="RISK_MAX_POSITION"), {"client_id": "s1o2", "code": "RISK_MAX_POSITION"}),
    (HoldChanged(key="reconcile", released=True, detail="done"),
     {"key": "reconcile", "released": True, "detail": "done"}),
    (AccountRead(totals={"USDT": 1.0}, equity=1.0, mismatches=ABSENT), {"totals": {"USDT": 1.0}, "equity": 1.0}),
    (CommandIssued(command="PauseStrategy", at_event=12, args={"name": None}),
     {"command": "PauseStrategy", "at_event": 12, "name": None}),
    (KillIssued(command="Kill", at_event=3, args={"source": "ctl"}, clock_ns=99),
     {"command": "Kill", "at_event": 3, "source": "ctl", "clock_ns": 99}),
])
def test_a_type_with_several_shapes_writes_only_what_it_carries(record: Record, payload: dict[str, Any]) -> None:
    assert list(record.to_payload().items()) == list(payload.items())
    assert decode(record.TYPE, payload) == record


def test_a_type_this_build_does_not_know_decodes_to_none() -> None:
    assert decode("from_a_newer_build", {"x": 1}) is None
