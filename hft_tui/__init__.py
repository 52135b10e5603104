"""hft-tui: a terminal trading workstation with an embedded asyncio trading engine."""

__version__ = "0.1.0"
