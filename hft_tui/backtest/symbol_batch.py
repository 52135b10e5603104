"""A batch of backtests over many symbols: each symbol alone, every window, as jobs on an
executor; Ctrl+C keeps the symbols that had finished."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import dataclass, replace

from hft_tui.backtest.executor import BacktestExecutor, BacktestJob
from hft_tui.backtest.report import BacktestReport
from hft_tui.backtest.runner import DataSpec, Window
from hft_tui.config.settings import Settings


@dataclass(frozen=True, slots=True)
class SymbolBatch:
    """Each finished symbol's reports, one per window, in the order the symbols were given."""

    reports: dict[str, list[BacktestReport]]
    interrupted: bool = False


def run_symbol_batch(settings: Settings, spec: DataSpec, windows: Sequence[Window],
                     executor: BacktestExecutor, *, vectorised: bool = False,
                     on_done: Callable[[int, str, list[BacktestReport]], None] | None = None) -> SymbolBatch:
    """Backtest each of ``spec.symbols`` on its own (settings and data narrowed to it);
    ``on_done(symbols finished, symbol, its reports)`` as each symbol's last window finishes."""
    futures: dict[Future[BacktestReport], tuple[str, int]] = {}
    done: dict[tuple[str, int], BacktestReport] = {}
    interrupted = False
    try:
        for symbol in spec.symbols:
            alone = settings.model_copy(update={"engine": settings.engine.model_copy(update={"symbols": [symbol]})})
            for w, window in enumerate(windows):
                job = BacktestJob(alone, replace(spec, symbols=(symbol,)), window, vectorised)
                futures[executor.submit(job)] = (symbol, w)
        finished = 0
        for future in as_completed(futures):
            symbol, _ = futures[future]
            done[futures[future]] = future.result()
            if on_done is not None and all((symbol, w) in done for w in range(len(windows))):
                finished += 1
                on_done(finished, symbol, [done[(symbol, w)] for w in range(len(windows))])
    except KeyboardInterrupt:
        interrupted = True
        executor.stop_now()
    reports = {s: [done[(s, w)] for w in range(len(windows))] for s in spec.symbols
               if all((s, w) in done for w in range(len(windows)))}
    return SymbolBatch(reports, interrupted)
