"""Risk: the pre-trade gate, the DRB guard's budgets and breakers, and the trading state.

Pure and synchronous: no I/O, no asyncio, time only from the ``ts_ns`` the engine passes.
"""
