"""How the DRB guard's state goes into the WAL: in full once, then only what changed.

A full ``DrbState`` payload is ~1.9 KB (seven budgets, seven breakers) and the guard
publishes whenever one budget moves a step, so journaling it whole made ``risk`` records
40% of the WAL. A partial record carries the scalar fields and just the budgets and
breakers that changed; ``merge_risk_payload`` folds it back onto the last full one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PARTIAL = "partial"


def risk_record(previous: Mapping[str, Any] | None, current: dict[str, Any]) -> dict[str, Any]:
    """The record to journal for ``current`` (a full payload) after ``previous`` was journaled."""
    if previous is None:
        return current
    record = {k: v for k, v in current.items() if k not in ("budgets", "breakers")}
    record[PARTIAL] = True
    for part in ("budgets", "breakers"):
        before = {item["name"]: item for item in previous[part]}
        record[part] = [item for item in current[part] if before.get(item["name"]) != item]
    return record


def merge_risk_payload(full: Mapping[str, Any] | None, record: Mapping[str, Any]) -> dict[str, Any]:
    """The full payload after ``record`` (a full or partial ``risk`` record)."""
    if not record.get(PARTIAL) or full is None:
        return {k: v for k, v in record.items() if k != PARTIAL}
    merged = {k: v for k, v in record.items() if k not in ("budgets", "breakers", PARTIAL)}
    for part in ("budgets", "breakers"):
        changed = {item["name"]: item for item in record[part]}
        merged[part] = [changed.get(item["name"], item) for item in full[part]]
    return merged
