"""Building a configured ccxt exchange instance: the one place ccxt is imported from.

ccxt takes about a second to import, so it is imported here, lazily, and only when a
ccxt source or broker is actually built: the simulator never pays for it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, Protocol


class CcxtCredentials(Protocol):
    """What the ccxt code needs from ``hft_tui.config.credentials.ExchangeCredentials``."""

    def as_ccxt_params(self) -> dict[str, str]: ...


def ccxt_errors() -> Any:
    """The ``ccxt`` module, for its exception classes (imported on first use)."""
    import ccxt

    return ccxt


def create_exchange(
    exchange_id: str,
    *,
    market_type: str = "spot",
    sandbox: bool = False,
    ccxt_config: Mapping[str, Any] | None = None,
    credentials: CcxtCredentials | None = None,
    streaming: bool = True,
) -> Any:
    """A ccxt exchange: the ``ccxt.pro`` class when ``streaming`` and one exists, else the
    REST-only ``ccxt.async_support`` class.

    ``ccxt_config`` goes to the constructor verbatim (deep-merged by ccxt over its
    defaults, so ``urls``/``options``/``has`` can be overridden); ``options.defaultType``
    defaults to ``market_type``. Credentials are merged last and never echoed anywhere.
    """
    import ccxt.async_support as ccxt_async
    import ccxt.pro as ccxt_pro

    config: dict[str, Any] = copy.deepcopy(dict(ccxt_config or {}))
    options = config.setdefault("options", {})
    options.setdefault("defaultType", market_type)
    if credentials is not None:
        config.update(credentials.as_ccxt_params())
    cls = getattr(ccxt_pro, exchange_id, None) if streaming else None
    if cls is None:
        cls = getattr(ccxt_async, exchange_id, None)
    if cls is None:
        raise ValueError(f"ccxt has no exchange {exchange_id!r}")
    exchange = cls(config)
    if sandbox:
        exchange.set_sandbox_mode(True)
    return exchange


def guard_message_handler(exchange: Any, on_error: Callable[[Any, Exception], None]) -> None:
    """Make a websocket message that ccxt cannot parse a reported error, not a dead socket.

    ccxt dispatches each frame from a bare event-loop callback; an exception in its parser
    there ends that connection's receive loop without a word, and every stream on it hangs
    (the "silent hang" users report). Wrapped, the exception goes to ``on_error`` with the
    offending message and the loop keeps reading. Call before the first ``watch_*``.
    """
    handle = exchange.handle_message

    def guarded(client: Any, message: Any) -> Any:
        try:
            return handle(client, message)
        except Exception as exc:  # noqa: BLE001 - any parser failure; the frame is dropped
            on_error(message, exc)
            return None

    exchange.handle_message = guarded


def market_symbol_in(exchange: Any, message: Any) -> str:
    """The unified symbol a raw websocket message is about, if one of its top-level (or
    ``data``/``arg``) string fields is a market id the exchange knows; else ``""``."""
    by_id = getattr(exchange, "markets_by_id", None) or {}
    candidates: list[Any] = [message]
    if isinstance(message, dict):
        candidates += [message.get("data"), message.get("arg")]
    for candidate in candidates:
        if isinstance(candidate, list) and candidate:
            candidate = candidate[0]
        if not isinstance(candidate, dict):
            continue
        for value in candidate.values():
            if isinstance(value, str) and value in by_id:
                markets = by_id[value]
                return str(markets[0]["symbol"] if isinstance(markets, list) else markets["symbol"])
    return ""
