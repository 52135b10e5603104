"""The manual order dialog and its confirmation at 80x24 and 120x35, mid-session."""

from __future__ import annotations

import pytest
from tui_session import apply_sent, mid_session

from hft_tui.tui.app import HftApp

SIZES = [(80, 24), (120, 35)]
size_ids = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


async def _fill_order_form(pilot) -> None:  # type: ignore[no-untyped-def]
    await mid_session(pilot)
    await pilot.press("o", *"0.05", "tab", "tab", "tab", "tab", *"63500")  # size, unit, type, tp, then stop-loss
    await pilot.pause()


@size_ids
def test_manual_order_form(snap_compare, frozen_app: HftApp, size: tuple[int, int]) -> None:
    assert snap_compare(frozen_app, terminal_size=size, run_before=_fill_order_form)


@size_ids
def test_manual_order_confirmation_shows_cost_risk_and_the_gates_verdict(
        snap_compare, frozen_app: HftApp, size: tuple[int, int]) -> None:
    async def review(pilot) -> None:  # type: ignore[no-untyped-def]
        await _fill_order_form(pilot)
        await pilot.press("enter")
        await pilot.pause()
        apply_sent(pilot.app)
        await pilot.pause()

    assert snap_compare(frozen_app, terminal_size=size, run_before=review)
