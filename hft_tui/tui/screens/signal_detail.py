"""The full explanation of one signal's decision: every code with its meaning, sizes, prices."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from hft_tui.model.reason_codes import ReasonCode
from hft_tui.session.engine_snapshot import SignalView
from hft_tui.tui.formatting import clock_hms


def code_meaning(code: str) -> str:
    """``CODE — meaning`` from the registry (just the code if it is not a known one)."""
    try:
        return f"{code} — {ReasonCode(code).description}"
    except ValueError:
        return code


def signal_explanation(signal: SignalView) -> str:
    """The header facts, the codes with their meanings, then the engine's own explanation."""
    verdict = "ACCEPTED" if signal.accepted else "REJECTED"
    lines = [
        f"{clock_hms(signal.ts_ns)} UTC  {signal.strategy}  {signal.symbol}  {signal.side.upper()}",
        f"confidence {signal.confidence:.2f} · priority {signal.priority} · {verdict}",
        "",
        "why the strategy fired:",
        *(f"  {code_meaning(code)}" for code in signal.reasons),
        "what the engine decided:",
        *(f"  {code_meaning(code)}" for code in signal.outcome),
    ]
    if signal.explanation:
        lines += ["", signal.explanation]
    return "\n".join(lines)


class SignalDetailScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    SignalDetailScreen { align: center middle; }
    SignalDetailScreen > VerticalScroll {
        width: 90; max-width: 96%; height: auto; max-height: 90%; padding: 0 1;
        border: thick $primary; background: $surface;
    }
    """
    BINDINGS = [Binding("escape,enter,q", "close", "Close")]

    def __init__(self, signal: SignalView) -> None:
        super().__init__()
        self.signal = signal

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "Signal — why"
            box.border_subtitle = "esc: close"
            yield Static(signal_explanation(self.signal), markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
