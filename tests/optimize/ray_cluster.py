"""A Ray cluster of 2 CPUs on the loopback, started with `ray start --head` for the tests that
join an existing cluster, and ended by its own process id.

``LOOPBACK_RAY_ENV`` keeps every node address on 127.0.0.1 (Ray's single-host mode) with token
authentication on; the head and its clients run with it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

_RAY = Path(sys.executable).with_name("ray")
LOOPBACK_RAY_ENV = {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_AUTH_MODE": "token"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[str]:
    """The address of a running head node (GCS on 127.0.0.1)."""
    port = _free_port()
    head = subprocess.Popen([str(_RAY), "start", "--head", "--block", "--node-ip-address=127.0.0.1",
                             f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
                             "--disable-usage-stats"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, env=LOOPBACK_RAY_ENV)
    try:
        deadline = time.monotonic() + 120  # a bound on the wait, not a measured expectation
        while True:
            if head.poll() is not None:
                pytest.fail(f"ray start --head exited: {head.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("the Ray head never listened on its port")
                time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        # The head's process group holds the GCS, the raylet and the workers: a graceful stop
        # takes Ray half a minute, and nothing of this cluster outlives the test.
        os.killpg(head.pid, signal.SIGKILL)
        head.wait()
