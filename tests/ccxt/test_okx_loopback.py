"""ccxt's okx class against the OKX loopback: the loopback is as strict as the real venue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from okx_loopback import OkxLoopback

from hft_tui.config.credentials import ExchangeCredentials
from hft_tui.config.settings import ExchangeSettings
from hft_tui.market.ccxt_exchange import ccxt_errors, create_exchange

SWAP = "BTC/USDT:USDT"
SPOT = "BTC/USDT"


@pytest.fixture
async def okx(okx_settings: ExchangeSettings, okx_credentials: ExchangeCredentials) -> AsyncIterator[Any]:
    exchange = create_exchange("okx", market_type="swap", ccxt_config=okx_settings.ccxt,
                               credentials=okx_credentials, streaming=False)
    await exchange.load_markets()
    yield exchange
    await exchange.close()


async def test_markets_carry_contract_size_lot_and_tick(okx: Any) -> None:
    swap, spot = okx.market(SWAP), okx.market(SPOT)
    assert swap["swap"] and swap["contractSize"] == 0.01 and swap["precision"]["amount"] == 0.01
    assert swap["precision"]["price"] == 0.1 and swap["settle"] == "USDT"
    assert spot["spot"] and spot["precision"]["amount"] == 1e-8 and spot["limits"]["amount"]["min"] == 1e-5


async def test_server_time_is_the_loopbacks_clock(okx: Any, okx_loopback: OkxLoopback) -> None:
    okx_loopback.advance(5)
    assert abs(await okx.fetch_time() - okx_loopback.now_ms()) < 1000


async def test_a_resting_spot_buy_locks_quote_and_a_cancel_gives_it_back(okx: Any, okx_loopback: OkxLoopback) -> None:
    order = await okx.create_order(SPOT, "limit", "buy", 0.1, 40_000.0, {"clOrdId": "abc1"})
    balance = await okx.fetch_balance()
    assert balance["USDT"]["used"] == pytest.approx(4_000.0) and balance["USDT"]["free"] == pytest.approx(6_000.0)
    assert [o["clientOrderId"] for o in await okx.fetch_open_orders(SPOT)] == ["abc1"]
    await okx.cancel_order(order["id"], SPOT)
    assert (await okx.fetch_order(order["id"], SPOT))["status"] == "canceled"
    assert (await okx.fetch_balance())["USDT"]["free"] == pytest.approx(10_000.0)


async def test_fills_are_listed_with_the_fee_a_spot_buy_pays_in_base(okx: Any, okx_loopback: OkxLoopback) -> None:
    order = await okx.create_order(SPOT, "market", "buy", 0.1, None, {"clOrdId": "mkt1"})
    assert order["status"] is None or order["status"] == "open"  # the create answer has ids only, as on OKX
    trades = await okx.fetch_my_trades(SPOT)
    assert sum(t["amount"] for t in trades) == pytest.approx(0.1)
    assert {t["fee"]["currency"] for t in trades} == {"BTC"} and all(t["order"] == order["id"] for t in trades)
    assert okx_loopback.total("BTC") == pytest.approx(1.0 + 0.1 - 0.1 * 0.001)
    assert (await okx.fetch_order(order["id"], SPOT))["status"] == "closed"


async def test_fills_come_newest_first_a_hundred_at_most_and_page_back_by_bill_id(
        okx: Any, okx_loopback: OkxLoopback) -> None:
    resting = okx_loopback.place_foreign_order("BTC-USDT-SWAP", "buy", 1.5, 49_000.0)
    for _ in range(150):
        okx_loopback.fill_order(resting.ord_id, 0.01, 49_000.0)
    newest = await okx.fetch_my_trades(SWAP, okx_loopback.now_ms() - 60_000, None, {"ordId": resting.ord_id})
    older = await okx.fetch_my_trades(SWAP, None, 100, {"ordId": resting.ord_id,
                                                         "after": min(t["info"]["billId"] for t in newest)})
    ids = [f["tradeId"] for f in okx_loopback.fills]
    assert sorted(t["id"] for t in newest) == sorted(ids[50:]), "the 100 newest, whatever `since` asks"
    assert sorted(t["id"] for t in older) == sorted(ids[:50])
    assert all(t["info"]["billId"] != t["id"] for t in newest), "bill ids are not trade ids"


async def test_swap_fills_make_a_position_in_contracts(okx: Any, okx_loopback: OkxLoopback) -> None:
    await okx.create_order(SWAP, "market", "buy", 200, None, {"clOrdId": "sw1"})
    [position] = await okx.fetch_positions([SWAP])
    assert position["contracts"] == 200 and position["side"] == "long" and position["contractSize"] == 0.01
    assert position["entryPrice"] == pytest.approx((150 * 50_000.5 + 50 * 50_001.5) / 200)
    await okx.create_order(SWAP, "market", "sell", 200, None, {"clOrdId": "sw2", "reduceOnly": True})
    assert await okx.fetch_positions([SWAP]) == []
    assert okx_loopback.free["USDT"] < 10_000.0  # fees and the spread, settled in USDT


async def test_strict_rules_are_refused_with_okx_codes(okx: Any) -> None:
    ccxt = ccxt_errors()
    with pytest.raises(ccxt.InvalidOrder, match="51121"):  # ccxt rounds to the lot: send the raw request
        await okx.privatePostTradeOrder({"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy",
                                         "ordType": "limit", "sz": "1.005", "px": "40000", "clOrdId": "lot1"})
    await okx.create_order(SWAP, "limit", "buy", 1, 40_000.0, {"clOrdId": "dup1"})
    with pytest.raises(ccxt.InvalidOrder, match="51016"):
        await okx.create_order(SWAP, "limit", "buy", 1, 40_000.0, {"clOrdId": "dup1"})
    with pytest.raises(ccxt.ExchangeError, match="51169"):
        await okx.create_order(SWAP, "market", "sell", 1, None, {"clOrdId": "ro1", "reduceOnly": True})
    with pytest.raises(ccxt.InsufficientFunds, match="51008"):
        await okx.create_order(SPOT, "market", "sell", 2, None, {"clOrdId": "big1"})
    with pytest.raises(ccxt.OrderNotFound):
        await okx.fetch_order("999", SWAP)


async def test_cancel_all_after_cancels_resting_orders_when_its_clock_runs_out(okx: Any,
                                                                                okx_loopback: OkxLoopback) -> None:
    await okx.create_order(SWAP, "limit", "buy", 1, 40_000.0, {"clOrdId": "dm1"})
    await okx.cancel_all_orders_after(60_000)
    okx_loopback.advance(59)
    await okx.load_time_difference()  # its clock jumped: signed requests follow it, as after any skew
    assert len(await okx.fetch_open_orders(SWAP)) == 1
    await okx.cancel_all_orders_after(60_000)  # refreshed: a new 60 s from now
    okx_loopback.advance(59)
    await okx.load_time_difference()
    assert len(await okx.fetch_open_orders(SWAP)) == 1
    okx_loopback.advance(2)
    assert await okx.fetch_open_orders(SWAP) == [] and okx_loopback.dead_man_fired == 1
    assert okx_loopback.dead_man_requests == [60, 60]


async def test_cancel_all_after_zero_disarms_and_out_of_range_is_refused(okx: Any, okx_loopback: OkxLoopback) -> None:
    await okx.create_order(SWAP, "limit", "buy", 1, 40_000.0, {"clOrdId": "dm2"})
    await okx.cancel_all_orders_after(30_000)
    await okx.cancel_all_orders_after(0)
    okx_loopback.advance(120)
    await okx.load_time_difference()
    assert len(await okx.fetch_open_orders(SWAP)) == 1 and okx_loopback.dead_man_fired == 0
    with pytest.raises(ccxt_errors().BadRequest, match="51000"):
        await okx.cancel_all_orders_after(5_000)


async def test_rate_limit_and_clock_skew_raise_what_ccxt_maps_them_to(okx: Any, okx_loopback: OkxLoopback) -> None:
    ccxt = ccxt_errors()
    okx_loopback.rate_limit_storm(1.0)
    with pytest.raises(ccxt.RateLimitExceeded):
        await okx.fetch_balance()
    okx_loopback.rate_limit_storm(0.0)
    okx_loopback.clock_skew_ms = 45_000
    with pytest.raises(ccxt.InvalidNonce):
        await okx.fetch_balance()
    await okx.load_time_difference()
    assert (await okx.fetch_balance())["USDT"]["total"] == pytest.approx(10_000.0)


async def test_a_wrong_secret_is_refused(okx_settings: ExchangeSettings, okx_loopback: OkxLoopback) -> None:
    wrong = ExchangeCredentials(exchange_id="okx", api_key="loopback-key", secret="nope", password="loopback-pass")
    exchange = create_exchange("okx", market_type="swap", ccxt_config=okx_settings.ccxt, credentials=wrong,
                               streaming=False)
    try:
        with pytest.raises(ccxt_errors().AuthenticationError):
            await exchange.fetch_balance()
    finally:
        await exchange.close()


async def test_the_positions_channel_needs_a_signed_login_and_pushes_every_change(
        okx_settings: ExchangeSettings, okx_credentials: ExchangeCredentials, okx_loopback: OkxLoopback) -> None:
    wrong = ExchangeCredentials(exchange_id="okx", api_key="loopback-key", secret="nope", password="loopback-pass")
    streams = [create_exchange("okx", market_type="swap", ccxt_config=okx_settings.ccxt, credentials=credentials)
               for credentials in (okx_credentials, wrong)]
    try:
        ok, refused = streams
        await ok.load_markets()
        assert await ok.watch_positions() == []  # the snapshot: nothing open yet
        resting = okx_loopback.place_foreign_order("BTC-USDT-SWAP", "buy", 2, 49_000.0)
        okx_loopback.fill_order(resting.ord_id, 2, 49_000.0)
        [position] = await ok.watch_positions()
        await refused.load_markets()
        with pytest.raises(ccxt_errors().AuthenticationError):
            await refused.watch_positions()
    finally:
        for exchange in streams:
            await exchange.close()

    assert position["symbol"] == SWAP and position["contracts"] == 2 and position["side"] == "long"
