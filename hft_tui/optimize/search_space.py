"""What a study searches: settings keys with ranges or choices.

By default a key's range comes from its own pydantic bounds (``Field(ge=..., le=...)``, a
Literal or Enum, a bool); ``--param KEY=LO..HI`` (``:STEP``, ``:log``) or ``KEY=A,B,C`` narrows
it, as does a TOML search-space file. A range outside the setting's bounds is refused in one
line, so every suggested value is a valid setting.
"""

from __future__ import annotations

import enum
import math
import tomllib
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from pydantic.fields import FieldInfo

from hft_tui.backtest.sweep import parse_value
from hft_tui.config.field_bounds import FieldBounds
from hft_tui.config.loader import field_at
from hft_tui.config.settings import Settings
from hft_tui.strategies.catalogue import installed

_SPEC_KEYS = frozenset({"low", "high", "step", "log", "choices"})


class SearchSpaceError(ValueError):
    """A parameter the study cannot search, and why (one line)."""


@dataclass(frozen=True, slots=True)
class Param:
    """One searched setting: an int or float range, or a list of choices."""

    key: str
    kind: str  # "int" | "float" | "choice"
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()

    def distribution(self) -> BaseDistribution:
        """The Optuna distribution of this parameter."""
        if self.kind == "choice":
            return CategoricalDistribution(self.choices)
        if self.kind == "int":
            return IntDistribution(int(self.low), int(self.high), log=self.log,  # type: ignore[arg-type]
                                   step=int(self.step or 1))
        return FloatDistribution(self.low, self.high, log=self.log, step=self.step)  # type: ignore[arg-type]

    def grid(self) -> list[Any]:
        """Every value, for the grid sampler (a float range needs a step)."""
        if self.kind == "choice":
            return list(self.choices)
        if self.kind == "float" and self.step is None:
            raise SearchSpaceError(f"{self.key}: the grid sampler needs a step for a float range "
                                   f"(--param {self.key}={_num(self.low)}..{_num(self.high)}:STEP)")
        step = self.step or 1
        count = int(math.floor((self.high - self.low) / step + 1e-9)) + 1  # type: ignore[operator]
        values = [self.low + i * step for i in range(count)]  # type: ignore[operator]
        return [int(v) for v in values] if self.kind == "int" else [round(v, 12) for v in values]

    def describe(self) -> str:
        """The parameter as ``--param`` would spell it."""
        if self.kind == "choice":
            return f"{self.key}={','.join(_show(c) for c in self.choices)}"
        suffix = f":{_num(self.step)}" if self.step is not None and not (self.kind == "int" and self.step == 1) else ""
        return f"{self.key}={_num(self.low)}..{_num(self.high)}{suffix}{':log' if self.log else ''}"


