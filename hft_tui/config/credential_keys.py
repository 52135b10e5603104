"""Spotting credentials where they must never be: config files and command-line overrides."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hft_tui.redaction import has_url_userinfo

# Keys are compared lower-cased with "_", "-" and "." removed, so apiKey, api_key, API-KEY and
# X-MBX-APIKEY all normalise onto these.
_CONTAINS = ("apikey", "secret", "password", "passphrase", "privatekey", "mnemonic", "accesskey")
_EXACT = frozenset(
    {
        "key",
        "uid",
        "login",
        "twofa",
        "token",
        "accesstoken",
        "apitoken",
        "authtoken",
        "refreshtoken",
        "jwt",
        "authorization",
        "walletaddress",
        "credentials",
    }
)

# Normalised key -> the credentials.py field whose environment variable replaces it.
_FIELD_FOR = {
    "uid": "uid",
    "walletaddress": "wallet_address",
    "privatekey": "private_key",
}


def _normalise(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "").replace(".", "")


def is_credential_key(key: str) -> bool:
    """True when ``key`` names a credential (api key, secret, password, passphrase, token, uid ...)."""
    norm = _normalise(key)
    return norm in _EXACT or any(part in norm for part in _CONTAINS)


def credential_field_for(key: str) -> str | None:
    """The ``ExchangeCredentials`` field a credential-like ``key`` corresponds to, if clear."""
    norm = _normalise(key)
    if norm in _FIELD_FOR:
        return _FIELD_FOR[norm]
    if "apikey" in norm or "accesskey" in norm or norm == "key":
        return "api_key"
    if "secret" in norm:
        return "secret"
    if "password" in norm or "passphrase" in norm:
        return "password"
    return None


def find_credential_keys(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Yield the path of every credential: a credential-like key, or a string holding a URL
    with a user or password in it, in nested mappings (and lists of them)."""
    for key, value in data.items():
        path = (*prefix, str(key))
        if is_credential_key(str(key)):
            yield path
            continue
        yield from _find_in_value(value, path)


def _find_in_value(value: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    if isinstance(value, Mapping):
        yield from find_credential_keys(value, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _find_in_value(item, (*path, str(index)))
    elif isinstance(value, str) and has_url_userinfo(value):
        yield path
