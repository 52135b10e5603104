"""Panes that repaint only the rows that changed.

Over SSH every byte counts: a 10 Hz book or a 4 Hz health pane changes a few rows per
update, and Textual repaints only the regions it is told are dirty. A pane builds its whole
text in ``compose_rows``; ``update_rows`` compares it row by row with what is on screen.
"""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Region
from textual.widget import Widget


class RowDiffPane(Widget):
    """Base for panes drawn as rows of text; subclasses implement ``compose_rows``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[Text] = []
        self._rows_size = (0, 0)  # the content size the rows were composed for

    def compose_rows(self) -> Text:
        """The pane's whole text for its current content size."""
        raise NotImplementedError

    def _rows_for_current_size(self) -> list[Text]:
        self._rows_size = tuple(self.content_size)
        return self.compose_rows().split("\n")

    def update_rows(self) -> None:
        """Recompose and repaint the rows that differ from those on screen."""
        size_changed = tuple(self.content_size) != self._rows_size
        rows = self._rows_for_current_size()
        previous, self._rows = self._rows, rows
        if size_changed or len(rows) != len(previous):
            self.refresh()
            return
        width = self.content_size.width
        for y, (row, old) in enumerate(zip(rows, previous)):
            if row != old:
                self.refresh(Region(0, y, width, 1))

    def redraw(self) -> None:
        self._rows = []
        self.refresh()

    def on_resize(self) -> None:
        self._rows = []

    def render(self) -> Text:
        if not self._rows or tuple(self.content_size) != self._rows_size:
            self._rows = self._rows_for_current_size()
        return Text("\n").join(self._rows)
