"""Move one position's take-profit and stop-loss: a small form over the live mark.

The levels are checked against the newest mark before anything is sent (a long's target
above it and its stop below, a short's the other way round; empty = that exit off); the
engine checks them again against its own mark when the journaled ``SetExits`` arrives.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from hft_tui.trading.commands import SetExits
from hft_tui.trading.manual_orders import Refused, check_exit_levels
from hft_tui.model import Side
from hft_tui.session.engine_snapshot import EngineSnapshot, PositionView
from hft_tui.tui.screens.form_screen import FormScreen
from hft_tui.tui.screens.manual_order import FormError, parse_number


def _shown(level: float | None) -> str:
    return "" if level is None else f"{level:.8g}"


class PositionExitsScreen(FormScreen[SetExits | None]):
    """Dismisses with the ``SetExits`` to send, or None."""

    DEFAULT_CSS = """
    PositionExitsScreen { align: center middle; }
    PositionExitsScreen > Vertical {
        width: 64; max-width: 98%; height: auto; padding: 0 1;
        border: thick $primary; background: $surface;
    }
    PositionExitsScreen .row { height: 1; }
    PositionExitsScreen .name { width: 14; }
    PositionExitsScreen Input { width: 24; }
    PositionExitsScreen #problem { color: $error; text-style: bold; height: auto; }
    PositionExitsScreen #buttons { height: 1; align: right middle; }
    PositionExitsScreen Button { margin-left: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#tp"

    def __init__(self, position: PositionView, snapshot: Callable[[], EngineSnapshot]) -> None:
        super().__init__()
        self.position = position
        self._snapshot = snapshot

    def compose(self) -> ComposeResult:
        p = self.position
        with Vertical() as box:
            box.border_title = f"Exits of {p.symbol}"
            box.border_subtitle = "enter: set · esc: cancel"
            yield Static(self._position_line(), id="position", markup=False)
            for field_id, name, level in (("tp", "take-profit", p.take_profit), ("sl", "stop-loss", p.stop_loss)):
                with Horizontal(classes="row"):
                    yield Label(name, classes="name")
                    yield Input(_shown(level), id=field_id, compact=True, select_on_focus=False)
            yield Static("empty: that exit off. The engine checks them against its mark again.", markup=False)
            yield Static("", id="problem", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Set", id="set", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def _mark(self) -> float:
        for position in self._snapshot().positions:
            if position.symbol == self.position.symbol:
                return position.mark_price
        return self.position.mark_price

    def _position_line(self) -> str:
        p = self.position
        return (f"{p.side} {p.qty:.8g} {p.symbol} ({p.strategy or 'unknown'}) · entry {p.entry_price:,.8g}"
                f" · mark {self._mark():,.8g}")

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "set":
            self.submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def submit(self) -> None:
        """Send the levels if they are numbers on the right sides of the mark now."""
        problem = self.query_one("#problem", Static)
        try:
            take_profit = parse_number(self.query_one("#tp", Input).value, "take-profit")
            stop_loss = parse_number(self.query_one("#sl", Input).value, "stop-loss")
            side = Side.BUY if self.position.side == "long" else Side.SELL
            check_exit_levels(side, self._mark(), take_profit, stop_loss, "the mark")
        except (FormError, Refused) as exc:
            problem.update(f"✗ {exc}")
            self.query_one("#position", Static).update(self._position_line())
            return
        self.dismiss(SetExits(self.position.symbol, take_profit=take_profit, stop_loss=stop_loss))
