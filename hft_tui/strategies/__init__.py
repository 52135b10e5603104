"""Strategies: pure objects that read market events and return signals."""
