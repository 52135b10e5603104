"""Building a configured ccxt exchange instance: the one place ccxt is imported from.

ccxt takes about a second to import, so it is imported here, lazily, and only when a
ccxt source or broker is actually built: the simulator never pays for it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from hft_tui.redaction import redact


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
    defaults to ``market_type``. Credentials are merged last and never echoed anywhere:
    ccxt's own printing (``verbose``, REST and websocket alike) goes through the redaction.
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
    # Websocket clients take the exchange's ``log`` when they are made, so this covers them.
    exchange.log = _redacted_log
    if sandbox:
        exchange.set_sandbox_mode(True)
    return exchange


def _redacted_log(*parts: Any) -> None:
    print(redact(" ".join(str(part) for part in parts)))


def is_auth_failure(exc: BaseException) -> bool:
    """True when the exchange refused the credentials (bad, revoked or unpermitted key)."""
    ccxt = ccxt_errors()
    return isinstance(exc, ccxt.AuthenticationError | ccxt.PermissionDenied | ccxt.AccountSuspended)


def fail_streams_when_terminated(exchange: Any) -> None:
    """Make an ended user-data subscription fail its streams instead of leaving them silent.

    On ``eventStreamTerminated`` ccxt's binance forgets the subscription and rejects a future
    nobody awaits: ``watch_orders`` and the others then wait forever on a stream the exchange
    no longer feeds. Failing every future of that connection makes each watcher raise, so
    its caller subscribes again and checks by REST what it missed.
    """
    handle = getattr(exchange, "handle_event_stream_terminated", None)
    if handle is None:
        return
    ccxt = ccxt_errors()

    def terminated(client: Any, message: Any) -> None:
        handle(client, message)
        client.reject(ccxt.NetworkError(f"{exchange.id} user data stream terminated by the exchange"))

    exchange.handle_event_stream_terminated = terminated


def guard_message_handler(exchange: Any, on_error: Callable[[Any, Exception], None], *,
                          drop_on_handler_error: bool = False) -> None:
    """Make a websocket frame that ccxt cannot read a reported error, not a dead socket.

    ccxt dispatches each frame from a bare event-loop callback; an exception there ends
    that connection's receive loop without a word, and every stream on it hangs (the
    "silent hang" users report). Two layers are guarded. A frame that decodes but that the
    exchange's handler cannot read goes to ``on_error`` and the loop keeps reading. A frame
    that is not even JSON (truncated, corrupted) goes to ``on_error`` too, and its
    connection is torn down: whatever was lost with it, every stream on that connection
    gets a ``NetworkError`` and resubscribes from a fresh snapshot. With
    ``drop_on_handler_error`` a frame the handler cannot read tears its connection down as
    well (the user-data stream: ccxt's account state may have gone wrong with it, and the
    broker checks by REST what the frame carried). Call before the first ``watch_*``.
    """
    handle = exchange.handle_message

    def guarded(client: Any, message: Any) -> Any:
        try:
            return handle(client, message)
        except Exception as exc:  # noqa: BLE001 - any parser failure; the frame is dropped
            on_error(message, exc)
            if drop_on_handler_error:
                drop_connection(client, f"frame not handled ({type(exc).__name__}); resubscribing")
            return None

    exchange.handle_message = guarded
    make_client = exchange.client

    def client(url: str) -> Any:
        ws = make_client(url)
        if not getattr(ws, "_hft_frames_guarded", False):
            _guard_frames(ws, on_error)
        return ws

    exchange.client = client


def _guard_frames(ws: Any, on_error: Callable[[Any, Exception], None]) -> None:
    decode = ws.handle_text_or_binary_message

    def guarded(data: Any) -> Any:
        try:
            return decode(data)
        except Exception as exc:  # noqa: BLE001 - the frame could not be decoded at all
            on_error(data, exc)
            drop_connection(ws, f"unparseable frame ({type(exc).__name__}); resubscribing")
            return None

    ws.handle_text_or_binary_message = guarded
    ws._hft_frames_guarded = True


def drop_connection(ws: Any, reason: str) -> None:
    """Tear one ccxt websocket client down as a lost connection would: every future on it
    fails with ``NetworkError(reason)``, the exchange forgets the client, and the next
    ``watch_*`` dials a new connection and subscribes again."""
    if ws.error is None:
        ws.on_error(ccxt_errors().NetworkError(reason))


def clients_streaming(exchange: Any, symbol: str) -> list[Any]:
    """The exchange's websocket clients with a subscription or a waiter about ``symbol``."""
    clients = getattr(exchange, "clients", None) or {}
    needles = {symbol}
    market_id = (getattr(exchange, "markets", None) or {}).get(symbol, {}).get("id")
    if isinstance(market_id, str):
        needles |= {market_id, market_id.lower()}
    return [
        ws for ws in list(clients.values())
        if any(isinstance(key, str) and any(n in key for n in needles)
               for key in (*ws.subscriptions, *ws.futures))
    ]


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
