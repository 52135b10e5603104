"""Backtests on the live trading pipeline: runner, report, rendering, sweeps, CLI."""
