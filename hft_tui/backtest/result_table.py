"""A result table as data (title, columns, formatted cells, the lines printed under it), so a
sweep's, a symbol batch's or a study's table is printed the same way when it is run and when
``hft-tui backtest show`` prints it again from the saved run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table


@dataclass(frozen=True, slots=True)
class ResultTable:
    """Columns at ``text_columns`` are text (left-aligned), the others figures; ``notes`` are rich
    markup lines printed after the table (warnings, what was cut)."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    text_columns: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> ResultTable:
        return cls(doc["title"], list(doc["columns"]), [list(r) for r in doc["rows"]], list(doc.get("text_columns", [])),
                   list(doc.get("notes", [])))

    def render(self, console: Console) -> None:
        table = Table(title=self.title, title_justify="left")
        for i, name in enumerate(self.columns):
            table.add_column(name, justify="left" if i in self.text_columns else "right")
        for row in self.rows:
            table.add_row(*row)
        console.print(table)
        for note in self.notes:
            console.print(note)


def fmt_figure(value: float | None, digits: int = 3) -> str:
    """A figure in a table cell ("-" when undefined)."""
    return "-" if value is None else f"{value:,.{digits}f}"
