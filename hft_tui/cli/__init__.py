"""The ``hft-tui`` command line: ``main.py`` parses and dispatches, one module per command
that has no package of its own (``run``, ``serve``, ``attach``, ``fees``, ``strategy``, ``trades``)."""
