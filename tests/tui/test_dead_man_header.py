"""The header shows the dead-man's switch: quiet while the exchange takes the refreshes, a
warning when a refresh failed or the switch could not be armed, nothing without one."""

from __future__ import annotations

import dataclasses

import pytest
from tui_session import play

from hft_tui.session.engine_snapshot import DeadManView
from hft_tui.tui.app import HftApp
from hft_tui.tui.panes.header_bar import HeaderBar


@pytest.mark.parametrize(("view", "words", "warning"), [
    (DeadManView(60, armed=True), "DMS 60s", False),
    (DeadManView(60, armed=True, failure="okx 429 Too Many Requests"), "⚠ DMS 60s refresh failed", True),
    (DeadManView(30, failure="okx 50001"), "⚠ DMS 30s not armed", True),
], ids=["healthy", "refresh-failed", "not-armed"])
async def test_header_shows_the_dead_man_switch(frozen_app: HftApp, view: DeadManView, words: str,
                                                warning: bool) -> None:
    async with frozen_app.run_test(size=(160, 35)) as pilot:
        play(frozen_app, steps=2)
        header = frozen_app.query_one(HeaderBar)
        snapshot = dataclasses.replace(frozen_app.link.engine.publish_snapshot(), dead_man=view)
        header.show(snapshot, snapshot.symbols[0])
        await pilot.pause()
        rendered = header.render()
        assert words in rendered.plain
        styles = [str(span.style) for span in rendered.spans if words in rendered.plain[span.start:span.end]]
        assert any("reverse" in style for style in styles) is warning


async def test_header_without_a_dead_man_switch_says_nothing_of_it(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(160, 35)) as pilot:
        play(frozen_app, steps=2)
        await pilot.pause()
        assert "DMS" not in frozen_app.query_one(HeaderBar).render().plain
