"""The manual order's confirmation: what the order would cross, cost and risk, and what the
risk gate says, as the engine sees it now. Cancel has the focus; only ``y``, or Enter on
Send, sends (the kill switch's rule).

While it is open the engine is asked again on every new snapshot (one question at a time),
so the price, the fee, the risk and the gate's verdict move with the market; the order sent
is the one last shown.
"""

from __future__ import annotations

import asyncio

from textual.widgets import Static

from hft_tui.trading.commands import CommandResult, OrderPreview, PlaceOrder, PreviewOrder
from hft_tui.tui.engine_link import Link
from hft_tui.tui.screens.confirm import ConfirmScreen


class OrderConfirmScreen(ConfirmScreen):
    def __init__(self, link: Link, order: PlaceOrder, preview: OrderPreview, *, mode: str) -> None:
        self._link = link
        self._order = order
        self.preview = preview
        self.refusal = ""
        self._asking = False
        self._loop: asyncio.AbstractEventLoop | None = None
        live = mode.lower() == "live"
        super().__init__(self._text, "Send", title="Send this order?" + (" ▲ LIVE ▲" if live else ""),
                         danger=live or not preview.passes)

    def _text(self) -> str:
        lines = self.preview.lines()
        if self.refusal:
            lines.append(f"✗ now refused: {self.refusal}")
        lines += ["", "Press y (or Tab to Send, Enter) to send; Esc or n goes back to the form."]
        return "\n".join(lines)

    def on_mount(self) -> None:
        super().on_mount()
        self._loop = asyncio.get_running_loop()

    def action_choose(self, answer: str) -> None:
        """Send only what the gate would pass now: a refused order would only be journaled."""
        if not self.preview.passes or self.refusal:
            changed = self.query_one("#changed", Static)
            changed.update("The risk gate refuses this order now: nothing is sent (Esc goes back to the form).")
            changed.display = True
            return
        super().action_choose(answer)

    def refresh_question(self) -> bool:
        """A new snapshot: ask the engine again (if no question is out), redraw what is known."""
        if not self._asking:
            self._asking = True
            self._link.send(PreviewOrder(self._order), self._reply)
        return super().refresh_question()

    def _reply(self, result: CommandResult) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.update_preview, result)

    def update_preview(self, result: CommandResult) -> None:
        """The engine's newest account of the order."""
        self._asking = False
        if result.preview is not None:
            self.preview, self.refusal = result.preview, ""
        else:
            self.refusal = result.message
        if self.is_attached:
            super().refresh_question()
