"""The broker seam says what each broker is: the paper broker is a ``SynchronousBroker``, the
ccxt broker an ``ExchangeBroker``, and the core and restore read ``capabilities.synchronous``
instead of recognising a broker by its class."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any, Protocol

import pytest

from hft_tui.clock import FrozenClock
from hft_tui.config.loader import load_settings
from hft_tui.execution.broker import (
    Broker,
    ExchangeBroker,
    SynchronousBroker,
    is_exchange,
    is_synchronous,
)
from hft_tui.execution.ccxt_broker import CcxtBroker
from hft_tui.execution.paper_broker import PaperBroker
from hft_tui.execution.settings import ExecutionSettings
from hft_tui.model import MarketRules, Order, OrderType, Side
from hft_tui.trading.core import TradingCore
from hft_tui.wal.writer import WalWriter

T0 = 1_700_000_000_000_000_000
SYMBOL = "BTC/USDT"
RULES = {SYMBOL: MarketRules(SYMBOL, tick_size=0.1, lot_size=0.001, min_notional=5.0,
                             maker_fee=0.001, taker_fee=0.001, spot=True)}
PACKAGE = Path(__file__).resolve().parents[2] / "hft_tui"


def _declared(protocol: type) -> tuple[set[str], dict[str, Any]]:
    """The attributes and the methods a protocol declares, its protocol bases' included."""
    attributes: set[str] = set()
    methods: dict[str, Any] = {}
    for cls in reversed(protocol.__mro__):
        if cls in (object, Protocol) or not getattr(cls, "_is_protocol", False):
            continue
        attributes |= set(vars(cls).get("__annotations__", {}))
        methods.update({name: member for name, member in vars(cls).items()
                        if inspect.isfunction(member) and not name.startswith("_")})
    return attributes, methods


def _paper(clock: FrozenClock) -> PaperBroker:
    return PaperBroker(RULES, clock, ExecutionSettings())


def _exchange(clock: FrozenClock) -> CcxtBroker:
    return CcxtBroker("binance", clock=clock, credentials=None)  # no network until start


@pytest.mark.parametrize(("make", "protocol"), [(_paper, SynchronousBroker), (_exchange, ExchangeBroker)])
def test_each_broker_has_every_member_of_what_it_declares_itself(make: Any, protocol: type) -> None:
    broker = make(FrozenClock(T0))
    attributes, methods = _declared(protocol)
    assert {"capabilities", "on_order", "on_fill", "on_notice", "name"} <= attributes
    for name in attributes:
        assert hasattr(broker, name), f"{type(broker).__name__} lacks {name}"
    for name, declared in methods.items():
        actual = getattr(broker, name, None)
        assert actual is not None, f"{type(broker).__name__} lacks {name}"
        assert inspect.iscoroutinefunction(actual) == inspect.iscoroutinefunction(declared), name
        wanted = [p for p in inspect.signature(declared).parameters.values() if p.name != "self"]
        try:
            given = inspect.signature(actual).parameters
        except ValueError:
            continue  # compiled by mypyc, which states no signature with an enum default: the pure run checks it
        for parameter in wanted:
            assert parameter.name in given, f"{type(broker).__name__}.{name} lacks {parameter.name}"
            assert given[parameter.name].kind == parameter.kind, f"{name}({parameter.name})"


def test_the_generic_protocol_declares_only_what_every_broker_is_asked() -> None:
    _, methods = _declared(Broker)
    assert set(methods) == {"start", "on_book", "on_trade", "close"}


def test_the_declaration_says_which_broker_it_is() -> None:
    clock = FrozenClock(T0)
    paper, exchange = _paper(clock), _exchange(clock)
    assert is_synchronous(paper) and not is_exchange(paper)
    assert is_exchange(exchange) and not is_synchronous(exchange)


def _core(tmp_path: Path, broker: Broker | None) -> TradingCore:
    clock = FrozenClock(T0)
    wal = WalWriter(tmp_path / "wal", clock)
    return TradingCore(load_settings(None), clock=clock, wal=wal, rules=RULES, exchange_id="binance",
                       broker=broker)


def _limit_buy(client_id: str) -> Order:
    return Order(client_id, SYMBOL, Side.BUY, OrderType.LIMIT, 0.01, 1000.0, T0, strategy="test")


def test_a_synchronous_broker_cancels_in_the_call(tmp_path: Path) -> None:
    core = _core(tmp_path, None)
    assert core.sync_broker is core.broker
    broker = core.sync_broker
    broker.submit_now(_limit_buy("a1"))
    order = core.orders["a1"]
    assert order.is_open
    core.cancel(order)
    assert "a1" not in core.orders  # cancelled and ended before the call returned
    assert core.take_cancels() == []


def test_an_exchange_broker_gets_cancels_through_the_engines_lane_and_never_in_the_call(tmp_path: Path) -> None:
    core = _core(tmp_path, _exchange(FrozenClock(T0)))
    assert core.sync_broker is None
    core.cancel(_limit_buy("b1"))
    assert core.take_cancels() == ["b1"]
    with pytest.raises(TypeError, match="not synchronous"):
        core.release_orders()


def test_no_session_or_trading_module_recognises_a_broker_by_its_class() -> None:
    found = []
    for path in [*(PACKAGE / "trading").glob("*.py"), *(PACKAGE / "session").glob("*.py")]:
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id in ("isinstance", "hasattr") and "broker" in ast.unparse(node).lower():
                found.append(f"{path.name}: {ast.unparse(node)}")
        found += [f"{path.name}: {line.strip()}" for line in source.splitlines()
                  if "type: ignore" in line and "broker" in line]
    assert found == []
