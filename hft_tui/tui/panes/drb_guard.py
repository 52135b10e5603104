"""DRB guard: the trading state as a large badge, each budget as a used/limit bar, breakers.

State is told by word and shape as well as colour: ● ACTIVE, ▼ REDUCING, ■ HALTED, ✖ FAILED.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from hft_tui.risk.drb_state import BreakerState, BudgetState, DrbState
from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.tui.formatting import clock_hms, meter, theme_colour

STATE_BADGES = {
    "ACTIVE": ("●", "ACTIVE", "trading", "active"),
    "REDUCING": ("▼", "REDUCING", "reduce-only", "reducing"),
    "HALTED": ("■", "HALTED", "nothing but exits", "halted"),
    "FAILED": ("✖", "FAILED", "journal failed: kill and flatten only", "halted"),
}
NAME_W = 14
# Budget names as the guard publishes them are long; these fit the pane.
SHORT_NAMES = {"daily_loss": "daily loss", "drawdown": "drawdown", "rapid_drawdown": "rapid dd",
               "position_loss": "position loss", "consecutive_losses": "loss streak",
               "volatility": "volatility", "errors": "errors"}
BIG_BADGE_ROWS = 3


def budget_level(budget: BudgetState) -> str:
    """'trip', 'soft' or 'ok': where ``used`` stands against the limits."""
    if budget.limit > 0 and budget.used >= budget.limit:
        return "trip"
    if budget.soft_limit > 0 and budget.used >= budget.soft_limit:
        return "soft"
    return "ok"


def budget_amounts(budget: BudgetState) -> str:
    """'1.2%/3%' for fractions of equity, '2/5 losing' for counts, '2.1/4 sigma' otherwise."""
    if budget.unit.startswith("fraction"):
        return f"{budget.used * 100:.2g}%/{budget.limit * 100:.2g}%"
    return f"{budget.used:.3g}/{budget.limit:.3g} {budget.unit.split()[0]}"


class DrbGuardPane(Widget, can_focus=True):
    """Redraws when the trading state, the guard's state or the notice changes."""

    DEFAULT_CSS = """
    DrbGuardPane { height: 1fr; text-wrap: nowrap; text-overflow: clip; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._state = ""
        self._risk: DrbState | None = None
        self._shown = False
        self._state_reason = ""
        self.border_title = "6 DRB guard"

    def show(self, snapshot: EngineSnapshot, symbol: str) -> None:
        """Take the trading state and the guard's state."""
        if (self._shown and snapshot.trading_state == self._state and snapshot.risk == self._risk
                and snapshot.trading_state_reason == self._state_reason):
            return
        self._shown = True
        self._state, self._risk = snapshot.trading_state, snapshot.risk
        self._state_reason = snapshot.trading_state_reason
        self.refresh()

    def redraw(self) -> None:
        self.refresh()

    def render(self) -> Text:
        width, height = self.content_size.width, max(1, self.content_size.height)
        risk = self._risk
        budgets = risk.budgets if risk is not None else ()
        tripped = risk.tripped if risk is not None else ()
        text = Text(no_wrap=True, overflow="crop")
        big = height >= BIG_BADGE_ROWS + 1 + len(budgets) + len(tripped)
        self._append_badge(text, width, BIG_BADGE_ROWS if big else 1)
        used_rows = BIG_BADGE_ROWS if big else 1
        muted = theme_colour(self, "muted")
        if risk is None:
            text.append("\nrisk guard not reporting", style=muted)
            return text
        # Away from ACTIVE, say why the state changed (KILL, a breaker); else the guard's view.
        why = self._state_reason if self._state != "ACTIVE" and self._state_reason else ""
        text.append("\nwhy " if why else "\nguard ", style=muted)
        text.append(why or risk.reason.value, style="bold")
        text.append(f" · size ×{risk.size_scale:.2f}", style=muted)
        used_rows += 1
        room = height - used_rows
        if room < len(budgets) and room <= 2:
            self._append_summary(text, risk)
            return text
        shown = budgets if room >= len(budgets) else sorted(
            budgets, key=lambda b: b.used / b.limit if b.limit else 0.0, reverse=True)[:room]
        breakers = {b.name: b for b in risk.breakers}
        for budget in shown:
            self._append_budget(text, budget, breakers.get(budget.name), width)
        room -= len(shown)
        for breaker in tripped[:max(0, room)]:
            self._append_tripped(text, breaker)
        return text

    def _append_badge(self, text: Text, width: int, rows: int) -> None:
        shape, word, meaning, colour = STATE_BADGES.get(self._state, ("?", self._state, "", "muted"))
        style = f"bold reverse {theme_colour(self, colour)}"
        label = f" {shape} {word} — {meaning} " if width >= len(word) + len(meaning) + 8 else f" {shape} {word} "
        pad = " " * width
        for row in range(rows):
            if row:
                text.append("\n")
            text.append(label.center(width) if row == rows // 2 else pad, style=style)

    def _append_budget(self, text: Text, budget: BudgetState, breaker: BreakerState | None,
                       width: int) -> None:
        level = budget_level(budget)
        colour = theme_colour(self, {"trip": "halted", "soft": "reducing"}.get(level, "active"))
        fraction = budget.used / budget.limit if budget.limit > 0 else 0.0
        amounts = f" {budget_amounts(budget):<14}"
        status_w = 9
        bar_w = max(4, width - NAME_W - 6 - status_w - (len(amounts) if width >= 50 else 0))
        name = SHORT_NAMES.get(budget.name, budget.name)
        text.append(f"\n{name[:NAME_W - 1]:<{NAME_W}}")
        text.append(meter(fraction, bar_w), style=colour)
        text.append(f"{fraction * 100:>5.0f}%", style=colour if level != "ok" else "")
        if width >= 50:
            text.append(amounts, style=theme_colour(self, "muted"))
        if breaker is not None and breaker.tripped:
            text.append(" ■ TRIP", style=f"bold {theme_colour(self, 'halted')}")
        elif level == "soft":
            text.append(" ▲ soft", style=colour)
        else:
            text.append(" ○ armed", style=theme_colour(self, "muted"))

    def _append_tripped(self, text: Text, breaker: BreakerState) -> None:
        when = clock_hms(breaker.tripped_ts_ns) if breaker.tripped_ts_ns is not None else "--:--:--"
        text.append(f"\n■ {when} {breaker.code.value}", style=f"bold {theme_colour(self, 'halted')}")
        if breaker.detail:
            text.append(f" {breaker.detail}", style=theme_colour(self, "muted"))

    def _append_summary(self, text: Text, risk: DrbState) -> None:
        worst = max(risk.budgets, key=lambda b: b.used / b.limit if b.limit else 0.0, default=None)
        text.append("\n")
        if worst is not None:
            fraction = worst.used / worst.limit if worst.limit else 0.0
            text.append(f"worst {SHORT_NAMES.get(worst.name, worst.name)} {fraction * 100:.0f}%")
        tripped = risk.tripped
        if tripped:
            text.append(f" · ■ {len(tripped)} tripped {tripped[0].code.value}",
                        style=f"bold {theme_colour(self, 'halted')}")
        else:
            text.append(f" · {len(risk.breakers)} breakers armed", style=theme_colour(self, "muted"))
