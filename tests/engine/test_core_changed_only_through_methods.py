"""The session layer reads the trading core and changes it only through its methods: no module
outside trading/core.py assigns or deletes a core field (or an entry of one), or calls a
private one; and the session layer calls no method of the core's inner parts (its portfolio,
exits, trading state, sanitizer, notices...) but their reads: saving and restoring the core is
``trading/state.py``'s, the rest goes through the core's methods and its parts made for callers
(``core.risk``, ``core.flattening``, ``core.bookkeeping``, ``core.strategies``: the strategy host,
a read-only mapping of the running strategies with the methods that host them). The backtests
and the hostile-input run build a core of their own and are held to the same. The snapshot
builder reads even less: the core's read API only, its parts through the read-only views of
``trading/read_views.py``, never an inner part."""

from __future__ import annotations

import ast
from pathlib import Path

from hft_tui.trading.read_views import FeedView, NoticesView, PortfolioView

PACKAGE = Path(__file__).resolve().parents[2] / "hft_tui"
CORE = PACKAGE / "trading" / "core.py"
# The packages that run a session around a core the assembly built, and those that build and
# drive a core of their own (the backtest runner and its vectorised path, the hostile-input run).
SESSION_LAYER = ("session", "serve", "alerts", "tui", "cli", "replay", "backtest", "hostile_input.py")
# The core's inner parts: what the session layer may only read.
INNER_PARTS = frozenset({
    "portfolio", "exits", "state", "manager", "sanitizer", "notices", "drb", "trades", "gate",
    "tca", "feed_health", "sync_broker", "books", "candles", "sizer", "fee_models", "orders",
    "open_trades", "last_trades", "counters",
})
# The reads among their methods.
READS = frozenset({"get", "items", "values", "keys", "position", "positions", "snapshot", "equity",
                   "trading_equity", "mark_price", "rules", "symbols", "status", "disabled_reason", "states",
                   "silent_symbols", "references", "exiting", "to_payload"})


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


def _reaches(source: str, name: str) -> list[str]:
    """Calls ``core.<inner part>.<method>(...)`` of a method that is not a read."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        part = node.func.value
        if (isinstance(part, ast.Attribute) and _is_core(part.value) and part.attr in INNER_PARTS
                and node.func.attr not in READS):
            found.append(f"{name}:{node.lineno}: {ast.unparse(node.func)}()")
    return found


def test_the_session_layer_calls_no_method_of_the_cores_inner_parts_but_reads() -> None:
    found = [line for package in SESSION_LAYER for path in _modules(PACKAGE / package)
             for line in _reaches(path.read_text(), str(path.relative_to(PACKAGE)))]
    assert found == []


def _modules(path: Path) -> list[Path]:
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def test_the_scan_covers_every_package_and_module_it_names() -> None:
    assert all((PACKAGE / name).exists() for name in SESSION_LAYER)


def test_the_scan_finds_a_reach_into_an_inner_part() -> None:
    sample = ("def f(core, engine):\n    core.portfolio.restore({}, 0.0, 0.0)\n    engine.core.exits.track(r)\n"
              "    core.portfolio.position('BTC')\n    core.risk.hold('k', c, 'd')\n    core.wal.write(r)\n"
              "    core.strategies.get('trend')\n    core.notices.restore(p)\n    core.strategies.disable('x', c)\n")
    assert [line.split(": ", 1)[1] for line in _reaches(sample, "sample")] == [
        "core.portfolio.restore()", "engine.core.exits.track()", "core.notices.restore()"]


BUILDER = PACKAGE / "session" / "engine_snapshot_builder.py"
# What the snapshot builder may read of a core: plain reads, and per view what it offers.
_PLAIN = None
BUILDER_READS: dict[str, frozenset[str] | None] = {
    "symbols": _PLAIN, "rules": _PLAIN, "books": _PLAIN, "last_trades": _PLAIN, "orders": _PLAIN,
    "open_trades": _PLAIN, "signal_history": _PLAIN, "settings": _PLAIN, "wal": frozenset({"tail", "last_seq"}),
    "lots_held": _PLAIN, "exit_rules": _PLAIN, "rejection_counts": _PLAIN,
    "risk": frozenset({"trading_state", "trading_reason", "guard_state"}),
    "strategies": frozenset({"standing", "default_params", "signal_counts", "book_marks", "items", "get"}),
    **{name: frozenset(n for n in vars(view) if not n.startswith("_"))
       for name, view in (("portfolio_view", PortfolioView), ("feed_view", FeedView), ("notices_view", NoticesView))},
}


def _builder_reads(source: str) -> list[str]:
    """Every ``core.<name>`` and ``core.<name>.<member>`` the builder may not read."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Attribute) and _is_core(node.value)):
            continue
        if node.attr not in BUILDER_READS:
            found.append(f"core.{node.attr}")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and _is_core(node.value.value):
            members = BUILDER_READS.get(node.value.attr)
            if members is not None and node.attr not in members:
                found.append(f"core.{node.value.attr}.{node.attr}")
    return found


def test_the_snapshot_builder_reads_the_core_only_through_its_read_api_and_views() -> None:
    assert _builder_reads(BUILDER.read_text()) == []


def test_the_builder_scan_finds_an_inner_part_and_a_member_no_view_offers() -> None:
    sample = ("def f(core):\n    core.portfolio.equity()\n    core.portfolio_view.rebase(1.0)\n"
              "    core.feed_view.state('BTC')\n    core.manager.status('x')\n    core.risk.hold('k')\n")
    assert _builder_reads(sample) == ["core.portfolio", "core.manager", "core.portfolio_view.rebase", "core.risk.hold"]
