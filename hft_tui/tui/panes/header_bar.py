"""Top bar: mode (LIVE impossible to miss), ATTACHED when the engine is a served one (and
VIEW ONLY when no key sends it anything), exchange, symbol, trading state, the worst feed of
the traded symbols with the age of the oldest book, the dead-man's switch (LIVE, where the
exchange has one), equity, day PnL and the clock.

The screen never looks live when it is not: the feed badge says LIVE only while every traded
symbol is live, and the clock and the book age are measured on the UI's own timer against
the engine's clock, so they keep moving through a stall in which no snapshot arrives. A
snapshot that stops coming is itself shown (``ENGINE SILENT``).
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from hft_tui.clock import iso_utc
from hft_tui.model import FeedState
from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.tui.formatting import age_text, money, signed, theme_colour

MODE_BADGES = {
    "live": ("▲▲ LIVE ▲▲", "mode-live"),
    "paper": ("◆ PAPER", "mode-paper"),
    "sim": ("◇ SIM", "mode-sim"),
}
STATE_BADGES = {
    "ACTIVE": ("● ACTIVE", "active"),
    "REDUCING": ("▼ REDUCING", "reducing"),
    "HALTED": ("■ HALTED", "halted"),
    "FAILED": ("✖ FAILED", "halted"),
}
# The header's word for the worst feed, its shape and colour, and whether it is shouted.
FEED_HEADER = {
    FeedState.LIVE: ("●", "LIVE", "bid", False),
    FeedState.CONNECTING: ("…", "CONNECTING", "muted", False),
    FeedState.RESYNCING: ("↻", "RESYNCING", "reducing", True),
    FeedState.STALE: ("◌", "STALE", "halted", True),
    FeedState.REJECTING: ("⊘", "REJECTING", "halted", True),
}
# A running engine publishes at least this often; older than this, the screen says so.
ENGINE_SILENT_NS = 2_000_000_000
# Below this width the exchange and the money give way to the feed badge and the clock.
WIDE_WIDTH = 100


def feed_badge(snapshot: EngineSnapshot, now_ns: int) -> tuple[FeedState, str]:
    """The worst feed state and its words: ``LIVE book 0.3s``, ``STALE ETH/USDT book 15s``,
    ``REJECTING ETH/USDT OFF_LOT book 6.1s``."""
    feed = snapshot.feed
    if feed is None:
        return FeedState.CONNECTING, "CONNECTING"
    _, word, _, _ = FEED_HEADER[feed.state]
    parts = [word]
    if feed.symbol:
        parts.append(feed.symbol)
    if feed.code:
        parts.append(feed.code)
    if feed.oldest_book_ns is not None:
        parts.append(f"book {age_text(now_ns - feed.oldest_book_ns)}")
    return feed.state, " ".join(parts)


def dead_man_badge(snapshot: EngineSnapshot) -> str:
    """``DMS 60s`` while the exchange takes the refreshes; ``DMS 60s refresh failed`` or
    ``DMS 60s not armed`` when it does not; "" without a dead-man's switch."""
    dead_man = snapshot.dead_man
    if dead_man is None:
        return ""
    words = f"DMS {dead_man.timeout_s}s"
    if dead_man.failure:
        return f"{words} {'refresh failed' if dead_man.armed else 'not armed'}"
    return words if dead_man.armed else f"{words} arming"


def header_fields(snapshot: EngineSnapshot, symbol: str, now_ns: int) -> tuple[str, ...]:
    """Everything the bar shows, as strings: the bar redraws only when one of them changes."""
    account = snapshot.account
    state, feed_words = feed_badge(snapshot, now_ns)
    silent_ns = now_ns - snapshot.ts_ns
    silent = snapshot.running and silent_ns >= ENGINE_SILENT_NS
    return (
        snapshot.mode,
        snapshot.exchange,
        symbol,
        snapshot.trading_state,
        snapshot.journal_failure or ("" if snapshot.running else "stopped"),
        state.value,
        feed_words,
        f"ENGINE SILENT {age_text(silent_ns)}" if silent else "",
        dead_man_badge(snapshot),
        f"{snapshot.notices_unread} notice{'s' if snapshot.notices_unread != 1 else ''}"
        if snapshot.notices_unread else "",
        "" if account is None else money(account.equity),
        "" if account is None else signed(account.day_pnl),
        iso_utc(now_ns)[:19].replace("T", " ") + " UTC",
    )


