"""Replace a DataTable's rows without losing the operator's place in it."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

Cell = str | Text
Row = tuple[str, Sequence[Cell]]


def selected_key(table: DataTable) -> str | None:
    """The key of the row under the cursor, or None when the table is empty."""
    if not table.row_count or not 0 <= table.cursor_row < table.row_count:
        return None
    return table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value


def replace_rows(table: DataTable, rows: Sequence[Row]) -> None:
    """Show ``rows`` (key, cells); the cursor stays on the same key if it is still there."""
    keep = selected_key(table)
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if keep is None:
        return
    for index, (key, _) in enumerate(rows):
        if key == keep:
            table.move_cursor(row=index, animate=False, scroll=False)
            return
