"""``hft-tui ctl order / exits / close / cancel`` against a served engine driven by hand on a
frozen clock: the same commands, refusals and confirmations as the workstation's dialogs."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from engine_thread import ServedEngineThread

from hft_tui.cli.main import main
from hft_tui.session.engine import Engine
from hft_tui.trading import operator

sys.path.insert(0, str(Path(__file__).parents[1] / "tui"))
from tui_session import FROZEN_START_NS, make_engine  # noqa: E402

from hft_tui.clock import FrozenClock  # noqa: E402

BTC = "BTC/USDT"


async def _drive(engine: Engine, events: int) -> None:
    market = engine.source.market  # type: ignore[attr-defined]
    for _ in range(events):
        event = market.next_event()
        engine.clock.advance_to(event.ts_ns)  # type: ignore[attr-defined]
        await engine.feed(event)


async def _begin(engine: Engine) -> None:
    await engine.wal.start()
    engine.begin_session()
    for name in list(engine.core.strategies):  # the operator's trades only
        operator.pause(engine.core, name)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ServedEngineThread]:
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    os.chmod(state_dir, 0o700)
    engine = make_engine(state_dir, FrozenClock(FROZEN_START_NS))
    with ServedEngineThread(engine, state_dir, running=False) as served:
        served.call(_begin(engine))
        served.call(_drive(engine, 300))
        yield served
        served.call(engine.wal.close())


def _ctl(served: ServedEngineThread, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--state-dir", str(served.server.path.parent), "ctl", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_an_order_without_yes_shows_what_it_would_do_and_sends_nothing(
        served: ServedEngineThread, capsys: pytest.CaptureFixture[str]) -> None:
    seq = served.engine.wal.last_seq
    code, out, err = _ctl(served, capsys, "order", BTC, "buy", "0.01", "--sl", "60000")
    assert code == 2
    assert out.startswith("Buy 0.01 BTC/USDT at market\n")
    assert "stop-loss 60,000.00" in out and "risk gate: passes · trading ACTIVE" in out
    assert "add --yes to send it" in err
    assert served.engine.wal.last_seq == seq and not served.engine.core.orders

    code, out, _ = _ctl(served, capsys, "order", BTC, "buy", "500", "--notional", "--json")
    reply = json.loads(out)
    assert code == 2 and reply["sent"] is False and reply["preview"]["qty"] > 0


def test_an_order_with_yes_opens_a_manual_trade(served: ServedEngineThread, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _ctl(served, capsys, "order", BTC, "buy", "0.01", "--tp", "70000", "--yes", "--json")
    reply = json.loads(out)
    assert code == 0, reply
    assert reply == {"ok": True, "message": "order s1o1 sent: buy 0.01 BTC/USDT at market"}
    served.call(_drive(served.engine, 50))
    assert served.engine.core.open_trades[BTC].strategy == "manual"

    code, out, _ = _ctl(served, capsys, "exits", BTC, "--tp", "none", "--sl", "60000")
    assert code == 0, out
    rules = served.engine.core.exits.rules(BTC)
    assert rules is not None and (rules.take_profit, rules.stop_loss) == (None, 60000.0)

    code, _, err = _ctl(served, capsys, "close", BTC)
    assert code == 2 and "add --yes" in err
    code, out, _ = _ctl(served, capsys, "close", BTC, "--yes")
    assert code == 0, out
    served.call(_drive(served.engine, 50))
    assert served.engine.core.portfolio.position(BTC).is_flat


@pytest.mark.parametrize(("argv", "line"), [
    (("order", BTC, "buy", "0.0105", "--yes"), "refused: quantity 0.0105 is off BTC/USDT's 0.001 lot grid"),
    (("order", "DOGE/USDT", "buy", "1", "--yes"), "refused: unknown symbol 'DOGE/USDT'"),
    (("order", BTC, "buy", "0"), "size is 0"),
    (("cancel", "s1o99", "--yes"), "no working order 's1o99'"),
])
def test_a_refused_order_or_cancel_says_why_in_one_line_and_exits_1(
        served: ServedEngineThread, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], line: str) -> None:
    code, out, err = _ctl(served, capsys, *argv)
    assert (code, out) == (1, "")
    assert err.startswith(f"hft-tui ctl: {line}") and err.count("\n") == 1
    assert not served.engine.core.orders


def test_a_refused_tune_is_one_line_on_stderr_saying_who_refused_it(
        served: ServedEngineThread, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _ctl(served, capsys, "tune", "trend", "fast_period=x")
    assert (code, out) == (1, "")
    assert err.startswith("hft-tui ctl: trend: fast_period") and err.count("\n") == 1


def test_cancel_takes_one_resting_order_off_the_book(
        served: ServedEngineThread, capsys: pytest.CaptureFixture[str]) -> None:
    book = served.engine.core.books[BTC]
    assert book is not None and book.mid is not None
    below = f"{round(book.mid * 0.995, 1):.1f}"
    assert _ctl(served, capsys, "order", BTC, "buy", "0.01", "--limit", below, "--yes")[0] == 0
    (client_id,) = served.engine.core.orders
    code, _, err = _ctl(served, capsys, "cancel", client_id)
    assert code == 2 and "add --yes" in err and served.engine.core.orders
    code, out, _ = _ctl(served, capsys, "cancel", client_id, "--yes", "--json")
    assert code == 0 and json.loads(out)["ok"]
    assert not served.engine.core.orders
