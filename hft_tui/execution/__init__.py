"""Execution: the broker protocol, the paper and ccxt brokers, the fee model and TCA."""
