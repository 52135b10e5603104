"""Loading settings: model defaults < TOML file < command-line overrides, every problem reported.

Generic over the models: unknown keys, bounds and types are checked by pydantic, and its
errors are translated into ``ConfigProblem``s by walking the model classes, so a new section
needs no change here.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from hft_tui.config.credential_keys import credential_field_for, find_credential_keys, is_credential_key
from hft_tui.config.credentials import credential_env_var
from hft_tui.config.errors import COMMAND_LINE, NO_VALUE, REDACTED, ConfigError, ConfigProblem
from hft_tui.config.field_bounds import FieldBounds
from hft_tui.config.settings import Settings
from hft_tui.market.exchange_settings import ExchangeSettings

_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")
_DEFAULTS = "<defaults>"

MAX_CONFIG_BYTES = 1 << 20
"""A config file is read up to this size and refused beyond it (``--config /dev/zero`` ends)."""

MAX_NESTING = 32
"""Tables and arrays nested deeper than this are refused before anything walks them."""


def load_settings(
    config_file: Path | None = None,
    overrides: Mapping[str, Any] = {},  # noqa: B006
    context: Mapping[str, Any] = {},  # noqa: B006
) -> Settings:
    """Settings from defaults, then ``config_file`` (TOML), then dotted-key ``overrides``.

    Override values of None are skipped, so unset command-line flags can be passed straight
    through. ``context`` is pydantic's validation context (the user strategies a section may name:
