"""Every key of the workstation, in one place, each with an id so a keymap can remap it.

Critical keys (kill, flatten all, pause all, reset, help) are ctrl/F-keys bound with
``priority=True``, so a focused table cannot swallow them. While a text field has the focus,
its editing keys (ctrl+f, ctrl+r, letters ...) are the field's: only the kill opener, F-keys
and ctrl+q stay the app's (``text_field_safe``). Letter keys act on the main screen only
(``MAIN_SCREEN_ACTIONS``), so under a modal they belong to the modal.
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import App
from textual.binding import Binding, BindingType

# Pane n (1-9) is PANE_IDS[n - 1]; each pane's border title starts with its number.
PANE_IDS = ("book", "price", "signals", "positions", "strategies", "drb", "health", "symbols", "wal")
PANE_NAMES = ("order book", "price chart", "signals", "positions & orders", "strategies",
              "DRB guard", "engine health", "symbols", "WAL tail")

APP_BINDINGS: list[BindingType] = [
    Binding("ctrl+k", "kill", "Kill", priority=True, id="kill",
            tooltip="Kill switch: pause all, cancel all, close all, HALT (asks first; y confirms)"),
    Binding("ctrl+f", "flatten_all", "Flatten all", priority=True, id="flatten_all",
            tooltip="Close every position, reduce-only (asks first); trading continues"),
    Binding("f", "flatten_symbol", "Flatten symbol", id="flatten_symbol", show=False,
            tooltip="Close the selected symbol's position (asks first)"),
    Binding("p", "toggle_strategy", "Pause", id="toggle_strategy",
            tooltip="Pause / resume the selected strategy (re-enable it if auto-disabled)"),
    Binding("t", "tune", "Tune", id="tune",
            tooltip="Tune the selected strategy's parameters (a form with bounds; applied live)"),
    Binding("f5", "pause_all", "Pause all", priority=True, id="pause_all",
            tooltip="Pause every strategy; if none is running, resume them all"),
    Binding("ctrl+r", "reset_halt", "Reset", priority=True, id="reset_halt",
            tooltip="Leave HALTED (you type RESET to confirm)"),
    Binding("s", "next_symbol", "Symbol", id="next_symbol", show=False,
            tooltip="Switch book, price and signals to the next symbol"),
    Binding("w", "wal_filter", "WAL filter", id="wal_filter", show=False,
            tooltip="Cycle the WAL pane's filter: all, orders & fills, signals, risk, operator, feed"),
    Binding("f1", "help", "Help", priority=True, id="help", tooltip="This help"),
    Binding("question_mark", "help", "Help", id="help_alt", show=False, tooltip="This help"),
    Binding("q", "quit", "Quit", id="quit",
            tooltip="Stop the engine (WAL flushed) and leave; warns if positions are open (^q: from anywhere)"),
    Binding("ctrl+q", "quit_app", "Quit", priority=True, id="quit_ctrl", show=False),
    *(Binding(str(n), f"focus_pane({n})", f"Pane {n}", id=f"focus_pane_{n}", show=False,
              tooltip=f"Focus the {PANE_NAMES[n - 1]} pane (brings it on screen in compact layout)")
      for n in range(1, 10)),
]

MAIN_SCREEN_ACTIONS = frozenset({"flatten_symbol", "toggle_strategy", "tune", "next_symbol",
                                 "wal_filter", "focus_pane", "quit"})


def binding_help_rows(app: App, keymap: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(keys as shown, name, what it does, action) per action, after ``keymap``; keys of the
    same action are joined (``f1/?``)."""
    rows: dict[str, tuple[str, str, str, str]] = {}
    for binding in APP_BINDINGS:
        assert isinstance(binding, Binding)
        keys = keymap.get(binding.id or "", binding.key)
        shown = "/".join(app.get_key_display(replace(binding, key=key.strip(), key_display=None))
                         for key in keys.split(","))
        action = "quit" if binding.action == "quit_app" else binding.action
        if action in rows:
            previous = rows[action]
            rows[action] = (f"{previous[0]}/{shown}", *previous[1:])
        else:
            rows[action] = (shown, binding.description, binding.tooltip, action)
    return list(rows.values())


# Keys no text field or readline habit uses: they stay the app's while a field has the focus.
TEXT_SAFE_KEYS = frozenset({*(f"f{n}" for n in range(1, 25)), "ctrl+q"})


def text_field_safe(action: str, keymap: dict[str, str]) -> bool:
    """May ``action`` run while a text field has the focus? The kill opener always; any other
    only if every key of its priority bindings (after ``keymap``) is one text fields never use.
    (Other bindings never reach past a focused field.)"""
    ours = [binding for binding in APP_BINDINGS
            if isinstance(binding, Binding) and binding.action.split("(")[0] == action]
    if action == "kill" or not ours:
        return True  # the kill opener, or Textual's own (tab moves the focus)
    keys = [key.strip() for binding in ours if binding.priority
            for key in keymap.get(binding.id or "", binding.key).split(",")]
    return bool(keys) and all(key in TEXT_SAFE_KEYS for key in keys)
