"""The kill switch's confirmation: what will be cancelled and closed; Cancel has the focus.

It costs exactly one extra key: the kill key again (the app routes it here) or ``y``.
"""

from __future__ import annotations

from hft_tui.tui.screens.confirm import ConfirmScreen


class KillConfirmScreen(ConfirmScreen):
    def __init__(self, summary: str, kill_key: str) -> None:
        super().__init__(f"{summary}\n\nPress {kill_key} again or y to kill; Esc or n cancels.",
                         "KILL", title="Kill switch", danger=True)
