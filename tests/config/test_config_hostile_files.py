"""Config files an attacker or a bad day would hand us: one clear line, exit 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from hft_tui.cli.main import EXIT_CONFIG_ERROR, main
from hft_tui.config.loader import MAX_CONFIG_BYTES, MAX_NESTING

CONFIG_PROBLEM = "hft-tui: invalid configuration: "


def start(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    """Run ``hft-tui`` as a user would; the exit code and stderr's lines, each a configuration
    problem (its prefix stripped)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert all(line.startswith(CONFIG_PROBLEM) for line in lines), lines
    return code, [line.removeprefix(CONFIG_PROBLEM) for line in lines]


def test_an_endless_file_is_read_only_up_to_the_bound_and_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = start(capsys, "--config", "/dev/zero")
    assert code == EXIT_CONFIG_ERROR
    assert lines == ["/dev/zero: larger than 1 MiB: not a config file"]


def test_a_file_over_the_bound_is_refused_before_parsing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "big.toml"
    path.write_text('[ui]\ntheme = "' + "x" * (2 * MAX_CONFIG_BYTES) + '"\n', encoding="utf-8")
    code, lines = start(capsys, "--config", str(path))
    assert code == EXIT_CONFIG_ERROR
    assert lines[0] == f"{path}: larger than 1 MiB: not a config file"


def test_a_binary_file_is_named_as_such(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hft.toml"
    path.write_bytes(b"[ui]\n\x7fELF\x02\x01\x01\x00\x00\x00garbage")
    code, lines = start(capsys, "--config", str(path))
    assert code == EXIT_CONFIG_ERROR
    assert lines[0] == f"{path}:2: binary data (NUL byte): not a TOML file"


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 5000 + "]" * 5000 + "\n",  # deeper than the parser's recursion
        "a = " + "{b = " * 200 + "1" + "}" * 200 + "\n",
        "[" + ".".join(["t"] * 5000) + "]\nx = 1\n",  # a table header nests without recursing
    ],
    ids=["arrays", "inline-tables", "table-header"],
)
def test_deeply_nested_toml_is_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    text: str) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(text, encoding="utf-8")
    code, lines = start(capsys, "--config", str(path))
    assert code == EXIT_CONFIG_ERROR
    assert len(lines) == 1
    assert f"nested more than {MAX_NESTING} deep: not a config file" in lines[0]
    assert len(lines[0]) < 400


def test_deeply_nested_override_is_refused_as_the_command_lines(capsys: pytest.CaptureFixture[str]) -> None:
    deep = "[" * 40 + "]" * 40
    code, lines = start(capsys, "--set", f"exchange.ccxt.options.x={deep}")
    assert code == EXIT_CONFIG_ERROR
    assert lines[0].startswith("<command line>: exchange.ccxt.options.x.0.0")
    assert "nested more than" in lines[0]


def test_an_override_too_deep_for_the_toml_parser_is_taken_as_a_string(capsys: pytest.CaptureFixture[str]) -> None:
    deep = "[" * 3000 + "]" * 3000
    code, lines = start(capsys, "--set", f"engine.mode={deep}")
    assert code == EXIT_CONFIG_ERROR
    assert lines[0].startswith("<command line>: engine.mode = '[[[[")
    assert "(6,000 characters)" in lines[0]


def test_a_huge_bad_value_is_cut_in_the_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hft.toml"
    value = "live" * 200_000
    path.write_text(f'[engine]\nmode = "{value}"\n', encoding="utf-8")
    code, lines = start(capsys, "--config", str(path))
    assert code == EXIT_CONFIG_ERROR
    [problem] = lines
    assert problem.startswith(f"{path}: engine.mode = 'livelive")
    assert "… (800,000 characters): must be one of" in problem
    assert len(problem) < 400


def test_a_huge_unknown_key_is_cut_in_the_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hft.toml"
    path.write_text(f"[ui]\n{'k' * 500_000} = 1\n", encoding="utf-8")
    code, lines = start(capsys, "--config", str(path))
    assert code == EXIT_CONFIG_ERROR
    assert "(500,003 characters)" in lines[0]
    assert len(lines[0]) < 600
