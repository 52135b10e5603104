"""``optimize apply``: a trial's parameters over the study's base settings, written as a
settings TOML that is validated by loading it back."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hft_tui.config.loader import load_settings
from hft_tui.config.settings import Settings
from hft_tui.config.toml_render import render_toml
from hft_tui.data.private_files import write_text_privately


class ApplyError(ValueError):
    """The trial cannot be written as asked (one line)."""


def trial_settings(base: Mapping[str, Any], params: Mapping[str, Any]) -> Settings:
    """The study's base settings (non-default tables) with ``params`` (dotted keys) over them."""
    return load_settings(None, {**base, **params})


def write_trial_settings(settings: Settings, out: Path, header: str, *, force: bool = False) -> Path:
    """Write the non-default keys of ``settings`` to ``out`` (0600) and check that loading the
    file gives back exactly ``settings``."""
    if out.exists() and not force:
        raise ApplyError(f"{out} exists; choose a new file or pass --force to replace it")
    text = render_toml(settings, header=header, only_set=True)
    write_text_privately(out, text)
    if load_settings(out) != settings:
        raise ApplyError(f"{out} does not load back as the trial's settings; please report this")
    return out
