"""The one redaction: configured key values, URL userinfo and credential-looking fields are blanked."""

from __future__ import annotations

import logging
import sys

import orjson
import pytest

from hft_tui.config.credentials import ExchangeCredentials
from hft_tui.redaction import (
    describe_error,
    install_redaction,
    redact,
    redact_bytes,
    redact_payload,
    register_secrets,
)

KEY = "CANARYkey-7f3a9c1e5b"
SECRET = "CANARYsecret-0d2e4f6a8c"


@pytest.fixture(autouse=True)
def canaries() -> None:
    ExchangeCredentials(exchange_id="binance", api_key=KEY, secret=SECRET)


def test_configured_values_are_blanked_wherever_they_appear() -> None:
    text = f"binance 401 {{\"msg\": \"bad key {KEY}\"}} sig={SECRET}x"
    assert KEY not in redact(text) and SECRET not in redact(text)
    assert redact(f"prefix{KEY}suffix") == "prefix***suffix"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET https://bob:pw123@api.example/v3 failed", "GET https://***@api.example/v3 failed"),
        ("proxy socks5://user@10.0.0.1:1080 refused", "proxy socks5://***@10.0.0.1:1080 refused"),
        ('{"X-MBX-APIKEY": "AbCdEf0123456789"}', '{"X-MBX-APIKEY": "***"}'),
        ("X-MBX-APIKEY: AbCdEf0123456789\r\nHost: x", "X-MBX-APIKEY: ***\r\nHost: x"),
        ("/api/v3/account?timestamp=1&signature=9f8e7d6c", "/api/v3/account?timestamp=1&signature=***"),
        ("Authorization: Bearer eyJhbGciOi.payload.sig", "Authorization: Bearer ***"),
        ("{'apiKey': 'zzz999', 'secret': 'yyy888'}", "{'apiKey': '***', 'secret': '***'}"),
        ("password=hunter22&user=me", "password=***&user=me"),
    ],
)
def test_credentials_the_exchange_echoes_are_blanked_without_knowing_them(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    ["binance GET https://api.binance.com/api/v3/depth 503", "order 42 filled 0.5 @ 50000.0",
     'tokenBucket: {"delay": 0.001}', "Invalid API-key, IP, or permissions for action."],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_short_values_are_not_registered_so_ordinary_text_survives() -> None:
    register_secrets(["p", "abc"])
    assert redact("plain abc text") == "plain abc text"


def test_an_encoded_line_loses_the_values_even_json_escaped() -> None:
    quoted = 'CANARY"quoted\\value'
    register_secrets([quoted])
    line = orjson.dumps({"error": f"{KEY} and {quoted}"})
    cleaned = redact_bytes(line)
    assert KEY.encode() not in cleaned and orjson.dumps(quoted)[1:-1] not in cleaned
    assert orjson.loads(cleaned) == {"error": "*** and ***"}


def test_payloads_are_redacted_throughout() -> None:
    payload = {"a": [f"k={KEY}", {"b": SECRET}], "n": 3, "ok": True}
    assert redact_payload(payload) == {"a": ["k=***", {"b": "***"}], "n": 3, "ok": True}


def test_an_error_is_described_redacted_and_cut() -> None:
    error = RuntimeError(f"echo {KEY} " + "x" * 1000)
    described = describe_error(error, limit=50)
    assert described.startswith("RuntimeError: echo *** xx") and len(described) == 50
    assert describe_error(TimeoutError()) == "TimeoutError"


def test_log_records_and_uncaught_tracebacks_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    install_redaction()
    install_redaction()  # idempotent
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    try:
        try:
            raise ConnectionError(f"GET https://u:{SECRET}@x/ failed")
        except ConnectionError:
            logger.exception("request with key %s failed", KEY)
    finally:
        logger.removeHandler(handler)
    [record] = records
    text = logging.Formatter().format(record)
    assert KEY not in text and SECRET not in text and "request with key *** failed" in text
    assert "ConnectionError: GET https://***@x/ failed" in text

    try:
        raise RuntimeError(f"echo {KEY}")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    err = capsys.readouterr().err
    assert "RuntimeError: echo ***" in err and KEY not in err
