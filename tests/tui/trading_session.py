"""A seeded session in which trades close: the operator makes round trips in both symbols
by hand while the strategies trade as the seed has them, on the frozen clock."""

from __future__ import annotations

from tui_session import drive

from hft_tui.trading.commands import PlaceOrder
from hft_tui.tui.app import HftApp

EVENTS_PER_STEP = 60
QTY = {"BTC/USDT": 0.05, "ETH/USDT": 1.0}
# step -> (symbol, side): every position opened here is closed five steps later.
ORDERS = {10: ("BTC/USDT", "buy"), 15: ("BTC/USDT", "sell"), 20: ("ETH/USDT", "buy"), 25: ("ETH/USDT", "sell"),
          30: ("BTC/USDT", "sell"), 35: ("BTC/USDT", "buy"), 40: ("ETH/USDT", "sell"), 45: ("ETH/USDT", "buy"),
          50: ("ETH/USDT", "buy")}  # the last one stays open: unrealised PnL to show
STEPS = 60


def trade_session(app: HftApp, steps: int = STEPS, first_step: int = 0) -> None:
    """Play ``steps`` steps of the schedule into the app (a snapshot after each, as its timers would)."""
    engine = app.link.engine
    for step in range(first_step, first_step + steps):
        if step in ORDERS:
            symbol, side = ORDERS[step]
            engine.apply(PlaceOrder(symbol, side, QTY[symbol]))
            engine.wal.sync()
            engine.core.release_orders()
        drive(engine, EVENTS_PER_STEP)
        engine.publish_snapshot()
        app.refresh_fast()
        app.refresh_slow()
    engine.wal.sync()  # what the screens read is on disk
