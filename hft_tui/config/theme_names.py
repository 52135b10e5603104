"""The theme names a configuration may pick: every ``themes/*.toml`` shipped with hft-tui.

Read here without Textual, so ``config check`` refuses a misspelt theme before any screen
is drawn; the TUI loads the same files as Textual themes (``tui/themes.py``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO_THEMES_DIR = Path(__file__).resolve().parents[2] / "themes"


def theme_names(*directories: Path) -> list[str]:
    """Sorted ``name`` of every theme file in the shipped themes dir and ``directories``."""
    names: set[str] = set()
    for directory in (REPO_THEMES_DIR, *directories):
        if directory.is_dir():
            for path in directory.glob("*.toml"):
                try:
                    name = tomllib.loads(path.read_text(encoding="utf-8")).get("name")
                except (OSError, tomllib.TOMLDecodeError):
                    continue  # the TUI names a broken theme file when it loads it
                if isinstance(name, str):
                    names.add(name)
    return sorted(names)
