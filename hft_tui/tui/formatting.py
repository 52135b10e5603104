"""How numbers, times and states look on screen, shared by every pane.

Signs and arrows always accompany colour (``+1.20 ▲`` / ``-0.40 ▼``), so a colour-blind
reader or a 16-colour terminal loses nothing.
"""

from __future__ import annotations

import math

from rich.text import Text
from textual.widget import Widget

from hft_tui.clock import duration_text, iso_utc
from hft_tui.model import FeedState

BAR_CHARS = " ▏▎▍▌▋▊▉█"
NS_PER_S = 1_000_000_000
# A feed's state as the book, symbols and header show it: shape and word as well as colour.
FEED_BADGES = {
    FeedState.LIVE: ("● live", "bid"),
    FeedState.STALE: ("◌ STALE", "halted"),
    FeedState.RESYNCING: ("↻ resync", "reducing"),
    FeedState.CONNECTING: ("… connecting", "muted"),
    FeedState.REJECTING: ("⊘ REJECTING", "halted"),
}


def theme_colour(widget: Widget, name: str) -> str:
    """The current theme's colour called ``name`` (a theme variable or a base colour)."""
    theme = widget.app.current_theme
    value = theme.variables.get(name) or getattr(theme, name, None)
    return value if isinstance(value, str) else theme.foreground or "white"


def depth_bar(fraction: float, width: int) -> str:
    """A left-aligned bar of ``width`` cells filled to ``fraction`` with eighth-blocks."""
    eighths = int(round(max(0.0, min(fraction, 1.0)) * width * 8))
    full, part = divmod(eighths, 8)
    bar = "█" * full + (BAR_CHARS[part] if part else "")
    return bar.ljust(width)


def meter(fraction: float, width: int) -> str:
    """A bar with a visible track: filled ``█`` then ``░`` up to ``width`` cells."""
    filled = int(round(max(0.0, min(fraction, 1.0)) * width))
    return "█" * filled + "░" * (width - filled)


def decimals_for(tick: float) -> int:
    """How many decimals show a price on a ``tick`` grid exactly."""
    return max(0, -int(math.floor(math.log10(tick)))) if tick > 0 else 2


def price_decimals(price: float) -> int:
    """Decimals for a price with no known tick: fewer for large prices."""
    magnitude = abs(price)
    if magnitude >= 1000:
        return 1
    if magnitude >= 1:
        return 2
    return 5


def signed(value: float, decimals: int = 2) -> str:
    """``+1.20`` / ``-0.40`` / ``0.00``: the sign is always written."""
    text = f"{value:+,.{decimals}f}"
    return text.replace("+0.", "0.", 1) if value == 0 else text


def pnl_text(widget: Widget, value: float, decimals: int = 2, *, suffix: str = "") -> Text:
    """A PnL figure with sign, arrow and the theme's up/down colour."""
    if value > 0:
        return Text(f"{signed(value, decimals)}{suffix} ▲", style=theme_colour(widget, "pnl-up"))
    if value < 0:
        return Text(f"{signed(value, decimals)}{suffix} ▼", style=theme_colour(widget, "pnl-down"))
    return Text(f"{signed(value, decimals)}{suffix} ·", style=theme_colour(widget, "muted"))


def side_text(widget: Widget, side: str) -> Text:
    """BUY/LONG in the bid colour with ▲, SELL/SHORT in the ask colour with ▼."""
    upper = side.upper()
    if upper in ("BUY", "LONG"):
        return Text(f"▲ {upper}", style=f"bold {theme_colour(widget, 'bid')}")
    if upper in ("SELL", "SHORT"):
        return Text(f"▼ {upper}", style=f"bold {theme_colour(widget, 'ask')}")
    return Text(upper)


def clock_hms(ts_ns: int) -> str:
    """``HH:MM:SS`` of a UTC timestamp."""
    return iso_utc(ts_ns)[11:19]


def age(seconds: float) -> str:
    """Compact age: ``4s``, ``42s``, ``3m04s``, ``2h05m``, ``3d04h`` (whole seconds)."""
    return f"{max(0, int(seconds))}s" if seconds < 10 else duration_text(seconds)


def money(value: float) -> str:
    """``12,345.67``."""
    return f"{value:,.2f}"


def age_text(age_ns: int) -> str:
    """``0.3s`` under ten seconds, ``14s`` under two minutes, ``5m`` then ``2h``: an age at a glance."""
    seconds = max(age_ns, 0) / NS_PER_S
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds // 60:.0f}m"
    return f"{seconds // 3600:.0f}h"
