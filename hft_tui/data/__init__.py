"""Market data on disk: downloaded candles, recorded sessions, and sources replaying them."""
