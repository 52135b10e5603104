"""Configuration problems, collected and reported all at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from hft_tui.redaction import REDACTED  # shown in place of a value that may be a secret

COMMAND_LINE: Final = "<command line>"
"""The ``file`` of a problem that came from a command-line override."""

__all__ = ["COMMAND_LINE", "NO_VALUE", "REDACTED", "ConfigError", "ConfigProblem"]

# Longer values and keys are cut in messages: a 50 MB bad value is not echoed whole.
MAX_SHOWN_CHARS: Final = 120


class _NoValue:
    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Final = _NoValue()
"""The ``value`` of a problem about a whole file (syntax error, missing file) rather than a key."""


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One thing wrong: where (file, dotted key, line if known), the offending value, what is allowed."""

    file: str
    key: str
    value: Any
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        key = _shown(self.key)
        if self.value is NO_VALUE:
            return f"{where}: {key}: {self.message}" if key else f"{where}: {self.message}"
        return f"{where}: {key} = {_shown_value(self.value)}: {self.message}"


class ConfigError(Exception):
    """Raised when settings cannot be loaded; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems: list[ConfigProblem] = list(problems)
        if not self.problems:
            raise ValueError("ConfigError needs at least one problem")
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


def _shown(text: str) -> str:
    """``text`` cut to ``MAX_SHOWN_CHARS``, saying how long it was."""
    if len(text) <= MAX_SHOWN_CHARS:
        return text
    return f"{text[:MAX_SHOWN_CHARS]}… ({len(text):,} characters)"


def _shown_value(value: Any) -> str:
    """The repr of ``value``, cut; a long string is cut before its repr is built."""
    if isinstance(value, str) and len(value) > MAX_SHOWN_CHARS:
        return f"{value[:MAX_SHOWN_CHARS]!r}… ({len(value):,} characters)"
    return _shown(repr(value))
