"""Risk benchmark: DRB guard cost per market event, gate cost per order, journaling rate.

Run ``python benchmarks/bench_risk.py [--quick]``; the benchmark runner imports ``run``.
The guard is fed what the engine feeds it per book update (``on_market``: a mark, the
open position in that symbol and the equity it implies); the gate checks orders against a book of two positions
and a handful of resting orders.
"""

from __future__ import annotations

import math
import random
import time

from benchmarks.arguments import benchmark_parser
from hft_tui.model import MarketRules, Order, OrderType, Position, Side
from hft_tui.risk.drb_guard import DrbGuard
from hft_tui.risk.risk_gate import RiskContext, RiskGate
from hft_tui.risk.settings import RiskSettings
from hft_tui.risk.trading_state import TradingState

_START_NS = 1_767_225_600_000_000_000
_BTC, _ETH = "BTC/USDT", "ETH/USDT"


def _guard_per_event(n_events: int) -> dict[str, float]:
    guard = DrbGuard(RiskSettings())
    rng = random.Random(7)
    qty, entry = 0.2, 64_000.0
    prices = []
    price = entry
    for _ in range(n_events):
        price *= math.exp(rng.gauss(0.0, 0.00005))  # about 0.5 bps per event
        prices.append(price)
    position = Position(_BTC, qty=qty, avg_entry=entry)
    published = 0
    started = time.perf_counter()
    ts = _START_NS
    for price in prices:
        ts += 10_000_000  # 100 book updates per second
        if guard.on_market(_BTC, price, position, 100_000.0 + (price - entry) * qty, ts) is not None:
            published += 1
    elapsed = time.perf_counter() - started
    return {
        "guard_us_per_event": elapsed / n_events * 1e6,
        "guard_events_per_s": n_events / elapsed,
        "guard_states_published_per_1k_events": published / n_events * 1_000,
    }


def _gate_per_order(n_orders: int) -> dict[str, float]:
    gate = RiskGate(RiskSettings(max_orders_per_window=100_000))
    resting = [
        Order(f"r{i}", _BTC if i % 2 else _ETH, Side.BUY if i % 3 else Side.SELL, OrderType.LIMIT,
              0.01, 64_000.0 if i % 2 else 3_000.0, _START_NS)
        for i in range(6)
    ]
    ctx = RiskContext(
        ts_ns=_START_NS,
        trading_state=TradingState.ACTIVE,
        positions_qty={_BTC: 0.1, _ETH: -1.0},
        marks={_BTC: 64_000.0, _ETH: 3_000.0},
        equity=100_000.0,
        open_orders=resting,
        rules={_BTC: MarketRules(_BTC, 0.1, 0.0001, min_notional=5.0),
               _ETH: MarketRules(_ETH, 0.01, 0.001, min_notional=5.0)},
    )
    orders = [
        Order(f"n{i}", _BTC, Side.BUY if i % 2 else Side.SELL, OrderType.LIMIT, 0.01, 64_000.0 + i % 7, _START_NS)
        for i in range(n_orders)
    ]
    accepted = 0
    started = time.perf_counter()
    for order in orders:
        if gate.check(order, ctx) is None:
            accepted += 1
    elapsed = time.perf_counter() - started
    assert accepted == n_orders
    return {"gate_us_per_check": elapsed / n_orders * 1e6}


def run(quick: bool = False) -> dict[str, float]:
    """Figures for the benchmark runner."""
    figures = _guard_per_event(50_000 if quick else 500_000)
    figures.update(_gate_per_order(20_000 if quick else 200_000))
    return figures


if __name__ == "__main__":
    parser = benchmark_parser(__file__, __doc__)
    parser.add_argument("--quick", action="store_true")
    for key, value in run(parser.parse_args().quick).items():
        print(f"{key:<42} {value:>12,.3f}")
