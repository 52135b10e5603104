"""Load the TOML themes in ``themes/`` (and the user's config dir) as Textual themes."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.theme import Theme

from hft_tui.config.theme_names import REPO_THEMES_DIR

DEFAULT_THEME = "hft-dark"

# Every pane's colours come from these; a theme file may override any of them.
THEME_VARIABLE_DEFAULTS = {
    "bid": "#22c55e",
    "ask": "#ef4444",
    "bid-bar": "#14532d",
    "ask-bar": "#7f1d1d",
    "pnl-up": "#22c55e",
    "pnl-down": "#ef4444",
    "active": "#22c55e",
    "reducing": "#f59e0b",
    "halted": "#ef4444",
    "muted": "#71717a",
    "mode-live": "#ef4444",
    "mode-paper": "#f59e0b",
    "mode-sim": "#3b82f6",
    "pane-border": "#52525b",
}


class ThemeFileError(ValueError):
    pass


def load_theme(path: Path) -> Theme:
    """Parse one theme file; errors name the file and the problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        variables = {**THEME_VARIABLE_DEFAULTS, **data.pop("variables", {})}
        return Theme(variables=variables, **data)
    except (tomllib.TOMLDecodeError, TypeError) as exc:
        raise ThemeFileError(f"{path}: {exc}") from exc


def discover_themes(*directories: Path) -> dict[str, Theme]:
    """All ``*.toml`` themes found in ``directories`` (later directories win)."""
    themes: dict[str, Theme] = {}
    for directory in (REPO_THEMES_DIR, *directories):
        if directory.is_dir():
            for path in sorted(directory.glob("*.toml")):
                theme = load_theme(path)
                themes[theme.name] = theme
    return themes
