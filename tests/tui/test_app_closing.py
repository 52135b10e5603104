"""What runs while the workstation closes, or before a dialog is drawn: a snapshot's redraw
timer and a key already queued find no screen, or a dialog without its widgets yet."""

from __future__ import annotations

from textual import events
from tui_session import play

from hft_tui.tui.app import HftApp
from hft_tui.tui.screens.confirm import ConfirmScreen


async def test_a_redraw_or_a_key_after_the_screens_are_gone_does_nothing(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)):
        play(frozen_app, steps=2)
    assert frozen_app.screen_stack == []
    play(frozen_app, steps=1)  # a newer snapshot: the slow redraw has work
    frozen_app.refresh_slow()
    frozen_app.on_key(events.Key("x", "x"))
    assert frozen_app.check_action("quit", ()) is True


def test_a_confirmation_not_drawn_yet_takes_the_newest_question() -> None:
    questions = iter(["flatten 1 position?", "flatten 2 positions?"])
    screen = ConfirmScreen(lambda: next(questions))
    assert screen.refresh_question() is True
    assert screen.shown == "flatten 2 positions?"
