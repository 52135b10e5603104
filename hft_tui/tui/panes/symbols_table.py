"""Every configured symbol: last price, change, position. Enter selects it for book, price
and signals."""

from __future__ import annotations

from rich.text import Text

from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.tui.formatting import FEED_BADGES, decimals_for, pnl_text, theme_colour
from hft_tui.tui.panes.fitted_table import FittedTable
from hft_tui.tui.panes.table_rows import Row, selected_key

COLUMNS = ((" ", 1), ("symbol", 9), ("last", 10), ("chg %", 9), ("position", 8), ("feed", 8))
Shown = tuple[tuple[str, str, float | None, str, str], ...]


class SymbolsPane(FittedTable):
    """A row per symbol; rebuilt only when a shown value changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(COLUMNS, id=id)
        self._shown: Shown | None = None
        self._selected = ""
        self.border_title = "8 Symbols"
        self.border_subtitle = "enter: select"

    def show(self, snapshot: EngineSnapshot, symbol: str) -> None:
        """Take every symbol's last price, change and position."""
        positions = {p.symbol: p for p in snapshot.positions}
        shown: list[tuple[str, str, float | None, str, str]] = []
        for name in snapshot.symbols:
            view = snapshot.views[name]
            decimals = decimals_for(view.tick_size)
            price = view.last_trade.price if view.last_trade is not None else (
                view.book.mid if view.book is not None else None)
            last = "—" if price is None else f"{price:,.{decimals}f}"
            position = positions.get(name)
            held = "flat" if position is None else (
                f"{'+' if position.side == 'long' else '-'}{position.qty:.4g}")
            shown.append((name, last, view.change_pct, held, view.feed_state.value))
        key = tuple(shown)
        if key == self._shown and symbol == self._selected:
            return
        self._shown, self._selected = key, symbol
        feed_states = {name: snapshot.views[name].feed_state for name in snapshot.symbols}
        rows: list[Row] = []
        for name, last, change, held, _ in key:
            badge, colour = FEED_BADGES[feed_states[name]]
            marker = Text("▶" if name == symbol else " ", style="bold")
            change_cell = Text("—") if change is None else pnl_text(self, change, suffix="%")
            held_cell = Text(held, style="bold" if held != "flat" else theme_colour(self, "muted"))
            rows.append((name, [marker, Text(name, style="bold" if name == symbol else ""), last,
                                change_cell, held_cell, Text(badge, style=theme_colour(self, colour))]))
        self.set_rows(rows)

    def redraw(self) -> None:
        self._shown = None

    def highlighted_symbol(self) -> str | None:
        """The symbol under the cursor."""
        return selected_key(self)

