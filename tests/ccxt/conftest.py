"""Fixtures: a loopback Binance and a loopback OKX on free 127.0.0.1 ports and ccxt configs pointing at them.

The ccxt configs are ``config/examples/loopback.toml`` and ``okx-loopback.toml`` loaded through the app's own loader,
with only the port swapped, so the example files are exercised by every loopback test.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from loopback_exchange import LoopbackExchange  # noqa: E402
from okx_loopback import API_KEY as OKX_KEY  # noqa: E402
from okx_loopback import PASSPHRASE as OKX_PASSPHRASE  # noqa: E402
from okx_loopback import SECRET as OKX_SECRET  # noqa: E402
from okx_loopback import OkxLoopback  # noqa: E402

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


def _aimed_at(example: str, urls: dict[str, Any]) -> ExchangeSettings:
    """An example's exchange settings with ccxt's ``urls`` swapped and short test timings."""
    settings = load_settings(EXAMPLES / example).exchange
    ccxt: dict[str, Any] = {**settings.ccxt, "urls": urls, "timeout": 1500}
    return settings.model_copy(update={
        "ccxt": ccxt,
        "stale_after_ms": 400.0,
        "rest_poll_interval_ms": 50.0,
        "reconnect_backoff_ms": 20.0,
        "reconnect_backoff_max_ms": 100.0,
    })


@pytest.fixture
def loopback_settings(loopback: LoopbackExchange) -> ExchangeSettings:
    """The loopback example's exchange settings, aimed at this test's server."""
    return _aimed_at("loopback.toml", loopback.ccxt_urls())


@pytest.fixture
def loopback_credentials() -> ExchangeCredentials:
    return ExchangeCredentials(exchange_id="binance", api_key="loopback-key", secret="loopback-secret")


@pytest.fixture
async def okx_loopback() -> AsyncIterator[OkxLoopback]:
    okx = OkxLoopback()
    await okx.start()
    yield okx
    await okx.stop()


@pytest.fixture
def okx_settings(okx_loopback: OkxLoopback) -> ExchangeSettings:
    """The OKX loopback example's exchange settings, aimed at this test's server."""
    return _aimed_at("okx-loopback.toml", okx_loopback.ccxt_urls())


@pytest.fixture
def okx_credentials() -> ExchangeCredentials:
    return ExchangeCredentials(exchange_id="okx", api_key=OKX_KEY, secret=OKX_SECRET, password=OKX_PASSPHRASE)
