"""`hft-tui record --from-exchange`: the exchange's public stream (ccxt.pro websockets, the
loopback here) recorded to a session that a backtest then replays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from loopback_thread import loopback_exchange_thread

from hft_tui.cli.main import main
from hft_tui.data.recording import RecordedSession
from hft_tui.model import FeedState, FeedStatus, OrderBook

LOOPBACK_EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "loopback.toml"


def test_recording_the_exchange_stream_gives_a_session_a_backtest_replays(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "session"
    with loopback_exchange_thread() as exchange:
        config = tmp_path / "loopback.toml"
        config.write_text(LOOPBACK_EXAMPLE.read_text().replace("127.0.0.1:8765", f"127.0.0.1:{exchange.port}"))
        code = main(["--config", str(config), "--symbols", "BTC/USDT", "record", "--from-exchange",
                     "--duration", "2", "--out", str(out)])
        bids, asks = exchange.book_levels("BTCUSDT")
    err = capsys.readouterr().err
    assert code == 0, err
    assert "recorded" in err and "books" in err

    session = RecordedSession(out)
    assert session.meta.source == "binance" and session.meta.symbols == ("BTC/USDT",)
    assert session.meta.rules["BTC/USDT"].tick_size > 0  # the exchange's own market rules
    events = list(session.events())
    books = [e for e in events if isinstance(e, OrderBook)]
    assert books and all(b.symbol == "BTC/USDT" for b in books)
    assert (books[-1].best_bid, books[-1].best_ask) == (bids[0][0], asks[0][0])
    assert len(events) == sum(session.meta.counts.values())
    # The feed's states are recorded too, so a replay sees the connection as the session did.
    assert [s.state for s in events if isinstance(s, FeedStatus)][:2] == [FeedState.CONNECTING, FeedState.LIVE]

    assert main(["backtest", "--recording", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["assumptions"]["data"] == f"recorded session {out}"
