"""The workstation: a Textual app over an :class:`EngineLink`.

Panes pull the engine's latest snapshot on two timers (the book and header at the
configured refresh rate, the tables slower) and redraw only what changed; the engine runs
on its own thread and never waits for the screen. Every operator action goes to the engine
as a command through the link.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Iterable
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Container
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Input, TextArea

from hft_tui.config.settings import UiSettings
from hft_tui.trading.commands import (
    RESET_CONFIRMATION,
    AcknowledgeNotices,
    CancelOrder,
    Command,
    CommandResult,
    EnableStrategy,
    Flatten,
    Kill,
    PauseStrategy,
    PlaceOrder,
    ResetHalt,
    ResumeStrategy,
    SetExits,
    SetStrategyParams,
    StopEngine,
)
from hft_tui.trading.trade_history import TradeHistory
from hft_tui.tui.bindings import (
    APP_BINDINGS,
    MAIN_SCREEN_ACTIONS,
    PANE_IDS,
    binding_help_rows,
    text_field_safe,
)
from hft_tui.tui.engine_link import Link
from hft_tui.tui.hangup import EXIT_GRACE_S, detach_from_terminal, exit_after
from hft_tui.tui.panes.drb_guard import DrbGuardPane
from hft_tui.tui.panes.engine_health import EngineHealthPane
from hft_tui.tui.panes.header_bar import HeaderBar
from hft_tui.tui.panes.order_book import OrderBookPane
from hft_tui.tui.panes.positions import PositionsPane
from hft_tui.tui.panes.price_chart import PriceChartPane
from hft_tui.tui.panes.signals_table import SignalsPane
from hft_tui.tui.panes.snapshot_pane import SnapshotPane
from hft_tui.tui.panes.strategies_table import StrategiesPane
from hft_tui.tui.panes.symbols_table import SymbolsPane
from hft_tui.tui.panes.wal_tail import WalTailPane
from hft_tui.tui.screens.balances import BalancesScreen
from hft_tui.tui.screens.confirm import CONFIRM, Choice, ConfirmScreen
from hft_tui.tui.screens.exposure import cancel_order_summary, flatten_summary, kill_summary, quit_summary
from hft_tui.tui.screens.form_screen import FormScreen
from hft_tui.tui.screens.help import HelpScreen
from hft_tui.tui.screens.kill_confirm import KillConfirmScreen
from hft_tui.tui.screens.manual_order import ManualOrderScreen
from hft_tui.tui.screens.notices import NoticesScreen
from hft_tui.tui.screens.pnl import PnlScreen
from hft_tui.tui.screens.position_exits import PositionExitsScreen
from hft_tui.tui.screens.signal_detail import SignalDetailScreen
from hft_tui.tui.screens.trades import TradesScreen
from hft_tui.tui.screens.tuning import TuningScreen
from hft_tui.tui.screens.typed_confirm import TypedConfirmScreen
from hft_tui.tui.themes import DEFAULT_THEME, THEME_VARIABLE_DEFAULTS, discover_themes

# From this size every pane is on screen; below it the compact layout keeps the book, the
# DRB badge, signals/positions and the WAL, and the number keys bring the rest in.
WIDE_MIN_SIZE = (120, 32)
HUGE_MIN_SIZE = (180, 50)
# Tables and slow panes redraw at most this often, whatever the book's refresh rate.
SLOW_REFRESH_HZ = 4.0
# Compact layout: the panes sharing the space right of the book; signals+positions by default.
SLOT_PANES = ("price", "signals", "symbols", "positions", "strategies", "health")
DEFAULT_SLOT = ("signals", "positions")
# The actions that send the engine a command (none of them in a view-only workstation).
COMMAND_ACTIONS = frozenset({"kill", "flatten_all", "flatten_symbol", "reset_halt", "toggle_strategy",
                             "pause_all", "tune", "manual_order", "close_position", "edit_exits", "cancel_order"})
FLATTEN_AND_QUIT = Choice("flatten_and_quit", "Flatten and quit", "f")


# SIGHUP is an SSH drop: stop as gracefully as on SIGTERM, without the terminal (hangup.py).
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def attachment_words(link: Link) -> str:
    """What the header says about the link: "" embedded, ``ATTACHED`` or ``ATTACHED · VIEW ONLY``."""
    if link.stops_engine_on_quit:
        return ""
    return "ATTACHED · VIEW ONLY" if link.view_only else "ATTACHED"


class HftApp(App[str]):
    """hft-tui's main application."""

    TITLE = "hft-tui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = APP_BINDINGS

    @classmethod
    def from_ui_settings(cls, link: Link, ui: UiSettings) -> HftApp:
        """The workstation as the ``[ui]`` settings describe it, embedded or attached alike."""
        return cls(link, theme=ui.theme, refresh_hz=ui.refresh_hz, book_depth=ui.book_depth,
                   keymap=dict(ui.keymap))

    def __init__(
        self,
        link: Link,
        *,
        theme: str = DEFAULT_THEME,
        refresh_hz: float = 10.0,
        book_depth: int = 20,
        theme_dirs: tuple[Path, ...] = (),
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.link = link
        self._fast_period_s = 1.0 / refresh_hz
        self._slow_period_s = 1.0 / min(refresh_hz, SLOW_REFRESH_HZ)
        self._book_depth = book_depth
        self._fast_seq = -1
        self._slow_seq = -1
        self.slot: tuple[str, ...] = DEFAULT_SLOT
        self._layout_size = (0, 0)
        symbols = link.snapshot.symbols
        self.selected_symbol = symbols[0] if symbols else ""
        for found in discover_themes(*theme_dirs).values():
            self.register_theme(found)
        self.theme = theme
        self.keymap = dict(keymap or {})
        self.set_keymap(self.keymap)
        self._quit_when_flat = False
        # The trades screen and the PnL view share one reader of the WAL's closed trades.
        self.trade_history = TradeHistory(link.wal_dir) if link.wal_dir is not None else None

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return THEME_VARIABLE_DEFAULTS

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header", attachment=attachment_words(self.link))
        # Grid cells fill in this order; app.tcss places them for each layout.
        with Container(id="body"):
            yield OrderBookPane(max_depth=self._book_depth, id="book")
            yield DrbGuardPane(id="drb")
            yield PriceChartPane(id="price")
            yield SignalsPane(id="signals")
            yield SymbolsPane(id="symbols")
            yield PositionsPane(id="positions")
            yield WalTailPane(id="wal")
            yield StrategiesPane(id="strategies")
            yield EngineHealthPane(id="health")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        for pane_id in PANE_IDS:
            self.query_one(f"#{pane_id}").add_class("pane")
        for pane_id in SLOT_PANES:
            self.query_one(f"#{pane_id}").add_class("slot")
        self._apply_layout(*self.size)
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, self._on_stop_signal, signal.Signals(sig))
        self.theme_changed_signal.subscribe(self, lambda _theme: self.redraw_all())
        self.link.start()
        self.refresh_fast()
        self.refresh_slow()
        self.set_interval(self._fast_period_s, self.refresh_fast)
        self.set_interval(self._slow_period_s, self.refresh_slow)

    def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)

    def on_resize(self, event: events.Resize) -> None:
        self._apply_layout(event.size.width, event.size.height)

    def _apply_layout(self, width: int, height: int) -> None:
        self._layout_size = (width, height)
        wide = width >= WIDE_MIN_SIZE[0] and height >= WIDE_MIN_SIZE[1]
        huge = width >= HUGE_MIN_SIZE[0] and height >= HUGE_MIN_SIZE[1]
        self.set_class(not wide, "-compact")
        self.set_class(wide and not huge, "-wide")
        self.set_class(huge, "-huge")
        for pane_id in SLOT_PANES:
            pane = self.query_one(f"#{pane_id}")
            pane.set_class(pane_id in self.slot, "-slotted")
            pane.set_class(pane_id in self.slot and len(self.slot) == 1, "-solo")

    @property
    def compact(self) -> bool:
        return self.has_class("-compact")

    # --- snapshots -----------------------------------------------------------------------

    def _panes(self, ids: Iterable[str]) -> list[SnapshotPane]:
        try:
            return [self.query_one(f"#{pane_id}") for pane_id in ids]  # type: ignore[misc]
        except NoMatches:
            return []  # leaving: the panes are removed before the refresh timers stop

    def refresh_fast(self) -> None:
        """Header and book: pull the newest snapshot, skip the book if nothing is new; the
        header's clock and ages move on every tick, snapshot or not."""
        snapshot = self.link.snapshot
        if snapshot.seq != self._fast_seq:
            self._fast_seq = snapshot.seq
            for pane in self._panes(("header", "book")):
                pane.show(snapshot, self.selected_symbol)
        for header in self.query(HeaderBar):  # none while the app is closing
            header.tick(self.link.now_ns())

    def refresh_slow(self) -> None:
        """Every other pane, at the slower rate."""
        snapshot = self.link.snapshot
        if snapshot.seq == self._slow_seq:
            return
        self._slow_seq = snapshot.seq
        for pane in self._panes(PANE_IDS[1:]):
            pane.show(snapshot, self.selected_symbol)
        screen = self.top_screen
        if isinstance(screen, ConfirmScreen):
            screen.refresh_question()
        self._quit_if_flat()

    def redraw_all(self) -> None:
        """Draw every pane afresh (theme change, symbol change)."""
        for pane in self._panes(("header", *PANE_IDS)):
            pane.redraw()
        self._fast_seq = self._slow_seq = -1
        self.refresh_fast()
        self.refresh_slow()

    # --- key handling --------------------------------------------------------------------

    @property
    def top_screen(self) -> Screen[object] | None:
        """The active screen; None once the app is closing (its screens are gone, but a timer
        or a key already queued may still run)."""
        stack = self.screen_stack
        return stack[-1] if stack else None

    def on_key(self, event: events.Key) -> None:
        # A key typed right behind the one that opened a form went to the screen below it.
        screen = self.top_screen
        if isinstance(screen, FormScreen):
            screen.take_early_key(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Letter keys act on the main screen only: under a modal they belong to the modal.
        if action in MAIN_SCREEN_ACTIONS and len(self.screen_stack) > 1:
            return False
        screen = self.top_screen
        if screen is not None and isinstance(screen.focused, (Input, TextArea)) \
                and not text_field_safe(action, self.keymap):
            return False  # ctrl+f, ctrl+r ... edit text here; only the kill opener stays a money key
        if self.link.view_only and action in COMMAND_ACTIONS:
            return False  # attached --view-only: no key sends the engine anything
        if action == "detach" and self.link.stops_engine_on_quit:
            return False  # embedded: there is no served engine to leave running
        if action == "reset_halt" and self.link.snapshot.trading_state != "HALTED":
            return False  # out of the footer until it matters; the key still explains itself
        return True

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for key, action_name, detail, action in self.palette_actions():
            yield SystemCommand(f"{action_name} ({key})", detail, action)

    def palette_actions(self) -> list[tuple[str, str, str, Callable[[], object]]]:
        """(key, name, detail, callback) for every action, for the command palette."""
        rows = []
        for row in binding_help_rows(self, self.keymap):
            action = row.action
            if action.startswith("focus_pane"):
                pane_number = int(action[action.index("(") + 1:-1])
                rows.append((row.keys, row.name, row.detail,
                             lambda n=pane_number: self.action_focus_pane(n)))
            else:
                method = "action_quit_app" if action == "quit" else f"action_{action}"
                rows.append((row.keys, row.name, row.detail, getattr(self, method)))
        return rows

    def key_hint(self, action: str) -> str:
        """The key currently bound to ``action`` (after the keymap), for on-screen hints."""
        for row in binding_help_rows(self, self.keymap):
            if row.action == action:
                return row.keys
        return action

    # --- actions: safety -----------------------------------------------------------------

    def action_kill(self) -> None:
        """Kill switch: opens from anywhere; only y (or Enter on KILL) confirms, never this key."""
        if isinstance(self.screen, KillConfirmScreen):
            return  # a second press of the opener is a readline habit, not a confirmation

        def answered(answer: str | None) -> None:
            if answer == CONFIRM:
                self.send(Kill("operator"))

        self.push_screen(KillConfirmScreen(lambda: kill_summary(self.link.snapshot)), answered)

    def action_flatten_all(self) -> None:
        """Close every position (reduce-only), after a confirmation."""
        self._confirm_flatten(None)

    def action_flatten_symbol(self) -> None:
        """Close the selected symbol's position, after a confirmation."""
        self._confirm_flatten(self.selected_symbol)

    def _confirm_flatten(self, symbol: str | None, title: str = "") -> None:
        def answered(answer: str | None) -> None:
            if answer == CONFIRM:
                self.send(Flatten(symbol))

        title = title or ("Flatten all" if symbol is None else f"Flatten {symbol}")
        self.push_screen(ConfirmScreen(lambda: flatten_summary(self.link.snapshot, symbol), "Flatten",
                                       title=title, danger=True), answered)

    def action_reset_halt(self) -> None:
        """Leave HALTED: the operator types RESET."""
        snapshot = self.link.snapshot
        if snapshot.trading_state != "HALTED":
            self.notify(f"Trading is {snapshot.trading_state}, not HALTED: nothing to reset.")
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.send(ResetHalt(RESET_CONFIRMATION))

        question = ("Trading is HALTED. Reset lets the risk gate admit new entries again.\n"
                    "Make sure the cause (see the DRB guard pane and the WAL) is dealt with.")
        self.push_screen(TypedConfirmScreen(question, RESET_CONFIRMATION, title="Reset HALTED"), answered)

    # --- actions: manual trading --------------------------------------------------------------

    def action_manual_order(self) -> None:
        """The manual order dialog; the order goes out only once its confirmation is answered."""
        symbols = self.link.snapshot.symbols
        if not symbols:
            self.notify("No symbol to trade: the engine reports none.", severity="warning")
            return

        def answered(order: PlaceOrder | None) -> None:
            if order is not None:
                self.send(order)

        self.push_screen(ManualOrderScreen(self.link, symbols, self.selected_symbol), answered)

    def action_close_position(self) -> None:
        """Close the position under the cursor (reduce-only), after a confirmation."""
        position = self.query_one(PositionsPane).selected_position()
        if position is None:
            self.notify("No open position to close.", severity="warning")
            return
        self._confirm_flatten(position.symbol, title=f"Close {position.symbol}")

    def action_edit_exits(self) -> None:
        """Move the take-profit and stop-loss of the position under the cursor."""
        position = self.query_one(PositionsPane).selected_position()
        if position is None:
            self.notify("No open position whose exits could move.", severity="warning")
            return

        def answered(command: SetExits | None) -> None:
            if command is not None:
                self.send(command)

        self.push_screen(PositionExitsScreen(position, lambda: self.link.snapshot), answered)

    def action_cancel_order(self) -> None:
        """Cancel the working order under the cursor, after a confirmation."""
        order = self.query_one(PositionsPane).selected_order()
        if order is None:
            self.notify("No working order to cancel.", severity="warning")
            return
        client_id = order.client_id

        def answered(answer: str | None) -> None:
            if answer == CONFIRM:
                self.send(CancelOrder(client_id))

        self.push_screen(ConfirmScreen(lambda: cancel_order_summary(self.link.snapshot, client_id),
                                       "Cancel the order", title=f"Cancel {client_id}"), answered)

    # --- actions: strategies ---------------------------------------------------------------

    def selected_strategy_name(self) -> str | None:
        strategy = self.query_one(StrategiesPane).selected_strategy()
        return None if strategy is None else strategy.name

    def action_toggle_strategy(self) -> None:
        """Pause the selected strategy, or resume it (re-enable it if it was auto-disabled)."""
        strategy = self.query_one(StrategiesPane).selected_strategy()
        if strategy is None:
            self.notify("No strategy to pause: the engine reports none.", severity="warning")
            return
        command: Command
        if strategy.status == "running":
            command = PauseStrategy(strategy.name)
        elif strategy.status == "disabled":
            command = EnableStrategy(strategy.name)
        else:
            command = ResumeStrategy(strategy.name)
        self.send(command)

    def action_pause_all(self) -> None:
        """Pause every strategy; if none is running, resume them all."""
        strategies = self.link.snapshot.strategies
        if strategies and not any(s.status == "running" for s in strategies):
            self.send(ResumeStrategy(None))
        else:
            self.send(PauseStrategy(None))

    def action_tune(self) -> None:
        """Open the tuning form of the selected strategy."""
        strategy = self.query_one(StrategiesPane).selected_strategy()
        if strategy is None:
            self.notify("No strategy to tune: the engine reports none.", severity="warning")
            return

        def answered(command: SetStrategyParams | None) -> None:
            if command is not None:
                self.send(command)

        self.push_screen(TuningScreen(strategy), answered)

    # --- actions: navigation -------------------------------------------------------------

    def action_next_symbol(self) -> None:
        """Show the next symbol in the book, price and signals panes."""
        symbols = self.link.snapshot.symbols
        if len(symbols) < 2:
            return
        index = symbols.index(self.selected_symbol) if self.selected_symbol in symbols else -1
        self.select_symbol(symbols[(index + 1) % len(symbols)])

    def select_symbol(self, symbol: str) -> None:
        if symbol == self.selected_symbol:
            return
        self.selected_symbol = symbol
        self.redraw_all()

    def action_focus_pane(self, number: int) -> None:
        """Focus pane ``number`` (1-9); in the compact layout, bring it on screen first."""
        pane_id = PANE_IDS[number - 1]
        if pane_id in SLOT_PANES:
            self.slot = DEFAULT_SLOT if pane_id in DEFAULT_SLOT else (pane_id,)
            self._apply_layout(*self._layout_size)
        pane: Widget = self.query_one(f"#{pane_id}")
        target = pane.query_one(DataTable) if isinstance(pane, PositionsPane) else pane
        self.call_after_refresh(target.focus)

    def action_wal_filter(self) -> None:
        """Cycle the WAL pane's record-type filter."""
        label = self.query_one(WalTailPane).next_filter()
        self.notify(f"WAL shows: {label}", timeout=2)

    def action_notices(self) -> None:
        """Every notice kept for the operator, newest first; ``a`` acknowledges them all."""

        def answered(up_to_seq: int | None) -> None:
            if up_to_seq is not None:
                self.send(AcknowledgeNotices(up_to_seq))

        self.push_screen(NoticesScreen(lambda: self.link.snapshot), answered)

    def action_trades(self) -> None:
        """Every closed trade across restarts, newest first, filtered from the keyboard."""
        self.push_screen(TradesScreen(self.trade_history))

    def action_pnl(self) -> None:
        """Realised and unrealised PnL of a period, per strategy and symbol, with its curve."""
        self.push_screen(PnlScreen(self.trade_history, lambda: self.link.snapshot, self.link.now_ns))

    def action_balances(self) -> None:
        """LIVE: the exchange's balances as last read; SIM/PAPER: the paper account."""
        self.push_screen(BalancesScreen(lambda: self.link.snapshot, self.link.now_ns))

    def action_help(self) -> None:
        """Every key as currently mapped, the panes, and what the states mean."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        snapshot = self.link.snapshot
        session = (f"{snapshot.mode} on {snapshot.exchange} · symbols {', '.join(snapshot.symbols)}"
                   f" · selected {self.selected_symbol}")
        self.push_screen(HelpScreen(binding_help_rows(self, self.keymap), session))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        table = event.data_table
        key = event.row_key.value
        if isinstance(table, SignalsPane) and key is not None:
            signal_view = table.signal_for_key(key)
            if signal_view is not None:
                self.push_screen(SignalDetailScreen(signal_view))
        elif isinstance(table, SymbolsPane) and key is not None:
            self.select_symbol(key)
        elif table.id == "position-rows" and key in self.link.snapshot.symbols:
            self.select_symbol(key)

    # --- commands and quitting -------------------------------------------------------------

    def send(self, command: Command) -> None:
        """Send ``command`` to the engine; its result comes back as a notification."""
        self.link.send(command, self._command_done)
        self.notify(f"sent {describe_command(command)}", timeout=3)

    def _command_done(self, result: CommandResult) -> None:
        # Runs on the engine's thread: hop over to the UI's.
        try:
            self.call_from_thread(self._show_result, result)
        except RuntimeError:
            pass  # the app has already closed; the WAL holds the outcome

    def _show_result(self, result: CommandResult) -> None:
        self.notify(result.message, severity="information" if result.ok else "error",
                    timeout=6 if result.ok else 12)

    async def action_quit(self) -> None:
        """Quit (q, main screen only); warns first when positions or orders are open."""
        self.action_quit_app()

    def action_quit_app(self) -> None:
        """Quit from anywhere; warns first when positions or orders are open (loudly in LIVE)
        and offers to flatten first."""
        if isinstance(self.screen, ConfirmScreen) and self.screen.has_class("-quit"):
            return
        if not self.link.stops_engine_on_quit:
            self.shutdown("detach")  # attached: the served engine keeps trading
            return
        if not quit_summary(self.link.snapshot):
            self.shutdown("operator quit")
            return

        def answered(answer: str | None) -> None:
            if answer == CONFIRM:
                self.shutdown("operator quit")
            elif answer == FLATTEN_AND_QUIT.id:
                self.flatten_and_quit()

        live = self.link.snapshot.mode.lower() == "live"
        screen = ConfirmScreen(lambda: quit_summary(self.link.snapshot) or "Nothing is open any more.",
                               "Quit", title="Quit with positions open", danger=live,
                               choices=(FLATTEN_AND_QUIT,), recheck=True)
        screen.add_class("-quit")
        self.push_screen(screen, answered)

    def action_detach(self) -> None:
        """Leave an attached workstation (main screen only); the served engine keeps trading."""
        if not self.link.stops_engine_on_quit:
            self.shutdown("detach")

    def flatten_and_quit(self) -> None:
        """Flatten everything, then quit at the first snapshot with nothing open."""
        self._quit_when_flat = True
        self.link.send(Flatten(None), self._flatten_for_quit_done)
        self.notify(f"Flattening; quitting once flat ({self.key_hint('quit')} to quit now).", timeout=10)

    def _flatten_for_quit_done(self, result: CommandResult) -> None:
        if not result.ok:
            try:
                self.call_from_thread(self._flatten_for_quit_failed, result)
            except RuntimeError:
                pass  # the app has already closed

    def _flatten_for_quit_failed(self, result: CommandResult) -> None:
        self._quit_when_flat = False
        self.notify(f"Flatten failed, not quitting: {result.message}", severity="error", timeout=12)

    def _quit_if_flat(self) -> None:
        if self._quit_when_flat and not quit_summary(self.link.snapshot):
            self._quit_when_flat = False
            self.shutdown("operator quit after flatten")

    def _on_stop_signal(self, sig: signal.Signals) -> None:
        if sig is signal.SIGHUP:
            detach_from_terminal()
            self.shutdown(sig.name)
            exit_after(EXIT_GRACE_S)
            return
        self.shutdown(sig.name)

    def shutdown(self, reason: str) -> None:
        """Stop the engine gracefully (WAL flushed), then leave the app."""
        self.link.send(StopEngine(reason))
        self.link.stop(reason)
        self.exit(reason)


def describe_command(command: Command) -> str:
    """Operator wording for a command: 'Kill', 'Flatten BTC/USDT', 'PauseStrategy all'."""
    name = type(command).__name__
    if isinstance(command, Flatten):
        return f"{name} {command.symbol or 'all'}"
    if isinstance(command, (PauseStrategy, ResumeStrategy)):
        return f"{name} {command.name or 'all'}"
    if isinstance(command, EnableStrategy):
        return f"{name} {command.name}"
    if isinstance(command, PlaceOrder):
        size = f"{command.qty:g}" if command.notional is None else f"notional {command.notional:g}"
        return f"{name} {command.side} {size} {command.symbol}"
    if isinstance(command, CancelOrder):
        return f"{name} {command.client_id}"
    if isinstance(command, SetExits):
        return f"{name} {command.symbol}"
    if isinstance(command, SetStrategyParams):
        if command.revert_to_defaults:
            return f"{name} {command.name}: revert to defaults"
        return f"{name} {command.name}: " + ", ".join(f"{k}={v}" for k, v in command.values.items())
    return name