class HeaderBar(Widget):
    DEFAULT_CSS = """
    HeaderBar { height: 1; background: $panel; }
    """

    def __init__(self, *, id: str | None = None, attachment: str = "") -> None:
        """``attachment``: "" embedded, else what the bar says about the attachment
        (``ATTACHED``, ``ATTACHED · VIEW ONLY``)."""
        super().__init__(id=id)
        self._attachment = attachment
        self._fields: tuple[str, ...] = ()
        self._day_pnl = 0.0
        self._snapshot: EngineSnapshot | None = None
        self._symbol = ""
        self._now_ns = 0

    def show(self, snapshot: EngineSnapshot, symbol: str) -> None:
        """Take a new snapshot; what it shows is measured at the last ``tick``."""
        self._snapshot, self._symbol = snapshot, symbol
        self._day_pnl = snapshot.account.day_pnl if snapshot.account is not None else 0.0
        self._update(max(self._now_ns, snapshot.ts_ns))

    def tick(self, now_ns: int) -> None:
        """The UI's timer: the clock and the ages move even when no snapshot is new."""
        self._update(now_ns)

    def _update(self, now_ns: int) -> None:
        self._now_ns = now_ns
        if self._snapshot is None:
            return
        fields = header_fields(self._snapshot, self._symbol, now_ns)
        if fields == self._fields:
            return
        self._fields = fields
        self.refresh()

    def redraw(self) -> None:
        self.refresh()

    def render(self) -> Text:
        if not self._fields:
            return Text(" hft-tui  starting…")
        (mode, exchange, symbol, state, stopped, feed_state, feed_words, silent, dead_man, notices,
         equity, day_pnl, clock) = self._fields
        colour = theme_colour
        text = Text(no_wrap=True, overflow="crop")
        mode_label, mode_colour = MODE_BADGES.get(mode.lower(), (mode, "mode-sim"))
        live = mode.lower() == "live"
        text.append(f" {mode_label} ", style=f"bold reverse {colour(self, mode_colour)}"
                    if live else f"bold {colour(self, mode_colour)}")
        if self._attachment:  # this screen is not the engine: leaving it leaves the engine trading
            text.append(f" ⇄ {self._attachment} ", style=f"bold reverse {colour(self, 'muted')}")
        width = self.content_size.width
        wide = width >= WIDE_WIDTH
        if wide:  # narrow terminals keep the symbol, state and feed; the exchange is in help
            text.append(f" {exchange} ", style=colour(self, "muted"))
        text.append(f" {symbol} ", style="bold")
        state_label, state_colour = STATE_BADGES.get(state, (state, "muted"))
        text.append(f" {state_label} ", style=f"bold {colour(self, state_colour)}")
        if stopped:  # "stopped", or why the journal failed (said as loudly as the state)
            text.append(f" {stopped} ", style=colour(self, "halted" if state == "FAILED" else "muted"))
        shape, _, feed_colour, shout = FEED_HEADER[FeedState(feed_state)]
        if wide:
            text.append(" ")
        else:
            feed_words = feed_words.replace("book ", "")
        text.append(f" {shape} {feed_words} ", style=f"bold reverse {colour(self, feed_colour)}"
                    if shout else colour(self, feed_colour))
        if silent:
            text.append(" ")
            text.append(f" ✖ {silent} ", style=f"bold reverse {colour(self, 'halted')}")
        if dead_man:  # healthy: quiet; a refresh that failed is a warning
            text.append(" ")
            warning = dead_man.endswith(("failed", "armed"))
            text.append(f" {'⚠ ' if warning else ''}{dead_man} ",
                        style=f"bold reverse {colour(self, 'reducing')}" if warning else colour(self, "muted"))
        if notices:  # unread: until the operator has seen them (n)
            text.append(" ")
            text.append(f" ✉ {notices} ", style=f"bold {colour(self, 'reducing')}")
        money_text = Text(no_wrap=True)
        if equity:
            money_text.append("eq ", style=colour(self, "muted"))
            money_text.append(f"{equity} ")
            pnl_colour = "pnl-up" if self._day_pnl > 0 else "pnl-down" if self._day_pnl < 0 else "muted"
            arrow = "▲" if self._day_pnl > 0 else "▼" if self._day_pnl < 0 else "·"
            money_text.append("day ", style=colour(self, "muted"))
            money_text.append(f"{day_pnl}{arrow} ", style=colour(self, pnl_colour))
        # What gives way when the bar is full: the date, then the money; the feed and the
        # time of day always show.
        clocks = (clock, clock[11:]) if wide else (clock[11:],)
        candidates = [Text.assemble(money_text, (c, colour(self, "muted"))) for c in clocks]
        candidates.append(Text(clock[11:], style=colour(self, "muted")))
        right = next((c for c in candidates if width - text.cell_len - c.cell_len - 1 >= 1), candidates[-1])
        gap = width - text.cell_len - right.cell_len - 1
        if gap >= 1:
            text.append(" " * gap)
            text.append_text(right)
        return text
