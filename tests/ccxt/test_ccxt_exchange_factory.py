"""Building ccxt exchanges from settings; client ids; key redaction; the example configs."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from hft_tui.config.credentials import ExchangeCredentials
from hft_tui.config.loader import load_settings
from hft_tui.execution.ccxt_broker import exchange_client_id
from hft_tui.market.ccxt_exchange import create_exchange
from hft_tui.redaction import redact

EXAMPLES = Path(__file__).resolve().parents[2] / "config" / "examples"
CREDS = ExchangeCredentials(exchange_id="binance", api_key="AKIAexamplekey", secret="s3cr3t-value")


def test_config_passes_through_and_credentials_merge_in() -> None:
    exchange = create_exchange("binance", ccxt_config={"timeout": 1234, "options": {"fetchMargins": False}},
                               credentials=CREDS)
    assert (exchange.timeout, exchange.options["fetchMargins"], exchange.options["defaultType"]) == (
        1234, False, "spot")
    assert (exchange.apiKey, exchange.secret) == ("AKIAexamplekey", "s3cr3t-value")
    assert exchange.has["watchOrderBook"]  # the ccxt.pro class


def test_market_type_becomes_the_default_type_unless_the_config_says_otherwise() -> None:
    assert create_exchange("okx", market_type="swap").options["defaultType"] == "swap"
    pinned = create_exchange("okx", market_type="swap", ccxt_config={"options": {"defaultType": "spot"}})
    assert pinned.options["defaultType"] == "spot"


def test_sandbox_switches_to_the_testnet_urls() -> None:
    exchange = create_exchange("binance", sandbox=True)
    assert exchange.urls["api"]["public"].startswith("https://testnet.binance.vision")


def test_rest_only_exchanges_and_unknown_ids() -> None:
    assert not create_exchange("binance", streaming=False).has.get("watchOrderBook")
    with pytest.raises(ValueError, match="no exchange"):
        create_exchange("not_an_exchange")


async def test_ccxt_verbose_printing_goes_through_the_redaction(capsys: pytest.CaptureFixture[str]) -> None:
    exchange = create_exchange("binance", ccxt_config={"verbose": True}, credentials=CREDS)
    try:
        exchange.log("fetch Request:", "GET", "https://api.binance.com/api/v3/account",
                     {"X-MBX-APIKEY": "AKIAexamplekey"}, "signature=0a1b2c")
        assert exchange.client("ws://127.0.0.1:1/ws").log is exchange.log
    finally:
        await exchange.close()
    out = capsys.readouterr().out
    assert "AKIAexamplekey" not in out and "0a1b2c" not in out
    assert "'X-MBX-APIKEY': '***'" in out


def test_configured_key_material_is_blanked_by_the_one_redaction() -> None:
    assert redact("key AKIAexamplekey sig for s3cr3t-value") == "key *** sig for ***"


@pytest.mark.parametrize("client_id", ["trend0001", "A" * 32])
def test_portable_client_ids_are_sent_unchanged(client_id: str) -> None:
    assert exchange_client_id(client_id) == client_id


@pytest.mark.parametrize("client_id", ["trend-0001", "x/y", "A" * 33, ""])
def test_other_client_ids_become_a_stable_alphanumeric_hash(client_id: str) -> None:
    sent = exchange_client_id(client_id)
    assert sent.isalnum() and len(sent) <= 32
    assert sent == exchange_client_id(client_id)
    assert sent != exchange_client_id(client_id + "0")


@pytest.mark.parametrize("name", ["binance-spot", "binance-testnet", "okx", "kraken", "loopback"])
def test_example_configs_load_and_build_their_exchange(name: str) -> None:
    path = EXAMPLES / f"{name}.toml"
    settings = load_settings(path)
    exchange = create_exchange(settings.exchange.id, market_type=settings.exchange.market_type,
                               sandbox=settings.exchange.sandbox, ccxt_config=settings.exchange.ccxt)
    assert exchange.id == settings.exchange.id
    assert exchange.enableRateLimit is settings.exchange.ccxt["enableRateLimit"]
    assert settings.engine.mode != "live" or settings.exchange.sandbox  # live only against a testnet
    text = path.read_text()
    assert f"HFT_TUI_{settings.exchange.id.upper()}_API_KEY" in text
    flat = str(tomllib.loads(text)).lower()
    assert "apikey" not in flat and "'secret'" not in flat and "password'" not in flat


def test_importing_the_ccxt_modules_does_not_import_ccxt() -> None:
    code = ("import sys, hft_tui.market.sources.ccxt, hft_tui.execution.ccxt_broker; "
            "print('ccxt' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
