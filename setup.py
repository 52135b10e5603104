"""The build: mypyc compiles the hot path (compiled_modules.txt) when it can, pure Python when not.

A fresh machine never needs a compiler. The modules are compiled only when mypyc is importable
(pyproject's build-system requires it on CPython), a C compiler builds against this Python's
headers and HFT_TUI_PURE_PYTHON is not set; otherwise, or if compiling fails, the same package
installs as pure Python and says why. A compiled build records each module's source sha256 in
hft_tui/compiled_build.json, which hft_tui/compiled_build.py checks so that an extension built
from an older source (an editable install after an edit) cannot run unnoticed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import sysconfig
import tempfile
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
MODULE_LIST = ROOT / "compiled_modules.txt"
# The shared runtime library mypyc builds for the group: hft_tui/hot_path__mypyc.<suffix>.
GROUP = "hft_tui.hot_path"
MANIFEST = Path("hft_tui", "compiled_build.json")
PURE_PYTHON_ENV = "HFT_TUI_PURE_PYTHON"


def listed_sources() -> list[str]:
    """The source paths of compiled_modules.txt (comments and blank lines dropped)."""
    entries = (line.split("#", 1)[0].strip() for line in MODULE_LIST.read_text().splitlines())
    return [entry for entry in entries if entry]


def why_pure() -> str | None:
    """Why this build installs pure Python, or None when it can compile."""
    if os.environ.get(PURE_PYTHON_ENV, "") not in ("", "0"):
        return f"{PURE_PYTHON_ENV} is set"
    if sys.implementation.name != "cpython":
        return f"mypyc builds for CPython only (this is {sys.implementation.name})"
    try:
        import mypyc.build  # noqa: F401
    except ImportError:
        return "mypy (mypyc) is not installed in the build environment"
    return compiler_problem()


def compiler_problem() -> str | None:
    """Compile a file that includes Python.h, as every mypyc module does; None when it builds."""
    from distutils.ccompiler import new_compiler
    from distutils.errors import CCompilerError, DistutilsError
    from distutils.sysconfig import customize_compiler

    compiler = new_compiler()
    customize_compiler(compiler)
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp, "probe.c")
        probe.write_text("#include <Python.h>\nint probe(void) { return Py_IsInitialized(); }\n")
        try:
            compiler.compile([str(probe)], output_dir=tmp,
                             include_dirs=[sysconfig.get_paths()["include"]])
        except (CCompilerError, DistutilsError, OSError) as exc:
            return f"no C compiler builds against this Python's headers ({exc})"
    return None


def remove_inplace_builds() -> None:
    """Delete the extensions and the record an earlier editable build left beside the sources:
    a module dropped from the list, or a build that now goes pure, must not keep running them."""
    for suffix in EXTENSION_SUFFIXES:
        for built in (ROOT / "hft_tui").rglob(f"*{suffix}"):
            built.unlink()
    (ROOT / MANIFEST).unlink(missing_ok=True)


def source_digests(sources: list[str]) -> dict[str, str]:
    """Each compiled module's name and the sha256 of the source it was built from."""
    return {source.removesuffix(".py").replace("/", "."):
            hashlib.sha256((ROOT / source).read_bytes()).hexdigest() for source in sources}


class BuildHotPath(build_ext):
    """Builds the mypyc extensions and records what they were built from; when the C build
    fails, drops them and leaves the pure-Python package (never a failed install)."""

    def run(self) -> None:
        from distutils.errors import CCompilerError, DistutilsError

        try:
            super().run()
        except (CCompilerError, DistutilsError, OSError) as exc:
            print(f"hft-tui: compiling the hot path failed ({exc}); installing pure Python",
                  file=sys.stderr)
            for ext in self.extensions:
                Path(self.get_ext_fullpath(ext.name)).unlink(missing_ok=True)
            if self.inplace:
                remove_inplace_builds()
            return
        record = json.dumps({"group": GROUP, "modules": source_digests(listed_sources())},
                            indent=1, sort_keys=True) + "\n"
        targets = [Path(self.build_lib) / MANIFEST] + ([ROOT / MANIFEST] if self.inplace else [])
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(record)


# The setup.py commands that build; pip runs it for metadata too (egg_info, dist_info), which
# needs no extensions, and mypyc would type-check and generate the C again for nothing.
BUILDING_COMMANDS = {"build", "build_ext", "bdist_wheel", "editable_wheel", "install", "develop"}


def extensions() -> list:
    """The mypyc extensions of the listed modules, or none (pure Python), saying why."""
    if not BUILDING_COMMANDS.intersection(sys.argv):
        return []
    if "editable_wheel" in sys.argv:
        remove_inplace_builds()
    reason = why_pure()
    if reason is not None:
        print(f"hft-tui: installing pure Python: {reason}", file=sys.stderr)
        return []
    from mypyc.build import mypycify

    os.chdir(ROOT)  # mypycify takes the paths relative to the working directory
    # Only the compiled modules must type-check; the project's modules they import are read for
    # their types. Installed packages are not read (numpy and pydantic are Any): the build
    # environment has none of them, and the generated code must not depend on which are there.
    options = ["--follow-imports=silent", "--no-site-packages", "--ignore-missing-imports"]
    return mypycify([*options, *listed_sources()], group_name=GROUP)


setup(ext_modules=extensions(), cmdclass={"build_ext": BuildHotPath})
