import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from sim_driver import engine  # noqa: E402,F401 - the fixture