``strategies.settings.catalogue_context``).
    Raises ``ConfigError`` listing every problem found.
    """
    file_label = str(config_file) if config_file is not None else _DEFAULTS
    data: dict[str, Any] = {}
    if config_file is not None:
        data = read_toml(config_file)
    problems: list[ConfigProblem] = []
    override_paths: set[tuple[str, ...]] = set()
    for dotted, value in overrides.items():
        if value is None:
            continue
        path = _apply_override(data, dotted, value, problems)
        if path is not None:
            override_paths.add(path)
    deep = _too_deep_path(data)
    if deep is not None:
        origin = COMMAND_LINE if _from_override(deep, override_paths) else file_label
        raise ConfigError([ConfigProblem(origin, ".".join(deep), NO_VALUE, _too_deep())])

    exchange_id = _exchange_id(data)
    for path in list(find_credential_keys(data)):
        origin = COMMAND_LINE if _from_override(path, override_paths) else file_label
        problems.append(_credential_problem(origin, path, exchange_id))
        # Removed so that no later error message can echo the secret.
        _delete(data, path)

    try:
        settings = Settings.model_validate(data, context=dict(context))
    except ValidationError as exc:
        problems.extend(
            _translate(error, file_label, override_paths) for error in exc.errors(include_url=False)
        )
        raise ConfigError(problems) from None
    if settings.engine.mode == "live" and settings.exchange.ccxt.get("verbose"):
        # ccxt's verbose mode prints every request, API key headers included.
        origin = COMMAND_LINE if _from_override(("exchange", "ccxt", "verbose"), override_paths) else file_label
        problems.append(ConfigProblem(origin, "exchange.ccxt.verbose", settings.exchange.ccxt["verbose"],
                                      "prints every request with its API key; refused in live mode"))
    if problems:
        raise ConfigError(problems)
    return settings


def read_toml(config_file: Path) -> dict[str, Any]:
    """A config file's tables, read within the bounds; ``ConfigError`` in one line otherwise."""
    label = str(config_file)
    try:
        with config_file.open("rb") as stream:
            raw = stream.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(label, "", NO_VALUE, "config file not found")]) from None
    except IsADirectoryError:
        raise ConfigError([ConfigProblem(label, "", NO_VALUE, "is a directory, not a config file")]) from None
    except OSError as exc:
        raise ConfigError([ConfigProblem(label, "", NO_VALUE, f"cannot read: {exc.strerror}")]) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError([ConfigProblem(label, "", NO_VALUE,
                                         f"larger than {MAX_CONFIG_BYTES >> 20} MiB: not a config file")]) from None
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        raise ConfigError([ConfigProblem(label, "", NO_VALUE, "binary data (NUL byte): not a TOML file",
                                         line=line)]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError([ConfigProblem(label, "", NO_VALUE, "not valid UTF-8", line=line)]) from None
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ConfigError([ConfigProblem(label, "", NO_VALUE, _too_deep())]) from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_LINE.search(message)
        line = int(match.group(1)) if match else None
        reason = _TOML_LINE.sub("", message).strip()
        if match:
            reason = f"{reason} (column {match.group(2)})"
        raise ConfigError([ConfigProblem(label, "", NO_VALUE, f"TOML syntax error: {reason}", line=line)]) from None
    return data


def _too_deep() -> str:
    return f"tables or arrays nested more than {MAX_NESTING} deep: not a config file"


def _too_deep_path(data: Any) -> tuple[str, ...] | None:
    """The path to the first value nested deeper than ``MAX_NESTING``, found without recursion."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_NESTING:
            return path[: MAX_NESTING + 1]
        if isinstance(value, dict):
            stack.extend((item, (*path, str(key))) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, (*path, str(index))) for index, item in enumerate(value))
    return None


def _apply_override(
    data: dict[str, Any], dotted: str, value: Any, problems: list[ConfigProblem]
) -> tuple[str, ...] | None:
    """Set ``dotted`` in ``data`` (merging tables); record a problem and return None if impossible."""
    parts = tuple(dotted.split("."))
    if not dotted or any(not part for part in parts):
        problems.append(ConfigProblem(COMMAND_LINE, dotted, NO_VALUE, "malformed key; use section.key"))
        return None
    node = data
    for depth, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            where = ".".join(parts[: depth + 1])
            problems.append(ConfigProblem(COMMAND_LINE, dotted, NO_VALUE, f"{where} is a value, not a table"))
            return None
        node = child
    last = parts[-1]
    if isinstance(value, Mapping) and isinstance(node.get(last), dict):
        _merge(node[last], value)
    else:
        node[last] = dict(value) if isinstance(value, Mapping) else value
    return parts


def _merge(target: dict[str, Any], source: Mapping[str, Any]) -> None:
    for key, value in source.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = dict(value) if isinstance(value, Mapping) else value


def _from_override(path: tuple[str, ...], override_paths: set[tuple[str, ...]]) -> bool:
    """True when ``path`` is at or under an override, or an override reached inside it."""
    return any(path[: len(o)] == o or o[: len(path)] == path for o in override_paths)


def _delete(data: dict[str, Any], path: tuple[str, ...]) -> None:
    node: Any = data
    for part in path[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    del node[path[-1]]


def _exchange_id(data: Mapping[str, Any]) -> str:
    """The exchange the credentials would be for, for the environment-variable hint."""
    exchange = data.get("exchange")
    candidate = exchange.get("id") if isinstance(exchange, Mapping) else None
    if isinstance(candidate, str) and candidate:
        return candidate
    return ExchangeSettings.model_fields["id"].default


def _credential_problem(origin: str, path: tuple[str, ...], exchange_id: str) -> ConfigProblem:
    where = "on the command line" if origin == COMMAND_LINE else "in config files"
    if not is_credential_key(path[-1]):
        return ConfigProblem(origin, ".".join(path), REDACTED,
                             f"a URL with a user name or password in it; credentials are not accepted {where}: "
                             "remove the user:password@ part")
    field = credential_field_for(path[-1])
    if field is not None:
        instead = credential_env_var(exchange_id, field)
    else:
        instead = " / ".join(credential_env_var(exchange_id, name) for name in ("api_key", "secret", "password"))
    return ConfigProblem(
        origin,
        ".".join(path),
        REDACTED,
        f"looks like a credential; credentials are not accepted {where}: set {instead} in the environment instead",
    )


def _translate(error: ErrorDetails, file_label: str, override_paths: set[tuple[str, ...]]) -> ConfigProblem:
    loc = tuple(str(part) for part in error["loc"])
    origin = COMMAND_LINE if _from_override(loc, override_paths) else file_label
    key = ".".join(loc)
    value = error.get("input", NO_VALUE)
    kind = error["type"]
    if kind == "extra_forbidden":
        return ConfigProblem(origin, key, value, _unknown_key_message(loc))
    if kind == "missing":
        return ConfigProblem(origin, key, NO_VALUE, "required key is missing")
    if kind == "model_type" or kind == "dict_type":
        return ConfigProblem(origin, key, value, "must be a table")
    field = field_at(Settings, loc)
    if field is not None and kind in _BOUND_ERRORS:
        requirement = FieldBounds.of(field).requirement()
        if requirement:
            return ConfigProblem(origin, key, value, requirement)
    return ConfigProblem(origin, key, value, _pydantic_message(error))


_BOUND_ERRORS = frozenset(
    {
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "too_short",
        "too_long",
        "string_too_short",
        "string_too_long",
        "literal_error",
        "enum",
    }
)


def _pydantic_message(error: ErrorDetails) -> str:
    message = error["msg"]
    if message.startswith("Value error, "):
        return message.removeprefix("Value error, ")
    if message.startswith("Input should be "):
        return "must be " + message.removeprefix("Input should be ")
    return message[:1].lower() + message[1:]


def _unknown_key_message(loc: tuple[str, ...]) -> str:
    allowed = _allowed_keys(Settings, loc[:-1])
    if not allowed:
        return "unknown key"
    message = "unknown key; allowed keys here: " + ", ".join(allowed)
    close = difflib.get_close_matches(loc[-1], allowed, n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"
    return message


def _allowed_keys(root: type[BaseModel], loc: tuple[str, ...]) -> list[str]:
    model = _model_at(root, loc)
    return list(model.model_fields) if model is not None else []


def _model_at(root: type[BaseModel], loc: tuple[str, ...]) -> type[BaseModel] | None:
    annotation: Any = root
    for part in loc:
        annotation = _descend(annotation, part)
        if annotation is None:
            return None
    return _as_model(annotation)


def field_at(root: type[BaseModel], loc: tuple[str, ...]) -> FieldInfo | None:
    """The FieldInfo of the last model field named along ``loc``, if ``loc`` ends on a field."""
    if not loc:
        return None
    parent = _model_at(root, loc[:-1])
    if parent is None:
        return None
    return parent.model_fields.get(loc[-1])


def _descend(annotation: Any, part: str) -> Any:
    """The annotation one step down ``part`` (a field name, dict key or list index), or None."""
    for candidate in _unwrap(annotation):
        model = _as_model(candidate)
        if model is not None:
            field = model.model_fields.get(part)
            if field is not None:
                return field.annotation
            continue
        origin = get_origin(candidate)
        args = get_args(candidate)
        if origin in (dict, Mapping) and len(args) == 2:
            return args[1]
        if origin in (list, tuple, set, frozenset) and args and part.isdigit():
            return args[0]
    return None


def _unwrap(annotation: Any) -> Iterator[Any]:
    """The members of a Union/Optional, or the annotation itself; Annotated metadata dropped."""
    while hasattr(annotation, "__metadata__"):
        annotation = annotation.__origin__
    if get_origin(annotation) in (Union, types.UnionType):
        for member in get_args(annotation):
            yield from _unwrap(member)
    else:
        yield annotation


def _as_model(annotation: Any) -> type[BaseModel] | None:
    for candidate in _unwrap(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None
