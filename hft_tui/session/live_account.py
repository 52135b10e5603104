"""LIVE: the account as the exchange reports it is the truth.

Equity (the quote currency plus every traded base asset at its mid) is read from the
exchange before the core is built, so sizing and every risk budget start from the account,
not from ``risk.initial_equity``; afterwards ``LiveAccount.sync`` re-reads it after every
reconnect and every ``exchange.account_sync_s``.

Spot positions are what the engine bought and sold (its booked fills). Whatever else the
account holds in a traded base asset was there before (or was bought by someone else): it
is the *external* holding, measured once as ``balance - engine position`` when the account
is first read after reconciliation, shown, and never flattened. From then on a balance that
moves away from ``external + engine position`` by a lot or more, on two reads in a row, is
a mismatch: journaled, shown, and the engine is held REDUCING until a read agrees again;
unless the account lists no execution on the symbol since the balance last agreed that the
engine has not booked (nobody else traded, none of ours is on its way): then it was a
deposit, a withdrawal or a transfer, and the external holding follows it (journaled, said).

Swap positions are read from the exchange (``fetch_positions``: contracts x contract size,
signed) and held to the same rule, per symbol instead of per asset, with one difference: a
swap is one net position, so what the exchange shows beyond the engine's at the first read
is not holdings of the operator's that the engine can trade beside. It is *unexplained* (a
fill lost across a crash, a position opened by hand): journaled as a ``reconcile`` record,
said in a notice, and the engine is held REDUCING (``ACCOUNT_MISMATCH``) until a read finds
the exchange's position equal to the engine's again (the operator closed the rest on the
exchange). A kill or flatten closes the engine's part only, and is not flat while the rest
is there: it says what is left.

What the engine's own fills do not explain moves the engine's equity onto the account's
without reaching the risk guard (``Portfolio.follow_account``): deposits, withdrawals and
the price of holdings outside the engine are not drawdowns. The first read of a session sets
the base the engine's PnL counts from (``Portfolio.rebase``).

Where the exchange streams balances (``watch_balance``) the account follows the stream
between REST reads (``LiveAccount.follow``): free, locked, totals and equity; where it
streams swap positions (``watch_positions``), the positions likewise (``follow_positions``). Mismatches are
judged on the periodic REST reads only: a streamed balance can run ahead of the fill that
explains it, and so can a read made because the stream failed.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hft_tui.execution.broker import ExchangeBroker, ExchangePosition
from hft_tui.execution.exchange_calls import ExchangeCalls
from hft_tui.market.ccxt_exchange import CcxtCredentials, create_exchange
from hft_tui.market.exchange_settings import ExchangeSettings
from hft_tui.model import MarketRules, ReasonCode
from hft_tui.redaction import describe_error
from hft_tui.session.engine_snapshot import AssetBalance, BalancesView
from hft_tui.trading.core import TradingCore
from hft_tui.wal.record_types import ABSENT, AccountRead, Reconciled

MISMATCH_HOLD = "account"
UNEXPLAINED_HOLD = "unexplained_swap"
# A mismatch must be seen on this many reads in a row (a fill in flight explains one).
MISMATCH_READS = 2
# Executions this long before a read that agreed still count against calling a move a
# transfer (the exchange's clock and ours differ).
TRANSFER_MARGIN_MS = 5_000


class AccountUnavailable(RuntimeError):
    """The account could not be read at start; the message says why."""


def read_account_equity(settings: ExchangeSettings, credentials: CcxtCredentials,
                        rules: Mapping[str, MarketRules]) -> float:
    """The account's equity in the traded quote currency (blocking; call before the loop)."""
    return asyncio.run(_read_equity(settings, credentials, rules))


async def _read_equity(settings: ExchangeSettings, credentials: CcxtCredentials,
                       rules: Mapping[str, MarketRules]) -> float:
    exchange = create_exchange(settings.id, market_type=settings.market_type, sandbox=settings.sandbox,
                               ccxt_config=settings.ccxt, credentials=credentials, streaming=False)
    calls = ExchangeCalls(exchange, backoff_ms=(settings.reconnect_backoff_ms, settings.reconnect_backoff_max_ms),
                          rng=random.Random(0), notice=lambda _: None)
    try:
        await calls.call(exchange.load_markets, retry_network=True)
        balance = await calls.call(exchange.fetch_balance, retry_network=True)
        mids = {}
        for symbol in rules:
            book = await calls.call(exchange.fetch_order_book, symbol, 5, retry_network=True)
            if book["bids"] and book["asks"]:
                mids[symbol] = (book["bids"][0][0] + book["asks"][0][0]) / 2
        return account_equity(_totals(balance), rules, mids)
    except Exception as exc:  # any ccxt or network error: one line for the operator
        raise AccountUnavailable(f"cannot read the {settings.id} account: {describe_error(exc)}") from exc
    finally:
        await exchange.close()


def _totals(balance: Mapping[str, Any]) -> dict[str, float]:
    return {asset: float(total) for asset, total in (balance.get("total") or {}).items() if total}


