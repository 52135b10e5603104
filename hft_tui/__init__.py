"""hft-tui: a terminal trading workstation with an embedded asyncio trading engine."""

from hft_tui.compiled_build import install_pure_python_finder, pure_python_requested

__version__ = "0.1.0"

# Before any other hft_tui module loads: HFT_TUI_PURE_PYTHON=1 runs the sources, not the
# compiled extensions a build installed beside them.
if pure_python_requested():
    install_pure_python_finder()
