"""A money question that stays true while it is open. Cancel has the focus, so a stray
Enter never confirms.

The question is a function of the engine's newest snapshot: the app calls ``refresh_question``
whenever a new snapshot arrives, so counts and prices move while the dialog is open. With
``recheck`` the answer only counts for what is on screen: if the question changed since it
was drawn, the new one is shown and the operator confirms again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

CONFIRM = "confirm"


@dataclass(frozen=True, slots=True)
class Choice:
    """A further answer besides confirm and cancel, e.g. flatten-and-quit on ``f``."""

    id: str
    label: str
    key: str


class ConfirmScreen(ModalScreen[str | None]):
    """Dismisses with ``"confirm"`` (``y`` or the confirm button), a ``Choice``'s id, or None."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 72; max-width: 96%; height: auto; max-height: 96%; padding: 0 1;
        border: thick $warning; background: $surface;
    }
    ConfirmScreen.-danger > Vertical { border: thick $error; }
    ConfirmScreen #question { margin-bottom: 1; }
    ConfirmScreen #changed { color: $warning; height: auto; margin-bottom: 1; display: none; }
    ConfirmScreen Horizontal { height: auto; align: right middle; }
    ConfirmScreen Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape,n", "cancel", "Cancel"),
        Binding("y", f"choose('{CONFIRM}')", "Confirm"),
    ]

    def __init__(self, question: Callable[[], str], confirm_label: str = "Yes", *,
                 title: str = "Confirm", danger: bool = False, choices: tuple[Choice, ...] = (),
                 recheck: bool = False) -> None:
        super().__init__(classes="-danger" if danger else "")
        self._question = question
        self.shown = question()
        self._confirm_label = confirm_label
        self._title = title
        self._choices = choices
        self._recheck = recheck

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self._title
            yield Static(self.shown, id="question", markup=False)
            yield Static("", id="changed")
            with Horizontal():
                yield Button(f"{self._confirm_label} (y)", id=CONFIRM, variant="error")
                for choice in self._choices:
                    yield Button(f"{choice.label} ({choice.key})", id=choice.id, variant="warning")
                yield Button("Cancel (n/esc)", id="cancel", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def refresh_question(self) -> bool:
        """Redraw the question from the newest state; True if it changed."""
        current = self._question()
        if current == self.shown:
            return False
        self.shown = current
        # Not there before the dialog is composed (it is drawn from ``shown`` then), nor once
        # the app is closing: a snapshot can come in either moment.
        for question in self.query("#question").results(Static):
            question.update(current)
        return True

    def on_key(self, event: events.Key) -> None:
        for choice in self._choices:
            if event.key == choice.key:
                event.stop()
                self.action_choose(choice.id)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.action_choose(event.button.id or "")

    def action_choose(self, answer: str) -> None:
        if self._recheck and self.refresh_question():
            changed = self.query_one("#changed", Static)
            changed.update("Changed while you were reading: check the above and answer again.")
            changed.display = True
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