def account_equity(totals: Mapping[str, float], rules: Mapping[str, MarketRules],
                   mids: Mapping[str, float]) -> float:
    """The quote currency held plus each traded base asset at its symbol's mid."""
    quotes = {r.quote for r in rules.values() if r.quote}
    equity = sum(totals.get(q, 0.0) for q in quotes)
    for symbol, r in rules.items():
        if r.base and symbol in mids:
            equity += totals.get(r.base, 0.0) * mids[symbol]
    return equity


def holding_key(symbol: str, rules: MarketRules) -> str:
    """What the exchange keeps a symbol's holding under: its base asset on spot (a balance),
    the symbol itself on a swap (a position)."""
    return rules.base if rules.spot else symbol


@dataclass
class LiveAccount:
    """The last account read, the holdings outside the engine, and open mismatches."""

    totals: dict[str, float] = field(default_factory=dict)
    free: dict[str, float] = field(default_factory=dict)
    positions: dict[str, ExchangePosition] = field(default_factory=dict)  # swaps, by symbol
    equity: float | None = None
    external: dict[str, float] | None = None  # by holding_key
    read_ts_ns: int = 0  # when the exchange last reported the balances (the engine's clock); 0: never
    # False when the engine had to start from risk.initial_equity: its equity is then not re-based.
    rebase: bool = True
    _based: bool = False  # the engine's equity has its base from the account (the first valued read)
    _suspect: dict[str, int] = field(default_factory=dict)
    _agreed_ms: dict[str, int] = field(default_factory=dict)  # by symbol: the last read that agreed
    _external_moved: bool = False

    def external_text(self, rules: Mapping[str, MarketRules]) -> str:
        """What the account holds that the engine did not acquire (shown, never flattened)."""
        if not self.external:
            return ""
        held = [f"{key} {qty:g}" for key, qty in sorted(self.external.items()) if abs(qty) > 0]
        return ("held outside the engine, never flattened: " + ", ".join(held)) if held else ""

    async def read(self, broker: ExchangeBroker, rules: Mapping[str, MarketRules], *,
                   priority: bool = False) -> None:
        """Balances, and the positions of the swap symbols among ``rules``."""
        balances = await broker.fetch_balance(priority=priority)
        self.totals = {asset: total for asset, (_, total) in balances.items()}
        self.free = {asset: free for asset, (free, _) in balances.items()}
        swaps = [s for s, r in rules.items() if not r.spot]
        if swaps:
            self.positions = await broker.fetch_positions(swaps, priority=priority)

    def balances(self) -> BalancesView | None:
        """The last read for the balances view (locked is what is not free); None before the first."""
        if not self.read_ts_ns:
            return None
        external = self.external or {}
        return BalancesView(self.read_ts_ns, tuple(
            AssetBalance(asset, self.free.get(asset, 0.0), total - self.free.get(asset, 0.0), total,
                         external.get(asset, 0.0))
            for asset, total in sorted(self.totals.items())))

    def held(self, symbol: str, rules: MarketRules) -> float:
        """What the exchange shows of ``symbol``: the base balance on spot, the position on a swap."""
        if rules.spot:
            return self.totals.get(rules.base, 0.0)
        return self.positions.get(symbol, ExchangePosition(0.0)).qty

    async def sync(self, core: TradingCore, broker: ExchangeBroker, *, judge: bool = True) -> list[str]:
        """Read balances (and swap positions), move the engine's equity onto the account's,
        check the engine's positions against them; returns the mismatches (already journaled
        and held). A read in place of a failed balance stream does not ``judge``: it comes at
        any moment, often while the fills the stream lost are still being fetched."""
        await self.read(broker, core.rules)
        self._revalue(core)
        self.read_ts_ns = core.clock.now_ns()
        tracked = {s: r for s, r in core.rules.items() if r.base or not r.spot}
        positions = {s: {"qty": p.qty, "entry": p.entry_price} for s, p in self.positions.items()}
        if self.external is None:
            self.external = {holding_key(s, r): self.held(s, r) - core.portfolio.position(s).qty
                             for s, r in tracked.items()}
            core.wal.write(AccountRead(totals=self.totals, external=self.external, equity=self.equity,
                                       positions=positions or ABSENT))
            self._hold_unexplained(core, tracked)
            self._agreed_ms = dict.fromkeys(tracked, core.clock.now_ns() // 1_000_000)
            return []
        self._external_moved = self._clear_explained(core, tracked) if judge else False
        mismatches = await self._mismatches(core, broker, tracked) if judge else []
        core.wal.write(AccountRead(totals=self.totals, external=self.external if self._external_moved else ABSENT,
                                   equity=self.equity, positions=positions or ABSENT,
                                   mismatches=mismatches or ABSENT))
        if mismatches:
            core.risk.hold(MISMATCH_HOLD, ReasonCode.ACCOUNT_MISMATCH, "; ".join(mismatches))
        elif judge:
            core.risk.release(MISMATCH_HOLD, "balances agree with the positions again")
        return mismatches

    def follow(self, core: TradingCore, balances: Mapping[str, tuple[float, float]]) -> None:
        """A balance update from the stream (``{asset: (free, total)}``): the account moves with
        it until the next REST read."""
        for asset, (free, total) in balances.items():
            self.free[asset] = free
            self.totals[asset] = total
        self.read_ts_ns = core.clock.now_ns()
        self._revalue(core)

    def follow_positions(self, core: TradingCore, positions: Mapping[str, ExchangePosition]) -> None:
        """A swap position update from the stream: the account's positions move with it until
        the next REST read (which alone judges them, like balances)."""
        self.positions.update({s: p for s, p in positions.items() if s in core.rules and not core.rules[s].spot})

    def _revalue(self, core: TradingCore) -> None:
        """Equity from the balances at the books' mids; the engine's equity moves onto it (the
        first time as its base, later apart from the PnL the risk guard judges)."""
        mids = {s: b.mid for s, b in core.books.items() if b is not None and b.mid is not None}
        if len(mids) == len(core.rules):
            self.equity = account_equity(self.totals, core.rules, mids)
            if not self.rebase:
                return
            core.follow_account(self.equity, first=not self._based)
            self._based = True

    def _hold_unexplained(self, core: TradingCore, tracked: Mapping[str, MarketRules]) -> None:
        """A swap position the engine cannot explain at the first read: said, journaled, held."""
        assert self.external is not None
        found = [f"{symbol}: the exchange shows a position of {self.held(symbol, r):g}, the engine's journal "
                 f"{core.portfolio.position(symbol).qty:g}; {self.external[symbol]:g} unexplained"
                 for symbol, r in tracked.items() if not r.spot and abs(self.external[symbol]) >= r.lot_size]
        if not found:
            return
        core.wal.write(Reconciled(differences=found))
        core.risk.hold(UNEXPLAINED_HOLD, ReasonCode.ACCOUNT_MISMATCH,
                  "; ".join(found) + ": never traded by the engine; close it on the exchange to trade again")

    def _clear_explained(self, core: TradingCore, tracked: Mapping[str, MarketRules]) -> bool:
        """An unexplained swap position that is gone (the exchange shows the engine's position):
        nothing is held outside the engine there any more. True when one went."""
        assert self.external is not None
        cleared = False
        for symbol, r in tracked.items():
            if r.spot or abs(self.external.get(symbol, 0.0)) < r.lot_size:
                continue
            if abs(self.held(symbol, r) - core.portfolio.position(symbol).qty) < r.lot_size:
                self.external[symbol] = 0.0
                cleared = True
        if not any(abs(self.external.get(s, 0.0)) >= r.lot_size for s, r in tracked.items() if not r.spot):
            core.risk.release(UNEXPLAINED_HOLD, "the exchange's swap positions are the engine's again")
        return cleared

    async def _mismatches(self, core: TradingCore, broker: ExchangeBroker,
                          tracked: Mapping[str, MarketRules]) -> list[str]:
        assert self.external is not None
        found = []
        now_ms = core.clock.now_ns() // 1_000_000
        for symbol, r in tracked.items():
            outside = self.external.get(holding_key(symbol, r), 0.0)
            engine = core.portfolio.position(symbol).qty
            held = self.held(symbol, r)
            if abs(held - outside - engine) < r.lot_size:
                self._suspect.pop(symbol, None)
                self._agreed_ms[symbol] = now_ms
                continue
            self._suspect[symbol] = self._suspect.get(symbol, 0) + 1
            if self._suspect[symbol] < MISMATCH_READS:
                continue
            if r.spot and await self._transferred(core, broker, symbol, r, held - outside - engine):
                self._agreed_ms[symbol] = now_ms
                continue
            shown = f"{r.base} balance {held:g}" if r.spot else f"{symbol} position on the exchange {held:g}"
            found.append(f"{shown} but the engine's {symbol} position {engine:g} plus {outside:g} "
                         f"held outside it make {outside + engine:g}")
        return found

    async def _transferred(self, core: TradingCore, broker: ExchangeBroker, symbol: str, rules: MarketRules,
                           moved: float) -> bool:
        """A spot balance that moved with no execution on the account since it last agreed
        (nobody's, and none of ours still on its way) was a deposit, a withdrawal or a transfer:
        what is held outside the engine follows it. True when it did."""
        since_ms = self._agreed_ms.get(symbol, 0) - TRANSFER_MARGIN_MS
        if await broker.trades_not_booked(symbol, since_ms):
            return False
        assert self.external is not None
        key = holding_key(symbol, rules)
        self.external[key] = self.external.get(key, 0.0) + moved
        self._suspect.pop(symbol, None)
        self._external_moved = True
        core.add_notice("account", f"{rules.base} {moved:+g} moved with no trade on {symbol} (a deposit, withdrawal "
                                   f"or transfer): held outside the engine now {self.external[key]:g}")
        return True

    def flat_on_exchange(self, symbol: str, rules: MarketRules) -> bool:
        """The exchange shows no more of ``symbol`` than was held outside the engine (a swap:
        no position at all, an unexplained one included)."""
        if (rules.spot and not rules.base) or self.external is None:
            return True
        outside = self.external.get(holding_key(symbol, rules), 0.0) if rules.spot else 0.0
        return abs(self.held(symbol, rules) - outside) < rules.lot_size
