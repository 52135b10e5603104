"""The main screen's panes, one module each."""
