"""What every pane offers the app: take a snapshot, redraw only if its part changed."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from hft_tui.session.engine_snapshot import EngineSnapshot


@runtime_checkable
class SnapshotPane(Protocol):
    """A pane fed by the app's refresh timers."""

    def show(self, snapshot: EngineSnapshot, symbol: str) -> None:
        """Take ``snapshot`` (``symbol`` is the selected one); redraw only when its part changed."""

    def redraw(self) -> None:
        """Forget what was drawn and draw again on the next ``show`` (theme change, resize)."""
