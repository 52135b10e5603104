"""Dust (less than one lot, left by a commission taken in the base asset) is shown as dust, not
as a position; the health pane shows the clock offset to the exchange in LIVE."""

from __future__ import annotations

import dataclasses

from tui_session import play

from hft_tui.session.engine_snapshot import PositionView
from hft_tui.tui.app import HftApp
from hft_tui.tui.panes.engine_health import health_lines
from hft_tui.tui.panes.positions import PositionsPane

DUST = PositionView("BTC/USDT", "long", 3.75e-06, 50_000.0, 50_000.0, 0.0, 0.0, None, None, 0, dust=True)


async def test_dust_is_shown_as_dust_with_its_asset_and_not_counted_as_a_position(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(160, 40)) as pilot:
        play(frozen_app, steps=2)
        snapshot = dataclasses.replace(frozen_app.link.engine.publish_snapshot(), positions=(DUST,), orders=())
        pane = frozen_app.query_one(PositionsPane)
        pane.show(snapshot, "BTC/USDT")
        await pilot.pause()
        ((_, cells),) = pane.position_table._rows  # noqa: SLF001 - what the table shows
        cells = [str(cell) for cell in cells]
        assert "dust" in cells and "3.75e-06 BTC" in cells
        assert not any("LONG" in cell for cell in cells)
        assert "(0 pos · 0 ord)" in str(pane.border_title)


async def test_health_shows_the_clock_offset_only_in_live_and_warns_past_a_second(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(160, 40)):
        play(frozen_app, steps=1)
        snapshot = frozen_app.link.engine.publish_snapshot()
    assert not any(label == "clock offset" for label, _, _ in health_lines(snapshot))
    assert ("clock offset", "+12 ms", False) in health_lines(dataclasses.replace(snapshot, clock_offset_ms=12))
    assert ("clock offset", "-1,500 ms", True) in health_lines(dataclasses.replace(snapshot, clock_offset_ms=-1500))
