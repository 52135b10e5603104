"""Every REST call the live broker makes, under one policy for the exchange's limits.

- 429 (rate limit): the exchange's ``Retry-After`` starts a cooldown that every ordinary
  call waits out before its next request; the kill lane (``priority=True``) does not wait
  for it and retries at once: it may spend the rate budget entries may not.
- 418 (IP ban): ordinary calls fail at once with :class:`Banned` until the ban ends (the
  engine holds REDUCING and says until when); the kill lane still tries.
- ``-1021``/timestamp errors: the clock offset is re-read from the exchange and the call
  retried once.
- Network errors are retried only when the caller says the call is safe to repeat.
- ``abandon()`` (the kill switch) makes every ordinary call that is waiting to retry give
  up with :class:`Abandoned`, so nothing the kill needs sits behind a retry loop.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from hft_tui.market.backoff import Backoff
from hft_tui.market.ccxt_exchange import ccxt_errors

T = TypeVar("T")

# The kill lane's pause between attempts refused by a rate limit.
PRIORITY_RETRY_S = 0.01
PRIORITY_ATTEMPTS = 400
ORDINARY_ATTEMPTS = 4


class Abandoned(Exception):
    """The kill switch called off this call's remaining attempts."""


class Banned(Exception):
    """The exchange banned this IP (418) until ``until_ms`` (epoch ms)."""

    def __init__(self, until_ms: int, text: str) -> None:
        super().__init__(text)
        self.until_ms = until_ms


class ExchangeCalls:
    """Runs ccxt calls with the exchange's 429/418/-1021 rules and a kill lane."""

    def __init__(self, exchange: Any, *, backoff_ms: tuple[float, float], rng: random.Random,
                 notice: Callable[[str], None]) -> None:
        self._exchange = exchange
        self._backoff_ms = backoff_ms
        self._rng = rng
        self._notice = notice
        self._cooldown_until = 0.0  # time.monotonic()
        self.banned_until_ms = 0
        self.time_offset_ms = 0
        self.rate_limited = 0
        self._abandon = asyncio.Event()

    def abandon(self) -> None:
        """Every ordinary call waiting to retry gives up now (the kill switch calls this)."""
        self._abandon.set()
        self._abandon = asyncio.Event()

    def cooldown_s(self) -> float:
        """How long ordinary calls still wait after the last 429 (the exchange's Retry-After)."""
        return max(self._cooldown_until - time.monotonic(), 0.0)

    @property
    def banned(self) -> bool:
        return time.time() * 1000 < self.banned_until_ms

    async def call(self, fn: Callable[..., Awaitable[T]], *args: Any, priority: bool = False,
                   retry_network: bool = False, attempts: int | None = None) -> T:
        """``await fn(*args)`` under the exchange's limits; raises the last error when the
        attempts run out, :class:`Banned` during a ban, :class:`Abandoned` after ``abandon``."""
        ccxt = ccxt_errors()
        attempts = attempts or (PRIORITY_ATTEMPTS if priority else ORDINARY_ATTEMPTS)
        backoff = Backoff(*self._backoff_ms, rng=random.Random(self._rng.random()))
        resynced = False
        abandon = self._abandon
        for attempt in range(attempts):
            if not priority:
                if self.banned:
                    raise Banned(self.banned_until_ms, self.ban_text())
                wait = self.cooldown_s()
                if attempt:
                    wait = max(wait, backoff.next_delay_s())
                if wait > 0:
                    await self._sleep(wait, abandon)
            try:
                return await fn(*args)
            except ccxt.DDoSProtection as exc:  # 429 and 418 on Binance; RateLimitExceeded elsewhere
                retry_after = self._retry_after_s()
                if " 418 " in f" {exc} ":
                    self.banned_until_ms = int(time.time() * 1000 + (retry_after or 60.0) * 1000)
                    self._notice(self.ban_text())
                    if not priority:
                        raise Banned(self.banned_until_ms, self.ban_text()) from exc
                else:
                    self.rate_limited += 1
                    self._cooldown_until = max(self._cooldown_until, time.monotonic() + (retry_after or 0.0))
                if attempt == attempts - 1:
                    raise
                if priority:
                    await asyncio.sleep(PRIORITY_RETRY_S)
            except ccxt.InvalidNonce:
                if resynced:
                    raise
                resynced = True
                await self.resync_clock()
            except ccxt.NetworkError:
                if not retry_network or attempt == attempts - 1:
                    raise
                if priority:
                    await asyncio.sleep(backoff.next_delay_s())
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def resync_clock(self) -> None:
        """Re-read the exchange's clock (ccxt signs with the offset from now on)."""
        offset = await self._exchange.load_time_difference()
        self.time_offset_ms = int(offset or 0)
        self._notice(f"clock resynced with the exchange: offset {self.time_offset_ms} ms")

    def _retry_after_s(self) -> float | None:
        headers = getattr(self._exchange, "last_response_headers", None) or {}
        value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None

    def ban_text(self) -> str:
        until = time.strftime("%H:%M:%S", time.gmtime(self.banned_until_ms / 1000))
        return f"the exchange banned this IP (418) until {until} UTC: only the kill switch may call it"

    async def _sleep(self, seconds: float, abandon: asyncio.Event) -> None:
        if abandon.is_set():
            raise Abandoned()
        try:
            await asyncio.wait_for(abandon.wait(), timeout=seconds)
        except TimeoutError:
            return
        raise Abandoned()
