"""Signals of the selected symbol, newest first: who, which way, how sure, why, what became of it.

Enter on a row opens the full explanation of that decision.
"""

from __future__ import annotations

from rich.text import Text

from hft_tui.session.engine_snapshot import EngineSnapshot, SignalView
from hft_tui.tui.formatting import clock_hms, depth_bar, side_text, theme_colour
from hft_tui.tui.panes.fitted_table import FittedTable
from hft_tui.tui.panes.table_rows import Row, selected_key

MAX_ROWS = 200
CONFIDENCE_BAR_W = 3
# Most important first: a narrow pane keeps side, confidence and outcome.
COLUMNS = (("side", 6), ("conf", 8), ("outcome", 16), ("strategy", 11), ("time", 8), ("prio", 4),
           ("reasons", 24))
PRIORITY_LABELS = {"low": "low", "medium": "med", "high": "HIGH", "critical": "CRIT"}


class SignalsPane(FittedTable):
    """A row per signal; rebuilt only when the signals or the selected symbol change."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(COLUMNS, id=id)
        self._signals: tuple[SignalView, ...] | None = None
        self._symbol = ""
        self._by_key: dict[str, SignalView] = {}
        self.border_title = "3 Signals"
        self.border_subtitle = "enter: why"

    def show(self, snapshot: EngineSnapshot, symbol: str) -> None:
        """Take the selected symbol's signals."""
        if snapshot.signals is self._signals and symbol == self._symbol:
            return
        self._signals, self._symbol = snapshot.signals, symbol
        rows: list[Row] = []
        self._by_key = {}
        for signal in reversed(snapshot.signals):
            if signal.symbol != symbol:
                continue
            key = f"{signal.ts_ns}:{signal.strategy}:{signal.side}"
            while key in self._by_key:
                key += "'"
            self._by_key[key] = signal
            rows.append((key, self._cells(signal)))
            if len(rows) == MAX_ROWS:
                break
        self.border_title = f"3 Signals {symbol} ({len(rows)})"
        # On the newest row (the default) the cursor follows new signals in at the top; moved
        # down to an older one, it stays there for the operator to read.
        following = self.cursor_row <= 0
        self.set_rows(rows)
        if following and rows:
            self.move_cursor(row=0, animate=False, scroll=False)
            self.scroll_to(y=0, animate=False, immediate=True)

    def redraw(self) -> None:
        self._signals = None

    def selected_signal(self) -> SignalView | None:
        """The signal under the cursor."""
        key = selected_key(self)
        return None if key is None else self._by_key.get(key)

    def signal_for_key(self, key: str) -> SignalView | None:
        return self._by_key.get(key)

    def _cells(self, signal: SignalView) -> list[str | Text]:
        muted = theme_colour(self, "muted")
        confidence = Text(f"{signal.confidence:.2f} ")
        confidence.append(depth_bar(signal.confidence, CONFIDENCE_BAR_W), style=theme_colour(self, "primary"))
        priority = PRIORITY_LABELS.get(signal.priority.lower(), signal.priority)
        reasons = " ".join(signal.reasons)
        if signal.accepted:
            outcome = Text("✓ accepted", style=theme_colour(self, "active"))
        else:
            rejecting = signal.outcome[0] if signal.outcome else "rejected"
            extra = f" +{len(signal.outcome) - 1}" if len(signal.outcome) > 1 else ""
            outcome = Text(f"✗ {rejecting}{extra}", style=theme_colour(self, "reducing"))
        return [
            side_text(self, signal.side),
            confidence,
            outcome,
            signal.strategy,
            Text(clock_hms(signal.ts_ns), style=muted),
            Text(priority, style="bold" if priority.isupper() else ""),
            reasons,
        ]
