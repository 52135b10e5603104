"""The kill switch's confirmation: what will be cancelled and closed; Cancel has the focus.

Only ``y``, or Enter on the KILL button, confirms: never the opening key again, so a
double-tap of ctrl+k (readline's kill-line) cannot kill by accident.
"""

from __future__ import annotations

from collections.abc import Callable

from hft_tui.tui.screens.confirm import ConfirmScreen


class KillConfirmScreen(ConfirmScreen):
    def __init__(self, summary: Callable[[], str]) -> None:
        super().__init__(lambda: f"{summary()}\n\nPress y (or Tab to KILL, Enter) to kill; Esc or n cancels.",
                         "KILL", title="Kill switch", danger=True)
