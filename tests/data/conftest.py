"""Fixtures: the klines loopback and a ccxt REST exchange pointed at it."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from loopback_klines import KlinesLoopback  # noqa: E402

from hft_tui.config.loader import load_settings  # noqa: E402
from hft_tui.market.ccxt_exchange import create_exchange  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "config" / "examples"


@pytest.fixture
async def klines_server() -> AsyncIterator[KlinesLoopback]:
    server = KlinesLoopback()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def loopback_rest(klines_server: KlinesLoopback) -> AsyncIterator[Any]:
    """ccxt's async binance class configured by ``config/examples/loopback.toml``, aimed at the server."""
    settings = load_settings(EXAMPLES / "loopback.toml").exchange
    exchange = create_exchange("binance", ccxt_config={**settings.ccxt, "urls": klines_server.ccxt_urls()},
                               streaming=False)
    yield exchange
    await exchange.close()
