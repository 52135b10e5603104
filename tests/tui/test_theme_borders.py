"""Every theme draws every pane's border plainly on its background, focused or not."""

from __future__ import annotations

import pytest
from textual.color import Color

from hft_tui.tui.app import HftApp
from hft_tui.tui.bindings import PANE_IDS

# WCAG's contrast ratio; 1.0 is invisible. Unfocused borders are meant to be quiet, not gone.
MIN_BORDER_CONTRAST = 1.5


def contrast(a: Color, b: Color) -> float:
    def luminance(colour: Color) -> float:
        channels = []
        for value in (colour.r, colour.g, colour.b):
            c = value / 255
            channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["hft-dark", "hft-light", "hft-contrast"])
async def test_every_pane_border_stands_out_from_the_background(frozen_app: HftApp, theme: str) -> None:
    frozen_app.theme = theme
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        for pane_id in PANE_IDS:
            pane = frozen_app.query_one(f"#{pane_id}")
            _, border = pane.styles.border_top
            ratio = contrast(border, pane.styles.background)
            assert ratio >= MIN_BORDER_CONTRAST, f"{theme} {pane_id}: border contrast {ratio:.2f}"
