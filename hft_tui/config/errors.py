"""Configuration problems, collected and reported all at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

COMMAND_LINE: Final = "<command line>"
"""The ``file`` of a problem that came from a command-line override."""

ENVIRONMENT: Final = "<environment>"
"""The ``file`` of a problem that came from an environment variable."""

REDACTED: Final = "***"
"""Shown in place of a value that may be a secret."""


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
        if self.value is NO_VALUE:
            return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        return f"{where}: {self.key} = {self.value!r}: {self.message}"


class ConfigError(Exception):
    """Raised when settings cannot be loaded; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems: list[ConfigProblem] = list(problems)
        if not self.problems:
            raise ValueError("ConfigError needs at least one problem")
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)
