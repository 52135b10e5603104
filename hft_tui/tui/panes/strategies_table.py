"""Every strategy: state (running, paused, auto-disabled and why), score, tuned parameters.

The row under the cursor is the strategy that pause (p) and tune (t) act on.
"""

from __future__ import annotations

from rich.text import Text

from hft_tui.session.engine_snapshot import EngineSnapshot, StrategyView
from hft_tui.tui.formatting import pnl_text, theme_colour
from hft_tui.tui.panes.fitted_table import FittedTable
from hft_tui.tui.panes.table_rows import Row, selected_key

COLUMNS = (("strategy", 12), ("state", 8), ("PnL", 10), ("trades", 6), ("win%", 4), ("sig", 5),
           ("tuned", 16))
STATE_BADGES = {"running": ("● run", "active"), "paused": ("‖ paused", "reducing"),
                "disabled": ("✕ off", "halted")}


class StrategiesPane(FittedTable):
    """A row per strategy; rebuilt only when the strategies change."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(COLUMNS, id=id)
        self._strategies: tuple[StrategyView, ...] | None = None
        self._by_name: dict[str, StrategyView] = {}
        self.border_title = "5 Strategies"
        self.border_subtitle = "p pause · t tune"

    def show(self, snapshot: EngineSnapshot, symbol: str) -> None:
        """Take the strategies' views."""
        strategies = snapshot.strategies
        if strategies is self._strategies or strategies == self._strategies:
            self._strategies = strategies
            return
        self._strategies = strategies
        self._by_name = {s.name: s for s in strategies}
        rows: list[Row] = [(s.name, self._cells(s)) for s in strategies]
        self.set_rows(rows)

    def redraw(self) -> None:
        self._strategies = None

    def selected_strategy(self) -> StrategyView | None:
        """The strategy under the cursor (the first one until the operator moves)."""
        key = selected_key(self)
        return None if key is None else self._by_name.get(key)

    def _cells(self, strategy: StrategyView) -> list[str | Text]:
        label, colour = STATE_BADGES.get(strategy.status, (strategy.status, "muted"))
        state = Text(label, style=f"bold {theme_colour(self, colour)}")
        if strategy.status == "disabled" and strategy.disabled_reason:
            state.append(f" {strategy.disabled_reason}", style=theme_colour(self, "muted"))
        win = "—" if strategy.win_rate is None else f"{strategy.win_rate * 100:.0f}"
        tuned = Text("✎ " + ",".join(strategy.tuned), style=theme_colour(self, "accent")) \
            if strategy.tuned else Text("defaults", style=theme_colour(self, "muted"))
        return [Text(strategy.name, style="bold"), state, pnl_text(self, strategy.pnl),
                str(strategy.trades), win, str(strategy.signals), tuned]
