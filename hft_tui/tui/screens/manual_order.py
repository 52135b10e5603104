"""The manual order dialog: symbol, side, size (a quantity or a notional), market or limit,
take-profit and stop-loss; then the engine's own account of what the order would do now.

The form only reads what was typed (one clear line for what is not a number). The rest, the
lot and tick grids, the price band, a stop on the wrong side and the risk gate's verdict, is
the engine's to judge (``PreviewOrder``, nothing journaled), so an attached workstation and
``ctl order`` get the same answers. Nothing is sent until the confirmation is answered.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from hft_tui.trading.commands import CommandResult, PlaceOrder, PreviewOrder
from hft_tui.tui.engine_link import Link
from hft_tui.tui.screens.confirm import CONFIRM
from hft_tui.tui.screens.form_screen import FormScreen
from hft_tui.tui.screens.order_confirm import OrderConfirmScreen

PRICE_FIELDS = (("price", "limit price", "limit orders only"),
                ("tp", "take-profit", "empty: the [exits] default"),
                ("sl", "stop-loss", "empty: the [exits] default"))


class FormError(ValueError):
    """What the operator typed is not a number where one is needed: one line."""


def parse_number(text: str, what: str) -> float | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise FormError(f"{what}: {text!r} is not a number") from None


def order_from_form(symbol: str, side: str, size: str, unit: str, order_type: str,
                    price: str, take_profit: str, stop_loss: str) -> PlaceOrder:
    """The order the form describes; FormError for text that is not a number."""
    amount = parse_number(size, "size") or 0.0
    limit = parse_number(price, "limit price")
    if order_type == "limit" and limit is None:
        raise FormError("a limit order needs a limit price")
    sized = {"notional": amount} if unit == "notional" else {"qty": amount}
    return PlaceOrder(symbol, side, price=limit if order_type == "limit" else None,
                      take_profit=parse_number(take_profit, "take-profit"), stop_loss=parse_number(stop_loss, "stop-loss"),
                      **sized)


class ManualOrderScreen(FormScreen[PlaceOrder | None]):
    """Dismisses with the order the operator confirmed (its size as the quantity previewed), or None."""

    DEFAULT_CSS = """
    ManualOrderScreen { align: center middle; }
    ManualOrderScreen > Vertical {
        width: 76; max-width: 98%; height: auto; max-height: 98%; padding: 0 1;
        border: thick $primary; background: $surface;
    }
    ManualOrderScreen .row { height: 1; margin-bottom: 0; }
    ManualOrderScreen .name { width: 14; }
    ManualOrderScreen Select { width: 24; }
    ManualOrderScreen Input { width: 24; }
    ManualOrderScreen .hint { color: $text-muted; padding-left: 2; }
    ManualOrderScreen #problem { color: $error; text-style: bold; height: auto; }
    ManualOrderScreen #buttons { height: 1; align: right middle; }
    ManualOrderScreen Button { margin-left: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#size"

    def __init__(self, link: Link, symbols: tuple[str, ...], symbol: str) -> None:
        super().__init__()
        self.link = link
        self._symbols = symbols
        self._symbol = symbol if symbol in symbols else symbols[0]
        self.asking: PlaceOrder | None = None  # the order whose preview is awaited
        self._loop: asyncio.AbstractEventLoop | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Manual order"
            box.border_subtitle = "enter: review · esc: cancel"
            yield Static("Through the same risk gate as every order; a `manual` trade whose exits "
                         "the engine watches.", markup=False)
            with Horizontal(classes="row"):
                yield Label("symbol", classes="name")
                yield Select([(s, s) for s in self._symbols], value=self._symbol, allow_blank=False,
                             id="symbol", compact=True)
            with Horizontal(classes="row"):
                yield Label("side", classes="name")
                yield Select([("buy", "buy"), ("sell", "sell")], value="buy", allow_blank=False, id="side",
                             compact=True)
            with Horizontal(classes="row"):
                yield Label("size", classes="name")
                yield Input(id="size", placeholder="e.g. 0.01", compact=True, select_on_focus=False)
                yield Select([("base quantity", "qty"), ("quote notional", "notional")], value="qty",
                             allow_blank=False, id="unit", compact=True)
            with Horizontal(classes="row"):
                yield Label("type", classes="name")
                yield Select([("market", "market"), ("limit", "limit")], value="market", allow_blank=False,
                             id="type", compact=True)
            for field_id, name, hint in PRICE_FIELDS:
                with Horizontal(classes="row"):
                    yield Label(name, classes="name")
                    yield Input(id=field_id, compact=True, select_on_focus=False, disabled=field_id == "price")
                    yield Label(hint, classes="hint", markup=False)
            yield Static("", id="problem", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Review", id="review", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self._loop = asyncio.get_running_loop()
        for field in self.query(Input):
            field.cursor_blink = False

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "type":
            self.query_one("#price", Input).disabled = event.value != "limit"

    def _value(self, widget_id: str) -> str:
        widget = self.query_one(f"#{widget_id}")
        return str(widget.value)  # type: ignore[attr-defined]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.review()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "review":
            self.review()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_problem(self, line: str) -> None:
        self.query_one("#problem", Static).update(line)

    def review(self) -> None:
        """Ask the engine what the typed order would do now; a refusal stays on the form."""
        if self.asking is not None:
            return
        try:
            order = order_from_form(*(self._value(i) for i in ("symbol", "side", "size", "unit", "type",
                                                                "price", "tp", "sl")))
        except FormError as exc:
            self.show_problem(f"✗ {exc}")
            return
        self.asking = order
        self.show_problem("asking the engine…")
        self.link.send(PreviewOrder(order), self._reply)

    def _reply(self, result: CommandResult) -> None:
        # On the link's thread (or this one): hop over to the UI's loop.
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.previewed, result)

    def previewed(self, result: CommandResult) -> None:
        """The engine's answer: a refusal in one line on the form, or the confirmation."""
        order, self.asking = self.asking, None
        if order is None or not self.is_attached:
            return
        if result.preview is None:
            self.show_problem(f"✗ {result.message}")
            return
        self.show_problem("")

        def answered(answer: str | None) -> None:
            if answer == CONFIRM and isinstance(self.app.screen, ManualOrderScreen):
                self.dismiss(replace(order, qty=confirm.preview.qty, notional=None))

        confirm = OrderConfirmScreen(self.link, order, result.preview, mode=self.link.snapshot.mode)
        self.app.push_screen(confirm, answered)
