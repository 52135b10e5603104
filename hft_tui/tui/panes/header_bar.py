"""Top bar: mode (LIVE impossible to miss), exchange, symbol, trading state, clock."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from hft_tui.clock import iso_utc
from hft_tui.snapshot import EngineSnapshot

MODE_BADGES = {
    "live": ("▲▲ LIVE ▲▲", "mode-live"),
    "paper": ("◆ PAPER", "mode-paper"),
    "sim": ("◇ SIM", "mode-sim"),
}
STATE_BADGES = {
    "ACTIVE": ("● ACTIVE", "active"),
    "REDUCING": ("▼ REDUCING", "reducing"),
    "HALTED": ("■ HALTED", "halted"),
}


class HeaderBar(Widget):
    DEFAULT_CSS = """
    HeaderBar { height: 1; background: $panel; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._snapshot: EngineSnapshot | None = None
        self._symbol = ""

    def show(self, snapshot: EngineSnapshot, symbol: str) -> None:
        # The clock shows whole seconds: redraw only when the second or the state changes.
        previous = self._snapshot
        if (previous is not None and symbol == self._symbol
                and previous.ts_ns // 1_000_000_000 == snapshot.ts_ns // 1_000_000_000
                and previous.trading_state == snapshot.trading_state
                and previous.running == snapshot.running):
            return
        self._snapshot, self._symbol = snapshot, symbol
        self.refresh()

    def _colour(self, name: str) -> str:
        return self.app.current_theme.variables.get(name, "white")

    def render(self) -> Text:
        snap = self._snapshot
        text = Text(no_wrap=True, overflow="crop")
        if snap is None:
            return Text(" hft-tui  starting…")
        mode_label, mode_colour = MODE_BADGES.get(snap.mode.lower(), (snap.mode, "mode-sim"))
        live = snap.mode.lower() == "live"
        text.append(f" {mode_label} ", style=f"bold reverse {self._colour(mode_colour)}"
                    if live else f"bold {self._colour(mode_colour)}")
        text.append(f" {snap.exchange} ", style=self._colour("muted"))
        text.append(f" {self._symbol} ", style="bold")
        state_label, state_colour = STATE_BADGES.get(snap.trading_state, (snap.trading_state, "muted"))
        text.append(f" {state_label} ", style=f"bold {self._colour(state_colour)}")
        if not snap.running:
            text.append(" stopped ", style=self._colour("muted"))
        clock = iso_utc(snap.ts_ns)[:19].replace("T", " ") + " UTC"
        used = text.cell_len
        width = self.content_size.width
        if width - used > len(clock) + 1:
            text.append(" " * (width - used - len(clock) - 1))
            text.append(clock, style=self._colour("muted"))
        return text
