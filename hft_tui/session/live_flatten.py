"""LIVE kill and flatten: done only when the exchange confirms it.

The kill never waits behind anything: it abandons every retry the broker has pending and
makes each of its own calls on the kill lane (no cooldown after a 429: it may spend the
rate budget entries may not). Then, for the traded symbols:

1. wait (briefly) for orders in flight to resolve; look up every order whose create was in
   doubt, by client id;
2. ``cancel_all_orders`` on each symbol: every open order there, the engine's or anyone's;
3. book every fill of ours the exchange reports (``fetch_my_trades``), so the engine's
   positions are what the exchange filled;
4. flatten the engine's positions with reduce-only market orders, a spot sell capped by the
   free balance, a swap order by the exchange's own position (``fetch_positions``); holdings
   the engine did not acquire are never sold (``LiveAccount``);
5. poll until the exchange lists no open order on any of the symbols and the engine's
   positions and the account's balances (spot) or positions (swaps) are flat, or the
   deadline passes.

The WAL (``flat_confirmed`` / ``flat_not_confirmed``) and the screen then say ``FLAT
confirmed in N ms`` or exactly what is left and why. Flatten all/one runs the same steps,
without abandoning retries.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from hft_tui.execution.broker import ExchangeBroker
from hft_tui.execution.exchange_calls import Abandoned, Banned
from hft_tui.market.ccxt_exchange import ccxt_errors
from hft_tui.model import ReasonCode, Side
from hft_tui.redaction import describe_error
from hft_tui.session.live_account import LiveAccount, holding_key
from hft_tui.trading.core import TradingCore
from hft_tui.wal.errors import WalWriteError
from hft_tui.wal.record_types import FlatConfirmed, FlatNotConfirmed

IN_FLIGHT_WAIT_S = 1.0
POLL_PAUSE_S = 0.02


@dataclass(frozen=True, slots=True)
class FlattenResult:
    flat: bool
    elapsed_ms: float
    left: tuple[str, ...]
    external: str

    def text(self, what: str) -> str:
        note = f" ({self.external})" if self.external else ""
        if self.flat:
            return f"{what}: FLAT confirmed in {self.elapsed_ms:.0f} ms{note}"
        return f"{what}: NOT FLAT after {self.elapsed_ms:.0f} ms: {'; '.join(self.left)}{note}"


async def flatten_on_exchange(core: TradingCore, broker: ExchangeBroker, account: LiveAccount, symbols: Sequence[str],
                              reason: ReasonCode, *, kill: bool, deadline_s: float) -> FlattenResult:
    """Cancel, settle, flatten and confirm on the exchange (see the module docstring)."""
    started = time.perf_counter()
    deadline = started + deadline_s
    if kill:
        broker.abandon_retries()
    unsettled = await broker.settle_in_flight(IN_FLIGHT_WAIT_S)
    left: list[str] = [f"order {c} still unresolved" for c in unsettled]
    while True:
        try:
            left = await _one_pass(core, broker, account, symbols, reason)
        except (ccxt_errors().BaseError, Abandoned, Banned) as exc:
            left = [f"the exchange did not answer: {describe_error(exc, 160)}"]
        if not left or time.perf_counter() > deadline:
            break
        await asyncio.sleep(POLL_PAUSE_S)
    elapsed_ms = (time.perf_counter() - started) * 1e3
    result = FlattenResult(not left, elapsed_ms, tuple(left), account.external_text(core.rules))
    outcome = FlatConfirmed if result.flat else FlatNotConfirmed
    core.wal.write(outcome(symbols=list(symbols), reason=reason.value, ms=round(elapsed_ms, 1),
                           left=list(result.left)))
    return result


async def _one_pass(core: TradingCore, broker: ExchangeBroker, account: LiveAccount, symbols: Sequence[str],
                    reason: ReasonCode) -> list[str]:
    problems = await broker.cancel_all_on_exchange(symbols, priority=True)
    await broker.sweep_fills(symbols, priority=True)
    traded = {symbol: core.rules[symbol] for symbol in symbols}
    await account.read(broker, traded, priority=True)
    orders = []
    left = list(problems)
    for symbol in symbols:
        rules = core.rules[symbol]
        lots = core.lots_held(symbol)
        if not lots:
            continue
        side = Side.SELL if lots > 0 else Side.BUY
        qty = abs(lots) * rules.lot_size
        if side is Side.SELL and rules.spot and rules.base:
            qty = min(qty, int(account.free.get(rules.base, 0.0) / rules.lot_size + 1e-6) * rules.lot_size)
        elif not rules.spot:
            # Reduce-only: never more than the exchange's own position beyond what is held outside.
            beyond_external = account.held(symbol, rules) - (account.external or {}).get(symbol, 0.0)
            closable = beyond_external if lots > 0 else -beyond_external
            qty = min(qty, int(max(closable, 0.0) / rules.lot_size + 1e-6) * rules.lot_size)
        book = core.books.get(symbol)
        mid = book.mid if book is not None and book.mid is not None else 0.0
        if qty < max(rules.min_qty, rules.lot_size) or (mid and qty * mid < rules.min_notional):
            left.append(f"{symbol} {core.portfolio.position(symbol).qty:g} held, below the exchange's minimum "
                        f"order, not free to sell or not open on the exchange")
            continue
        orders.append(core.flattening.exchange_order(symbol, side, round(qty, 12), reason))
    if orders:
        try:
            await core.wal.flush()  # WAL before effect: the intents are durable before they are sent
        except WalWriteError:
            pass  # FAILED journal: the kill still reaches the exchange, its records held in memory
        for order in orders:
            await broker.submit(order, priority=True)
        await account.read(broker, traded, priority=True)
    for symbol in symbols:
        still_open = await broker.fetch_open_orders(symbol, priority=True)
        if still_open:
            left.append(f"{symbol}: {len(still_open)} order(s) still open on the exchange")
        if core.lots_held(symbol):
            left.append(f"{symbol}: position {core.portfolio.position(symbol).qty:g} not closed yet")
        elif not account.flat_on_exchange(symbol, core.rules[symbol]):
            rules = core.rules[symbol]
            outside = (account.external or {}).get(holding_key(symbol, rules), 0.0)
            shown = f"holds {account.held(symbol, rules):g} {rules.base}" if rules.spot \
                else f"shows a {symbol} position of {account.held(symbol, rules):g}"
            unexplained = round((account.held(symbol, rules) - outside) / rules.lot_size) * rules.lot_size
            left.append(f"{symbol}: the account {shown}, {outside:g} of it outside the engine"
                        + (f", {round(unexplained, 12):g} that no fill of the engine explains (an order it did not "
                           f"place traded, or a transfer): close it on the exchange"
                           if abs(unexplained) >= rules.lot_size else ""))
    return sorted(set(left), key=left.index)
