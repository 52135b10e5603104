"""Every closed trade across restarts, newest first, read from the WAL by the same code as
``hft-tui trades`` and kept up to date while open; ``s`` and ``g`` filter by symbol and by
strategy (each press moves to the next one, then back to all), ``c`` clears both."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from hft_tui.clock import duration_text, iso_utc
from hft_tui.trading.trade_history import TradeHistory, matching
from hft_tui.tui.formatting import price_decimals, signed
from hft_tui.tui.panes.fitted_table import FittedTable
from hft_tui.tui.panes.table_rows import Row
from hft_tui.wal.record_types import TradeClosed

# Most important first: a narrow terminal drops columns from the end.
COLUMNS = (("closed", 14), ("symbol", 8), ("side", 4), ("qty", 5), ("PnL", 7), ("fees", 5), ("held", 4),
           ("strategy", 8), ("entry", 7), ("exit", 7), ("exit reason", 11), ("entry reason", 8))
RELOAD_S = 1.0


def next_choice(current: str | None, choices: Sequence[str]) -> str | None:
    """The filter after ``current``: each of ``choices`` in turn, then None (all)."""
    if current not in choices:
        return choices[0] if choices else None
    index = choices.index(current) + 1
    return choices[index] if index < len(choices) else None


def trade_row(index: int, trade: TradeClosed) -> Row:
    """One trade as the table shows it."""
    decimals = price_decimals(trade.entry_price) + 1  # an average of fills, finer than the tick
    pnl = Text(signed(trade.pnl), style="green" if trade.pnl > 0 else "red" if trade.pnl < 0 else "")
    side = Text(trade.side, style="green" if trade.side == "buy" else "red")
    return (str(index), [iso_utc(trade.exit_ts_ns)[5:19].replace("T", " "), trade.symbol, side,
                         f"{trade.qty:g}", pnl, "?" if trade.known_fees is None else f"{trade.known_fees:.2f}",
                         duration_text(trade.duration_s), trade.strategy,
                         f"{trade.entry_price:.{decimals}f}", f"{trade.exit_price:.{decimals}f}",
                         trade.exit_reason or "-", ",".join(trade.entry_reasons) or "-"])


class TradesScreen(ModalScreen[None]):
    """The trade history of ``history`` (None: this workstation cannot read the WAL)."""

    DEFAULT_CSS = """
    TradesScreen { align: center middle; }
    TradesScreen > Vertical { width: 100%; height: 100%; border: round $accent; background: $surface; }
    TradesScreen #trades-summary { height: 1; padding: 0 1; }
    TradesScreen FittedTable { height: 1fr; }
    """
    BINDINGS = [Binding("escape,q,h", "close", "Close"),
                Binding("s", "filter_symbol", "Symbol filter"),
                Binding("g", "filter_strategy", "Strategy filter"),
                Binding("c", "clear_filters", "Clear filters")]

    def __init__(self, history: TradeHistory | None) -> None:
        super().__init__()
        self._history = history
        self._trades: tuple[TradeClosed, ...] | None = None  # None until the first read
        self.symbol: str | None = None
        self.strategy: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Trades — every session, newest first"
            box.border_subtitle = "s symbol · g strategy · c clear · esc close"
            yield Static(id="trades-summary")
            yield FittedTable(COLUMNS, id="trades-table")

    def on_mount(self) -> None:
        if self._history is None:
            self.query_one("#trades-summary", Static).update(
                Text("This workstation cannot read the engine's WAL: no trade history here.", style="bold"))
            return
        self.reload()
        self.set_interval(RELOAD_S, self.reload)

    @work(thread=True, group="trades")
    def reload(self) -> None:
        """Read what the WAL gained (off the UI's thread), then show it."""
        assert self._history is not None
        self._history.update()
        trades = tuple(self._history.trades)
        if self._trades is None or len(trades) != len(self._trades):
            self.app.call_from_thread(self._take, trades)

    def _take(self, trades: tuple[TradeClosed, ...]) -> None:
        if self._trades is not None and len(trades) <= len(self._trades):
            return  # an overlapping read that finished later has nothing newer
        self._trades = trades
        self.show()

    @property
    def trades(self) -> tuple[TradeClosed, ...]:
        return self._trades or ()

    @property
    def shown(self) -> list[TradeClosed]:
        """The trades the filters let through, newest first."""
        return matching(reversed(self.trades), symbol=self.symbol, strategy=self.strategy)

    def show(self) -> None:
        shown = self.shown
        self.query_one(FittedTable).set_rows(
            [trade_row(len(self.trades) - i, t) for i, t in enumerate(shown)])
        filters = [f"symbol {self.symbol}" if self.symbol else "", f"strategy {self.strategy}" if self.strategy else ""]
        where = " · ".join(f for f in filters if f) or "all"
        pnl = sum(t.pnl for t in shown)
        known = [t.known_fees for t in shown]
        fees = "?" if None in known else f"{sum(f or 0.0 for f in known):,.2f}"
        wins = sum(1 for t in shown if t.pnl > 0)
        summary = Text(f"{where}: {len(shown)} of {len(self.trades)} trade(s) · net PnL ")
        summary.append(signed(pnl), style="green" if pnl > 0 else "red" if pnl < 0 else "")
        summary.append(f" · fees {fees} · won {wins}/{len(shown)}")
        self.query_one("#trades-summary", Static).update(summary)

    def _choices(self, field: str) -> list[str]:
        return sorted({getattr(t, field) for t in self.trades})

    def action_filter_symbol(self) -> None:
        self.symbol = next_choice(self.symbol, self._choices("symbol"))
        self.show()

    def action_filter_strategy(self) -> None:
        self.strategy = next_choice(self.strategy, self._choices("strategy"))
        self.show()

    def action_clear_filters(self) -> None:
        self.symbol = self.strategy = None
        self.show()

    def action_close(self) -> None:
        self.dismiss(None)
