"""Finding the user's strategies: installed packages' entry points and a strategies directory.

An entry point in the group ``hft_tui.strategies`` names a ``Strategy`` subclass; a ``*.py``
file in the strategies directory (not starting with ``_``) is imported and every ``Strategy``
subclass defined in it is taken. Each becomes a catalogue entry like a built-in, with the
sha256 of its source file so a journal says which code decided. Every mistake is one line
(``UserStrategyError``), never a traceback.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

from hft_tui.strategies.base import Strategy, StrategyParams
from hft_tui.strategies.catalogue import BUILT_IN, StrategyCatalogue, StrategySource

ENTRY_POINT_GROUP = "hft_tui.strategies"
# Strategy files are imported under this package name, so their classes pickle (sweep workers).
MODULE_PREFIX = "hft_tui_user_strategies"
# Keys of ``[strategies]`` that are settings, not strategy names.
RESERVED_NAMES = frozenset({"enabled", "max_hook_ms", "slow_hook_limit"})


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
    return StrategySource(origin, str(path), hashlib.sha256(path.read_bytes()).hexdigest())


def import_strategy_file(path: Path) -> ModuleType:
    """Import (or import again) the strategy file ``path`` as ``hft_tui_user_strategies.<stem>``."""
    name = f"{MODULE_PREFIX}.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UserStrategyError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(MODULE_PREFIX, ModuleType(MODULE_PREFIX))
    previous = sys.modules.get(name)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        _restore(name, previous)
        raise UserStrategyError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    except Exception as exc:  # noqa: BLE001 - the user's module: any error is theirs, in one line
        _restore(name, previous)
        raise UserStrategyError(f"{path}: importing it failed: {type(exc).__name__}: {exc}") from None
    return module


def strategies_in(module: ModuleType) -> list[type[Strategy]]:
    """The ``Strategy`` subclasses defined (not imported) in ``module``."""
    return [obj for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, Strategy) and obj.__module__ == module.__name__
            and not inspect.isabstract(obj) and "name" in vars(obj)]


def _restore(name: str, previous: ModuleType | None) -> None:
    if previous is None:
        sys.modules.pop(name, None)
    else:
        sys.modules[name] = previous


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
        classes = strategies_in(import_strategy_file(path))
        if not classes:
            raise UserStrategyError(f"{path}: defines no Strategy subclass with a name")
        for cls in classes:
            yield Found(cls, source_of(path, str(path)))


def _check(found: Found, taken: dict[str, str]) -> None:
    cls, origin = found.cls, found.source.origin
    name = vars(cls).get("name")
    if not isinstance(name, str) or not name.isidentifier() or name != name.lower():
        raise UserStrategyError(f"{origin}: {cls.__name__}.name must be a lower-case identifier, got {name!r}")
    if name in RESERVED_NAMES:
        raise UserStrategyError(f"{origin}: the name {name!r} is a [strategies] setting; choose another")
    if name in taken:
        raise UserStrategyError(f"{origin}: the name {name!r} is taken ({taken[name]})")
    model = getattr(cls, "params_model", None)
    if not (inspect.isclass(model) and issubclass(model, StrategyParams)):
        raise UserStrategyError(f"{origin}: {cls.__name__}.params_model must be a StrategyParams subclass")
    try:
        model()
    except Exception as exc:  # noqa: BLE001 - pydantic's or the user's own validators
        raise UserStrategyError(f"{origin}: {model.__name__} needs a default for every field: "
                                f"{type(exc).__name__}") from None
