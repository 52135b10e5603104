"""The signal manager and what surrounds it: decisions, strategy scores, sizing and exits.

Pure logic over model types and injected time: no I/O, no textual. The engine feeds it
signals and closed trades and journals what comes back (decisions, status changes, exits).
"""
