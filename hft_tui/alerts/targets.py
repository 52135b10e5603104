"""The ``[alerts] targets``: each an environment variable holding one apprise URL (the URL
carries its secrets, so it is read from the environment and known elsewhere only by name)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import apprise

from hft_tui.config.alerts_settings import AlertsSettings


@dataclass(frozen=True, slots=True)
class AlertTarget:
    """One apprise target: the environment variable it came from, and apprise's handle."""

    name: str
    notifier: apprise.Apprise


class TargetError(ValueError):
    """A target named in the settings is not usable; the text says which and why."""


def targets_from_env(settings: AlertsSettings, environ: dict[str, str] | None = None) -> list[AlertTarget]:
    """Each ``[alerts] targets`` variable's apprise URL, checked; TargetError when unset or unknown."""
    environ = dict(os.environ) if environ is None else environ
    targets = []
    for name in settings.targets:
        url = environ.get(name, "").strip()
        if not url:
            raise TargetError(f"alerts: {name} is not set in the environment")
        notifier = apprise.Apprise()
        if not notifier.add(url):
            raise TargetError(f"alerts: {name} does not hold an apprise URL that apprise understands")
        targets.append(AlertTarget(name, notifier))
    return targets
