"""Top bar: mode (LIVE impossible to miss), exchange, symbol, trading state, feed latency,
equity, day PnL and the clock."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from hft_tui.clock import iso_utc
from hft_tui.snapshot import EngineSnapshot
from hft_tui.tui.formatting import money, signed, theme_colour

MODE_BADGES = {
    "live": ("▲▲ LIVE ▲▲", "mode-live"),
    "paper": ("◆ PAPER", "mode-paper"),
    "sim": ("◇ SIM", "mode-sim"),
}
STATE_BADGES = {
    "ACTIVE": ("● ACTIVE", "active"),
    "REDUCING": ("▼ REDUCING", "reducing"),
    "HALTED": ("■ HALTED", "halted"),
    "FAILED": ("✖ FAILED", "halted"),
}


def header_fields(snapshot: EngineSnapshot, symbol: str) -> tuple[str, ...]:
    """Everything the bar shows, as strings: the bar redraws only when one of them changes."""
    latency = snapshot.metrics.feed_latency_ms.get(symbol)
    account = snapshot.account
    return (
        snapshot.mode,
        snapshot.exchange,
        symbol,
        snapshot.trading_state,
        snapshot.journal_failure or ("" if snapshot.running else "stopped"),
        "" if latency is None else f"{latency:.0f}ms",
        "" if account is None else money(account.equity),
        "" if account is None else signed(account.day_pnl),
        iso_utc(snapshot.ts_ns)[:19].replace("T", " ") + " UTC",
    )


class HeaderBar(Widget):
    DEFAULT_CSS = """
    HeaderBar { height: 1; background: $panel; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._fields: tuple[str, ...] = ()
        self._day_pnl = 0.0

    def show(self, snapshot: EngineSnapshot, symbol: str) -> None:
        """Redraw when a shown field changes (the clock shows whole seconds)."""
        fields = header_fields(snapshot, symbol)
        if fields == self._fields:
            return
        self._fields = fields
        self._day_pnl = snapshot.account.day_pnl if snapshot.account is not None else 0.0
        self.refresh()

    def redraw(self) -> None:
        self.refresh()

    def render(self) -> Text:
        if not self._fields:
            return Text(" hft-tui  starting…")
        mode, exchange, symbol, state, stopped, latency, equity, day_pnl, clock = self._fields
        colour = theme_colour
        text = Text(no_wrap=True, overflow="crop")
        mode_label, mode_colour = MODE_BADGES.get(mode.lower(), (mode, "mode-sim"))
        live = mode.lower() == "live"
        text.append(f" {mode_label} ", style=f"bold reverse {colour(self, mode_colour)}"
                    if live else f"bold {colour(self, mode_colour)}")
        wide = self.content_size.width >= 100
        if wide:  # narrow terminals keep the symbol, state and money; the exchange is in help
            text.append(f" {exchange} ", style=colour(self, "muted"))
        text.append(f" {symbol} ", style="bold")
        state_label, state_colour = STATE_BADGES.get(state, (state, "muted"))
        text.append(f" {state_label} ", style=f"bold {colour(self, state_colour)}")
        if stopped:  # "stopped", or why the journal failed (said as loudly as the state)
            text.append(f" {stopped} ", style=colour(self, "halted" if state == "FAILED" else "muted"))
        if latency:
            text.append(f" feed {latency} ", style=colour(self, "muted"))
        right = Text(no_wrap=True)
        if equity:
            right.append("eq ", style=colour(self, "muted"))
            right.append(f"{equity} ")
            pnl_colour = "pnl-up" if self._day_pnl > 0 else "pnl-down" if self._day_pnl < 0 else "muted"
            arrow = "▲" if self._day_pnl > 0 else "▼" if self._day_pnl < 0 else "·"
            right.append("day ", style=colour(self, "muted"))
            right.append(f"{day_pnl}{arrow} ", style=colour(self, pnl_colour))
        right.append(clock if wide else clock[11:], style=colour(self, "muted"))
        width = self.content_size.width
        gap = width - text.cell_len - right.cell_len - 1
        if gap >= 1:
            text.append(" " * gap)
            text.append_text(right)
        return text
