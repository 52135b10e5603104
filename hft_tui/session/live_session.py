"""LIVE: the engine's tasks around an asynchronous (exchange) broker.

- Orders and cancels go to the broker as tasks of their own, so one order stuck in retries
  never holds up market data, other orders or the kill switch.
- Fills and order updates arrive between events; intents they cause (an exit) are released
  as soon as the WAL has made them durable.
- Every broker notice is journaled and shown.
- Reconciliation runs at start (and again until it succeeds), holding the engine REDUCING.
- The account is re-read every ``exchange.account_sync_s`` (``LiveAccount``) and, where the
  exchange streams balances or swap positions, follows the streams in between; a failed
  stream is followed by a REST read at once, and another once the exchange has the new
  subscription (a transfer in between is not left to the next periodic read).
- Kill and flatten run ``flatten_on_exchange`` on their own task.
- Where the exchange has one, the dead-man's switch is armed at start, refreshed from a task
  of its own and disarmed at a clean stop (``DeadManSwitch``).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from hft_tui.execution.broker import ExchangeBroker
from hft_tui.execution.exchange_calls import Abandoned, Banned
from hft_tui.market.backoff import Backoff
from hft_tui.market.ccxt_exchange import ccxt_errors, is_auth_failure
from hft_tui.model import Fill, Order, ReasonCode
from hft_tui.redaction import describe_error
from hft_tui.session.engine_snapshot import DeadManView
from hft_tui.session.live_account import LiveAccount
from hft_tui.session.live_dead_man import DeadManSwitch
from hft_tui.session.live_flatten import FlattenResult, flatten_on_exchange
from hft_tui.session.live_reconcile import reconcile_with_exchange
from hft_tui.trading.core import TradingCore
from hft_tui.wal.record_types import ComponentError

BAN_HOLD = "ban"
# After a stream failed and was subscribed again, the account is read once more when the stream
# delivers or, if it has not, this long after the new subscription went out (the exchange has
# taken it by then): what moved before it took it reaches the account then.
RESUBSCRIBED_READ_S = 1.0


class LiveSession:
    """Owns the live tasks of one engine (see the module docstring)."""

    def __init__(self, core: TradingCore, broker: ExchangeBroker, *, step: asyncio.Lock,
                 release: Callable[[], Awaitable[None]], account_sync_s: float, kill_deadline_s: float,
                 cancel_orphans: bool = False, dead_man_s: int = 0,
                 backoff_ms: tuple[float, float] = (250.0, 5000.0),
                 on_fatal: Callable[[str], None] = lambda _: None) -> None:
        self.core = core
        self.broker = broker
        self.account = LiveAccount(rebase=broker.equity_at_start is not None)
        self.last_flatten: FlattenResult | None = None
        self._step = step
        # The engine's step: make the intents durable, then hand them to ``dispatch``.
        self._release_durably = release
        self._sync_s = account_sync_s
        self._kill_deadline_s = kill_deadline_s
        self._cancel_orphans = cancel_orphans
        self._backoff_ms = backoff_ms
        self._on_fatal = on_fatal
        self._tasks: set[asyncio.Task[Any]] = set()
        self._flatten_task: asyncio.Task[FlattenResult] | None = None
        self._reconciled = asyncio.Event()
        self.dead_man: DeadManSwitch | None = None
        self._dead_man_task: asyncio.Task[None] | None = None
        if dead_man_s and broker.capabilities.dead_man_switch:
            self.dead_man = DeadManSwitch(core, broker, dead_man_s)
        elif dead_man_s:
            core.add_notice("dead_man", f"exchange.dead_man_s is {dead_man_s} but {broker.name} has no "
                                        f"cancel-all-after: no dead-man's switch in this session")
        core_on_order, core_on_fill = broker.on_order, broker.on_fill

        def on_order(order: Order) -> None:
            core_on_order(order)
            self._release_soon()

        def on_fill(fill: Fill) -> None:
            core_on_fill(fill)
            self._release_soon()

        broker.on_order = on_order
        broker.on_fill = on_fill
        broker.on_notice = self.notice

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        if self.dead_man is not None:
            self._dead_man_task = self._spawn(self.dead_man.run())
        self._spawn(self._reconcile_until_done())
        self._spawn(self._sync_loop())
        if self.broker.capabilities.balance_stream:
            self._spawn(self._follow_stream(self.broker.watch_balance, self.account.follow))
        if self.broker.capabilities.position_stream and any(not r.spot for r in self.core.rules.values()):
            self._spawn(self._follow_stream(self.broker.watch_positions, self.account.follow_positions))

    async def stop(self) -> None:
        """Cancel the session's tasks; a clean stop (the dead-man task still running) disarms
        the dead-man's switch, a crash torn down leaves the exchange's countdown running."""
        clean = self._dead_man_task is not None and not self._dead_man_task.done()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        if clean and self.dead_man is not None:
            await self.dead_man.disarm()

    def dead_man_view(self) -> DeadManView | None:
        return self.dead_man.view() if self.dead_man is not None else None

    async def reconciled(self) -> None:
        """Wait until the start-up reconciliation has finished."""
        await self._reconciled.wait()

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # --- orders -------------------------------------------------------------------------------

    def dispatch(self, cancels: Sequence[str], orders: Sequence[Order]) -> None:
        """Hand durable intents to the broker, each on a task of its own."""
        for client_id in cancels:
            self._spawn(self._guarded(self.broker.cancel(client_id)))
        for order in orders:
            self._spawn(self._guarded(self.broker.submit(order)))

    async def _guarded(self, work: Awaitable[None]) -> None:
        try:
            await work
        except (ccxt_errors().BaseError, Abandoned, Banned) as exc:
            self.notice(describe_error(exc))
        self._watch_ban()

    def _release_soon(self) -> None:
        if self.core.has_pending_orders:
            self._spawn(self._release())

    async def _release(self) -> None:
        async with self._step:
            if self.core.has_pending_orders:
                await self._release_durably()

    def notice(self, text: str, source: str = "broker") -> None:
        """A broker, reconcile or account notice: journaled and kept until acknowledged."""
        self.core.add_notice(source, text)

    def _watch_ban(self) -> None:
        calls = self.broker.calls
        if calls.banned:
            self.core.risk.hold(BAN_HOLD, ReasonCode.EXCHANGE_BANNED, calls.ban_text())
        elif BAN_HOLD in self.core.risk.holds:
            self.core.risk.release(BAN_HOLD, "the exchange's IP ban is over")

    # --- kill and flatten ---------------------------------------------------------------------

    def flatten(self, symbols: Sequence[str], reason: ReasonCode, *, kill: bool) -> None:
        """Start cancelling, flattening and confirming on the exchange; a kill supersedes a
        flatten under way."""
        if self._flatten_task is not None and not self._flatten_task.done():
            if not kill:
                return
            self._flatten_task.cancel()
        self._flatten_task = self._spawn(self._flatten(symbols, reason, kill))

    async def wait_flat(self) -> FlattenResult | None:
        """The result of the kill/flatten under way (or the last one)."""
        task = self._flatten_task
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)
        return self.last_flatten

    async def _flatten(self, symbols: Sequence[str], reason: ReasonCode, kill: bool) -> FlattenResult:
        result = await flatten_on_exchange(self.core, self.broker, self.account, symbols, reason,
                                           kill=kill, deadline_s=self._kill_deadline_s)
        self.last_flatten = result
        self.notice(result.text("kill" if kill else "flatten"), "kill" if kill else "flatten")
        return result

    # --- reconciliation and the account ---------------------------------------------------

    async def _reconcile_until_done(self) -> None:
        backoff = Backoff(*self._backoff_ms, rng=random.Random(1))
        while True:
            try:
                differences = await reconcile_with_exchange(self.core, self.broker,
                                                            cancel_orphans=self._cancel_orphans)
                await self.account.sync(self.core, self.broker)
            except (ccxt_errors().BaseError, Abandoned, Banned) as exc:
                self.core.wal.write(ComponentError(where="reconcile", error=describe_error(exc)))
                if is_auth_failure(exc):
                    # Keys the exchange refuses cannot cancel or flatten either: do not trade on them.
                    self.notice(f"the exchange refused the API key: {describe_error(exc)}", "reconcile")
                    self._on_fatal(f"exchange refused the API key ({type(exc).__name__})")
                    return
                self.notice(f"reconcile with the exchange failed, retrying: {describe_error(exc)}", "reconcile")
                self._watch_ban()
                await asyncio.sleep(backoff.next_delay_s())
                continue
            break
        if differences:
            self.notice(f"reconcile: {len(differences)} difference(s): " + "; ".join(differences), "reconcile")
        self._reconciled.set()

    async def _sync_loop(self) -> None:
        await self._reconciled.wait()
        while True:
            await asyncio.sleep(self._sync_s)
            if self._flatten_task is not None and not self._flatten_task.done():
                continue
            await self._sync_safely()

    async def _sync_safely(self, *, judge: bool = True) -> None:
        try:
            await self.account.sync(self.core, self.broker, judge=judge)
        except (ccxt_errors().BaseError, Abandoned, Banned) as exc:
            self.notice(f"account read failed: {describe_error(exc)}", "account")
        self._watch_ban()

    async def _follow_stream(self, watch: Callable[[], Awaitable[Any]],
                             apply: Callable[[TradingCore, Any], None]) -> None:
        """Between REST reads the account follows a stream of the exchange's (balances, swap
        positions); when the stream fails (the broker's order stream says so to the operator)
        the account is read over REST at once, then the stream is tried again, and read once
        more when the exchange has most likely taken the new subscription: after the stream's
        first update, or ``RESUBSCRIBED_READ_S`` without one. Whatever moved between the first
        read and the subscription (a transfer the exchange streamed to nobody) is then in the
        account within about a second instead of the next periodic read."""
        await self._reconciled.wait()
        backoff = Backoff(*self._backoff_ms, rng=random.Random(2))
        resubscribed = False
        while True:
            pending = asyncio.ensure_future(watch())
            try:
                if resubscribed and not (await asyncio.wait({pending}, timeout=RESUBSCRIBED_READ_S))[0]:
                    resubscribed = False
                    await self._sync_safely(judge=False)
                update = await pending
            except (ccxt_errors().BaseError, Abandoned, Banned, OSError):  # OSError: aiohttp's, past ccxt
                await asyncio.sleep(backoff.next_delay_s())
                await self._sync_safely(judge=False)
                resubscribed = True
                continue
            finally:
                pending.cancel()
            backoff.reset()
            apply(self.core, update)
            if resubscribed:
                resubscribed = False
                await self._sync_safely(judge=False)
