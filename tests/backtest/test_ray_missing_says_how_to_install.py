from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def test_ray_asked_for_without_ray_installed_says_how_to_install_it_in_one_line() -> None:
    # sys.modules["ray"] = None makes `import ray` fail as it does where the extra is missing.
    code = ("import sys; sys.modules['ray'] = None; from hft_tui.cli.main import main; "
            f"sys.exit(main(['backtest', '--candles', '--data-dir', {str(SAMPLE)!r}, "
            "'--sweep', 'strategies.trend.stop_loss_atr=1,2', '--ray']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == "hft-tui: --ray needs Ray: pip install 'hft-tui[ray]' (on every node of the cluster)"
