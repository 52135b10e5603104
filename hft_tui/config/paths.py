"""Where hft-tui keeps its files, and creating those directories readable by their owner only."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import platformdirs

from hft_tui.config.settings import Settings

APP_NAME: Final = "hft-tui"
PRIVATE_DIR_MODE: Final = 0o700


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


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path.expanduser()))


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` and missing parents as 0700 (whatever the umask); tighten ``path`` if it exists."""
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            # Created concurrently by another process: tightened below like any existing one.
            pass
        # mkdir's mode is filtered by the umask, so set it explicitly.
        os.chmod(directory, PRIVATE_DIR_MODE)
    if not path.is_dir():
        raise NotADirectoryError(f"{path} exists and is not a directory")
    if stat.S_IMODE(path.stat().st_mode) != PRIVATE_DIR_MODE:
        os.chmod(path, PRIVATE_DIR_MODE)
    return path
