"""User strategies from a strategies directory and from an installed package's entry point:
they load, tune, backtest and replay with zero divergence; every mistake is one line."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hft_tui.cli.main import main
from hft_tui.clock import FrozenClock
from hft_tui.config.loader import load_settings
from hft_tui.model import ReasonCode
from hft_tui.session.assembly import build_sim_engine
from hft_tui.session.input_recording import attach_input_recorder
from hft_tui.strategies.catalogue import BUILT_IN_CATALOGUE, install
from hft_tui.strategies.user_strategies import UserStrategyError, load_catalogue
from hft_tui.trading.commands import SetStrategyParams
from hft_tui.wal.reader import iter_records

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "session"
START_NS = 1_767_225_600_000_000_000

STRATEGY = '''
from collections import deque
from typing import ClassVar

from pydantic import Field

from hft_tui.model import Priority, Side, Signal
from hft_tui.strategies.base import NO_SIGNALS, Strategy, StrategyParams


class {cls}Params(StrategyParams):
    window: int = Field(200, ge=10, le=10_000, description="Trades in the range.")
    confidence: float = Field(0.7, ge=0.0, le=1.0, description="Confidence of every signal.")


class {cls}(Strategy[{cls}Params]):
    name: ClassVar[str] = "{name}"
    params_model: ClassVar[type[StrategyParams]] = {cls}Params
    reason_codes: ClassVar[dict[str, str]] = {{"NEW_HIGH": "A new high.", "NEW_LOW": "A new low."}}

    def __init__(self, params=None):
        super().__init__(params)
        self._prices = {{}}

    def on_params_changed(self):
        self._prices.clear()

    def on_trade(self, trade):
        p = self.params
        prices = self._prices.setdefault(trade.symbol, deque(maxlen=p.window))
        full = len(prices) == p.window
        high, low = (max(prices), min(prices)) if full else (0.0, 0.0)
        prices.append(trade.price)
        if not full or low < trade.price < high:
            return NO_SIGNALS
        side, code = (Side.BUY, "NEW_HIGH") if trade.price >= high else (Side.SELL, "NEW_LOW")
        return (Signal(trade.symbol, side, p.confidence, Priority.MEDIUM, (self.reason(code),),
                       self.name, trade.ts_ns, trade.ts_ns + 2_000_000_000),)
'''


@pytest.fixture(autouse=True)
def built_ins_again() -> Iterator[None]:
    yield
    install(BUILT_IN_CATALOGUE)


@pytest.fixture
def strategies_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "strategies"
    directory.mkdir()
    (directory / "breakout.py").write_text(STRATEGY.format(cls="Breakout", name="breakout"))
    return directory


@pytest.fixture
def plugin_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package installed as pip would: importable, with a dist-info naming its entry point."""
    site = tmp_path / "site"
    (site / "momo_plugin").mkdir(parents=True)
    (site / "momo_plugin" / "__init__.py").write_text(STRATEGY.format(cls="Momo", name="momo"))
    info = site / "momo_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: momo-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[hft_tui.strategies]\nmomo = momo_plugin:Momo\n")
    monkeypatch.syspath_prepend(str(site))
    return site


def test_both_kinds_load_with_their_code_hash_and_namespaced_reason_codes(
        strategies_dir: Path, plugin_package: Path) -> None:
    catalogue = load_catalogue(strategies_dir)
    assert catalogue.names[-2:] == ("momo", "breakout")
    assert catalogue.sources["breakout"].path == str(strategies_dir / "breakout.py")
    assert len(catalogue.sources["momo"].sha256) == 64
    assert catalogue.sources["momo"].origin == "entry point momo (momo_plugin:Momo)"
    assert ReasonCode("breakout.NEW_HIGH").description == "A new high."
    assert ReasonCode("momo.NEW_LOW").category == "user"


