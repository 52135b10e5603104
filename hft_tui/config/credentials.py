"""Exchange credentials, read from the environment only, never printed.

For exchange ``binance`` the variables are ``HFT_TUI_BINANCE_API_KEY``, ``HFT_TUI_BINANCE_SECRET``
and ``HFT_TUI_BINANCE_PASSWORD`` (the passphrase some exchanges require), plus ``_UID``,
``_WALLET_ADDRESS`` and ``_PRIVATE_KEY`` for the few exchanges that sign with those.
Which of them an exchange needs is ccxt's business (``check_required_credentials``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Final

from hft_tui.redaction import REDACTED, register_secrets

# Our field name -> (environment variable suffix, ccxt constructor key).
CREDENTIAL_FIELDS: Final[dict[str, tuple[str, str]]] = {
    "api_key": ("API_KEY", "apiKey"),
    "secret": ("SECRET", "secret"),
    "password": ("PASSWORD", "password"),
    "uid": ("UID", "uid"),
    "wallet_address": ("WALLET_ADDRESS", "walletAddress"),
    "private_key": ("PRIVATE_KEY", "privateKey"),
}


def credential_env_var(exchange_id: str, field_name: str) -> str:
    """The environment variable holding ``field_name`` (e.g. ``api_key``) for ``exchange_id``."""
    prefix = re.sub(r"[^A-Z0-9]", "_", exchange_id.upper())
    return f"HFT_TUI_{prefix}_{CREDENTIAL_FIELDS[field_name][0]}"


@dataclass(frozen=True, slots=True, repr=False)
class ExchangeCredentials:
    """Credentials for one exchange; repr and str show which are set, never their values."""

    exchange_id: str
    api_key: str | None = None
    secret: str | None = None
    password: str | None = None
    uid: str | None = None
    wallet_address: str | None = None
    private_key: str | None = None

    def __post_init__(self) -> None:
        # From here on the one redaction blanks these values wherever they would be written.
        register_secrets(getattr(self, name) for name in CREDENTIAL_FIELDS)

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={REDACTED!r}" for f in fields(self) if f.name != "exchange_id" and getattr(self, f.name)
        )
        return f"ExchangeCredentials(exchange_id={self.exchange_id!r}{', ' if shown else ''}{shown})"

    __str__ = __repr__

    def as_ccxt_params(self) -> dict[str, str]:
        """Constructor params for ccxt (``apiKey``, ``secret``, ``password`` ...), only those that are set."""
        params: dict[str, str] = {}
        for name, (_, ccxt_key) in CREDENTIAL_FIELDS.items():
            value = getattr(self, name)
            if value:
                params[ccxt_key] = value
        return params


def credentials_from_env(
    exchange_id: str, environ: Mapping[str, str] = os.environ
) -> ExchangeCredentials | None:
    """Read ``HFT_TUI_<EXCHANGE>_*`` from ``environ``; None when none of them is set (empty counts as unset)."""
    found: dict[str, str] = {}
    for name in CREDENTIAL_FIELDS:
        # Stripped: a value pasted with ``$(cat keyfile)`` keeps its trailing newline.
        value = environ.get(credential_env_var(exchange_id, name), "").strip()
        if value:
            found[name] = value
    if not found:
        return None
    return ExchangeCredentials(exchange_id=exchange_id, **found)
