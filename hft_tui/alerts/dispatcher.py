"""Alert events to every target, each through a lane of its own (``target_lane.py``), so a
slow or dead target never delays the engine or another target. A failed send is said to the
operator (``on_failure``: a notice, journaled, in the notices view) by the target's
environment variable name: the URL holds secrets and is never written anywhere.

``emit`` only queues (it is called on the engine's hot path).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from hft_tui.alerts.target_lane import TargetLane
from hft_tui.alerts.targets import AlertTarget
from hft_tui.config.alerts_settings import AlertsSettings

FLUSH_TIMEOUT_S = 5.0


class AlertDispatcher:
    """Owns one lane per target; started and closed on the engine's loop."""

    def __init__(self, settings: AlertsSettings, targets: list[AlertTarget],
                 on_failure: Callable[[str], None], *, source: str = "hft-tui") -> None:
        self._kinds = frozenset(settings.events)
        self.lanes = [TargetLane(target, settings, on_failure, source) for target in targets]

    def emit(self, kind: str, text: str) -> None:
        """Queue one event for every target (cheap; never waits)."""
        if kind not in self._kinds:
            return
        for lane in self.lanes:
            lane.put(kind, text)

    def start(self) -> None:
        for lane in self.lanes:
            lane.start()

    async def close(self) -> None:
        """Finish the messages under way and send what is queued (each target within
        FLUSH_TIMEOUT_S, all at once), then stop."""
        await asyncio.gather(*(lane.close(FLUSH_TIMEOUT_S) for lane in self.lanes))

    @property
    def sent(self) -> int:
        return sum(lane.sent for lane in self.lanes)

    @property
    def failed(self) -> int:
        return sum(lane.failed for lane in self.lanes)
