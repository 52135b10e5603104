"""LIVE: the dead-man's switch, where the exchange has one (ccxt ``cancelAllOrdersAfter``).

The exchange cancels every resting order ``exchange.dead_man_s`` seconds after the last
refresh, so a dead VPS, a hung loop or a ``kill -9`` still leaves nothing resting. The
engine arms the timer at start and refreshes it every quarter of the timeout from a task on
its own loop (when the loop stops, the refreshes stop). Refreshes go on the kill lane: no
429 cooldown holds them up and the kill switch's ``abandon`` does not touch them, so a kill
in a rate-limit storm keeps the timer alive while it cancels and flattens.

A refresh that fails is a notice (journaled, shown) and the header's ``DMS`` badge turns to
a warning; once half the timeout has passed since the last refresh the exchange may cancel
resting orders at any moment, so the engine is held REDUCING (``DEAD_MAN_AT_RISK``) until a
refresh succeeds. A clean stop disarms the timer (timeout 0); a stop that finds the task
already gone (a crash torn down) leaves the exchange's countdown running.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import ClassVar

from hft_tui.execution.broker import ExchangeBroker
from hft_tui.execution.exchange_calls import Abandoned, Banned
from hft_tui.market.ccxt_exchange import ccxt_errors
from hft_tui.model import ReasonCode
from hft_tui.redaction import describe_error
from hft_tui.session.engine_snapshot import DeadManView
from hft_tui.trading.core import TradingCore
from hft_tui.wal.record_types import DeadManChanged

AT_RISK_HOLD = "dead_man"
# Refresh this many times per timeout; a failed one is retried after RETRY_S.
REFRESHES_PER_TIMEOUT = 4
RETRY_S = 1.0
# A clean stop waits at most this long for the exchange to take the disarm.
DISARM_WAIT_S = 5.0


class DeadManSwitch:
    """Arms, refreshes and disarms the exchange's cancel-all-after timer for one session."""

    # The exchange counts its timeout in real time, whatever the engine's clock: so does this.
    # Class attributes, so that a test can hand every switch the exchange's own clock.
    monotonic: ClassVar[Callable[[], float]] = staticmethod(time.monotonic)
    sleep: ClassVar[Callable[[float], Awaitable[None]]] = staticmethod(asyncio.sleep)

    def __init__(self, core: TradingCore, broker: ExchangeBroker, timeout_s: int) -> None:
        self.core = core
        self.broker = broker
        self.timeout_s = timeout_s
        self.refreshes = 0
        self.failure = ""  # the last refresh's error, "" once one succeeds again
        self._last_ok = 0.0  # self.monotonic() of the last refresh the exchange took

    def view(self) -> DeadManView:
        """What the header shows."""
        return DeadManView(self.timeout_s, armed=self.refreshes > 0, failure=self.failure)

    async def run(self) -> None:
        """Arm, then refresh until cancelled."""
        period_s = self.timeout_s / REFRESHES_PER_TIMEOUT
        while True:
            ok = await self.refresh()
            await self.sleep(period_s if ok else min(RETRY_S, period_s))

    async def refresh(self) -> bool:
        """Arm or refresh the exchange's timer once; False (said, and held once at risk) when
        the exchange did not take it."""
        try:
            await self.broker.cancel_all_after(self.timeout_s)
        except (ccxt_errors().BaseError, Abandoned, Banned) as exc:
            self._failed(describe_error(exc))
            return False
        if self.refreshes == 0:
            self.core.wal.write(DeadManChanged(armed=True, timeout_s=self.timeout_s))
        self.refreshes += 1
        self._last_ok = self.monotonic()
        if self.failure:
            self.failure = ""
            self.core.add_notice("dead_man", f"dead-man's switch refreshed again ({self.timeout_s} s)")
        self.core.risk.release(AT_RISK_HOLD, "the dead-man's switch is refreshed again")
        return True

    def _failed(self, error: str) -> None:
        first = not self.failure
        self.failure = error
        if first:
            self.core.add_notice("dead_man", f"dead-man's switch refresh failed: {error}")
        if not self._last_ok:
            self.core.risk.hold(AT_RISK_HOLD, ReasonCode.DEAD_MAN_AT_RISK,
                           f"dead-man's switch could not be armed ({self.timeout_s} s asked): {error}")
            return
        since_s = self.monotonic() - self._last_ok
        if since_s >= self.timeout_s / 2:
            self.core.risk.hold(AT_RISK_HOLD, ReasonCode.DEAD_MAN_AT_RISK,
                           f"dead-man's switch not refreshed for {since_s:.0f} s: the exchange may cancel "
                           f"resting orders within {max(self.timeout_s - since_s, 0.0):.0f} s")

    async def disarm(self) -> None:
        """Clean stop: tell the exchange to cancel nothing (timeout 0)."""
        try:
            await asyncio.wait_for(self.broker.cancel_all_after(0), DISARM_WAIT_S)
        except (ccxt_errors().BaseError, Abandoned, Banned, TimeoutError) as exc:
            self.core.add_notice("dead_man", f"dead-man's switch not disarmed at stop: {describe_error(exc)}; "
                                             f"the exchange cancels resting orders {self.timeout_s} s after the "
                                             f"last refresh")
            return
        self.core.wal.write(DeadManChanged(armed=False))
