"""How an exchange lists the account's executions (ccxt ``fetch_my_trades``), page by page.

Exchanges differ in three ways that decide whether a sweep sees every fill: the parameter that
filters one order's executions, how many executions one answer holds, and how the next page
is asked for.

- Binance answers oldest first from ``startTime`` (``since``), at most ``limit`` (default 500,
  up to 1000), filters by ``orderId``, and pages on with ``fromId`` (the next trade id; with it
  ``startTime`` is dropped, as its API requires).
- OKX (``trade/fills-history``) answers newest first, at most 100 whatever ``begin`` says,
  filters by ``ordId``, and pages back in time with ``after`` = the oldest row's ``billId``.
- Any other exchange: oldest first from ``since``, paged on by the newest timestamp seen until
  it stops moving (executions of that millisecond come again and are booked once by trade id).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Cursor = Literal["since", "from_id", "after_bill"]


@dataclass(frozen=True, slots=True)
class PageRequest:
    """The arguments of one ``fetch_my_trades(symbol, since, limit, params)`` call."""

    since: int | None
    limit: int | None
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TradeListing:
    """One exchange's rules for listing executions (see the module docstring)."""

    order_param: str | None = None  # the native parameter that filters one order's executions
    page_size: int = 100  # the most executions one answer holds
    cursor: Cursor = "since"

    def first(self, since_ms: int | None, order_id: str | None = None) -> PageRequest:
        """The first page: the executions since ``since_ms``, or ``order_id``'s where the exchange
        filters by order (then ``since_ms`` is not sent)."""
        params: dict[str, Any] = {}
        if order_id is not None and self.order_param is not None:
            params[self.order_param] = order_id
            since_ms = None
        return PageRequest(since_ms, self.page_size, params)

    def next(self, request: PageRequest, page: Sequence[Mapping[str, Any]]) -> PageRequest | None:
        """The page after ``page`` (the answer to ``request``), or None when it was the last."""
        if not page:
            return None
        if self.cursor == "since":
            newest = max(int(t.get("timestamp") or 0) for t in page)
            if request.since is not None and newest <= request.since:
                return None
            return PageRequest(newest, request.limit, request.params)
        if len(page) < self.page_size:
            return None
        if self.cursor == "from_id":
            newest = max(int(t["id"]) for t in page)
            return PageRequest(None, request.limit, {**request.params, "fromId": newest + 1})
        oldest = min(int((t.get("info") or {})["billId"]) for t in page)
        return PageRequest(request.since, request.limit, {**request.params, "after": str(oldest)})


_BINANCE = TradeListing(order_param="orderId", page_size=500, cursor="from_id")
_LISTINGS = {
    "binance": _BINANCE,
    "binanceusdm": _BINANCE,
    "binancecoinm": _BINANCE,
    "okx": TradeListing(order_param="ordId", page_size=100, cursor="after_bill"),
}


def trade_listing(exchange_id: str) -> TradeListing:
    """How ``exchange_id`` lists executions; the cautious default for exchanges not described here."""
    return _LISTINGS.get(exchange_id, TradeListing())
