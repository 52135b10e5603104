"""Market rules (tick, lot, minimums, fees) for paper/live start-up, fetched once over REST.

The engine's core needs the rules before it is built; the streaming source and the live
broker load markets again on the engine's own loop, so this uses a throwaway REST client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from hft_tui.config.settings import ExchangeSettings
from hft_tui.market.ccxt_exchange import create_exchange
from hft_tui.market.ccxt_markets import rules_for_symbols
from hft_tui.model import MarketRules


class MarketsUnavailable(RuntimeError):
    """The exchange's markets could not be loaded; the message says from where and why."""


def fetch_market_rules(settings: ExchangeSettings, symbols: Sequence[str]) -> dict[str, MarketRules]:
    """Load markets once and return the rules of ``symbols`` (blocking; call before the loop)."""
    return asyncio.run(_fetch(settings, symbols))


async def _fetch(settings: ExchangeSettings, symbols: Sequence[str]) -> dict[str, MarketRules]:
    exchange = create_exchange(settings.id, market_type=settings.market_type, sandbox=settings.sandbox,
                               ccxt_config=settings.ccxt, streaming=False)
    try:
        await exchange.load_markets()
        return rules_for_symbols(exchange, symbols)
    except KeyError as exc:
        raise MarketsUnavailable(str(exc.args[0])) from exc
    except Exception as exc:  # any ccxt or network error: say where we tried
        raise MarketsUnavailable(f"cannot load markets from {settings.id}: {type(exc).__name__}: {exc}") from exc
    finally:
        await exchange.close()
