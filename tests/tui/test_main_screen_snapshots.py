"""The main screen, pixel for pixel, at the smallest and a large terminal."""

from hft_tui.tui.app import HftApp


def test_main_screen_at_80x24(snap_compare, frozen_app: HftApp) -> None:
    assert snap_compare(frozen_app, terminal_size=(80, 24))


def test_main_screen_at_160x48(snap_compare, frozen_app: HftApp) -> None:
    assert snap_compare(frozen_app, terminal_size=(160, 48))