def parse_param(text: str) -> Param:
    """``KEY``, ``KEY=LO..HI``, ``KEY=LO..HI:STEP``, ``KEY=LO..HI:log`` or ``KEY=A,B,C``."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not key:
        raise SearchSpaceError(f"--param expects KEY or KEY=LO..HI or KEY=A,B,C, got {text!r}")
    if not sep:
        return resolve(key, {})
    raw = raw.strip()
    if ".." in raw:
        range_part, *options = raw.split(":")
        low, _, high = range_part.partition("..")
        spec: dict[str, Any] = {"low": parse_value(low), "high": parse_value(high)}
        for option in options:
            if option.strip() == "log":
                spec["log"] = True
            else:
                spec["step"] = parse_value(option)
        return resolve(key, spec)
    return resolve(key, {"choices": [parse_value(item) for item in raw.split(",")]})


def load_space_file(path: Path) -> list[Param]:
    """A TOML search space: ``[params."KEY"]`` tables with ``low``/``high``/``step``/``log`` or
    ``choices`` (an empty table: the setting's own bounds)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SearchSpaceError(f"{path}: search-space file not found") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SearchSpaceError(f"{path}: not a TOML search space: {exc}") from None
    params = data.get("params")
    if not isinstance(params, Mapping) or set(data) - {"params"}:
        raise SearchSpaceError(f"{path}: expected only a [params] table of \"KEY\" = {{low, high, ...}}")
    result = []
    for key, spec in params.items():
        if not isinstance(spec, Mapping) or set(spec) - _SPEC_KEYS:
            raise SearchSpaceError(f"{path}: params.{key} must be a table of {', '.join(sorted(_SPEC_KEYS))}")
        result.append(resolve(key, dict(spec)))
    return result


def merge_space(from_file: Sequence[Param], from_flags: Sequence[Param]) -> list[Param]:
    """The file's parameters, each replaced by a ``--param`` of the same key (flags win)."""
    flags = {p.key: p for p in from_flags}
    merged = [flags.pop(p.key, p) for p in from_file]
    return merged + list(flags.values())


def resolve(key: str, spec: Mapping[str, Any]) -> Param:
    """The parameter ``key`` with ``spec`` (possibly empty) checked against the setting's bounds."""
    field = field_at(Settings, tuple(key.split("."))) or _user_strategy_field(key.split("."))
    if field is None:
        raise SearchSpaceError(f"{key}: no such setting (see `hft-tui config default`)")
    annotation = _unwrap_optional(field.annotation)
    bounds = FieldBounds.of(field)
    if "choices" in spec:
        choices = tuple(spec["choices"])
        allowed = _choices_of(annotation, bounds)
        if not choices:
            raise SearchSpaceError(f"{key}: give at least one choice")
        if allowed is not None:
            bad = [c for c in choices if c not in allowed]
            if bad:
                raise SearchSpaceError(f"{key}: {_show(bad[0])} is not allowed; "
                                       f"choose from {', '.join(_show(a) for a in allowed)}")
        return Param(key, "choice", choices=choices)
    allowed = _choices_of(annotation, bounds)
    if allowed is not None:
        if spec:
            raise SearchSpaceError(f"{key} takes choices, not a range: --param {key}=A,B")
        return Param(key, "choice", choices=allowed)
    if annotation not in (int, float):
        raise SearchSpaceError(f"{key}: a {getattr(annotation, '__name__', annotation)} setting cannot be searched")
    kind = "int" if annotation is int else "float"
    floor, ceiling = _bound_range(bounds, kind)
    low = spec.get("low", floor)
    high = spec.get("high", ceiling)
    if low is None or high is None:
        raise SearchSpaceError(f"{key}: the setting has no {'lower' if low is None else 'upper'} bound; "
                               f"give a range: --param {key}=LO..HI")
    for name, value in (("low", low), ("high", high), ("step", spec.get("step"))):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or (kind == "int" and not float(value).is_integer())):
            raise SearchSpaceError(f"{key}: {name} {_show(value)} is not {'a whole number' if kind == 'int' else 'a number'}")
    requirement = bounds.requirement() or "within its bounds"
    if (floor is not None and low < floor) or (ceiling is not None and high > ceiling):
        raise SearchSpaceError(f"{key}={_num(low)}..{_num(high)} leaves the setting's bounds: it {requirement}")
    if low > high:
        raise SearchSpaceError(f"{key}: the range {_num(low)}..{_num(high)} is empty")
    step = spec.get("step")
    log = bool(spec.get("log", False))
    if step is not None and step <= 0:
        raise SearchSpaceError(f"{key}: the step must be positive")
    if log and (low <= 0 or step not in (None, 1)):
        raise SearchSpaceError(f"{key}: a log range needs a positive low and no step")
    if kind == "int":
        return Param(key, kind, int(low), int(high), int(step) if step is not None else None, log)
    return Param(key, kind, float(low), float(high), float(step) if step is not None else None, log)


def _user_strategy_field(parts: list[str]) -> FieldInfo | None:
    """``strategies.<name>.<param>`` of an installed user strategy (its own parameter model)."""
    if len(parts) != 3 or parts[0] != "strategies":
        return None
    strategy = installed().classes.get(parts[1])
    return strategy.params_model.model_fields.get(parts[2]) if strategy is not None else None


def _bound_range(bounds: FieldBounds, kind: str) -> tuple[float | None, float | None]:
    """The closed range the bounds allow (an open bound moved in by one unit or one ulp)."""
    low = bounds.ge
    if low is None and bounds.gt is not None:
        low = bounds.gt + 1 if kind == "int" else math.nextafter(bounds.gt, math.inf)
    high = bounds.le
    if high is None and bounds.lt is not None:
        high = bounds.lt - 1 if kind == "int" else math.nextafter(bounds.lt, -math.inf)
    return low, high


def _choices_of(annotation: Any, bounds: FieldBounds) -> tuple[Any, ...] | None:
    if annotation is bool:
        return (False, True)
    if bounds.choices is None:
        return None
    return tuple(c.value if isinstance(c, enum.Enum) else c for c in bounds.choices)


def _unwrap_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _show(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else _num(value)
