"""A key the exchange refuses stops a live engine: at start-up before anything is opened, and
if it is refused only once the engine is starting (revoked in between), the engine stops itself."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from loopback_thread import loopback_exchange_thread  # noqa: E402  (puts tests/ccxt on the path)
from test_exchange_modes import loopback_settings  # noqa: E402

from hft_tui.config.credentials import ExchangeCredentials  # noqa: E402
from hft_tui.market.ccxt_rules_loader import CredentialsRefused  # noqa: E402
from hft_tui.session.assembly import build_engine  # noqa: E402

KEY = "REVOKED-key-5a6b7c8d9e"
CREDENTIALS = ExchangeCredentials(exchange_id="binance", api_key=KEY, secret="REVOKED-secret-0f1e2d3c")


def test_a_refused_key_stops_the_start_before_a_wal_exists(tmp_path: Path) -> None:
    with loopback_exchange_thread() as exchange:
        exchange.private_fault = "auth"
        settings = loopback_settings(exchange.ccxt_urls(), "live", tmp_path)
        with pytest.raises(CredentialsRefused) as refused:
            build_engine(settings, credentials=CREDENTIALS)
    assert str(refused.value).startswith("binance refused the API key, nothing was started: AuthenticationError")
    assert KEY not in str(refused.value)
    assert not (tmp_path / "wal").exists()


def test_paper_mode_does_not_check_keys_it_does_not_use(tmp_path: Path) -> None:
    with loopback_exchange_thread() as exchange:
        exchange.private_fault = "auth"
        build_engine(loopback_settings(exchange.ccxt_urls(), "paper", tmp_path), credentials=CREDENTIALS)
        assert not any(path.endswith("/account") for _, path in exchange.request_log)


@pytest.mark.slow
def test_a_key_refused_while_the_engine_starts_stops_it_with_the_reason(tmp_path: Path) -> None:
    with loopback_exchange_thread() as exchange:
        engine = build_engine(loopback_settings(exchange.ccxt_urls(), "live", tmp_path), credentials=CREDENTIALS)
        exchange.private_fault = "auth"  # revoked between the start-up check and the engine's reconcile
        reason = asyncio.run(engine.run())
    assert reason == "exchange refused the API key (AuthenticationError)"
    assert engine.snapshot.notice.startswith("the exchange refused the API key: AuthenticationError")
    assert KEY not in engine.snapshot.notice
    wal = "".join(p.read_text() for p in (tmp_path / "wal").glob("wal-*.jsonl"))
    assert '"where":"reconcile"' in wal and "session_stop" in wal and KEY not in wal
