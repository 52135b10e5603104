"""The report's terminal plots, drawn with plotext: equity above its drawdown, and each
symbol's price with the strategies' entries and exits marked. Time runs along x in hours
from the start of the window; the plots are plain text with colours, so rich prints them in a
terminal and a log or a test reads them as text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
import plotext as plt
from rich.text import Text

from hft_tui.backtest.report import EquityCurve
from hft_tui.clock import iso_utc
from hft_tui.model import Side

NS_PER_HOUR = 3_600 * 1_000_000_000


class MarkedTrade(Protocol):
    """What a price plot marks of a trade (``model.ClosedTrade``, or one read back from a saved run)."""

    @property
    def symbol(self) -> str: ...
    @property
    def side(self) -> Side: ...
    @property
    def entry_ts_ns(self) -> int: ...
    @property
    def entry_price(self) -> float: ...
    @property
    def exit_ts_ns(self) -> int: ...
    @property
    def exit_price(self) -> float: ...


def equity_plot(curve: EquityCurve, width: int, height: int = 24) -> Text:
    """Equity (about two thirds of the height) above the drawdown from the running peak, in %."""
    if len(curve) < 2:
        return Text("(not enough samples to plot)")
    hours = _hours(curve.ts_ns, int(curve.ts_ns[0]))
    _fresh_figure(width, height - height // 3, "equity")
    plt.plot(hours, curve.equity.tolist(), color="green", marker="braille")
    equity = _built()
    _fresh_figure(width, height // 3, "drawdown %")
    plt.plot(hours, (-curve.drawdown() * 100.0).tolist(), color="red", marker="braille", fillx=True)
    plt.xlabel(f"hours from {iso_utc(int(curve.ts_ns[0]))[:16]} UTC")
    return Text("\n").join([equity, _built()])


def price_plot(symbol: str, ts_ns: np.ndarray, price: np.ndarray, trades: Sequence[MarkedTrade], start_ts_ns: int,
               width: int, height: int = 14) -> Text:
    """``symbol``'s price with each trade's entry (▲ long, ▼ short) and exit (×) marked."""
    if len(ts_ns) < 2:
        return Text(f"{symbol}: (not enough prices to plot)")
    _fresh_figure(width, height, f"{symbol}: price, entries and exits")
    plt.plot(_hours(ts_ns, start_ts_ns), price.tolist(), marker="braille")
    mine = [t for t in trades if t.symbol == symbol]
    for side, marker, color, label in ((Side.BUY, "▲", "green", "long entry"), (Side.SELL, "▼", "red", "short entry")):
        entered = [t for t in mine if t.side == side]
        if entered:
            plt.scatter(_hours(np.array([t.entry_ts_ns for t in entered]), start_ts_ns),
                        [t.entry_price for t in entered], marker=marker, color=color, label=label)
    if mine:
        plt.scatter(_hours(np.array([t.exit_ts_ns for t in mine]), start_ts_ns), [t.exit_price for t in mine],
                    marker="×", color="blue", label="exit")
    plt.xlabel(f"hours from {iso_utc(start_ts_ns)[:16]} UTC")
    return _built()


def price_plots(prices: Mapping[str, tuple[np.ndarray, np.ndarray]], trades: Sequence[MarkedTrade], start_ts_ns: int,
                width: int) -> list[Text]:
    """One price plot per symbol, in symbol order."""
    return [price_plot(symbol, ts, price, trades, start_ts_ns, width) for symbol, (ts, price) in sorted(prices.items())]


def _hours(ts_ns: np.ndarray, start_ts_ns: int) -> list[float]:
    return ((np.asarray(ts_ns, dtype=np.int64) - start_ts_ns) / NS_PER_HOUR).tolist()


def _fresh_figure(width: int, height: int, title: str) -> None:
    """plotext keeps one figure per process: start it anew, sized by us and not by the terminal."""
    plt.clear_figure()
    plt.limit_size(False, False)
    plt.theme("clear")
    plt.plot_size(width, height)
    plt.title(title)


def _built() -> Text:
    text = Text.from_ansi(plt.build())
    plt.clear_figure()
    return text
