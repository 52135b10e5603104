"""The workstation's keys as Textual bindings, built from ``config/key_bindings.py``.

Critical keys (kill, flatten all, pause all, reset, help) are ctrl/F-keys bound with
``priority=True``, so a focused table cannot swallow them. While a text field has the focus,
its editing keys (ctrl+f, ctrl+r, letters ...) are the field's: only the kill opener, F-keys
and ctrl+q stay the app's (``text_field_safe``). Letter keys act on the main screen only
(``MAIN_SCREEN_ACTIONS``), so under a modal they belong to the modal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.app import App
from textual.binding import Binding, BindingType

from hft_tui.config.key_bindings import KEY_SPECS, PANE_IDS

__all__ = ["APP_BINDINGS", "MAIN_SCREEN_ACTIONS", "PANE_IDS", "KeyRow", "binding_help_rows", "text_field_safe"]

APP_BINDINGS: list[BindingType] = [
    Binding(spec.key, spec.action, spec.description, show=spec.show, priority=spec.priority,
            id=spec.id, tooltip=spec.tooltip)
    for spec in KEY_SPECS
]

MAIN_SCREEN_ACTIONS = frozenset({"flatten_symbol", "toggle_strategy", "tune", "next_symbol",
                                 "wal_filter", "notices", "focus_pane", "quit", "detach", "trades", "pnl",
                                 "balances", "manual_order", "close_position", "edit_exits", "cancel_order"})


@dataclass(frozen=True, slots=True)
class KeyRow:
    """One action as the help screen and the palette show it: its keys after the keymap and
    the binding ids a keymap remaps them by."""

    keys: str
    name: str
    detail: str
    action: str
    ids: str


def binding_help_rows(app: App, keymap: dict[str, str]) -> list[KeyRow]:
    """One row per action, after ``keymap``; keys and ids of the same action are joined
    (``f1/?``, ``help/help_alt``)."""
    rows: dict[str, KeyRow] = {}
    for binding in APP_BINDINGS:
        assert isinstance(binding, Binding)
        keys = keymap.get(binding.id or "", binding.key)
        shown = "/".join(app.get_key_display(replace(binding, key=key.strip(), key_display=None))
                         for key in keys.split(","))
        action = "quit" if binding.action == "quit_app" else binding.action
        if action in rows:
            previous = rows[action]
            rows[action] = replace(previous, keys=f"{previous.keys}/{shown}",
                                   ids=f"{previous.ids}/{binding.id}")
        else:
            rows[action] = KeyRow(shown, binding.description, binding.tooltip or "", action,
                                  binding.id or "")
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
