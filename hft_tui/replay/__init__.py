"""Decision replay: re-run a recorded session through the core and verify it against the WAL."""
