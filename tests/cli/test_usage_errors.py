"""Every command, given bad input, ends in one line naming the problem and its exit status, never
a usage dump or a traceback. The cases are walked from the parser itself, so a command or option
added tomorrow is covered the day it is added."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from hft_tui import exit_codes
from hft_tui.cli.main import build_parser, main

PARSER = build_parser()
# What a required argument is given when the test needs the command to get past the parser:
# the first of these its type takes.
PLACEHOLDERS = ("1", "2026-01-01", "BTC/USDT", "k=1")


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
             ) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:  # noqa: SLF001 - argparse keeps sub-parsers nowhere public
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for name, command in action.choices.items():
                yield from commands(command, (*path, name))


COMMANDS = list(commands(PARSER))


def _sub_commands(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]  # noqa: SLF001


def _takes_a_value(action: argparse.Action) -> bool:
    return bool(action.option_strings) and action.nargs != 0 and not isinstance(
        action, (argparse._HelpAction, argparse._VersionAction))  # noqa: SLF001


def _rejects(action: argparse.Action, text: str) -> bool:
    if action.choices is not None:
        return text not in action.choices
    if action.type is None:
        return False
    try:
        action.type(text)  # type: ignore[operator]
    except (ValueError, TypeError, argparse.ArgumentTypeError):
        return True
    return False


def _needs_something(parser: argparse.ArgumentParser) -> bool:
    return any(action.required for action in parser._actions) or any(  # noqa: SLF001
        group.required for group in parser._mutually_exclusive_groups)  # noqa: SLF001


def bad_command_lines(path: tuple[str, ...], parser: argparse.ArgumentParser) -> Iterator[tuple[list[str], str]]:
    """(command line, what its error line must name)."""
    yield [*path, "--no-such-option"], "--no-such-option"
    if _needs_something(parser):
        yield list(path), parser.prog
    for action in parser._actions:  # noqa: SLF001
        for option in action.option_strings:
            abbreviated = option[:-1]
            if option.startswith("--") and len(abbreviated) > 3 and abbreviated not in parser._option_string_actions:  # noqa: SLF001
                yield [*path, abbreviated, "1"], abbreviated  # never taken for the option it starts
        if not _takes_a_value(action):
            continue
        option = action.option_strings[-1]
        if action.nargs is None:
            yield [*path, option], option  # the value left out
        if _rejects(action, "not-a-value"):
            yield [*path, option, "not-a-value"], option


def _parsed_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | str | None, str, str]:
    with pytest.raises(SystemExit) as stop:
        PARSER.parse_args(argv)
    out, err = capsys.readouterr()
    return stop.value.code, out, err


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=[" ".join(path) or "hft-tui" for path, _ in COMMANDS])
def test_every_usage_mistake_is_one_line_and_exit_2(path: tuple[str, ...], parser: argparse.ArgumentParser,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    wrong = []
    for argv, named in bad_command_lines(path, parser):
        code, out, err = _parsed_error(argv, capsys)
        lines = err.splitlines()
        if (code != exit_codes.CONFIG_ERROR or out or len(lines) != 1 or not lines[0].startswith(parser.prog)
                or named not in lines[0] or "usage:" in err or "Traceback" in err
                or re.search(r"invalid _\w+ value", err)):  # a private function's name is no message
            wrong.append(f"hft-tui {' '.join(argv)} -> exit {code}: {err!r}")
    assert not wrong, "\n".join(wrong)


def test_the_walk_reaches_every_command() -> None:
    paths = {path for path, _ in COMMANDS}
    assert {("ctl", "order"), ("wal", "verify"), ("backtest", "show"), ("optimize", "run"), ("run",)} <= paths
    assert len(paths) > 40


@pytest.mark.parametrize(("argv", "meant"), [
    (["ctl", "order", "BTC/USDT", "buy", "0.01", "--price", "60000"], "did you mean --limit PRICE, --tp PRICE or --sl PRICE?"),
    (["ctl", "order", "--price", "60000"], "--limit PRICE"),  # the wrong option, not the missing side
    (["wal", "verify", "--state-dri", "/tmp"], "did you mean --state-dir DIR?"),
    (["--hedless"], "did you mean --headless?"),
    (["backtest", "--data", "/nope"], "unknown option --data; did you mean --data-dir DIR?"),
    (["wal", "--stat", "/tmp", "verify"], "unknown option --stat; did you mean --state-dir DIR?"),
])
def test_a_misspelt_option_names_what_was_probably_meant(argv: list[str], meant: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _parsed_error(argv, capsys)
    assert code == exit_codes.CONFIG_ERROR
    assert meant in err and len(err.splitlines()) == 1


def test_a_negative_number_is_a_value_not_an_option(capsys: pytest.CaptureFixture[str]) -> None:
    args = PARSER.parse_args(["ctl", "exits", "BTC/USDT", "--tp", "-1", "--sl", "none"])
    assert args.tp == -1.0


def _with_required(path: tuple[str, ...], parser: argparse.ArgumentParser) -> list[str]:
    """``path`` and a value for everything the command requires, so that it gets past the parser."""
    argv = list(path)
    for action in parser._actions:  # noqa: SLF001
        if action.required and not isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            argv += [*action.option_strings[-1:], _placeholder(action)]
    for group in parser._mutually_exclusive_groups:  # noqa: SLF001
        if group.required:
            first = group._group_actions[0]  # noqa: SLF001
            argv += [first.option_strings[-1]] + ([] if first.nargs == 0 else [_placeholder(first)])
    return argv


def _placeholder(action: argparse.Action) -> str:
    if action.choices is not None:
        return str(next(iter(action.choices)))
    return next(text for text in PLACEHOLDERS if not _rejects(action, text))


RUNNABLE = [(path, parser) for path, parser in COMMANDS if not _sub_commands(parser) or not any(
    action.required for action in _sub_commands(parser))]


@pytest.mark.parametrize(("path", "parser"), RUNNABLE, ids=[" ".join(path) or "hft-tui" for path, _ in RUNNABLE])
def test_every_command_refuses_a_missing_or_broken_config_file_before_doing_anything(
        path: tuple[str, ...], parser: argparse.ArgumentParser, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[engine\nmode = 'sim'\n", encoding="utf-8")
    for config, problem in ((tmp_path / "missing.toml", "config file not found"),
                            (broken, "TOML syntax error")):
        code = main([*_with_required(path, parser), "--config", str(config), "--state-dir", str(tmp_path / "state")])
        out, err = capsys.readouterr()
        assert code == exit_codes.CONFIG_ERROR, err
        assert err.splitlines() == [line for line in err.splitlines() if str(config) in line and problem in line]
        assert len(err.splitlines()) == 1 and not out
    assert list(tmp_path.iterdir()) == [broken]  # nothing was started, written or created


CTL_ACTIONS = [(path, parser) for path, parser in COMMANDS if path[:1] == ("ctl",) and len(path) == 2]


@pytest.mark.parametrize(("path", "parser"), CTL_ACTIONS, ids=[" ".join(path) for path, _ in CTL_ACTIONS])
def test_every_ctl_action_with_no_engine_served_says_so_in_one_line(
        path: tuple[str, ...], parser: argparse.ArgumentParser, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    argv = _with_required(path, parser)
    yes = ["--yes"] if "--yes" in parser._option_string_actions else []  # noqa: SLF001
    code = main(["--state-dir", str(tmp_path), *argv, *yes])
    out, err = capsys.readouterr()
    assert code == exit_codes.NO_SERVED_ENGINE, err
    assert len(err.splitlines()) == 1 and "no served engine" in err and "Traceback" not in err


def test_live_mode_unconfirmed_off_a_terminal_is_one_line_and_starts_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--state-dir", str(tmp_path / "state"), "--mode", "live", "--headless"])
    err = capsys.readouterr().err
    assert code == exit_codes.CONFIG_ERROR
    assert err.splitlines() == ["hft-tui: --mode live needs --live when not run from a terminal; nothing was started"]
    assert not (tmp_path / "state").exists()
