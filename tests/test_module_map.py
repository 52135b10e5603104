"""The map of the code is the code's own: every module opens with a docstring that says what
it is (the closing note's module tree is read from them), and every file the architecture
page names is in the repository."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "hft_tui"


def _undocumented(root: Path) -> list[str]:
    return [str(p.relative_to(root)) for p in sorted(root.rglob("*.py"))
            if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]


def test_every_module_says_what_it_is() -> None:
    missing = _undocumented(PACKAGE)
    assert not missing, "open these with a one-line docstring:\n" + "\n".join(missing)


def test_a_module_without_a_docstring_is_found(tmp_path: Path) -> None:
    (tmp_path / "said.py").write_text('"""A thing."""\nX = 1\n')
    (tmp_path / "unsaid.py").write_text("# a comment is not a docstring\nX = 1\n")
    assert _undocumented(tmp_path) == ["unsaid.py"]


def _named_files(text: str) -> set[str]:
    """The code files written in backquotes (``session/engine.py``, ``pyproject.toml``)."""
    return set(re.findall(r"`([\w./-]+\.(?:py|toml|tcss))`", text))


def _exists(name: str) -> bool:
    if (ROOT / name).exists() or (PACKAGE / name).exists():
        return True
    # A bare or partial name (``engine.py``, ``panes/order_book.py``) names a file below the package.
    return any(p.as_posix().endswith("/" + name) for p in PACKAGE.rglob(Path(name).name))


def test_the_architecture_page_names_only_files_that_exist() -> None:
    named = _named_files((ROOT / "docs" / "architecture.md").read_text(encoding="utf-8"))
    assert len(named) > 50  # the page is read, not skipped
    missing = sorted(name for name in named if not _exists(name))
    assert not missing, "docs/architecture.md names files that are not in the repository:\n" + "\n".join(missing)


def test_a_named_file_that_is_not_there_is_found() -> None:
    named = _named_files("`session/engine.py` and `engine.py` but not `session/step_loop.py`")
    assert sorted(name for name in named if not _exists(name)) == ["session/step_loop.py"]
