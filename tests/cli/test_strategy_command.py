"""``hft-tui strategy new`` writes a strategy that runs and a test that passes; ``strategy check``
shows what it signals over a short seeded sim; every mistake is one line."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from hft_tui.cli.main import main
from hft_tui.strategies.catalogue import BUILT_IN_CATALOGUE, install


@pytest.fixture(autouse=True)
def built_ins_again() -> Iterator[None]:
    yield
    install(BUILT_IN_CATALOGUE)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_new_strategy_passes_its_own_test_and_signals_in_the_check(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--strategies-dir", str(tmp_path), "strategy", "new", "my_breakout")
    assert code == 0
    assert (tmp_path / "my_breakout.py").is_file() and (tmp_path / "tests" / "test_my_breakout.py").is_file()

    spec = importlib.util.spec_from_file_location("generated_test", tmp_path / "tests" / "test_my_breakout.py")
    assert spec is not None and spec.loader is not None
    generated = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generated)
    generated.test_a_new_high_after_a_full_window_is_a_buy_with_its_reason()
    generated.test_nothing_fires_inside_the_range()

    code, out, err = run(capsys, "--strategies-dir", str(tmp_path), "strategy", "check", "my_breakout",
                         "--seconds", "120")
    assert code == 0, err
    assert "parameters valid: window=200, confidence=0.7, ttl_s=2.0" in out
    assert "signalled my_breakout.NEW_" in out


def test_a_strategy_that_never_signals_fails_the_check_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "--strategies-dir", str(tmp_path), "strategy", "new", "quiet")
    source = tmp_path / "quiet.py"
    source.write_text(source.read_text().replace("window: int = Field(200,", "window: int = Field(10_000,"))
    code, out, err = run(capsys, "--strategies-dir", str(tmp_path), "strategy", "check", "quiet", "--seconds", "30")
    assert code == 1
    assert "0 signal(s)" in out
    assert err == "hft-tui: quiet did not signal in 30 s; try --seconds or looser parameters\n"


@pytest.mark.parametrize(("argv", "problem"), [
    (("strategy", "new", "Bad-Name"), "'Bad-Name' is not a strategy name"),
    (("strategy", "new", "vpin"), "the name 'vpin' is taken by hft-tui"),
    (("strategy", "check", "nothing_here"), "no user strategy 'nothing_here'"),
    (("strategy", "check", "trend"), "no user strategy 'trend'"),
])
def test_each_mistake_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  argv: tuple[str, ...], problem: str) -> None:
    code, _, err = run(capsys, "--strategies-dir", str(tmp_path), *argv)
    assert code == 2
    assert err.count("\n") == 1 and problem in err


def test_new_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "--strategies-dir", str(tmp_path), "strategy", "new", "mine")
    (tmp_path / "mine.py").write_text("# my work\n")
    code, _, err = run(capsys, "--strategies-dir", str(tmp_path), "strategy", "new", "mine")
    assert code == 2 and "exists; not overwriting it" in err
    assert (tmp_path / "mine.py").read_text() == "# my work\n"
