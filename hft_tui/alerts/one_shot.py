"""``hft-tui alert --crash``: one alert sent now, from a process that is not the engine
(systemd runs it when the served engine died; see ``hft-tui service unit``)."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys

from hft_tui.alerts.dispatcher import AlertDispatcher
from hft_tui.alerts.targets import TargetError, targets_from_env
from hft_tui.config.alerts_settings import AlertsSettings

EXIT_SENT = 0
EXIT_FAILED = 1
EXIT_MISCONFIGURED = 2


def add_alert_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("alert", help="send one alert to the [alerts] targets now")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--crash", action="store_true",
                      help="the served engine died (systemd's $SERVICE_RESULT and $EXIT_STATUS are included)")
    what.add_argument("--message", metavar="TEXT", help="any text, e.g. to test the targets")


def crash_text() -> str:
    result = os.environ.get("SERVICE_RESULT", "unknown")
    status = os.environ.get("EXIT_STATUS", "?")
    return f"served engine on {socket.gethostname()} died (result {result}, exit status {status}); systemd restarts it"


def send_alert(settings: AlertsSettings, kind: str, text: str) -> int:
    """Send ``text`` to every target now; failures are printed (target names only)."""
    try:
        targets = targets_from_env(settings)
    except TargetError as exc:
        print(f"hft-tui alert: {exc}", file=sys.stderr)
        return EXIT_MISCONFIGURED
    if not targets:
        print("hft-tui alert: no [alerts] targets configured", file=sys.stderr)
        return EXIT_MISCONFIGURED
    failures: list[str] = []

    async def send() -> None:
        dispatcher = AlertDispatcher(settings.model_copy(update={"events": [kind]}), targets, failures.append)
        dispatcher.emit(kind, text)
        await dispatcher.close()

    asyncio.run(send())
    for failure in failures:
        print(f"hft-tui alert: {failure}", file=sys.stderr)
    return EXIT_FAILED if failures else EXIT_SENT
