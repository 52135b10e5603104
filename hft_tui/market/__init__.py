"""Market data: sources (simulator, replay, ccxt) and the L0 sanitizer."""
