"""Market sources: what a source is (protocol.py) and the live ones, the simulator (sim.py) and an
exchange through ccxt (ccxt.py)."""
