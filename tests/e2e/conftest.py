import sys
from pathlib import Path

# The e2e tests drive the loopback exchange that lives beside the ccxt tests.
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ccxt"))
