"""User directories: platformdirs defaults, settings and --state-dir, created owner-only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs
import pytest

from hft_tui.config.loader import load_settings
from hft_tui.config.paths import AppPaths
from hft_tui.private_dir import ensure_private_dir
from hft_tui.config.settings import Settings


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_unset_paths_are_the_platform_user_directories() -> None:
    paths = AppPaths.resolve(Settings())
    assert paths.state_dir == Path(platformdirs.user_state_dir("hft-tui", appauthor=False)).absolute()
    assert paths.data_dir == Path(platformdirs.user_data_dir("hft-tui", appauthor=False)).absolute()
    assert paths.config_dir == Path(platformdirs.user_config_dir("hft-tui", appauthor=False)).absolute()
    assert paths.config_file == paths.config_dir / "config.toml"
    assert paths.wal_dir == paths.state_dir / "wal"


def test_settings_paths_are_used_and_state_dir_flag_wins(tmp_path: Path) -> None:
    settings = load_settings(None, {"paths.state_dir": str(tmp_path / "a"), "paths.data_dir": str(tmp_path / "d")})
    assert AppPaths.resolve(settings).state_dir == tmp_path / "a"
    assert AppPaths.resolve(settings).data_dir == tmp_path / "d"
    flagged = AppPaths.resolve(settings, state_dir=tmp_path / "b")
    assert flagged.state_dir == tmp_path / "b"
    assert flagged.wal_dir == tmp_path / "b" / "wal"


def test_home_and_relative_paths_become_absolute(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, {"paths.state_dir": "~/st", "paths.data_dir": "rel/data"})
    paths = AppPaths.resolve(settings)
    assert paths.state_dir == tmp_path / "st"
    assert paths.data_dir == tmp_path / "rel" / "data"


def test_private_dirs_are_created_0700_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o000)
    try:
        created = ensure_private_dir(tmp_path / "x" / "y" / "z")
    finally:
        os.umask(old)
    target = tmp_path / "x" / "y" / "z"
    assert created == [tmp_path / "x", tmp_path / "x" / "y", target]
    assert target.is_dir()
    for path in (tmp_path / "x", tmp_path / "x" / "y", target):
        assert mode_of(path) == 0o700, path


def test_existing_directory_is_tightened_to_0700(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir()
    loose.chmod(0o755)
    ensure_private_dir(loose)
    assert mode_of(loose) == 0o700


def test_existing_parent_is_left_alone(tmp_path: Path) -> None:
    parent = tmp_path / "shared"
    parent.mkdir()
    parent.chmod(0o755)
    ensure_private_dir(parent / "mine")
    assert mode_of(parent) == 0o755
    assert mode_of(parent / "mine") == 0o700


def test_a_file_in_the_way_is_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("not a dir")
    with pytest.raises(NotADirectoryError):
        ensure_private_dir(blocker)


def test_create_private_dirs_makes_state_wal_and_data(tmp_path: Path) -> None:
    paths = AppPaths(config_dir=tmp_path / "c", data_dir=tmp_path / "d", state_dir=tmp_path / "s")
    paths.create_private_dirs()
    for path in (paths.state_dir, paths.wal_dir, paths.data_dir):
        assert mode_of(path) == 0o700, path
    assert not paths.config_dir.exists()
