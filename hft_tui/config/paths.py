"""Where hft-tui keeps its files, and creating those directories readable by their owner only."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import platformdirs

from hft_tui.config.errors import ConfigError
from hft_tui.config.loader import read_toml
from hft_tui.config.settings import Settings
from hft_tui.private_dir import ensure_private_dir

APP_NAME: Final = "hft-tui"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The resolved, absolute directories of one run."""

    config_dir: Path
    data_dir: Path
    state_dir: Path

    @classmethod
    def resolve(cls, settings: Settings, state_dir: Path | None = None) -> AppPaths:
        """Directories from ``settings.paths`` and a ``--state-dir`` override; platformdirs where unset."""
        chosen_state = state_dir if state_dir is not None else settings.paths.state_dir
        return cls(
            config_dir=_absolute(Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))),
            data_dir=_absolute(settings.paths.data_dir or Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))),
            state_dir=_absolute(chosen_state or Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))),
        )

    @property
    def config_file(self) -> Path:
        """The per-user config file read when no --config is given (it need not exist)."""
        return self.config_dir / "config.toml"

    @property
    def wal_dir(self) -> Path:
        """The write-ahead log's directory."""
        return self.state_dir / "wal"

    def create_private_dirs(self) -> None:
        """Create the state, WAL and data directories, owner-only (0700)."""
        for path in (self.state_dir, self.wal_dir, self.data_dir):
            ensure_private_dir(path)


def strategies_dir(config_file: Path | None, override: Path | None) -> Path:
    """Where the user's strategies are: ``--strategies-dir``, else ``paths.strategies_dir`` of the
    config file, else the user config directory's ``strategies``. Read before the settings are
    validated (they may name those strategies); a broken file is reported by that validation."""
    if override is not None:
        return _absolute(override)
    if config_file is not None:
        try:
            paths = read_toml(config_file).get("paths")
        except ConfigError:
            paths = None
        configured = paths.get("strategies_dir") if isinstance(paths, dict) else None
        if isinstance(configured, str) and configured:
            return _absolute(Path(configured))
    return _absolute(Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "strategies")


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path.expanduser()))
