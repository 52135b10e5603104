"""Trading: the synchronous core (pipeline, orders, trades, flatten/kill, operator commands),
the operator command types, the notice log and the closed-trade history the journal tells.

Pure and synchronous: no asyncio, time from the injected clock, I/O only through the WAL."""
