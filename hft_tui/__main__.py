"""``python -m hft_tui``: the ``hft-tui`` command line."""

from hft_tui.cli.main import main

raise SystemExit(main())
