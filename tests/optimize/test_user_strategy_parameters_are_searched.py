from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from optimize_driver import trials

from hft_tui.cli.main import main
from hft_tui.config.loader import load_settings
from hft_tui.strategies.catalogue import BUILT_IN_CATALOGUE, install

SESSION = Path(__file__).resolve().parents[2] / "data" / "sample" / "session"
# A user strategy whose parameter model bounds its one setting; it never signals.
QUIET = """
from typing import ClassVar
from pydantic import Field
from hft_tui.strategies.base import NO_SIGNALS, Strategy, StrategyParams


class QuietParams(StrategyParams):
    patience: int = Field(30, ge=5, le=500, description="How long it waits.")


class Quiet(Strategy[QuietParams]):
    name: ClassVar[str] = "quiet"
    params_model: ClassVar[type[StrategyParams]] = QuietParams

    def on_trade(self, trade):
        return NO_SIGNALS
"""


@pytest.fixture(autouse=True)
def built_ins_again() -> Iterator[None]:
    yield
    install(BUILT_IN_CATALOGUE)


def test_a_user_strategys_parameter_is_searched_within_its_own_bounds_and_applied(tmp_path: Path) -> None:
    (tmp_path / "strategies").mkdir()
    (tmp_path / "strategies" / "quiet.py").write_text(QUIET)
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    common = ["--strategies-dir", str(tmp_path / "strategies")]
    assert main([*common, "optimize", "run", "--recording", str(SESSION), "--strategies", "trend,quiet",
                 "--param", "strategies.quiet.patience", "--objective", "trades", "--trials", "3",
                 "--workers", "1", "--storage", storage, "--study", "s"]) == 0
    values = [t.params["strategies.quiet.patience"] for t in trials(storage)]
    assert len(values) == 3 and all(5 <= v <= 500 for v in values)
    out = tmp_path / "quiet.toml"
    assert main([*common, "optimize", "apply", "--storage", storage, "--study", "s", "--out", str(out)]) == 0
    assert load_settings(out).strategies.params("quiet").patience in values
