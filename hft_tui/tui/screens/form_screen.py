"""A dialog with fields to type into, that loses none of the keys typed right behind its opener.

Textual routes each key when the app takes it: to the focused widget, else to the screen. The
key that opens a dialog (``o``) is a binding, run only once the key has gone through the focused
pane and come back up to the app; by then the keys typed right behind it (``0.01``, at paste or
script speed) have already been routed to the screen below, and reach the app unbound, with the
dialog on top and its first field not yet focused (``focus`` itself waits behind them). They
were lost. The app hands such keys to a ``FormScreen`` (``take_early_key``), which passes them
back in order once a field has the focus, as if typed a moment later.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.screen import ModalScreen, ScreenResultType


class FormScreen(ModalScreen[ScreenResultType]):
    """A modal dialog whose focused field gets the keys typed before it had the focus."""

    # The field the dialog opens on, focused as it opens (a subclass names its own): the early
    # keys go to it, so it must be the first field that has the focus.
    AUTO_FOCUS = "Input"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._early_keys: list[events.Key] = []
        self._focused_at: float | None = None  # when a field first had the focus

    def take_early_key(self, event: events.Key) -> None:
        """``event`` came back up to the app with this form on top: typed before a field had the
        focus and bound to nothing, it was meant for the form."""
        if self._focused_at is not None and event.time >= self._focused_at:
            return  # typed once a field had the focus: routed as it should have been
        binding = self.active_bindings.get(event.key)
        if binding is not None and binding.enabled:
            return  # escape, enter ...: the form's binding has taken it
        event.stop()
        self._early_keys.append(event)
        if self.focused is not None:
            self._hand_back()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if self._focused_at is None:
            self._focused_at = event.time
        self._hand_back()

    def _hand_back(self) -> None:
        keys, self._early_keys = self._early_keys, []
        for key in keys:
            self.app.post_message(events.Key(key.key, key.character))
