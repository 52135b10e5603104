"""The argument parser of every ``hft-tui`` command: a usage mistake is one line naming it.

argparse's own ``error`` prints the whole usage (a dozen lines, most of them the global options
every command takes) before the message, and an option the command does not know is reported by
the top-level parser, without naming the command. Here the (sub)command that got the mistake
says it, with what was probably meant, and exits with argparse's status 2.

Abbreviated options are refused, not guessed: with argparse's default ``backtest --data /nope``
was taken for ``--data-dir /nope``, so a typo could quietly mean another option.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

USAGE_ERROR = 2  # argparse's status, the same as exit_codes.CONFIG_ERROR


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line; its sub-parsers are of the same class."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None) -> tuple[argparse.Namespace, list[str]]:
        # A sub-command hands what it did not recognise back to its parent, which would report it
        # as the whole command line's: refuse it here, where the command's options are known, and
        # before a missing argument is reported (`ctl order --price 3` is a wrong option, not a
        # missing side).
        args = sys.argv[1:] if args is None else list(args)
        unknown = next((arg for arg in self._own_options(args) if not self._knows(arg)), None)
        if unknown is not None:
            self._refuse_extras([unknown])
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self._refuse_extras(extras)
        return parsed, extras

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: {message} (`{self.prog} --help` shows how to use it)\n")

    def _refuse_extras(self, extras: list[str]) -> NoReturn:
        unknown = next((extra for extra in extras if _is_option(extra)), None)
        if unknown is None:
            self.exit(USAGE_ERROR, f"{self.prog}: unexpected argument {extras[0]!r} "
                                   f"(`{self.prog} --help` shows how to use it)\n")
        option = unknown.split("=", 1)[0]
        guesses = self._guesses(option)
        meant = f"; did you mean {_either(guesses)}?" if guesses else ""
        self.exit(USAGE_ERROR, f"{self.prog}: unknown option {option}{meant} "
                               f"(`{self.prog} --help` lists the options)\n")

    def _own_options(self, args: Sequence[str]) -> list[str]:
        """The arguments that read as this parser's options: before ``--`` and before a
        sub-command's name, not ``-`` and not a negative number."""
        commands = {name for action in self._actions if isinstance(action, argparse._SubParsersAction)  # noqa: SLF001
                    for name in action.choices}
        options = []
        for arg in args:
            if arg == "--" or arg in commands:
                break
            if _is_option(arg):
                options.append(arg)
        return options

    def _knows(self, arg: str) -> bool:
        name = arg.split("=", 1)[0]
        known = self._option_string_actions
        return name in known or (not name.startswith("--") and name[:2] in known)  # -h, -n5

    def _guesses(self, option: str) -> list[str]:
        """Options ``option`` abbreviates or is spelt like, else those whose value is named like it
        (``--price`` finds ``--limit PRICE``)."""
        known = {string: action for string, action in self._option_string_actions.items()
                 if action.help is not argparse.SUPPRESS}
        started = [string for string in known if option.startswith("--") and string.startswith(option)]
        close = started[:3] or difflib.get_close_matches(option, list(known), n=3, cutoff=0.75)
        if close:
            return [_shown(string, known[string]) for string in close]
        word = option.lstrip("-").replace("-", "_").upper()
        return [_shown(action.option_strings[-1], action) for action in _unique(known.values())
                if action.metavar == word or (action.metavar is None and action.nargs != 0
                                              and action.dest.upper() == word)]


def _is_option(arg: str) -> bool:
    """``--limit``, ``-h``, ``--limit=3``; not ``-`` (stdin) nor a negative number."""
    if not arg.startswith("-") or arg == "-":
        return False
    try:
        float(arg)
    except ValueError:
        return True
    return False


def _shown(string: str, action: argparse.Action) -> str:
    if action.nargs == 0:
        return string
    return f"{string} {action.metavar or action.dest.upper()}"


def _unique(actions: Any) -> list[argparse.Action]:
    seen: list[argparse.Action] = []
    for action in actions:
        if action not in seen:
            seen.append(action)
    return seen


def _either(choices: list[str]) -> str:
    return choices[0] if len(choices) == 1 else f"{', '.join(choices[:-1])} or {choices[-1]}"
