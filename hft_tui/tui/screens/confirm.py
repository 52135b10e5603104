"""A yes/no question. Cancel has the focus, so a stray Enter never confirms."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True only on ``y`` or the confirm button."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 72; max-width: 96%; height: auto; max-height: 96%; padding: 0 1;
        border: thick $warning; background: $surface;
    }
    ConfirmScreen.-danger > Vertical { border: thick $error; }
    ConfirmScreen #question { margin-bottom: 1; }
    ConfirmScreen Horizontal { height: auto; align: right middle; }
    ConfirmScreen Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape,n", "answer(False)", "Cancel"),
        Binding("y", "answer(True)", "Confirm"),
    ]

    def __init__(self, question: str, confirm_label: str = "Yes", *, title: str = "Confirm",
                 danger: bool = False) -> None:
        super().__init__(classes="-danger" if danger else "")
        self._question = question
        self._confirm_label = confirm_label
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self._title
            yield Static(self._question, id="question", markup=False)
            with Horizontal():
                yield Button(f"{self._confirm_label} (y)", id="confirm", variant="error")
                yield Button("Cancel (n/esc)", id="cancel", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
