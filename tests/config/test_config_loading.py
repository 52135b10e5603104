"""Loading settings: precedence, and every problem reported at once with file and dotted key."""

from __future__ import annotations

from pathlib import Path

import pytest

from hft_tui.config.errors import COMMAND_LINE, ConfigError, ConfigProblem
from hft_tui.config.loader import load_settings
from hft_tui.config.settings import Settings


def write(tmp_path: Path, text: str, name: str = "hft.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(config_file: Path | None, overrides: dict[str, object] | None = None) -> list[ConfigProblem]:
    with pytest.raises(ConfigError) as caught:
        load_settings(config_file, overrides or {})
    return caught.value.problems


def test_no_file_and_no_overrides_gives_the_model_defaults() -> None:
    assert load_settings() == Settings()


def test_file_overrides_defaults_and_command_line_overrides_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [engine]
        mode = "paper"
        seed = 11
        [sim]
        depth = 40
        """,
    )
    from_file = load_settings(path)
    assert (from_file.engine.mode, from_file.engine.seed, from_file.sim.depth) == ("paper", 11, 40)
    assert from_file.sim.trades_per_s == Settings().sim.trades_per_s

    overridden = load_settings(path, {"engine.seed": 99, "paths.state_dir": "/srv/hft/state"})
    assert overridden.engine.seed == 99
    assert overridden.engine.mode == "paper"  # file value survives where no override is given
    assert overridden.sim.depth == 40
    assert overridden.paths.state_dir == Path("/srv/hft/state")


def test_none_overrides_are_ignored_so_unset_flags_pass_straight_through(tmp_path: Path) -> None:
    path = write(tmp_path, '[engine]\nmode = "paper"\n')
    assert load_settings(path, {"engine.mode": None}).engine.mode == "paper"


def test_table_override_merges_into_the_file_table(tmp_path: Path) -> None:
    path = write(tmp_path, "[exchange.ccxt]\ntimeout = 5000\n[exchange.ccxt.options]\ndefaultType = 'swap'\n")
    settings = load_settings(path, {"exchange.ccxt": {"options": {"adjustForTimeDifference": True}}})
    assert settings.exchange.ccxt == {
        "timeout": 5000,
        "options": {"defaultType": "swap", "adjustForTimeDifference": True},
    }


def test_typo_and_out_of_range_value_are_both_reported_with_file_and_dotted_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "[sim]\ndepht = 30\n[wal]\nrotate_mb = 0\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    by_key = {p.key: p for p in caught.value.problems}
    assert set(by_key) == {"sim.depht", "wal.rotate_mb"}
    assert all(p.file == str(path) for p in caught.value.problems)
    typo = by_key["sim.depht"]
    assert typo.value == 30
    assert "unknown key; allowed keys here: book_updates_per_s, trades_per_s, depth" in typo.message
    assert "did you mean 'depth'?" in typo.message
    assert by_key["wal.rotate_mb"].message == "must be between 1 and 4096"
    assert by_key["wal.rotate_mb"].value == 0

    text = str(caught.value)
    assert f"{path}: sim.depht = 30: unknown key" in text
    assert f"{path}: wal.rotate_mb = 0: must be between 1 and 4096" in text
    assert len(text.splitlines()) == 2


def test_unknown_section_suggests_the_close_one(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path, "[egnine]\nseed = 1\n"))
    assert problem.key == "egnine"
    assert "allowed keys here: engine, sim, wal, ui, paths, exchange" in problem.message
    assert "did you mean 'engine'?" in problem.message


def test_bad_list_item_is_named_by_its_index(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path, '[engine]\nsymbols = ["BTC/USDT", "ethusdt"]\n'))
    assert problem.key == "engine.symbols.1"
    assert problem.value == "ethusdt"
    assert "BASE/QUOTE" in problem.message


def test_symbols_must_be_unique_and_between_1_and_200(tmp_path: Path) -> None:
    [dup] = problems_of(write(tmp_path, '[engine]\nsymbols = ["BTC/USDT", "BTC/USDT"]\n'))
    assert dup.key == "engine.symbols" and "'BTC/USDT' twice" in dup.message
    [empty] = problems_of(write(tmp_path, "[engine]\nsymbols = []\n"))
    assert empty.message == "must have 1 to 200 items"
    names = [f"S{i:03d}/USDT" for i in range(201)]
    assert len(load_settings(None, {"engine.symbols": names[:200]}).engine.symbols) == 200
    [too_many] = problems_of(write(tmp_path, f"[engine]\nsymbols = {names!r}\n".replace("'", '"')))
    assert too_many.message == "must have 1 to 200 items"
    swap = load_settings(None, {"engine.symbols": ["BTC/USDT:USDT"]})
    assert swap.engine.symbols == ["BTC/USDT:USDT"]


def test_literal_wrong_type_and_nan_are_explained(tmp_path: Path) -> None:
    path = write(tmp_path, '[engine]\nmode = "yolo"\nseed = "seven"\n[sim]\ncorrelation = nan\n')
    by_key = {p.key: p.message for p in problems_of(path)}
    assert by_key["engine.mode"] == "must be one of 'sim', 'paper', 'live'"
    assert by_key["engine.seed"].startswith("must be a valid integer")
    assert by_key["sim.correlation"] == "must be a finite number"


def test_cross_field_rules_name_the_later_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[exchange]\nrest_poll_interval_ms = 2000\nstale_after_ms = 1500\n"
        "reconnect_backoff_ms = 5000\nreconnect_backoff_max_ms = 1000\n",
    )
    by_key = {p.key: p.message for p in problems_of(path)}
    assert by_key == {
        "exchange.stale_after_ms": "must exceed rest_poll_interval_ms (2000), or a polled feed is always stale",
        "exchange.reconnect_backoff_max_ms": "must be at least reconnect_backoff_ms (5000)",
    }


def test_exchange_id_must_be_a_ccxt_id(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path, '[exchange]\nid = "krakn"\n'))
    assert problem.key == "exchange.id"
    assert "did you mean 'kraken'?" in problem.message
    assert load_settings(None, {"exchange.id": "okx"}).exchange.id == "okx"


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[engine]\nmode = "sim"\nseed = \n')
    [problem] = problems_of(path)
    assert problem.file == str(path)
    assert problem.line == 3
    assert str(problem).startswith(f"{path}:3: TOML syntax error")


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    [problem] = problems_of(path)
    assert str(problem) == f"{path}: config file not found"


def test_override_problems_are_attributed_to_the_command_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[sim]\ndepth = 1000\n")
    problems = problems_of(path, {"engine.seed": -3, "ui.colour": "red", "engine..mode": "sim"})
    by_key = {p.key: p for p in problems}
    assert by_key["sim.depth"].file == str(path)
    assert by_key["engine.seed"].file == COMMAND_LINE
    assert by_key["engine.seed"].message == "must be at least 0"
    assert by_key["ui.colour"].file == COMMAND_LINE
    assert by_key["engine..mode"].message == "malformed key; use section.key"


def test_override_below_a_plain_value_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "[sim]\ndepth = 30\n")
    [problem] = problems_of(path, {"sim.depth.max": 3})
    assert problem.file == COMMAND_LINE
    assert problem.message == "sim.depth is a value, not a table"


def test_values_of_the_wrong_toml_type_are_not_coerced(tmp_path: Path) -> None:
    path = write(tmp_path, '[engine]\nseed = true\n[sim]\npaced = "yes"\ndepth = "30"\n')
    by_key = {p.key: p.message for p in problems_of(path)}
    assert by_key == {
        "engine.seed": "must be a valid integer",
        "sim.paced": "must be a valid boolean",
        "sim.depth": "must be a valid integer",
    }


def test_integers_are_accepted_for_float_settings(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "[engine]\nsnapshot_hz = 20\n"))
    assert settings.engine.snapshot_hz == 20.0
