"""``hft-tui service unit``: a systemd user unit that keeps ``hft-tui serve`` running."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

UNIT_TEMPLATE = """\
# hft-tui served engine. Install as a user unit:
#   hft-tui service unit > ~/.config/systemd/user/hft-tui.service
#   systemctl --user daemon-reload && systemctl --user enable --now hft-tui
#   loginctl enable-linger $USER     # keep it running after you log out
# Secrets (API keys, alert URLs' tokens) come from the environment only: put them in
# {env_file} (chmod 600), never in the config file.
[Unit]
Description=hft-tui served engine ({state_dir})
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart={exec_start}
EnvironmentFile=-{env_file}
# SIGTERM stops it gracefully: session_stop journaled, WAL flushed.
KillSignal=SIGTERM
TimeoutStopSec=30
Restart=on-failure
RestartSec=5
# A death that was not a clean stop is alerted to the [alerts] targets.
ExecStopPost=/bin/sh -c '[ "$$SERVICE_RESULT" = success ] || exec {alert}'
UMask=0077

[Install]
WantedBy=default.target
"""


def add_service_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("service", help="print a systemd unit for hft-tui serve")
    actions = parser.add_subparsers(dest="service_command", metavar="ACTION", required=True)
    actions.add_parser("unit", help="print the unit (Restart=on-failure) to stdout")


def unit_text(state_dir: Path, config: Path | None, env_file: Path) -> str:
    """The unit for serving ``state_dir`` with this Python and this config file."""
    command = [sys.executable, "-m", "hft_tui", "--state-dir", str(state_dir)]
    if config is not None:
        command += ["--config", str(config.resolve())]
    alert = [*command, "alert", "--crash"]
    command.append("serve")
    return UNIT_TEMPLATE.format(state_dir=state_dir, env_file=env_file,
                                exec_start=" ".join(shlex.quote(part) for part in command),
                                alert=" ".join(shlex.quote(part) for part in alert))
