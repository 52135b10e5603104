"""Market sources: what a source is (protocol.py), the simulator (sim.py), an exchange through
ccxt (ccxt.py) and a recorded session (recording.py)."""
