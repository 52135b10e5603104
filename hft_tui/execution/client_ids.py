"""Client order ids that never collide on an exchange account.

Every id the live engine sends starts with a random per-install nonce (kept in the state
dir, created 0600), then the session and the order's number: ``k3f9x2qa`` + ``s2o17``.
Another state dir, another machine or a restart never reuses an id; a retry of one intent
sends the same id. Lower-case letters and digits only: within every exchange's rules
(OKX allows 32 alphanumerics; Binance 36 of a wider set).
"""

from __future__ import annotations

import os
import re
import secrets
import string
from pathlib import Path

NONCE_FILE = "client-id-nonce"
NONCE_LENGTH = 8
_NONCE = re.compile(rf"[a-z0-9]{{{NONCE_LENGTH}}}")
_ALPHABET = string.ascii_lowercase + string.digits


def install_nonce(state_dir: Path) -> str:
    """This install's nonce: read from ``state_dir``, or drawn and stored (0600) on first use."""
    path = state_dir / NONCE_FILE
    if path.exists():
        nonce = path.read_text(encoding="ascii").strip()
        if _NONCE.fullmatch(nonce):
            return nonce
        raise ValueError(f"{path} is damaged ({nonce[:20]!r}); delete it to draw a new client id nonce")
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    # A letter first, so an id never looks like a number to an exchange's parser.
    nonce = secrets.choice(string.ascii_lowercase) + "".join(
        secrets.choice(_ALPHABET) for _ in range(NONCE_LENGTH - 1))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(nonce + "\n")
    return nonce
