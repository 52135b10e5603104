"""Launch the workstation: the engine on its thread, the Textual app in front.

If the UI crashes, Textual restores the terminal; we still stop the engine gracefully and
say where the WAL is.
"""

from __future__ import annotations

import sys

from hft_tui.config.settings import Settings
from hft_tui.session.engine import Engine
from hft_tui.tui.app import HftApp
from hft_tui.tui.engine_link import EngineLink


def run_app(engine: Engine, settings: Settings) -> int:
    link = EngineLink(engine)
    app = HftApp.from_ui_settings(link, settings.ui)
    try:
        app.run()
    finally:
        link.stop("ui exit")
        print(f"hft-tui: WAL in {engine.wal.directory} (last seq {engine.wal.last_seq})",
              file=sys.stderr)
    if app.return_code:
        return app.return_code
    return 0
