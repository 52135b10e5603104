"""The compiled build at run time: which modules run compiled, the pure-Python switch, freshness.

setup.py compiles the modules of compiled_modules.txt with mypyc when it can and records, in
``compiled_build.json`` beside this file, the sha256 of each source it compiled. Here:
``HFT_TUI_PURE_PYTHON=1`` makes every hft_tui module load from its source even where an
extension is installed (``hft_tui/__init__.py`` installs the finder); ``stale_extensions``
names the extensions that no longer match their source (an editable install edited since its
build), which the suite refuses to run with and the command line warns about.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Sequence
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from importlib.util import spec_from_file_location
from pathlib import Path
from types import ModuleType

PURE_PYTHON_ENV = "HFT_TUI_PURE_PYTHON"
PACKAGE_DIR = Path(__file__).resolve().parent
MANIFEST = PACKAGE_DIR / "compiled_build.json"
REBUILD_HINT = "rebuild with `make` (or `pip install -e .`), or run with HFT_TUI_PURE_PYTHON=1"


def pure_python_requested() -> bool:
    """Whether the environment asks for pure Python (HFT_TUI_PURE_PYTHON set, and not 0)."""
    return os.environ.get(PURE_PYTHON_ENV, "") not in ("", "0")


class SourceOnlyFinder:
    """Finds hft_tui's modules as their .py sources only, so an installed extension is skipped."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if path is None or not fullname.startswith("hft_tui."):
            return None
        name = fullname.rpartition(".")[2]
        for entry in path:
            for source in (Path(entry, f"{name}.py"), Path(entry, name, "__init__.py")):
                if source.is_file():
                    return spec_from_file_location(fullname, source)
        return None


def install_pure_python_finder() -> None:
    """Put the source-only finder ahead of every other (once)."""
    if not any(isinstance(finder, SourceOnlyFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, SourceOnlyFinder())


def built_modules() -> dict[str, str]:
    """The modules the installed build compiled, each with its source's sha256 at build time
    (empty for a pure-Python install)."""
    try:
        return dict(json.loads(MANIFEST.read_text())["modules"])
    except FileNotFoundError:
        return {}


def _source(module: str) -> Path:
    return PACKAGE_DIR.parent.joinpath(*module.split(".")).with_suffix(".py")


def _extension(module: str) -> Path | None:
    source = _source(module)
    for suffix in EXTENSION_SUFFIXES:
        built = source.with_suffix(suffix)
        if built.exists():
            return built
    return None


def compiled_modules() -> list[str]:
    """The modules this process runs compiled: built, installed, and not switched off."""
    if pure_python_requested():
        return []
    return [module for module in built_modules() if _extension(module) is not None]


def stale_extensions() -> list[str]:
    """The compiled modules whose source changed since the build (they would run old code)."""
    if pure_python_requested():
        return []
    stale = []
    for module, built_from in built_modules().items():
        source = _source(module)
        if _extension(module) is not None and (
                not source.exists() or hashlib.sha256(source.read_bytes()).hexdigest() != built_from):
            stale.append(module)
    return stale


def build_line() -> str:
    """One line: whether this process runs compiled or pure Python, and why."""
    compiled = compiled_modules()
    if compiled:
        return f"build: compiled (mypyc: {len(compiled)} modules)"
    if pure_python_requested():
        return f"build: pure Python ({PURE_PYTHON_ENV} is set)"
    return "build: pure Python (installed without the compiled modules)"


def stale_warning() -> str | None:
    """The warning line for stale extensions, or None when every one matches its source."""
    stale = stale_extensions()
    if not stale:
        return None
    return (f"hft-tui: warning: compiled from an older source, running old code: "
            f"{', '.join(stale)}; {REBUILD_HINT}")
