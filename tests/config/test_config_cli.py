"""`hft-tui config check|show|default`: exit codes and what the operator sees."""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

import pytest

from hft_tui.config.cli import add_config_parser, add_override_arguments, overrides_from_args, run_config_command
from hft_tui.config.loader import load_settings
from hft_tui.config.settings import Settings
from hft_tui.config.toml_render import render_default_toml


def parse(*argv: str) -> argparse.Namespace:
    """Parse like the global parser: its own flags, --set, then the subcommand."""
    parser = argparse.ArgumentParser(prog="hft-tui")
    parser.add_argument("--config", type=Path)
    parser.add_argument("--mode")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--symbols")
    parser.add_argument("--state-dir", type=Path)
    add_override_arguments(parser)
    add_config_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    args = parse(*argv)
    assert args.handler is run_config_command
    code = args.handler(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_reports_typo_and_out_of_range_value_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[ui]\nrefresh_hzz = 5\nbook_depth = 99\n", encoding="utf-8")
    code, out, err = run(capsys, "config", "check", str(path))
    assert code == 2
    assert f"{path}: ui.refresh_hzz = 5: unknown key" in err
    assert "did you mean 'refresh_hz'?" in err
    assert f"{path}: ui.book_depth = 99: must be between 3 and 50" in err
    assert f"2 problems in {path}" in err
    assert out == ""


def test_check_of_a_good_file_prints_one_ok_line_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "good.toml"
    path.write_text('[engine]\nmode = "paper"\n', encoding="utf-8")
    code, out, err = run(capsys, "config", "check", str(path))
    assert (code, out, err) == (0, f"OK: {path} is valid\n", "")


def test_check_without_a_file_uses_the_global_config_then_the_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "global.toml"
    path.write_text("[sim]\ndepth = 2\n", encoding="utf-8")
    code, _, err = run(capsys, "--config", str(path), "config", "check")
    assert code == 2 and f"{path}: sim.depth = 2" in err
    code, out, _ = run(capsys, "config", "check")
    assert code == 0 and "built-in defaults" in out


def test_check_of_a_missing_file_exits_2_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "config", "check", str(tmp_path / "nope.toml"))
    assert code == 2 and f"{tmp_path / 'nope.toml'}: config file not found" in err


def test_show_prints_the_effective_settings_after_precedence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('[engine]\nmode = "paper"\nseed = 3\n[sim]\ndepth = 30\n', encoding="utf-8")
    code, out, _ = run(
        capsys, "--config", str(path), "--seed", "42", "--set", "sim.depth=60", "--state-dir", "/srv/s", "config", "show"
    )
    assert code == 0
    shown = tomllib.loads(out)
    assert shown["engine"]["mode"] == "paper"
    assert shown["engine"]["seed"] == 42
    assert shown["sim"]["depth"] == 60
    assert shown["paths"]["state_dir"] == "/srv/s"
    assert shown["ui"] == Settings().ui.model_dump()


@pytest.mark.parametrize("command", ["check", "show"])
def test_a_bad_set_is_counted_on_the_command_line_not_in_the_defaults(
        command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--set", "engine.seed=x", "config", command)
    assert (code, out) == (2, "")
    assert err.splitlines() == ["<command line>: engine.seed = 'x': must be a valid integer",
                                "1 problem on the command line"]
    path = tmp_path / "bad.toml"
    path.write_text('[engine]\nseed = "a"\n', encoding="utf-8")
    code, _, err = run(capsys, "--config", str(path), "--set", "engine.mode=x", "config", command)
    assert err.splitlines()[-1] == f"2 problems on the command line and in {path}"


def test_show_with_a_bad_file_keeps_problems_off_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[wal]\nrotate_mb = -1\n", encoding="utf-8")
    code, out, err = run(capsys, "--config", str(path), "config", "show")
    assert (code, out) == (2, "")
    assert "wal.rotate_mb" in err


def test_default_prints_the_generated_default_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "config", "default")
    assert code == 0
    assert out == render_default_toml()


def test_set_values_are_read_as_toml_else_as_strings() -> None:
    args = parse("--set", "sim.paced=false", "--set", 'engine.symbols=["SOL/USDT"]', "--set", "engine.mode=live",
                 "--set", "paths.data_dir=/data/hft", "config", "show")
    assert overrides_from_args(args) == {
        "sim.paced": False,
        "engine.symbols": ["SOL/USDT"],
        "engine.mode": "live",
        "paths.data_dir": "/data/hft",
    }
    settings = load_settings(None, overrides_from_args(args))
    assert settings.engine.mode == "live" and settings.sim.paced is False


def test_dedicated_flags_win_over_set() -> None:
    args = parse("--set", "engine.mode=live", "--mode", "paper", "config", "show")
    assert overrides_from_args(args)["engine.mode"] == "paper"


def test_symbols_flag_is_a_comma_separated_list() -> None:
    args = parse("--symbols", "SOL/USDT, ETH/USDT,", "config", "show")
    assert overrides_from_args(args) == {"engine.symbols": ["SOL/USDT", "ETH/USDT"]}


def test_set_without_equals_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse("--set", "engine.mode", "config", "show")
    assert exited.value.code == 2
    assert "expected KEY=VALUE" in capsys.readouterr().err
