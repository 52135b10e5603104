"""Settings to TOML: the documented default file and the effective settings of ``config show``.

Generic over nested pydantic models: a section is any field whose value is a model (rendered
as a ``[table]``), a mapping field becomes a table too, anything else is ``key = value``.
"""

from __future__ import annotations

import enum
import math
import re
import textwrap
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from hft_tui.config.field_bounds import FieldBounds
from hft_tui.config.settings import Settings

_WIDTH = 92
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}

DEFAULT_HEADER = """\
hft-tui configuration. Every key, its meaning, default and allowed values.

Generated from hft_tui/config/settings.py by `hft-tui config default`: do not edit by
hand; copy the keys you want to change into your own file and pass it with --config.
Precedence: built-in defaults < config file < command-line flags.
Credentials never go in a config file: set HFT_TUI_<EXCHANGE>_API_KEY, _SECRET and
_PASSWORD in the environment."""


def render_default_toml(settings_model: type[BaseModel] = Settings) -> str:
    """The documented TOML of ``settings_model``'s defaults, as shipped in config/default.toml."""
    return render_toml(settings_model(), documented=True, header=DEFAULT_HEADER)


def render_toml(settings: BaseModel, *, documented: bool = False, header: str | None = None,
                only_set: bool = False) -> str:
    """TOML for ``settings``; ``documented`` adds each key's description, default and bounds as
    comments; ``only_set`` leaves out every key that was not given (defaults stay defaults)."""
    lines: list[str] = []
    if header:
        lines.extend(_comment(header))
    _render_model(settings, (), documented, lines, only_set)
    while lines and lines[0] == "":
        lines.pop(0)
    return "\n".join(lines) + "\n"


def _render_model(model: BaseModel, path: tuple[str, ...], documented: bool, lines: list[str],
                  only_set: bool = False) -> None:
    tables: list[tuple[str, FieldInfo, Any]] = []
    for name, field in type(model).model_fields.items():
        if only_set and name not in model.model_fields_set:
            continue
        value = getattr(model, name)
        if isinstance(value, (BaseModel, Mapping)):
            tables.append((name, field, value))
            continue
        if documented:
            lines.append("")
            lines.extend(_field_comments(field, value))
        if value is None:
            example = (field.examples or [None])[0]
            shown = _toml_value(example) if documented and example is not None else "(unset)"
            lines.append(f"# {_key(name)} = {shown}")
        else:
            lines.append(f"{_key(name)} = {_toml_value(value)}")
    # Tables a section takes beyond its fields (a user strategy's parameters), as they were validated.
    for name, value in (model.model_extra or {}).items():
        if isinstance(value, BaseModel):
            tables.append((name, FieldInfo(description=type(value).__doc__ or ""), value))
    # TOML needs every key of a table before its first sub-table.
    for name, field, value in tables:
        lines.append("")
        if documented:
            lines.extend(_field_comments(field, value))
        sub_path = (*path, name)
        lines.append(_header(sub_path))
        if isinstance(value, BaseModel):
            _render_model(value, sub_path, documented, lines, only_set)
        else:
            _render_mapping(value, sub_path, documented, lines)


def _render_mapping(
    mapping: Mapping[str, Any], path: tuple[str, ...], documented: bool, lines: list[str]
) -> None:
    nested = []
    for key, value in mapping.items():
        if isinstance(value, (Mapping, BaseModel)):
            nested.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_toml_value(value)}")
    for key, value in nested:
        lines.append("")
        lines.append(_header((*path, key)))
        if isinstance(value, BaseModel):
            _render_model(value, (*path, key), documented, lines)
        else:
            _render_mapping(value, (*path, key), documented, lines)


def _field_comments(field: FieldInfo, value: Any) -> list[str]:
    lines = _comment(field.description or "")
    if isinstance(value, BaseModel):
        return lines
    if value is None:
        facts = ["Default: unset."]
    elif isinstance(value, Mapping):
        facts = ["Default: empty." if not value else f"Default: {_inline_table(value)}."]
    else:
        facts = [f"Default: {_toml_value(value)}."]
    allowed = FieldBounds.of(field).allowed()
    if allowed:
        facts.append(f"Allowed: {allowed}.")
    return lines + _comment(" ".join(facts))


def _comment(text: str) -> list[str]:
    out: list[str] = []
    for paragraph in text.split("\n"):
        wrapped = textwrap.wrap(paragraph, width=_WIDTH - 2, break_on_hyphens=False)
        if wrapped:
            out.extend(f"# {line}" for line in wrapped)
        else:
            out.append("#")
    return out


def _header(path: tuple[str, ...]) -> str:
    return "[" + ".".join(_key(part) for part in path) + "]"


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    out = ['"']
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _inline_table(mapping: Mapping[str, Any]) -> str:
    if not mapping:
        return "{}"
    return "{ " + ", ".join(f"{_key(str(k))} = {_toml_value(v)}" for k, v in mapping.items()) + " }"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return _toml_value(value.value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value)  # repr always has '.', 'e' or is inf/-inf: all valid TOML floats
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, PurePath):
        return _string(str(value))
    if isinstance(value, BaseModel):
        return _inline_table(value.model_dump())
    if isinstance(value, Mapping):
        return _inline_table(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} value {value!r} as TOML")
