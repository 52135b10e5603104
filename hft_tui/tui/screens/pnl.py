"""PnL: today, this week, this month or all time on the risk guard's trading days (``d``
``w`` ``m`` ``a``), realised (net of fees, from the WAL's closed trades, as ``hft-tui pnl``)
apart from unrealised (the open positions at the latest marks), per strategy and per symbol,
and the running realised PnL of the period as a curve."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from hft_tui.clock import iso_utc
from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.trading.pnl_report import Period, PnlGroup, PnlReport, day_offset_ns, pnl_report
from hft_tui.trading.trade_history import TradeHistory
from hft_tui.tui.formatting import money, signed
from hft_tui.tui.panes.equity_curve import EquityCurve
from hft_tui.wal.record_types import TradeClosed

RELOAD_S = 1.0
PERIOD_TITLES = {Period.TODAY: "today", Period.WEEK: "this week", Period.MONTH: "this month",
                 Period.ALL: "all time"}


def _pnl(value: float) -> Text:
    return Text(signed(value), style="green" if value > 0 else "red" if value < 0 else "")


def groups_table(title: str, groups: tuple[PnlGroup, ...], unrealised: dict[str, float]) -> Table:
    """One row per group (and per open position's group with no closed trade yet)."""
    table = Table(box=None, padding=(0, 1), expand=True, header_style="bold")
    table.add_column(title, no_wrap=True, ratio=1)
    for label in ("trades", "won", "realised", "fees", "unrealised"):
        table.add_column(label, justify="right", no_wrap=True)
    keys = [g.key for g in groups] + [k for k in unrealised if k not in {g.key for g in groups}]
    by_key = {g.key: g for g in groups}
    for key in keys:
        group = by_key.get(key, PnlGroup(key, 0, 0, 0.0, 0.0))
        open_pnl = unrealised.get(key)
        table.add_row(key, str(group.trades), f"{group.win_pct:.0f}%" if group.trades else "-", _pnl(group.pnl),
                      "?" if group.fees is None else f"{group.fees:,.2f}",
                      _pnl(open_pnl) if open_pnl is not None else Text("-", style="dim"))
    if not keys:
        table.add_row(Text("no closed trade and nothing open", style="dim"), "", "", "", "", "")
    return table


class PnlScreen(ModalScreen[None]):
    """Realised PnL from ``history``, unrealised and equity from the newest snapshot."""

    DEFAULT_CSS = """
    PnlScreen { align: center middle; }
    PnlScreen > Vertical { width: 100%; height: 100%; border: round $accent; background: $surface; }
    PnlScreen Static { padding: 0 1; }
    PnlScreen #pnl-curve-title { color: $text-muted; }
    PnlScreen EquityCurve { padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,dollar_sign", "close", "Close"),
                Binding("d", "period('today')", "Today"),
                Binding("w", "period('week')", "Week"),
                Binding("m", "period('month')", "Month"),
                Binding("a", "period('all')", "All time")]

    def __init__(self, history: TradeHistory | None, snapshot: Callable[[], EngineSnapshot],
                 now_ns: Callable[[], int], period: Period = Period.TODAY) -> None:
        super().__init__()
        self._history = history
        self._snapshot = snapshot
        self._now_ns = now_ns
        self.period = period
        self._trades: tuple[TradeClosed, ...] = ()
        self.report: PnlReport | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_subtitle = "d today · w week · m month · a all time · esc close"
            yield Static(id="pnl-summary")
            yield Static(id="pnl-strategies")
            yield Static(id="pnl-symbols")
            yield Static(id="pnl-curve-title")
            yield EquityCurve(id="pnl-curve")

    def on_mount(self) -> None:
        self.show()
        if self._history is not None:
            self.reload()
            self.set_interval(RELOAD_S, self.reload)

    @work(thread=True, group="pnl")
    def reload(self) -> None:
        """Read what the WAL gained (off the UI's thread), then redraw with the newest snapshot."""
        assert self._history is not None
        self._history.update()
        trades = tuple(self._history.trades)
        self.app.call_from_thread(self._take, trades)

    def _take(self, trades: tuple[TradeClosed, ...]) -> None:
        # The history only grows: an overlapping read that finished later is never newer.
        self._trades = max(self._trades, trades, key=len)
        self.show()

    def show(self) -> None:
        snapshot = self._snapshot()
        offset = day_offset_ns(snapshot.risk.day_start_ts_ns) if snapshot.risk is not None else 0
        now = self._now_ns()
        report = self.report = pnl_report(self._trades, self.period, now, offset)
        since = "" if report.period is Period.ALL else f" (since {iso_utc(report.since_ns)[5:16].replace('T', ' ')} UTC)"
        self.query_one(Vertical).border_title = f"PnL — {PERIOD_TITLES[self.period]}{since}"
        total = report.total
        unrealised = sum(p.unrealized_pnl for p in snapshot.positions)
        summary = Text("Realised ")
        summary.append_text(_pnl(total.pnl))
        fees = "?" if total.fees is None else f"{total.fees:,.2f}"
        summary.append(f" net of fees {fees} · {total.trades} trade(s), won {total.wins} · Unrealised ")
        summary.append_text(_pnl(unrealised))
        summary.append(f" on {len(snapshot.positions)} open")
        if snapshot.account is not None:
            summary.append(f" · Equity {money(snapshot.account.equity)}")
        if self._history is None:
            summary = Text("This workstation cannot read the engine's WAL: no closed trades here. ") + summary
        self.query_one("#pnl-summary", Static).update(summary)
        by_strategy: dict[str, float] = {}
        by_symbol: dict[str, float] = {}
        for position in snapshot.positions:
            by_strategy[position.strategy or "operator"] = by_strategy.get(position.strategy or "operator", 0.0) \
                + position.unrealized_pnl
            by_symbol[position.symbol] = by_symbol.get(position.symbol, 0.0) + position.unrealized_pnl
        self.query_one("#pnl-strategies", Static).update(groups_table("strategy", report.by_strategy, by_strategy))
        self.query_one("#pnl-symbols", Static).update(groups_table("symbol", report.by_symbol, by_symbol))
        self.query_one("#pnl-curve-title", Static).update(
            f"running realised PnL, {PERIOD_TITLES[self.period]}: a step at each closed trade")
        start = report.since_ns or (report.curve[0][0] if report.curve else now)
        self.query_one(EquityCurve).show(report.curve, start, max(now, start + 1))

    def action_period(self, period: str) -> None:
        self.period = Period(period)
        self.show()

    def action_close(self) -> None:
        self.dismiss(None)