def _backtest_and_replay(tmp_path: Path, strategies_dir: Path, name: str,
                         capsys: pytest.CaptureFixture[str]) -> str:
    wal = tmp_path / f"wal-{name}"
    same = ["--set", f'strategies.enabled=["trend", "cvd", "{name}"]', "--set", f"strategies.{name}.window=300"]
    assert main(["--strategies-dir", str(strategies_dir), "backtest", "--recording", str(SAMPLE),
                 "--wal-dir", str(wal), "--json", *same]) == 0
    report = json.loads(capsys.readouterr().out)
    (start,) = [r for r in iter_records(wal) if r.type == "session_start"]
    assert set(start.payload["strategy_code"]) == {name}
    assert any(r.payload.get("strategy") == name for r in iter_records(wal) if r.type == "order"), \
        "the user strategy must trade for this to mean anything"
    assert report
    code = main(["--strategies-dir", str(strategies_dir), "--state-dir", str(tmp_path / "state"), "replay",
                 "--verify", "--recording", str(SAMPLE), "--wal", str(wal), *same])
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def test_a_strategy_file_backtests_and_replays_with_zero_divergences(
        tmp_path: Path, strategies_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _backtest_and_replay(tmp_path, strategies_dir, "breakout", capsys)
    assert "0 divergences" in out and "warning" not in out


def test_an_entry_point_strategy_backtests_and_replays_with_zero_divergences(
        tmp_path: Path, plugin_package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "0 divergences" in _backtest_and_replay(tmp_path, tmp_path / "none", "momo", capsys)


def test_replay_warns_when_the_strategy_code_changed(
        tmp_path: Path, strategies_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wal = tmp_path / "wal"
    same = ["--set", 'strategies.enabled=["trend", "breakout"]']
    assert main(["--strategies-dir", str(strategies_dir), "backtest", "--recording", str(SAMPLE),
                 "--wal-dir", str(wal), *same]) == 0
    source = strategies_dir / "breakout.py"
    source.write_text(source.read_text() + "\n# edited\n")
    main(["--strategies-dir", str(strategies_dir), "--state-dir", str(tmp_path / "state"), "replay", "--verify",
          "--recording", str(SAMPLE), "--wal", str(wal), *same])
    assert "warning: strategy breakout's code changed since the session" in capsys.readouterr().out


async def test_a_user_strategy_tuned_in_a_session_replays_exactly(
        tmp_path: Path, strategies_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    install(load_catalogue(strategies_dir, use_entry_points=False))
    settings = load_settings(None, {"strategies.enabled": ["trend", "breakout"]})
    clock = FrozenClock(START_NS)
    engine = build_sim_engine(settings, clock=clock, wal_dir=tmp_path / "wal", paced=False)
    attach_input_recorder(engine, settings, tmp_path)
    await engine.wal.start()
    engine.begin_session()
    market = engine.source.market  # type: ignore[attr-defined]
    for seconds, values in ((60.0, {"window": 120, "confidence": 0.9}), (60.0, None)):
        end = clock.now_ns() + int(seconds * 1e9)
        while clock.now_ns() < end:
            await engine.feed(market.next_event())
        if values is not None:
            assert (await engine.execute(SetStrategyParams("breakout", values))).ok
    assert engine.core.strategies["breakout"].params.window == 120
    await engine.stop("test over")
    assert any(r.type == "signal" and r.payload["strategy"] == "breakout" for r in iter_records(tmp_path / "wal"))

    code = await asyncio.to_thread(main, ["--strategies-dir", str(strategies_dir), "--state-dir", str(tmp_path),
                                          "replay", "--verify"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "1 operator command(s) re-applied" in out and "0 divergences" in out


@pytest.mark.parametrize(("source", "problem"), [
    ("def broken(:\n", "broken.py:1: syntax error: "),
    ("import no_such_module_here\n", "broken.py: importing it failed: ModuleNotFoundError: "),
    ("x = 1\n", "broken.py: defines no Strategy subclass with a name"),
    (STRATEGY.format(cls="Trend2", name="trend"), "the name 'trend' is taken (built in)"),
    (STRATEGY.format(cls="Bad", name="Bad-Name"), "'Bad-Name' is not a strategy name: use a lower-case identifier"),
    (STRATEGY.format(cls="Bad", name="enabled"), "the name 'enabled' is a [strategies] setting"),
    (STRATEGY.format(cls="Bad", name="bad").replace('"NEW_HIGH"', '"new high"'),
     "reason code 'new high' of bad: use UPPER_CASE letters, digits and _"),
])
def test_every_mistake_in_a_strategy_file_is_one_line(
        tmp_path: Path, source: str, problem: str, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "broken.py").write_text(source)
    with pytest.raises(UserStrategyError, match=None) as caught:
        load_catalogue(tmp_path, use_entry_points=False)
    assert problem in str(caught.value) and "\n" not in str(caught.value)
    assert main(["--strategies-dir", str(tmp_path), "config", "check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and problem in err and "Traceback" not in err
