from hft_tui.cli import main

raise SystemExit(main())
