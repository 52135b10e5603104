"""Finding the user's strategies: installed packages' entry points and a strategies directory.

An entry point in the group ``hft_tui.strategies`` names a ``Strategy`` subclass; a ``*.py``
file in the strategies directory (not starting with ``_``) is imported and every ``Strategy``
subclass defined in it is taken. Each becomes a catalogue entry like a built-in, with the
sha256 of its source file so a journal says which code decided. Every mistake is one line
(``UserStrategyError``), never a traceback.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

from hft_tui.strategies.base import Strategy, StrategyParams
from hft_tui.strategies.catalogue import BUILT_IN, BUILT_IN_CATALOGUE, StrategyCatalogue, StrategySource
from hft_tui.strategies.settings import StrategiesSettings

ENTRY_POINT_GROUP = "hft_tui.strategies"
# Strategy files are imported under this package name, so their classes pickle (sweep workers).
MODULE_PREFIX = "hft_tui_user_strategies"
# Keys of ``[strategies]`` that are settings, not strategy names.
RESERVED_NAMES = frozenset(StrategiesSettings.model_fields) - BUILT_IN_CATALOGUE.classes.keys()


class UserStrategyError(ValueError):
    """A user strategy cannot be loaded; the message is one line saying where and why."""


@dataclass(frozen=True)
class Found:
    cls: type[Strategy]
    source: StrategySource


def load_catalogue(strategies_dir: Path | None, *, use_entry_points: bool = True) -> StrategyCatalogue:
    """The built-ins, then the installed entry points' strategies, then the directory's."""
    found = [*(_from_entry_points() if use_entry_points else ()), *_from_directory(strategies_dir)]
    taken = {cls.name: "built in" for cls in BUILT_IN}
    for item in found:
        _check(item, taken)
        taken[item.cls.name] = item.source.origin
    return StrategyCatalogue.of((*BUILT_IN, *(f.cls for f in found)), {f.cls.name: f.source for f in found})


def source_of(path: Path, origin: str) -> StrategySource:
    """``path``'s sha256 as the record of which code a strategy ran."""
    text = read_source(path)
    return StrategySource(origin, str(path), source_sha256(text), text)


def recorded_catalogue(session_start: Mapping[str, Any], catalogue: StrategyCatalogue) -> StrategyCatalogue:
    """``catalogue`` with each user strategy whose text a ``session_start`` record holds (a
    session with reload on) and whose file has changed since run from that text, so a replay
    starts from the code the session started with."""
    classes, sources = dict(catalogue.classes), dict(catalogue.sources)
    for name, was in session_start.get("strategy_code", {}).items():
        now = sources.get(name)
        text = was.get("source")
        if now is None or not isinstance(text, str) or now.sha256 == was.get("sha256"):
            continue
        classes[name] = reload_class(classes[name], Path(now.path), text)
        sources[name] = StrategySource(now.origin, now.path, source_sha256(text), text)
    return StrategyCatalogue(classes, sources)


def import_strategy_file(path: Path, source: str | None = None) -> ModuleType:
    """Import (or import again) the strategy file ``path`` (whose text is ``source`` when given)
    as ``hft_tui_user_strategies.<stem>``."""
    sys.modules.setdefault(MODULE_PREFIX, ModuleType(MODULE_PREFIX))
    text = read_source(path) if source is None else source
    return import_strategy_source(f"{MODULE_PREFIX}.{path.stem}", path, text)


def read_source(path: Path) -> str:
    """The text of strategy file ``path``, byte for byte (its sha256 is that of the file)."""
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserStrategyError(f"{path}: cannot be read: {exc}") from None


def source_sha256(source: str) -> str:
    """The sha256 of a strategy file's text (as ``source_of`` gives it for the file)."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def import_strategy_source(module_name: str, path: Path, source: str) -> ModuleType:
    """Run ``source`` (the text of ``path``) as the module ``module_name``, in place of any
    module of that name; on an error the previous module stays and the error is one line."""
    module = ModuleType(module_name)
    module.__file__ = str(path)
    previous = sys.modules.get(module_name)
    sys.modules[module_name] = module  # pydantic and dataclasses look the module up while it runs
    try:
        exec(compile(source, str(path), "exec"), module.__dict__)  # noqa: S102 - the user's own strategy
    except SyntaxError as exc:
        restore_module(module_name, previous)
        raise UserStrategyError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    except Exception as exc:  # noqa: BLE001 - the user's module: any error is theirs, in one line
        restore_module(module_name, previous)
        raise UserStrategyError(f"{path}: importing it failed: {type(exc).__name__}: {exc}") from None
    return module


def reload_class(running: type[Strategy], path: Path, source: str) -> type[Strategy]:
    """The class named as ``running`` in ``source``, the new text of its file, run as its module
    (a mistake is one line, and the module that ran until now stays)."""
    module_name = running.__module__
    previous = sys.modules.get(module_name)
    module = import_strategy_source(module_name, path, source)
    found = [cls for cls in strategies_in(module) if cls.name == running.name]
    try:
        if not found:
            raise UserStrategyError(f"{path}: defines no Strategy subclass named {running.name!r} any more")
        check_class(found[0], str(path))
    except UserStrategyError:
        restore_module(module_name, previous)
        raise
    return found[0]


def strategies_in(module: ModuleType) -> list[type[Strategy]]:
    """The ``Strategy`` subclasses defined (not imported) in ``module``."""
    return [obj for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, Strategy) and obj.__module__ == module.__name__
            and not inspect.isabstract(obj) and "name" in vars(obj)]


def restore_module(name: str, previous: ModuleType | None) -> None:
    """Put ``previous`` back as the module ``name`` (none: no module of that name)."""
    if previous is None:
        sys.modules.pop(name, None)
    else:
        sys.modules[name] = previous


@dataclass(frozen=True)
class ShippedCode:
    """A user strategy's module as text, for a process that has not got its file (a Ray worker)."""

    module: str
    path: str
    sha256: str
    text: str


