"""A served engine whose books carry what each update changed (a diff-depth feed: the
simulator's delta mode here, ccxt's streamed books live) still streams its snapshots: a
client gets whole books, and `ctl status` answers."""

from __future__ import annotations

import argparse
import asyncio

import numpy as np
import pytest

from hft_tui.config.settings import Settings
from hft_tui.serve.control_client import ControlClient
from hft_tui.serve.control_server import ControlServer
from hft_tui.serve.ctl import EXIT_OK, _run
from hft_tui.session.engine_snapshot import EngineSnapshot


@pytest.fixture
def served_settings() -> Settings:
    return Settings.model_validate({"sim": {"book_updates": "deltas"}})


async def test_a_client_gets_whole_books_from_an_engine_fed_book_changes(served: ControlServer) -> None:
    engine = served.engine
    changed: list[bool] = []
    snapshots: asyncio.Queue[EngineSnapshot] = asyncio.Queue()
    client = await ControlClient.connect(served.path, client="test", refresh_hz=20,
                                         on_snapshot=snapshots.put_nowait)
    try:
        for _ in range(5):
            received = await asyncio.wait_for(snapshots.get(), 30.0)
            changed.extend(book.changes is not None for book in engine.core.books.values() if book is not None)
        assert any(changed), "the engine's books should carry their changes in delta mode"
        for symbol in received.symbols:
            book = received.view(symbol).book
            assert book is not None and book.changes is None
            assert np.all(np.diff(book.bids[:, 0]) < 0) and np.all(np.diff(book.asks[:, 0]) > 0)
    finally:
        await client.close()


async def test_ctl_status_answers_an_engine_fed_book_changes(served: ControlServer,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(ctl_command="status", json=False, yes=False)
    assert await _run(args, served.path.parent) == EXIT_OK
    assert "ACTIVE" in capsys.readouterr().out
