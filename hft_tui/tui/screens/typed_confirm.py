"""A confirmation that needs a word typed exactly (e.g. RESET): no key combo can do it by accident."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from hft_tui.tui.screens.form_screen import FormScreen


class TypedConfirmScreen(FormScreen[bool]):
    """Dismisses with True once ``word`` is typed and Enter pressed; Escape cancels."""

    DEFAULT_CSS = """
    TypedConfirmScreen { align: center middle; }
    TypedConfirmScreen > Vertical {
        width: 64; max-width: 96%; height: auto; padding: 0 1;
        border: thick $error; background: $surface;
    }
    TypedConfirmScreen #error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, word: str, *, title: str = "Confirm") -> None:
        super().__init__()
        self._question = question
        self.word = word
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self._title
            yield Static(self._question, markup=False)
            yield Static(f"Type {self.word} and press Enter (Escape cancels):")
            yield Input(placeholder=self.word, id="typed")
            yield Static("", id="error")

    def on_mount(self) -> None:
        self.query_one("#typed", Input).cursor_blink = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value == self.word:
            self.dismiss(True)
            return
        self.query_one("#error", Static).update(f"“{event.value}” is not {self.word}; nothing was done.")

    def action_cancel(self) -> None:
        self.dismiss(False)
