"""Every key of the workstation as data: binding id, default key, action and help text.

The TUI builds its Textual bindings from this table (``tui/bindings.py``); the settings
check a ``[ui.keymap]`` against it, so a misspelt id or two actions on one key is a
configuration error, not a key that silently does nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

# Pane n (1-9) is PANE_IDS[n - 1]; each pane's border title starts with its number.
PANE_IDS = ("book", "price", "signals", "positions", "strategies", "drb", "health", "symbols", "wal")
PANE_NAMES = ("order book", "price chart", "signals", "positions & orders", "strategies",
              "DRB guard", "engine health", "symbols", "WAL tail")


@dataclass(frozen=True, slots=True)
class KeySpec:
    """One binding: ``priority`` keys work over a focused table; ``show`` puts it in the footer."""

    id: str
    key: str
    action: str
    description: str
    tooltip: str = ""
    priority: bool = False
    show: bool = True


KEY_SPECS: tuple[KeySpec, ...] = (
    KeySpec("kill", "ctrl+k", "kill", "Kill",
            "Kill switch: pause all, cancel all, close all, HALT (asks first; y confirms)", priority=True),
    KeySpec("flatten_all", "ctrl+f", "flatten_all", "Flatten all",
            "Close every position, reduce-only (asks first); trading continues", priority=True),
    KeySpec("flatten_symbol", "f", "flatten_symbol", "Flatten symbol",
            "Close the selected symbol's position (asks first)", show=False),
    KeySpec("toggle_strategy", "p", "toggle_strategy", "Pause",
            "Pause / resume the selected strategy (re-enable it if auto-disabled)"),
    KeySpec("tune", "t", "tune", "Tune",
            "Tune the selected strategy's parameters (a form with bounds; applied live)"),
    KeySpec("pause_all", "f5", "pause_all", "Pause all",
            "Pause every strategy; if none is running, resume them all", priority=True),
    KeySpec("reset_halt", "ctrl+r", "reset_halt", "Reset", "Leave HALTED (you type RESET to confirm)",
            priority=True),
    KeySpec("next_symbol", "s", "next_symbol", "Symbol",
            "Switch book, price and signals to the next symbol", show=False),
    KeySpec("wal_filter", "w", "wal_filter", "WAL filter",
            "Cycle the WAL pane's filter: to act on (default), all, then orders & fills, signals, risk & "
            "state, operator, feed & errors, notices, session (every record type is in one)", show=False),
    KeySpec("manual_order", "o", "manual_order", "Order",
            "Manual order: symbol, side, size, market/limit, TP/SL; shows cost, risk and the risk gate's "
            "verdict before sending (y sends)", show=False),
    KeySpec("close_position", "x", "close_position", "Close",
            "Close the position under the cursor in pane 4 (reduce-only, asks first)", show=False),
    KeySpec("edit_exits", "e", "edit_exits", "Exits",
            "Move the take-profit and stop-loss of the position under the cursor in pane 4", show=False),
    KeySpec("cancel_order", "c", "cancel_order", "Cancel order",
            "Cancel the working order under the cursor in pane 4's orders (asks first)", show=False),
    KeySpec("notices", "n", "notices", "Notices",
            "Broker, reconcile, recovery, kill and risk notices, kept until you acknowledge them (a)"),
    KeySpec("trades", "h", "trades", "Trades",
            "Every closed trade across restarts, newest first; s / g filter by symbol / strategy", show=False),
    KeySpec("pnl", "dollar_sign", "pnl", "PnL",
            "Realised and unrealised PnL today / this week / this month / all time, per strategy and "
            "symbol, with the running realised PnL as a curve", show=False),
    KeySpec("balances", "b", "balances", "Balances",
            "LIVE: free / locked / total per asset as the exchange last reported them, holdings outside "
            "the engine marked; SIM and PAPER: the paper account", show=False),
    KeySpec("help", "f1", "help", "Help", "This help", priority=True),
    KeySpec("help_alt", "question_mark", "help", "Help", "This help", show=False),
    KeySpec("quit", "q", "quit", "Quit",
            "Stop the engine (WAL flushed) and leave; warns if positions are open (^q: from anywhere)"),
    KeySpec("quit_ctrl", "ctrl+q", "quit_app", "Quit", priority=True, show=False),
    KeySpec("detach", "d", "detach", "Detach",
            "Attached workstation only: leave it; the served engine keeps trading (q leaves it too)"),
    *(KeySpec(f"focus_pane_{n}", str(n), f"focus_pane({n})", f"Pane {n}",
              f"Focus the {PANE_NAMES[n - 1]} pane (brings it on screen in compact layout)", show=False)
      for n in range(1, 10)),
)

BINDING_IDS = tuple(spec.id for spec in KEY_SPECS)
# What a keymap may write for a key that has a longer name in the terminal's key events.
_KEY_ALIASES = {"?": "question_mark", " ": "space", "/": "slash", "+": "plus", "-": "minus",
                "$": "dollar_sign"}


def keys_of(keys: str) -> list[str]:
    """``"f1, ?"`` -> ``["f1", "question_mark"]``."""
    return [_KEY_ALIASES.get(key.strip(), key.strip()) for key in keys.split(",") if key.strip()]


def keymap_problems(keymap: Mapping[str, str]) -> list[str]:
    """What is wrong with ``keymap`` (binding id -> keys): unknown ids, empty keys, and keys
    that would then do two different things."""
    problems = []
    for binding_id, keys in keymap.items():
        if binding_id not in BINDING_IDS:
            close = difflib.get_close_matches(binding_id, BINDING_IDS, n=1) or \
                difflib.get_close_matches(binding_id.lower(), BINDING_IDS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; ids: {', '.join(BINDING_IDS)}"
            problems.append(f"unknown binding id {binding_id!r}{hint}")
        elif not keys_of(keys):
            problems.append(f"{binding_id} = {keys!r} names no key")
    actions_by_key: dict[str, dict[str, str]] = {}
    for spec in KEY_SPECS:
        for key in keys_of(keymap.get(spec.id, spec.key)):
            actions_by_key.setdefault(key, {}).setdefault(spec.action, spec.id)
    for key, actions in actions_by_key.items():
        if len(actions) > 1:
            ids = " and ".join(actions.values())
            problems.append(f"{key} is bound to both {ids}; give one of them another key")
    return problems
