"""Fixtures: a loopback Binance on a free 127.0.0.1 port and ccxt configs pointing at it.

The ccxt config is ``config/examples/loopback.toml`` loaded through the app's own loader,
with only the port swapped, so the example file is exercised by every loopback test.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from loopback_exchange import LoopbackExchange  # noqa: E402

from hft_tui.config.credentials import ExchangeCredentials  # noqa: E402
from hft_tui.config.loader import load_settings  # noqa: E402
from hft_tui.config.settings import ExchangeSettings  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "config" / "examples"


@pytest.fixture
async def loopback() -> AsyncIterator[LoopbackExchange]:
    exchange = LoopbackExchange()
    await exchange.start()
    yield exchange
    await exchange.stop()


@pytest.fixture
def loopback_settings(loopback: LoopbackExchange) -> ExchangeSettings:
    """The loopback example's exchange settings, aimed at this test's server."""
    settings = load_settings(EXAMPLES / "loopback.toml").exchange
    ccxt: dict[str, Any] = {**settings.ccxt, "urls": loopback.ccxt_urls(), "timeout": 1500}
    return settings.model_copy(update={
        "ccxt": ccxt,
        "stale_after_ms": 400.0,
        "rest_poll_interval_ms": 50.0,
        "reconnect_backoff_ms": 20.0,
        "reconnect_backoff_max_ms": 100.0,
    })


@pytest.fixture
def loopback_credentials() -> ExchangeCredentials:
    return ExchangeCredentials(exchange_id="binance", api_key="loopback-key", secret="loopback-secret")
