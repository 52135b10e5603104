"""The CLI run as a user runs it: a separate process (``python -m hft_tui``), or ``main`` in
this one where a loopback exchange must run beside it."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
