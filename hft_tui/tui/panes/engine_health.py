"""Engine health: throughput, loop lag, feed latency per symbol, WAL fsync, rejections, errors,
and in LIVE the clock offset to the exchange (local minus exchange, as last resynced)."""

from __future__ import annotations

from rich.text import Text

from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.tui.panes.row_diff import RowDiffPane
from hft_tui.tui.formatting import theme_colour

# Above these the figure is shown in the warning colour (and marked with "!").
LOOP_LAG_WARN_MS = 50.0
FEED_LATENCY_WARN_MS = 500.0
FSYNC_WARN_MS = 20.0
# Binance refuses a request 1 s ahead of its clock (-1021): past this the offset is a warning.
CLOCK_OFFSET_WARN_MS = 1000


def health_lines(snapshot: EngineSnapshot) -> tuple[tuple[str, str, bool], ...]:
    """(label, value, warn) for every figure shown; the pane redraws only when these change."""
    metrics = snapshot.metrics
    lines: list[tuple[str, str, bool]] = [
        ("events/s", f"{metrics.events_per_s:,.0f}  (total {metrics.events_total:,})", False),
        ("loop lag", f"{metrics.loop_lag_ms:.1f} ms", metrics.loop_lag_ms > LOOP_LAG_WARN_MS),
        ("WAL fsync", f"{metrics.wal_fsync_ms:.2f} ms · {metrics.wal_records_per_s:,.0f} rec/s",
         metrics.wal_fsync_ms > FSYNC_WARN_MS),
        ("errors", str(metrics.errors), metrics.errors > 0),
    ]
    if snapshot.clock_offset_ms is not None:
        offset = snapshot.clock_offset_ms
        lines.append(("clock offset", f"{offset:+,d} ms", abs(offset) > CLOCK_OFFSET_WARN_MS))
    for symbol in snapshot.symbols:
        latency = metrics.feed_latency_ms.get(symbol)
        value = "—" if latency is None else f"{latency:.0f} ms"
        lines.append((f"feed {symbol}", value, latency is not None and latency > FEED_LATENCY_WARN_MS))
    rejections = snapshot.sanitizer_rejections
    if rejections:
        for code, count in sorted(rejections.items(), key=lambda item: (-item[1], item[0])):
            lines.append((f"rej {code}", f"{count:,}", True))
    else:
        lines.append(("rejections", "none", False))
    return tuple(lines)


class EngineHealthPane(RowDiffPane, can_focus=True):
    """Redraws only when a shown figure changes."""

    DEFAULT_CSS = """
    EngineHealthPane { height: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: tuple[tuple[str, str, bool], ...] = ()
        self.border_title = "7 Engine health"

    def show(self, snapshot: EngineSnapshot, symbol: str) -> None:
        """Take the metrics and the sanitizer's rejection counts."""
        lines = health_lines(snapshot)
        if lines == self._lines:
            return
        self._lines = lines
        self.update_rows()

    def compose_rows(self) -> Text:
        label_w = max((len(label) for label, _, _ in self._lines), default=8) + 1
        label_w = min(label_w, max(8, self.content_size.width // 2))
        muted, warn = theme_colour(self, "muted"), theme_colour(self, "reducing")
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, (label, value, warning) in enumerate(self._lines):
            if i:
                text.append("\n")
            text.append(f"{label[:label_w - 1]:<{label_w}}", style=muted)
            text.append(f"{value}{' !' if warning else ''}", style=f"bold {warn}" if warning else "")
        return text
