"""Secrets come from the environment only: config files and flags that hold them are rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from hft_tui.config.credential_keys import is_credential_key
from hft_tui.config.credentials import ExchangeCredentials, credentials_from_env
from hft_tui.config.errors import COMMAND_LINE, ConfigError
from hft_tui.config.loader import load_settings

SECRET = "s3cr3t-VALUE-never-shown"


def rejection(tmp_path: Path, text: str, overrides: dict[str, object] | None = None) -> ConfigError:
    path = tmp_path / "hft.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, overrides or {})
    return caught.value


def test_top_level_secret_is_rejected_without_echoing_it(tmp_path: Path) -> None:
    error = rejection(tmp_path, f'apiKey = "{SECRET}"\n')
    [problem] = error.problems
    assert problem.key == "apiKey"
    assert problem.value == "***"
    assert "HFT_TUI_BINANCE_API_KEY" in problem.message
    assert SECRET not in str(error)
    assert SECRET not in repr(error.problems)


def test_secret_inside_exchange_ccxt_is_rejected_and_named_for_the_configured_exchange(tmp_path: Path) -> None:
    error = rejection(
        tmp_path,
        f'[exchange]\nid = "okx"\n[exchange.ccxt]\nsecret = "{SECRET}"\npassword = "{SECRET}"\n'
        f'[exchange.ccxt.headers]\nX-MBX-APIKEY = "{SECRET}"\n',
    )
    by_key = {p.key: p.message for p in error.problems}
    assert set(by_key) == {"exchange.ccxt.secret", "exchange.ccxt.password", "exchange.ccxt.headers.X-MBX-APIKEY"}
    assert "set HFT_TUI_OKX_SECRET in the environment" in by_key["exchange.ccxt.secret"]
    assert "HFT_TUI_OKX_PASSWORD" in by_key["exchange.ccxt.password"]
    assert "HFT_TUI_OKX_API_KEY" in by_key["exchange.ccxt.headers.X-MBX-APIKEY"]
    assert SECRET not in str(error)
    assert str(error).count("'***'") == 3


def test_unclassified_credential_key_points_at_all_three_variables(tmp_path: Path) -> None:
    error = rejection(tmp_path, f'[exchange.ccxt]\ntoken = "{SECRET}"\n')
    [problem] = error.problems
    assert "HFT_TUI_BINANCE_API_KEY / HFT_TUI_BINANCE_SECRET / HFT_TUI_BINANCE_PASSWORD" in problem.message


def test_secret_problems_are_reported_together_with_other_problems(tmp_path: Path) -> None:
    error = rejection(tmp_path, f'[sim]\ndepth = 1\n[exchange.ccxt]\nprivateKey = "{SECRET}"\n')
    assert {p.key for p in error.problems} == {"sim.depth", "exchange.ccxt.privateKey"}
    assert SECRET not in str(error)


def test_secret_given_as_a_command_line_override_is_rejected(tmp_path: Path) -> None:
    error = rejection(tmp_path, "", {"exchange.ccxt.apiKey": SECRET})
    [problem] = error.problems
    assert problem.file == COMMAND_LINE
    assert "not accepted on the command line" in problem.message
    assert SECRET not in str(error)


@pytest.mark.parametrize(
    "key",
    ["apiKey", "api_key", "API-KEY", "secret", "apiSecret", "Password", "passphrase", "privateKey",
     "walletAddress", "uid", "token", "x-mbx-apikey", "key", "accessKey", "access_key_id", "secretKey"],
)
def test_credential_like_keys_are_recognised_case_insensitively(key: str) -> None:
    assert is_credential_key(key)


@pytest.mark.parametrize("key", ["seed", "timeout", "enableRateLimit", "tokenBucket", "options", "defaultType"])
def test_ordinary_keys_are_not_taken_for_credentials(key: str) -> None:
    assert not is_credential_key(key)


@pytest.mark.parametrize("key", ["key", "accessKey"])
def test_key_and_access_key_point_at_the_api_key_variable(tmp_path: Path, key: str) -> None:
    error = rejection(tmp_path, f'[exchange.ccxt]\n{key} = "{SECRET}"\n')
    [problem] = error.problems
    assert problem.key == f"exchange.ccxt.{key}"
    assert "set HFT_TUI_BINANCE_API_KEY in the environment instead" in problem.message
    assert SECRET not in str(error)


def test_a_url_with_userinfo_is_refused_in_a_file_and_on_the_command_line(tmp_path: Path) -> None:
    error = rejection(
        tmp_path,
        f'[exchange.ccxt]\nhttpProxy = "http://trader:{SECRET}@proxy.example:3128"\n'
        f'[exchange.ccxt.urls.api]\npublic = "https://{SECRET}@api.example/v3"\n',
        {"exchange.ccxt.urls.api.ws": f"wss://u:{SECRET}@stream.example/ws"},
    )
    by_key = {p.key: p for p in error.problems}
    assert set(by_key) == {"exchange.ccxt.httpProxy", "exchange.ccxt.urls.api.public", "exchange.ccxt.urls.api.ws"}
    assert by_key["exchange.ccxt.urls.api.ws"].file == COMMAND_LINE
    assert all("a URL with a user name or password in it" in p.message for p in error.problems)
    assert SECRET not in str(error)


def test_a_url_without_userinfo_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "hft.toml"
    path.write_text('[exchange.ccxt.urls.api]\npublic = "https://api.example:8443/v3?x=a@b"\n', encoding="utf-8")
    assert load_settings(path).exchange.ccxt["urls"]["api"]["public"].startswith("https://api.example")


def test_ccxt_verbose_is_refused_in_live_mode_and_allowed_in_paper(tmp_path: Path) -> None:
    error = rejection(tmp_path, "[exchange.ccxt]\nverbose = true\n", {"engine.mode": "live"})
    [problem] = error.problems
    assert (problem.key, problem.value) == ("exchange.ccxt.verbose", True)
    assert "refused in live mode" in problem.message
    path = tmp_path / "hft.toml"
    assert load_settings(path, {"engine.mode": "paper"}).exchange.ccxt["verbose"] is True


def test_credentials_come_from_the_environment() -> None:
    environ = {
        "HFT_TUI_BINANCE_API_KEY": "key-123",
        "HFT_TUI_BINANCE_SECRET": "secret-456\n",
        "HFT_TUI_BINANCE_PASSWORD": "",
        "HFT_TUI_OKX_API_KEY": "someone-else",
    }
    creds = credentials_from_env("binance", environ)
    assert creds == ExchangeCredentials("binance", api_key="key-123", secret="secret-456")
    assert creds is not None
    assert creds.as_ccxt_params() == {"apiKey": "key-123", "secret": "secret-456"}


def test_password_is_passed_to_ccxt_when_set() -> None:
    environ = {"HFT_TUI_OKX_API_KEY": "k", "HFT_TUI_OKX_SECRET": "s", "HFT_TUI_OKX_PASSWORD": "p"}
    creds = credentials_from_env("okx", environ)
    assert creds is not None
    assert creds.as_ccxt_params() == {"apiKey": "k", "secret": "s", "password": "p"}


def test_no_credentials_in_the_environment_gives_none() -> None:
    assert credentials_from_env("binance", {"HFT_TUI_BINANCE_API_KEY": "  "}) is None
    assert credentials_from_env("kraken", {}) is None


def test_repr_and_str_of_credentials_never_show_values() -> None:
    creds = ExchangeCredentials("binance", api_key="key-123", secret=SECRET)
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert SECRET not in text and "key-123" not in text
    assert repr(creds) == "ExchangeCredentials(exchange_id='binance', api_key='***', secret='***')"
