"""Captured REST payloads of Binance, OKX and Kraken through ccxt's own parsers into our model.

Markets come from saved ccxt market structures (``payloads/*_markets.json``) via
``set_markets``; nothing here touches the network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ccxt
import pytest

from hft_tui.execution.ccxt_broker import fill_from_ccxt, order_report
from hft_tui.market.ccxt_convert import book_from_ccxt, liquidation_from_ccxt, trade_from_ccxt
from hft_tui.market.ccxt_markets import contract_size, market_rules_from_ccxt
from hft_tui.model import (
    Liquidation,
    Liquidity,
    Order,
    OrderBook,
    OrderStatus,
    OrderType,
    ReasonCode,
    Side,
    Trade,
)

PAYLOADS = Path(__file__).parent / "payloads"
RECEIVED_MS = 1_767_225_600_999


def exchange_with_markets(exchange_id: str) -> Any:
    exchange = getattr(ccxt, exchange_id)()
    exchange.set_markets(json.loads((PAYLOADS / f"{exchange_id}_markets.json").read_text()))
    return exchange


def payload(exchange_id: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{exchange_id}_rest.json").read_text())


def our_order(symbol: str) -> Order:
    return Order("trend0001", symbol, Side.BUY, OrderType.LIMIT, 0.02, 87000.0, created_ts_ns=0, strategy="trend")


def as_book(result: OrderBook | object) -> OrderBook:
    assert isinstance(result, OrderBook), result
    return result


def as_trades(symbol: str, raw_trades: list[dict[str, Any]], size: float = 1.0) -> list[Trade]:
    trades = [trade_from_ccxt(symbol, t, contract_size=size) for t in raw_trades]
    assert all(isinstance(t, Trade) for t in trades), trades
    return trades  # type: ignore[return-value]


# --- Binance spot ---------------------------------------------------------------------------


def test_binance_depth_snapshot_becomes_a_book_stamped_on_receipt() -> None:
    exchange = exchange_with_markets("binance")
    raw = payload("binance")["depth"]
    parsed = exchange.parse_order_book(raw, "BTC/USDT")
    parsed["nonce"] = raw["lastUpdateId"]  # as binance.fetch_order_book does

    book = as_book(book_from_ccxt("BTC/USDT", parsed, received_ms=RECEIVED_MS, depth=20))
    assert book.bids.tolist() == [[87003.99, 1.47563], [87003.98, 0.00012], [87003.5, 0.05]]
    assert book.asks[0].tolist() == [87004.0, 3.11843]
    assert (book.seq, book.ts_ns) == (71246354071, RECEIVED_MS * 1_000_000)
    truncated = as_book(book_from_ccxt("BTC/USDT", parsed, received_ms=RECEIVED_MS, depth=2))
    assert (len(truncated.bids), len(truncated.asks)) == (2, 2)


def test_binance_trades_carry_the_aggressor_side() -> None:
    exchange = exchange_with_markets("binance")
    raw = exchange.parse_trades(payload("binance")["trades"], exchange.market("BTC/USDT"))
    trades = as_trades("BTC/USDT", raw)
    assert [(t.trade_id, t.side, t.price, t.qty, t.ts_ns) for t in trades] == [
        ("5209878091", Side.BUY, 87004.0, 0.0023, 1767225600123 * 1_000_000),
        ("5209878092", Side.SELL, 87003.99, 0.015, 1767225600127 * 1_000_000),
    ]


def test_binance_order_and_fill_with_a_base_currency_fee() -> None:
    exchange = exchange_with_markets("binance")
    market = exchange.market("BTC/USDT")
    raw = payload("binance")
    report = order_report(exchange.parse_order(raw["order"], market))
    assert (report.status, report.filled_qty, report.exchange_id) == (OrderStatus.OPEN, 0.005, "48315372913")
    order = our_order("BTC/USDT")

    fill = fill_from_ccxt(order, exchange.parse_trade(raw["my_trade"], market), market, now_ns=0)
    assert (fill.qty, fill.price, fill.liquidity, fill.trade_id) == (0.005, 87000.0, Liquidity.MAKER, "5209879000")
    assert fill.fee == pytest.approx(0.000005 * 87000.0)  # 5e-6 BTC commission, in USDT
    assert fill.base_fee_qty == pytest.approx(0.000005)  # and the account holds that much less BTC


def test_binance_market_rules() -> None:
    exchange = exchange_with_markets("binance")
    rules = market_rules_from_ccxt(exchange.market("BTC/USDT"), exchange.precisionMode)
    assert (rules.tick_size, rules.lot_size, rules.min_qty, rules.min_notional) == (0.01, 1e-05, 1e-05, 5.0)
    assert (rules.maker_fee, rules.taker_fee, rules.spot) == (0.001, 0.001, True)


# --- OKX USDT swap: quantities in contracts of 0.01 BTC -------------------------------------


def test_okx_swap_book_is_converted_from_contracts_to_base_units() -> None:
    exchange = exchange_with_markets("okx")
    first = payload("okx")["books"]["data"][0]
    parsed = exchange.parse_order_book(first, "BTC/USDT:USDT", int(first["ts"]))
    size = contract_size(exchange.market("BTC/USDT:USDT"))
    assert size == 0.01

    book = as_book(book_from_ccxt("BTC/USDT:USDT", parsed, received_ms=RECEIVED_MS, depth=20, contract_size=size))
    assert book.bids.tolist() == [[87004.0, 1.5], [87003.9, 0.03]]
    assert book.asks.tolist() == [[87004.1, 0.12], [87004.5, 0.4]]
    assert book.ts_ns == 1767225600123 * 1_000_000


def test_okx_swap_trades_are_in_base_units() -> None:
    exchange = exchange_with_markets("okx")
    market = exchange.market("BTC/USDT:USDT")
    raw = exchange.parse_trades(payload("okx")["trades"]["data"], market)
    trades = as_trades("BTC/USDT:USDT", raw, contract_size(market))
    assert [(t.side, t.price, t.qty) for t in trades] == [(Side.SELL, 87004.0, 0.25), (Side.BUY, 87004.1, 0.02)]


def test_okx_order_and_fill_in_base_units_with_a_quote_fee() -> None:
    exchange = exchange_with_markets("okx")
    market = exchange.market("BTC/USDT:USDT")
    raw = payload("okx")
    parsed = exchange.parse_order(raw["order"]["data"][0], market)
    assert parsed["clientOrderId"] == "trend0001"
    report = order_report(parsed, contract_size(market))
    assert (report.status, report.filled_qty, report.exchange_id) == (
        OrderStatus.OPEN, pytest.approx(0.01), "2112404829175832576")
    order = our_order("BTC/USDT:USDT")

    fill = fill_from_ccxt(order, exchange.parse_trade(raw["fill"], market), market, now_ns=0)
    assert (fill.qty, fill.price, fill.liquidity) == (pytest.approx(0.01), 87000.0, Liquidity.MAKER)
    assert fill.fee == pytest.approx(0.00174)


def test_okx_swap_market_rules_are_in_base_units() -> None:
    exchange = exchange_with_markets("okx")
    rules = market_rules_from_ccxt(exchange.market("BTC/USDT:USDT"), exchange.precisionMode)
    assert (rules.tick_size, rules.spot, rules.base, rules.quote) == (0.1, False, "BTC", "USDT")
    assert rules.lot_size == pytest.approx(0.0001) and rules.min_qty == pytest.approx(0.0001)
    assert (rules.maker_fee, rules.taker_fee) == (0.0002, 0.0005)


# --- Kraken spot --------------------------------------------------------------------------------


def test_kraken_depth_becomes_a_book_without_sequence_numbers() -> None:
    exchange = exchange_with_markets("kraken")
    parsed = exchange.parse_order_book(payload("kraken")["depth"]["result"]["XXBTZUSD"], "BTC/USD")
    book = as_book(book_from_ccxt("BTC/USD", parsed, received_ms=RECEIVED_MS, depth=20))
    assert book.bids.tolist() == [[87004.0, 2.0], [87003.9, 0.031]]
    assert book.asks.tolist() == [[87004.1, 0.25], [87004.5, 1.1]]
    assert (book.seq, book.ts_ns) == (0, RECEIVED_MS * 1_000_000)


def test_kraken_trades_map_b_and_s_to_aggressor_sides() -> None:
    exchange = exchange_with_markets("kraken")
    market = exchange.market("BTC/USD")
    raw = exchange.parse_trades(payload("kraken")["trades"]["result"]["XXBTZUSD"], market)
    trades = as_trades("BTC/USD", raw)
    assert [(t.side, t.price, t.qty, t.trade_id) for t in trades] == [
        (Side.BUY, 87004.1, 0.01, "81234567"), (Side.SELL, 87004.0, 0.5, "81234568")]
    assert trades[0].ts_ns == 1767225600212 * 1_000_000


def test_kraken_order_and_fill() -> None:
    exchange = exchange_with_markets("kraken")
    market = exchange.market("BTC/USD")
    raw = payload("kraken")
    (order_id, body), = raw["order"].items()
    parsed = exchange.parse_order({**body, "id": order_id}, market)
    assert parsed["clientOrderId"] == "trend0001"
    report = order_report(parsed)
    assert (report.status, report.filled_qty, report.exchange_id) == (
        OrderStatus.OPEN, 0.005, "OXYZAB-CDEFG-HIJKLM")
    order = our_order("BTC/USD")

    (trade_id, trade_body), = raw["my_trade"].items()
    fill = fill_from_ccxt(order, exchange.parse_trade({**trade_body, "id": trade_id}, market), market, now_ns=0)
    assert (fill.qty, fill.price, fill.trade_id, fill.liquidity) == (0.005, 87000.0, trade_id, Liquidity.MAKER)
    assert fill.fee == pytest.approx(1.0875)


def test_kraken_market_rules() -> None:
    exchange = exchange_with_markets("kraken")
    rules = market_rules_from_ccxt(exchange.market("BTC/USD"), exchange.precisionMode)
    assert (rules.tick_size, rules.lot_size, rules.min_qty, rules.min_notional) == (0.1, 1e-08, 5e-05, 0.5)
    assert (rules.maker_fee, rules.taker_fee, rules.quote) == (0.0025, 0.004, "USD")


# --- liquidations (ccxt's unified structure, as binance.parse_ws_liquidation builds it) -------


def test_liquidation_prints_become_liquidations_in_base_units() -> None:
    raw = {"symbol": "BTC/USDT:USDT", "contracts": 12.0, "contractSize": 0.01, "price": 86950.5,
           "side": "sell", "baseValue": None, "quoteValue": None, "timestamp": 1767225600500}
    liquidation = liquidation_from_ccxt("BTC/USDT:USDT", raw, contract_size=0.01)
    assert liquidation == Liquidation("BTC/USDT:USDT", 1767225600500 * 1_000_000, 86950.5,
                                      pytest.approx(0.12), Side.SELL)
    assert liquidation_from_ccxt("BTC/USDT:USDT", {**raw, "side": None}) is ReasonCode.MALFORMED
    assert liquidation_from_ccxt("BTC/USDT:USDT", {**raw, "price": -1.0}) is ReasonCode.NON_POSITIVE
