"""Canary API keys in every mode, against an exchange that echoes them in its errors: the
canary appears nowhere in the state dir, stdout, stderr, snapshots or recordings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from loopback_thread import loopback_exchange_thread  # noqa: E402  (puts tests/ccxt on the path)

from loopback_exchange import LoopbackExchange  # noqa: E402

CANARY = "CANARY"
ENV = {"HFT_TUI_BINANCE_API_KEY": f"{CANARY}-api-key-3f9d1c7a", "HFT_TUI_BINANCE_SECRET": f"{CANARY}-secret-8e2b4d6f"}
EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "loopback.toml"


@pytest.fixture
def loopback() -> Iterator[LoopbackExchange]:
    with loopback_exchange_thread() as exchange:
        yield exchange


def loopback_config(tmp_path: Path, exchange: LoopbackExchange) -> Path:
    path = tmp_path / "loopback.toml"
    text = EXAMPLE.read_text().replace("127.0.0.1:8765", f"127.0.0.1:{exchange.port}")
    path.write_text(text.replace('symbols = ["BTC/USDT", "ETH/USDT"]', 'symbols = ["BTC/USDT"]'))
    return path


def run_headless(state_dir: Path, *args: str) -> tuple[int, str, str]:
    """``hft-tui --headless`` with the canary keys in its environment, stopped after two status
    lines (or when it stops by itself)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "hft_tui", "--headless", "--state-dir", str(state_dir),
         "--set", "engine.status_interval_s=0.5", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **ENV},
    )
    assert process.stdout is not None
    out: list[str] = []
    status_lines = 0
    for line in process.stdout:
        out.append(line)
        status_lines += " | wal seq " in line
        if status_lines == 2:
            process.send_signal(signal.SIGTERM)
            break
    rest, err = process.communicate(timeout=60)
    return process.returncode, "".join(out) + rest, err


def assert_no_canary(state_dir: Path, *texts: str) -> None:
    for text in texts:
        assert CANARY not in text
    files = [p for p in state_dir.rglob("*") if p.is_file()]
    assert files, "the run wrote nothing to look at"
    for path in files:
        assert CANARY.encode() not in path.read_bytes(), path


@pytest.mark.slow
def test_sim_mode_never_shows_the_keys(tmp_path: Path) -> None:
    code, out, err = run_headless(tmp_path / "state", "--mode", "sim")
    assert code == 0, err
    assert_no_canary(tmp_path / "state", out, err)
    assert list((tmp_path / "state").rglob("session.json")), "sim sessions are recorded"


@pytest.mark.slow
def test_paper_mode_never_shows_the_keys(tmp_path: Path, loopback: LoopbackExchange) -> None:
    loopback.private_fault = "echo500"
    code, out, err = run_headless(tmp_path / "state", "--config", str(loopback_config(tmp_path, loopback)))
    assert code == 0, err
    assert_no_canary(tmp_path / "state", out, err)


@pytest.mark.slow
def test_live_mode_stops_at_start_in_one_line_when_the_exchange_refuses_and_echoes_the_key(
        tmp_path: Path, loopback: LoopbackExchange) -> None:
    loopback.private_fault = "auth"
    code, out, err = run_headless(tmp_path / "state", "--config", str(loopback_config(tmp_path, loopback)),
                                  "--mode", "live", "--live")
    assert code == 2
    [line] = err.splitlines()
    assert line.startswith("hft-tui: binance refused the API key, nothing was started: AuthenticationError: ")
    assert "Invalid API-key ***" in line
    assert out == ""
    assert CANARY not in err
    assert not (tmp_path / "state" / "wal").exists() or not any((tmp_path / "state" / "wal").iterdir())


@pytest.mark.slow
def test_live_mode_journals_a_500_that_echoes_the_key_header_without_the_key(
        tmp_path: Path, loopback: LoopbackExchange) -> None:
    loopback.private_fault = "echo500"
    code, out, err = run_headless(tmp_path / "state", "--config", str(loopback_config(tmp_path, loopback)),
                                  "--mode", "live", "--live")
    assert code == 0, err
    assert_no_canary(tmp_path / "state", out, err)
    wal = "".join(p.read_text() for p in (tmp_path / "state" / "wal").glob("wal-*.jsonl"))
    assert '"where":"reconcile"' in wal and "X-MBX-APIKEY=***" in wal
