"""The one redaction every string passes before it leaves the process.

WAL records, log lines, notices, the screen, recordings and stderr all go through
``redact`` (free text) or ``redact_bytes`` (an encoded WAL line). It blanks:

- the configured credential values themselves, wherever they appear (registered by
  ``hft_tui.config.credentials`` as they are read from the environment);
- the user and password part of URLs (``https://user:pass@host``);
- the value after a credential-looking name (``X-MBX-APIKEY: ...``, ``"secret": "..."``,
  ``signature=...``, ``Authorization: Bearer ...``), which is how exchanges echo keys in errors.

This module imports nothing from the project, so every layer may use it.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import Any, Final

import orjson

REDACTED: Final = "***"

# Shorter values cannot be blanked without blanking ordinary text with them (a one-letter
# test password would erase every "p"); no exchange issues keys that short.
MIN_SECRET_LEN: Final = 6

_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)[^/\s@\"'<>]+@", re.IGNORECASE)
_NAMED_VALUE = re.compile(
    r"(?P<name>[\w.-]*(?:api[_-]?key|secret|password|passphrase|signature|token|authorization"
    r"|private[_-]?key|access[_-]?key|mnemonic)[\w.-]*)"
    r"(?P<sep>[\"']?\s*[:=]\s*[\"']?)"
    r"(?P<scheme>(?:bearer|basic)\s+)?"
    r"(?P<value>[^\s\"'&,;{}\[\]]+)",
    re.IGNORECASE,
)

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()
_secret_bytes: tuple[tuple[bytes, bytes], ...] = ()


def register_secrets(values: Iterable[str | None]) -> None:
    """Blank these values everywhere from now on (values under ``MIN_SECRET_LEN`` are ignored)."""
    global _secrets, _secret_bytes
    fresh = {v for v in values if isinstance(v, str) and len(v) >= MIN_SECRET_LEN}
    with _lock:
        # Longest first, so a secret that contains another is blanked whole.
        known = sorted(set(_secrets) | fresh, key=len, reverse=True)
        _secrets = tuple(known)
        pairs: list[tuple[bytes, bytes]] = []
        for value in known:
            for form in {value.encode(), orjson.dumps(value)[1:-1]}:
                pairs.append((form, REDACTED.encode()))
        _secret_bytes = tuple(pairs)


def redact(text: str) -> str:
    """``text`` with every credential blanked (see the module docstring for what counts)."""
    for value in _secrets:
        if value in text:
            text = text.replace(value, REDACTED)
    if "://" in text:
        text = _URL_USERINFO.sub(rf"\g<scheme>{REDACTED}@", text)
    return _NAMED_VALUE.sub(_blank_value, text)


def has_url_userinfo(text: str) -> bool:
    """True when ``text`` holds a URL with a user name or password (``scheme://user:pass@host``)."""
    return "://" in text and _URL_USERINFO.search(text) is not None


def redact_bytes(data: bytes) -> bytes:
    """An encoded line with the registered credential values blanked; cheap when none occur.

    Only the values: the line is structured (a WAL record) and its free-text fields were
    redacted as they were written; this is the guarantee that a key never lands on disk.
    """
    for form, blank in _secret_bytes:
        if form in data:
            data = data.replace(form, blank)
    return data


def redact_payload(value: Any) -> Any:
    """A JSON-like value (dicts, lists, strings) with every string redacted; other values as is."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_payload(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_payload(item) for item in value]
    return value


def install_redaction() -> None:
    """Redact what the process writes on its own: every log record (message, arguments and
    traceback, asyncio's "exception was never retrieved" included) as it is made, and the
    traceback of an exception nobody caught."""
    if getattr(sys.excepthook, "redacts", False):
        return

    def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        sys.stderr.write(redact("".join(traceback.format_exception(kind, exc, tb))))

    excepthook.redacts = True  # type: ignore[attr-defined]
    sys.excepthook = excepthook
    make_record = logging.getLogRecordFactory()

    def redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
            record.exc_info = None
        return record

    logging.setLogRecordFactory(redacted_record)


def describe_error(exc: BaseException, limit: int = 300) -> str:
    """``Type: message`` of an exception, redacted and cut to ``limit`` characters."""
    text = str(exc)
    described = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return _cut(redact(described), limit)


def traceback_text(exc: BaseException, limit: int = 4000) -> str:
    """The traceback of ``exc`` (innermost frames kept when it is long), redacted."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()
    if len(text) > limit:
        text = "…" + text[-(limit - 1):]
    return redact(text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _blank_value(match: re.Match[str]) -> str:
    return f"{match['name']}{match['sep']}{match['scheme'] or ''}{REDACTED}"
