"""The session layer reads the trading core and changes it only through its methods: no module
outside trading/core.py assigns or deletes a core field (or an entry of one), or calls a
private one."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "hft_tui"
CORE = PACKAGE / "trading" / "core.py"


def _is_core(node: ast.expr) -> bool:
    """``core``, ``self.core``, ``engine.core``..."""
    return (isinstance(node, ast.Name) and node.id == "core") or (isinstance(node, ast.Attribute) and node.attr == "core")


def _core_field(target: ast.expr) -> bool:
    """``core.x = ...``, ``core.x[k] = ...`` (and deeper subscripts of a core field)."""
    while isinstance(target, ast.Subscript):
        target = target.value
    return isinstance(target, ast.Attribute) and _is_core(target.value)


def _writes(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _is_core(node.func.value) \
                and node.func.attr.startswith("_"):
            found.append(f"{name}:{node.lineno}: {ast.unparse(node.func)}()")
        found += [f"{name}:{node.lineno}: {ast.unparse(t)}" for t in targets if _core_field(t)]
    return found


def test_no_module_but_the_core_writes_a_core_field_or_calls_a_private_one() -> None:
    found = [line for path in sorted(PACKAGE.rglob("*.py")) if path != CORE
             for line in _writes(path.read_text(), str(path.relative_to(PACKAGE)))]
    assert found == []


def test_the_scan_finds_a_field_write_and_a_private_call() -> None:
    sample = ("def f(core, engine):\n    core.orders['a'] = 1\n    engine.core.session_id = 's2'\n"
              "    del core.recovered['x']\n    core._send(1)\n    core.send(1)\n    x = core.orders\n")
    assert [line.split(": ", 1)[1] for line in _writes(sample, "sample")] == [
        "core.orders['a']", "engine.core.session_id", "core.recovered['x']", "core._send()"]
