"""A batch from a stream is judged element by element: one bad element costs only itself."""

from __future__ import annotations

from typing import Any

from hft_tui.clock import FrozenClock
from hft_tui.market.sources.ccxt import CcxtSource
from hft_tui.model import Liquidation, MarketRejection, ReasonCode, Trade

T0_MS = 1_767_225_600_000


def drain(source: CcxtSource) -> list[Any]:
    events = []
    while not source._queue.empty():  # noqa: SLF001 - the handlers' output
        events.append(source._queue.get_nowait())  # noqa: SLF001
    return events


def source() -> CcxtSource:
    return CcxtSource("binance", ["BTC/USDT"], clock=FrozenClock(T0_MS * 1_000_000))


def raw_trade(n: int, **patch: Any) -> dict[str, Any]:
    return {"id": str(n), "price": 100.0 + n / 10, "amount": 0.5, "side": "buy", "timestamp": T0_MS, **patch}


def test_one_bad_trade_in_a_batch_does_not_drop_the_others() -> None:
    src = source()
    batch = [raw_trade(1), "junk", None, raw_trade(2, price=None), raw_trade(3, id=["x"]), [1, 2],
             raw_trade(4), raw_trade(5, amount="0.5"), raw_trade(6)]
    src._on_trades("BTC/USDT", batch)  # noqa: SLF001
    events = drain(src)
    assert [e.trade_id for e in events if isinstance(e, Trade)] == ["1", "4", "6"]
    rejected = [e for e in events if isinstance(e, MarketRejection)]
    assert len(rejected) == 6 and {e.code for e in rejected} == {ReasonCode.MALFORMED}


def test_repeated_good_trades_are_dropped_and_repeated_bad_ones_are_rejected_each_time() -> None:
    src = source()
    src._on_trades("BTC/USDT", [raw_trade(1), raw_trade(2, side="up")])  # noqa: SLF001
    src._on_trades("BTC/USDT", [raw_trade(1), raw_trade(2, side="up")])  # noqa: SLF001
    events = drain(src)
    assert sum(isinstance(e, Trade) for e in events) == 1
    assert sum(isinstance(e, MarketRejection) for e in events) == 2


def test_a_batch_that_is_not_a_list_is_one_rejection() -> None:
    src = source()
    for junk in ({"id": 1}, "trades", 42, None):
        src._on_trades("BTC/USDT", junk)  # noqa: SLF001
    events = drain(src)
    assert len(events) == 4 and all(isinstance(e, MarketRejection) for e in events)


def test_one_bad_liquidation_in_a_batch_does_not_drop_the_others() -> None:
    src = source()
    good = {"price": 100.0, "contracts": 2, "side": "sell", "timestamp": T0_MS}
    batch = [good, {**good, "contracts": "x"}, {**good, "price": 10**400}, 7, {**good, "timestamp": True},
             {**good, "price": 101.0}]
    src._on_liquidations("BTC/USDT", batch)  # noqa: SLF001
    events = drain(src)
    assert [e.price for e in events if isinstance(e, Liquidation)] == [100.0, 101.0]
    assert sum(isinstance(e, MarketRejection) for e in events) == 4
