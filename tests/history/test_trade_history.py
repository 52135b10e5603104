"""The trade history reads a WAL once, then only what was appended: a screen kept open sees
each trade as it closes, without reading the whole journal again."""

from __future__ import annotations

from pathlib import Path

from hft_tui.clock import FrozenClock
from hft_tui.trading.trade_history import TradeHistory, closed_trades, matching
from hft_tui.wal.writer import WalWriter


def _closed(wal: WalWriter, symbol: str, strategy: str, pnl: float, fees: float | None = 0.5) -> None:
    payload = {"strategy": strategy, "symbol": symbol, "side": "buy", "qty": 1.0, "entry_price": 10.0,
               "exit_price": 11.0, "pnl": pnl, "entry_ts_ns": 1, "exit_ts_ns": 400_000_001,
               "entry_reasons": ["OPERATOR"], "exit_reason": "TAKE_PROFIT"}
    if fees is not None:
        payload["fees"] = fees
    wal.append("trade_closed", payload)
    wal.append("risk", {"note": "trade_closed in a payload is not a trade"})
    wal.sync()


def test_history_reads_only_the_trades_closed_since_the_last_update(tmp_path: Path) -> None:
    wal = WalWriter(tmp_path, FrozenClock(0))
    _closed(wal, "BTC/USDT", "cvd", 1.0)
    history = TradeHistory(tmp_path)
    assert history.update() == 1
    assert history.update() == 0
    _closed(wal, "ETH/USDT", "operator", -2.0, fees=None)  # journaled before trades carried fees
    assert history.update() == 1
    wal.close_sync()
    first, second = history.trades
    assert (first.known_fees, second.known_fees) == (0.5, None)
    assert first.duration_s == 0.4 and first.entry_reasons == ["OPERATOR"]
    assert matching(history.trades, strategy="operator") == [second]
    assert closed_trades(tmp_path, symbol="BTC/USDT") == [first]