def code_to_ship(catalogue: StrategyCatalogue) -> tuple[ShippedCode, ...]:
    """The modules of ``catalogue``'s user strategies, each with its text and sha256."""
    modules = {catalogue.classes[name].__module__: source for name, source in catalogue.sources.items() if source.text}
    return tuple(ShippedCode(module, source.path, source.sha256, source.text) for module, source in modules.items())


_loaded_here: dict[str, str] = {}  # module -> the sha256 of the shipped text this process runs


def load_shipped(code: tuple[ShippedCode, ...]) -> None:
    """Run each shipped module here unless this process already runs that text (by its sha256):
    then a settings object naming the strategies unpickles, and the same code decides."""
    for item in code:
        if _loaded_here.get(item.module) == item.sha256:
            continue
        if source_sha256(item.text) != item.sha256:
            raise UserStrategyError(f"{item.path}: the shipped text is not the one of sha256 {item.sha256[:12]}")
        if item.module.startswith(f"{MODULE_PREFIX}."):
            sys.modules.setdefault(MODULE_PREFIX, ModuleType(MODULE_PREFIX))
        import_strategy_source(item.module, Path(item.path), item.text)
        _loaded_here[item.module] = item.sha256


def _from_entry_points() -> Iterator[Found]:
    for point in entry_points(group=ENTRY_POINT_GROUP):
        origin = f"entry point {point.name} ({point.value})"
        try:
            cls = point.load()
        except Exception as exc:  # noqa: BLE001 - the user's package: any error is theirs, in one line
            raise UserStrategyError(f"{origin}: loading it failed: {type(exc).__name__}: {exc}") from None
        if not (inspect.isclass(cls) and issubclass(cls, Strategy)):
            raise UserStrategyError(f"{origin}: names {cls!r}, not a Strategy subclass")
        path = inspect.getsourcefile(cls)
        yield Found(cls, source_of(Path(path), origin) if path else StrategySource(origin, "", ""))


def _from_directory(strategies_dir: Path | None) -> Iterator[Found]:
    if strategies_dir is None or not strategies_dir.is_dir():
        return
    for path in sorted(strategies_dir.glob("*.py")):
        if path.name.startswith("_"):
            continue
        text = read_source(path)
        classes = strategies_in(import_strategy_file(path, text))
        if not classes:
            raise UserStrategyError(f"{path}: defines no Strategy subclass with a name")
        for cls in classes:
            yield Found(cls, StrategySource(str(path), str(path), source_sha256(text), text))


def _check(found: Found, taken: dict[str, str]) -> None:
    check_class(found.cls, found.source.origin)
    name = found.cls.name
    if name in taken:
        raise UserStrategyError(f"{found.source.origin}: the name {name!r} is taken ({taken[name]})")


def check_class(cls: type[Strategy], origin: str) -> None:
    """A user strategy class's name and parameter model are usable (else one line why)."""
    name = vars(cls).get("name")
    if not isinstance(name, str) or not name.isidentifier() or name != name.lower():
        raise UserStrategyError(f"{origin}: {cls.__name__}.name must be a lower-case identifier, got {name!r}")
    if name in RESERVED_NAMES:
        raise UserStrategyError(f"{origin}: the name {name!r} is a [strategies] setting; choose another")
    model = getattr(cls, "params_model", None)
    if not (inspect.isclass(model) and issubclass(model, StrategyParams)):
        raise UserStrategyError(f"{origin}: {cls.__name__}.params_model must be a StrategyParams subclass")
    try:
        model()
    except Exception as exc:  # noqa: BLE001 - pydantic's or the user's own validators
        raise UserStrategyError(f"{origin}: {model.__name__} needs a default for every field: "
                                f"{type(exc).__name__}") from None
