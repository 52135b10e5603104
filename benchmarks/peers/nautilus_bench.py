"""NautilusTrader's BacktestEngine on the head-to-head stream, with the minimal strategy.

Run by ``benchmarks/bench_nautilus.py`` as ``/work/venv-bench/bin/python
benchmarks/peers/nautilus_bench.py STREAM.npz [EVERY]`` (NautilusTrader lives in its own
virtualenv, ``pip install .[bench]``; this file imports nothing from hft_tui). The stream
file is read and turned into NautilusTrader objects before the clock starts; only
``engine.run()`` is timed. Prints one JSON line.

The strategy: an EMA of the book's mid, updated on every delta, and a market order of
0.001 BTC every ``EVERY`` events (deltas and trades), buy and sell in turn (as our probe,
``ema_probe.py``).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig
from nautilus_trader.config import LoggingConfig, StrategyConfig
from nautilus_trader.model.currencies import BTC, USDT
from nautilus_trader.model.data import BookOrder, OrderBookDelta, OrderBookDeltas, TradeTick
from nautilus_trader.model.enums import (
    AccountType,
    AggressorSide,
    BookAction,
    BookType,
    OmsType,
    OrderSide,
)
from nautilus_trader.model.identifiers import InstrumentId, TradeId, Venue
from nautilus_trader.model.objects import Money, Price, Quantity
from nautilus_trader.test_kit.providers import TestInstrumentProvider
from nautilus_trader.trading.strategy import Strategy

_SIDES = (OrderSide.BUY, OrderSide.SELL)  # file side 0 = bid / buy aggressor
_ACTIONS = {1: BookAction.ADD, 2: BookAction.UPDATE, 3: BookAction.DELETE, 4: BookAction.CLEAR}


class EmaProbeConfig(StrategyConfig, frozen=True):
    instrument_id: InstrumentId
    every: int = 1000
    ema_alpha: float = 2.0 / 101.0


class EmaProbe(Strategy):
    """EMA of the mid; a market order every ``every`` events, sides alternating."""

    def __init__(self, config: EmaProbeConfig) -> None:
        super().__init__(config)
        self.ema: float | None = None
        self.mid = 0.0
        self.count = 0
        self.orders_sent = 0
        self.buy_next = True

    def on_start(self) -> None:
        self.instrument = self.cache.instrument(self.config.instrument_id)
        self.qty = self.instrument.make_qty(0.001)
        self.subscribe_order_book_deltas(self.config.instrument_id, BookType.L2_MBP)
        self.subscribe_trade_ticks(self.config.instrument_id)

    def on_order_book_deltas(self, deltas: OrderBookDeltas) -> None:
        book = self.cache.order_book(self.config.instrument_id)
        mid = book.midpoint() if book is not None else None
        if mid is not None:
            self.mid = float(mid)
            self.ema = self.mid if self.ema is None else self.ema + self.config.ema_alpha * (self.mid - self.ema)
        self._tick(len(deltas.deltas))

    def on_trade_tick(self, tick: TradeTick) -> None:
        self._tick(1)

    def _tick(self, events: int) -> None:
        before = self.count // self.config.every
        self.count += events
        if self.count // self.config.every > before and self.ema is not None:
            side = OrderSide.BUY if self.buy_next else OrderSide.SELL
            self.buy_next = not self.buy_next
            self.submit_order(self.order_factory.market(self.config.instrument_id, side, self.qty))
            self.orders_sent += 1


def _load(path: str, instrument_id: InstrumentId) -> tuple[list[OrderBookDelta], list[TradeTick]]:
    data = np.load(path)
    deltas = []
    for ts, side, action, price, qty, flags in zip(
        data["delta_ts"].tolist(), data["delta_side"].tolist(), data["delta_action"].tolist(),
        data["delta_price"].tolist(), data["delta_qty"].tolist(), data["delta_flags"].tolist(),
    ):
        if action == 4:
            deltas.append(OrderBookDelta.clear(instrument_id, 0, ts, ts))
            continue
        order = BookOrder(_SIDES[side], Price(price, 2), Quantity(qty, 6), 0)
        deltas.append(OrderBookDelta(instrument_id, _ACTIONS[action], order, flags, 0, ts, ts))
    trades = [
        TradeTick(instrument_id, Price(price, 2), Quantity(qty, 6),
                  AggressorSide.BUYER if side == 0 else AggressorSide.SELLER, TradeId(str(i)), ts, ts)
        for i, (ts, price, qty, side) in enumerate(zip(
            data["trade_ts"].tolist(), data["trade_price"].tolist(), data["trade_qty"].tolist(),
            data["trade_side"].tolist()))
    ]
    return deltas, trades


def main() -> None:
    path = sys.argv[1]
    every = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    instrument = TestInstrumentProvider.btcusdt_binance()
    deltas, trades = _load(path, instrument.id)
    engine = BacktestEngine(BacktestEngineConfig(
        logging=LoggingConfig(log_level="ERROR", bypass_logging=True)))
    engine.add_venue(Venue("BINANCE"), oms_type=OmsType.NETTING, account_type=AccountType.CASH,
                     starting_balances=[Money(1_000_000_000, USDT), Money(100_000, BTC)],
                     book_type=BookType.L2_MBP)
    engine.add_instrument(instrument)
    engine.add_data(deltas)
    engine.add_data(trades)
    strategy = EmaProbe(EmaProbeConfig(instrument_id=instrument.id, every=every))
    engine.add_strategy(strategy)
    started, started_cpu = time.perf_counter(), time.process_time()
    engine.run()
    wall_s = time.perf_counter() - started
    cpu_s = time.process_time() - started_cpu
    fills = len(engine.cache.orders_closed())
    engine.dispose()
    print(json.dumps({"deltas": len(deltas), "trades": len(trades), "wall_s": wall_s, "cpu_s": cpu_s,
                      "events_per_s": (len(deltas) + len(trades)) / wall_s,
                      "orders_sent": strategy.orders_sent, "orders_closed": fills,
                      "nautilus_version": __import__("nautilus_trader").__version__}))


if __name__ == "__main__":
    main()
