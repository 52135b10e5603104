"""The trading session: the engine and its one event step, recovery and restore at start,
the LIVE session against an exchange, the input recording, the engine's snapshots for the
UI, and the composition root (``assembly``) that builds all of it from settings."""
