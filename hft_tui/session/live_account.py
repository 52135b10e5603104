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
a mismatch: journaled, shown, and the engine is held REDUCING until a read agrees again.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hft_tui.config.settings import ExchangeSettings
from hft_tui.execution.broker import ExchangeBroker
from hft_tui.execution.exchange_calls import ExchangeCalls
from hft_tui.market.ccxt_exchange import CcxtCredentials, create_exchange
from hft_tui.model import MarketRules, ReasonCode
from hft_tui.redaction import describe_error
from hft_tui.trading.core import TradingCore

MISMATCH_HOLD = "account"
# A mismatch must be seen on this many reads in a row (a fill in flight explains one).
MISMATCH_READS = 2


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


@dataclass
class LiveAccount:
    """The last account read, the holdings outside the engine, and open mismatches."""

    totals: dict[str, float] = field(default_factory=dict)
    free: dict[str, float] = field(default_factory=dict)
    equity: float | None = None
    external: dict[str, float] | None = None
    # False when the engine had to start from risk.initial_equity: its equity is then not re-based.
    rebase: bool = True
    _suspect: dict[str, int] = field(default_factory=dict)

    def external_text(self, rules: Mapping[str, MarketRules]) -> str:
        """What the account holds that the engine did not acquire (shown, never flattened)."""
        if not self.external:
            return ""
        held = [f"{asset} {qty:g}" for asset, qty in sorted(self.external.items()) if abs(qty) > 0]
        return ("held outside the engine, never flattened: " + ", ".join(held)) if held else ""

    async def sync(self, core: TradingCore, broker: ExchangeBroker) -> list[str]:
        """Read balances, move the engine's equity onto the account's, check positions
        against balances; returns the mismatches (already journaled and held)."""
        balances = await broker.fetch_balance()
        self.totals = {asset: total for asset, (_, total) in balances.items()}
        self.free = {asset: free for asset, (free, _) in balances.items()}
        mids = {s: b.mid for s, b in core.books.items() if b is not None and b.mid is not None}
        spot = {s: r for s, r in core.rules.items() if r.spot and r.base}
        if len(mids) == len(core.rules):
            self.equity = account_equity(self.totals, core.rules, mids)
            if self.rebase:
                core.portfolio.rebase(self.equity)
        if self.external is None:
            self.external = {r.base: self.totals.get(r.base, 0.0) - core.portfolio.position(s).qty
                             for s, r in spot.items()}
            core.wal.append("account", {"totals": self.totals, "external": self.external, "equity": self.equity})
            return []
        mismatches = self._mismatches(core, spot)
        core.wal.append("account", {"totals": self.totals, "equity": self.equity,
                                    **({"mismatches": mismatches} if mismatches else {})})
        if mismatches:
            core.hold(MISMATCH_HOLD, ReasonCode.ACCOUNT_MISMATCH, "; ".join(mismatches))
        else:
            core.release(MISMATCH_HOLD, "balances agree with the positions again")
        return mismatches

    def _mismatches(self, core: TradingCore, spot: Mapping[str, MarketRules]) -> list[str]:
        assert self.external is not None
        found = []
        for symbol, r in spot.items():
            expected = self.external.get(r.base, 0.0) + core.portfolio.position(symbol).qty
            held = self.totals.get(r.base, 0.0)
            if abs(held - expected) < r.lot_size:
                self._suspect.pop(symbol, None)
                continue
            self._suspect[symbol] = self._suspect.get(symbol, 0) + 1
            if self._suspect[symbol] >= MISMATCH_READS:
                found.append(f"{r.base} balance {held:g} but the engine's {symbol} position "
                             f"{core.portfolio.position(symbol).qty:g} plus {self.external.get(r.base, 0.0):g} "
                             f"held outside it make {expected:g}")
        return found

    def flat_on_exchange(self, symbol: str, rules: MarketRules) -> bool:
        """The account holds no more of ``symbol``'s base than it held outside the engine."""
        if not rules.spot or not rules.base or self.external is None:
            return True
        return abs(self.totals.get(rules.base, 0.0) - self.external.get(rules.base, 0.0)) < rules.lot_size

