"""What values a pydantic field allows, read from its metadata, in words an operator reads.

One source for the comments in ``config/default.toml`` and the messages of ``ConfigError``
(and for any form generated from the same models), so they never disagree.
"""

from __future__ import annotations

import enum
import types
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic.fields import FieldInfo


def _number(value: Any) -> str:
    """Readable bound: 5, 0.1, 1e12 (not 1000000000000.0)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e7:
        return str(int(value))
    if isinstance(value, (int, float)) and (abs(value) >= 1e7 or 0 < abs(value) < 1e-4):
        mantissa, _, exponent = f"{value:g}".partition("e")
        return f"{mantissa}e{int(exponent)}"
    return str(value)


@dataclass(frozen=True, slots=True)
class FieldBounds:
    """Numeric bounds, length bounds and allowed choices of one field (None where absent)."""

    ge: Any = None
    gt: Any = None
    le: Any = None
    lt: Any = None
    min_length: int | None = None
    max_length: int | None = None
    choices: tuple[Any, ...] | None = None
    length_unit: str = "items"

    @classmethod
    def of(cls, field: FieldInfo) -> FieldBounds:
        """Collect the bounds declared on ``field`` (Field(ge=..., le=...), Literal, Enum)."""
        found: dict[str, Any] = {}
        for item in field.metadata:
            for name in ("ge", "gt", "le", "lt", "min_length", "max_length"):
                value = getattr(item, name, None)
                if value is not None and isinstance(item, annotated_types.BaseMetadata):
                    found[name] = value
        unit = "characters" if _is_str(field.annotation) else "items"
        return cls(**found, choices=_choices(field.annotation), length_unit=unit)

    def allowed(self) -> str | None:
        """Short form for documentation, e.g. ``5 to 200``, ``>= 0``, ``1 to 50 items``; None if unbounded."""
        parts: list[str] = []
        if self.choices is not None:
            parts.append("one of " + ", ".join(_choice(c) for c in self.choices))
        low = (">=", self.ge) if self.ge is not None else (">", self.gt) if self.gt is not None else None
        high = ("<=", self.le) if self.le is not None else ("<", self.lt) if self.lt is not None else None
        if low and high and low[0] == ">=" and high[0] == "<=":
            parts.append(f"{_number(low[1])} to {_number(high[1])}")
        elif low or high:
            parts.append(" and ".join(f"{bound[0]} {_number(bound[1])}" for bound in (low, high) if bound))
        if self.min_length is not None or self.max_length is not None:
            parts.append(_length_text(self.min_length, self.max_length, self.length_unit))
        return "; ".join(parts) if parts else None

    def requirement(self) -> str | None:
        """Sentence form for error messages, e.g. ``must be between 5 and 200``; None if unbounded."""
        if self.choices is not None:
            return "must be one of " + ", ".join(_choice(c) for c in self.choices)
        if self.ge is not None and self.le is not None:
            return f"must be between {_number(self.ge)} and {_number(self.le)}"
        if self.min_length is not None or self.max_length is not None:
            return "must have " + _length_text(self.min_length, self.max_length, self.length_unit)
        clauses = [
            f"{word} {_number(value)}"
            for word, value in (
                ("at least", self.ge),
                ("greater than", self.gt),
                ("at most", self.le),
                ("less than", self.lt),
            )
            if value is not None
        ]
        return "must be " + " and ".join(clauses) if clauses else None


def _length_text(low: int | None, high: int | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"{low} to {high} {unit}"
    if low is not None:
        return f"at least {low} {unit}"
    return f"at most {high} {unit}"


def _choice(value: Any) -> str:
    return repr(value.value if isinstance(value, enum.Enum) else value)


def _is_str(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_str(a) for a in get_args(annotation))
    return annotation is str


def _choices(annotation: Any) -> tuple[Any, ...] | None:
    """Allowed values of a Literal or Enum annotation (through Optional), else None."""
    origin = get_origin(annotation)
    if origin is Literal:
        return get_args(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return _choices(members[0]) if len(members) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return tuple(annotation)
    return None
