"""Timing strategy hooks: a slow one is reported, one slow too often is to be disabled.

The time is the wall time under the core's clock (``clock.wall_source``); on a data clock
(backtests, replays) a hook takes no time and nothing is timed, so those runs decide the same
way every time, and a replay follows the journaled disable instead of timing anything.
"""

from __future__ import annotations

from enum import Enum

from hft_tui.clock import Clock, wall_source

_NS_PER_MS = 1_000_000


class HookVerdict(Enum):
    ON_TIME = "on_time"
    SLOW = "slow"  # report it
    TOO_OFTEN = "too_often"  # the repeat limit is reached: disable the strategy


class HookWatch:
    """Per strategy, how many of its hooks overran ``max_hook_ms``."""

    def __init__(self, timer: Clock, max_hook_ms: float, slow_hook_limit: int) -> None:
        self.timer = timer
        self.max_hook_ms = max_hook_ms
        self._limit_ns = int(max_hook_ms * _NS_PER_MS)
        self._repeat_limit = slow_hook_limit
        self.slow_hooks: dict[str, int] = {}

    @classmethod
    def on(cls, clock: Clock, max_hook_ms: float, slow_hook_limit: int) -> HookWatch | None:
        """A watch on ``clock``'s wall time, or None when the clock is the data's."""
        timer = wall_source(clock)
        return None if timer is None else cls(timer, max_hook_ms, slow_hook_limit)

    def judge(self, strategy: str, took_ns: int) -> HookVerdict:
        """The verdict on one hook call of ``strategy`` that took ``took_ns``."""
        if took_ns <= self._limit_ns:
            return HookVerdict.ON_TIME
        count = self.slow_hooks[strategy] = self.slow_hooks.get(strategy, 0) + 1
        return HookVerdict.TOO_OFTEN if count >= self._repeat_limit else HookVerdict.SLOW

    def forget(self, strategy: str) -> None:
        """Start counting afresh (the operator enabled the strategy again)."""
        self.slow_hooks.pop(strategy, None)
