"""A DataTable that shows as many of its columns as fit, most important first.

Columns are declared in order of importance with the width they usually need; on every
resize the table keeps the longest prefix that fits, so a narrow pane drops whole columns
instead of growing a horizontal scrollbar or cutting a column in half.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.widgets import DataTable

from hft_tui.tui.panes.table_rows import Row, replace_rows

CELL_PADDING = 1


def columns_that_fit(widths: Sequence[int], available: int, minimum: int = 1) -> int:
    """How many leading columns of ``widths`` fit in ``available`` cells (at least ``minimum``)."""
    used, count = 0, 0
    for width in widths:
        used += width + 2 * CELL_PADDING
        if used > available:
            break
        count += 1
    return max(min(minimum, len(widths)), count)


class FittedTable(DataTable):
    """``columns``: (label, usual width) pairs, most important first."""

    DEFAULT_CSS = """
    FittedTable { overflow-x: hidden; }
    """

    def __init__(self, columns: Sequence[tuple[str, int]], *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", cell_padding=CELL_PADDING)
        self._all_columns = tuple(columns)
        self._shown_count = 0
        self._rows: Sequence[Row] = ()

    @property
    def shown_columns(self) -> tuple[str, ...]:
        return tuple(label for label, _ in self._all_columns[: self._shown_count])

    def on_mount(self) -> None:
        self._fit_columns()

    def on_resize(self, event: events.Resize) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        available = self.scrollable_content_region.width or self.size.width
        # A hidden table (compact layout) still holds its rows, so selection works on it.
        count = (columns_that_fit([w for _, w in self._all_columns], available - 1, minimum=2)
                 if available > 0 else len(self._all_columns))
        if count == self._shown_count:
            return
        self._shown_count = count
        self.clear(columns=True)
        self.add_columns(*self.shown_columns)
        replace_rows(self, self._cut(self._rows))

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Show ``rows`` (each with a cell for every declared column); keeps the cursor's row."""
        self._rows = rows
        if self._shown_count:
            replace_rows(self, self._cut(rows))

    def _cut(self, rows: Sequence[Row]) -> list[Row]:
        return [(key, list(cells)[: self._shown_count]) for key, cells in rows]
