"""The workstation: a Textual app over an :class:`EngineLink`.

Widgets pull the engine's latest snapshot on a timer and redraw only what changed; the
engine itself runs on its own thread and never waits for the screen.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer

from hft_tui.commands import StopEngine
from hft_tui.snapshot import EngineSnapshot
from hft_tui.tui.engine_link import EngineLink
from hft_tui.tui.panes.header_bar import HeaderBar
from hft_tui.tui.panes.order_book import OrderBookPane
from hft_tui.tui.panes.wal_tail import WalTailPane
from hft_tui.tui.screens.confirm import ConfirmScreen
from hft_tui.tui.themes import DEFAULT_THEME, THEME_VARIABLE_DEFAULTS, discover_themes

WIDE_LAYOUT_MIN_COLUMNS = 120
# SIGHUP is an SSH drop: stop as gracefully as on SIGTERM instead of dying mid-write.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class HftApp(App[str]):
    """hft-tui's main application."""

    TITLE = "hft-tui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit_app", "Quit"),
        Binding("s", "next_symbol", "Symbol"),
    ]

    def __init__(
        self,
        link: EngineLink,
        *,
        theme: str = DEFAULT_THEME,
        refresh_hz: float = 10.0,
        book_depth: int = 20,
        theme_dirs: tuple[Path, ...] = (),
    ) -> None:
        super().__init__()
        self.link = link
        self._refresh_period_s = 1.0 / refresh_hz
        self._book_depth = book_depth
        self._shown_seq = -1
        symbols = link.snapshot.symbols
        self.selected_symbol = symbols[0] if symbols else ""
        for found in discover_themes(*theme_dirs).values():
            self.register_theme(found)
        self.theme = theme

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return THEME_VARIABLE_DEFAULTS

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Horizontal(id="body"):
            yield OrderBookPane(max_depth=self._book_depth, id="book")
            yield WalTailPane(id="wal")
        yield Footer()

    def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, self.shutdown, signal.Signals(sig).name)
        self.link.start()
        self.refresh_from_engine()
        self.set_interval(self._refresh_period_s, self.refresh_from_engine)

    def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)

    def on_resize(self) -> None:
        self.screen.set_class(self.size.width >= WIDE_LAYOUT_MIN_COLUMNS, "-wide")

    def refresh_from_engine(self) -> None:
        """Pull the newest snapshot; skip all work when the engine published nothing new."""
        snapshot = self.link.snapshot
        if snapshot.seq == self._shown_seq:
            return
        self._shown_seq = snapshot.seq
        self.show_snapshot(snapshot)

    def show_snapshot(self, snapshot: EngineSnapshot) -> None:
        self.query_one(HeaderBar).show(snapshot, self.selected_symbol)
        if self.selected_symbol:
            book_pane = self.query_one(OrderBookPane)
            book_pane.border_title = f"Order book {self.selected_symbol}"
            book_pane.show(snapshot.view(self.selected_symbol))
        self.query_one(WalTailPane).show(snapshot.wal_tail, snapshot.wal_seq)

    def action_next_symbol(self) -> None:
        symbols = self.link.snapshot.symbols
        if len(symbols) < 2:
            return
        self.selected_symbol = symbols[(symbols.index(self.selected_symbol) + 1) % len(symbols)]
        self.show_snapshot(self.link.snapshot)

    def action_quit_app(self) -> None:
        snapshot = self.link.snapshot
        exposure = snapshot_exposure(snapshot)
        if not exposure:
            self.shutdown("operator quit")
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.shutdown("operator quit")

        question = f"{exposure}\n\nThey stay open on the exchange side. Quit anyway?"
        self.push_screen(ConfirmScreen(question, "Quit"), answered)

    def shutdown(self, reason: str) -> None:
        """Stop the engine gracefully (WAL flushed), then leave the app."""
        self.link.send(StopEngine(reason))
        self.link.stop(reason)
        self.exit(reason)


def snapshot_exposure(snapshot: EngineSnapshot) -> str:
    """A sentence naming open positions and orders, or '' when nothing is open."""
    if not snapshot.open_positions and not snapshot.open_orders:
        return ""
    return f"{snapshot.open_positions} position(s) and {snapshot.open_orders} order(s) are open."
