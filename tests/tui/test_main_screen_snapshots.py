"""The workstation mid-session, pixel for pixel: compact, full and large layouts, every theme."""

from __future__ import annotations

import pytest
from tui_session import mid_session

from hft_tui.tui.app import HftApp

SIZES = [(80, 24), (120, 35), (200, 60)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen_mid_session_with_positions_and_signals(snap_compare, frozen_app: HftApp,
                                                            size: tuple[int, int]) -> None:
    assert snap_compare(frozen_app, terminal_size=size, run_before=mid_session)


@pytest.mark.parametrize("theme", ["hft-dark", "hft-light", "hft-contrast"])
def test_each_theme_colours_every_pane(snap_compare, frozen_app: HftApp, theme: str) -> None:
    frozen_app.theme = theme
    assert snap_compare(frozen_app, terminal_size=(120, 35), run_before=mid_session)
