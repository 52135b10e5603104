"""Market rules (tick, lot, minimums, fees) for paper/live start-up, fetched once over REST.

The engine's core needs the rules before it is built; the streaming source and the live
broker load markets again on the engine's own loop, so this uses a throwaway REST client.
Given credentials (live), it also asks for the balance once: a key the exchange refuses
stops the start there, before a WAL is opened, with one line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from hft_tui.market.ccxt_exchange import CcxtCredentials, create_exchange, is_auth_failure
from hft_tui.market.ccxt_markets import rules_for_symbols
from hft_tui.market.exchange_settings import ExchangeSettings
from hft_tui.model import MarketRules
from hft_tui.redaction import describe_error


class MarketsUnavailable(RuntimeError):
    """The exchange's markets could not be loaded; the message says from where and why."""


class CredentialsRefused(MarketsUnavailable):
    """The exchange refused the API key at start-up."""


def fetch_market_rules(settings: ExchangeSettings, symbols: Sequence[str],
                       credentials: CcxtCredentials | None = None) -> dict[str, MarketRules]:
    """Load markets once and return the rules of ``symbols`` (blocking; call before the loop);
    with ``credentials``, check the exchange accepts them."""
    return asyncio.run(_fetch(settings, symbols, credentials))


async def _fetch(settings: ExchangeSettings, symbols: Sequence[str],
                 credentials: CcxtCredentials | None) -> dict[str, MarketRules]:
    exchange = create_exchange(settings.id, market_type=settings.market_type, sandbox=settings.sandbox,
                               ccxt_config=settings.ccxt, credentials=credentials, streaming=False)
    try:
        await exchange.load_markets()
        rules = rules_for_symbols(exchange, symbols)
        if credentials is not None:
            await _check_credentials(exchange, settings.id)
        return rules
    except KeyError as exc:
        raise MarketsUnavailable(str(exc.args[0])) from exc
    except MarketsUnavailable:
        raise
    except Exception as exc:  # any ccxt or network error: say where we tried
        raise MarketsUnavailable(f"cannot load markets from {settings.id}: {describe_error(exc)}") from exc
    finally:
        await exchange.close()


async def _check_credentials(exchange: Any, exchange_id: str) -> None:
    """Refuse a key the exchange refuses; any other failure is the engine's to report later."""
    try:
        await exchange.fetch_balance()
    except Exception as exc:  # noqa: BLE001 - only an auth failure stops the start
        if is_auth_failure(exc):
            raise CredentialsRefused(f"{exchange_id} refused the API key, nothing was started: "
                                     f"{describe_error(exc)}") from None
