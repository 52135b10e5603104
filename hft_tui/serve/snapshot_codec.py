"""An :class:`EngineSnapshot` as JSON for the control socket, one top-level field at a time,
and back into the same frozen dataclasses.

Encoding is orjson's (enums, numpy arrays), but a dataclass reaches it as a dict of its fields
(``_default``): orjson reads a dataclass's fields as references the instance holds and drops its
own at once, and a class compiled by mypyc holds a float or int field unboxed, so each read
makes a new object, which orjson would free and then read (a segfault in the served engine).
Decoding walks the dataclasses' type hints, so a new snapshot field needs no code here. The one non-data field, a strategy's
``params_model`` (the class that drives the tuning form), travels as its name and is looked
up among the strategies' parameter models, never imported by name.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from typing import Any

import numpy as np
import orjson

from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.strategies.settings import StrategiesSettings

SNAPSHOT_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(EngineSnapshot))
_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
# Each dataclass's fields as orjson writes them (in order, none whose name starts with "_").
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_PARAM_MODELS: dict[str, type] = {
    _model_name: _model
    for _model in (info.annotation for info in StrategiesSettings.model_fields.values())
    if isinstance(_model, type)
    for _model_name in (f"{_model.__module__}:{_model.__qualname__}",)
}


class SnapshotDecodeError(ValueError):
    """The bytes do not describe a snapshot this version understands."""


def _default(value: object) -> object:
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        if isinstance(value, type):
            return f"{value.__module__}:{value.__qualname__}"
        if not dataclasses.is_dataclass(value):
            raise TypeError(f"cannot encode {type(value).__name__}")
        names = _FIELD_NAMES[type(value)] = tuple(
            f.name for f in dataclasses.fields(value) if not f.name.startswith("_"))
    # The dict holds each field's value while orjson writes it.
    return {name: getattr(value, name) for name in names}


def encode_value(value: object) -> bytes:
    """One value of a snapshot (a field, an item of a tail) as JSON bytes."""
    return orjson.dumps(value, default=_default, option=_OPTIONS)


def encode_fields(snapshot: EngineSnapshot) -> dict[str, bytes]:
    """Each top-level field of ``snapshot`` as JSON bytes (compared per client to send deltas)."""
    return {name: encode_value(getattr(snapshot, name)) for name in SNAPSHOT_FIELDS}


def decode_snapshot(fields: dict[str, Any]) -> EngineSnapshot:
    """A snapshot from its decoded JSON fields (every field present)."""
    try:
        return _decode(EngineSnapshot, fields)  # type: ignore[no-any-return]
    except (KeyError, TypeError, ValueError) as exc:
        raise SnapshotDecodeError(f"{type(exc).__name__}: {exc}") from exc


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(hint: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _decode(options[0], data) if len(options) == 1 else data
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item) for item in data)
        return tuple(_decode(arg, item) for arg, item in zip(args, data, strict=True))
    if origin is dict:
        _, value_hint = typing.get_args(hint)
        return {key: _decode(value_hint, value) for key, value in data.items()}
    if hint is type:
        return _PARAM_MODELS[data]
    if hint is np.ndarray:
        array = np.asarray(data, dtype=np.float64)
        if array.size == 0:
            array = array.reshape(0, 2)  # an empty side of a book keeps its [price, qty] shape
        array.flags.writeable = False
        return array
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        return hint(**{f.name: _decode(hints[f.name], data[f.name])
                       for f in dataclasses.fields(hint) if f.name in data})
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(data)
    if hint is float:
        return float(data)
    return data
