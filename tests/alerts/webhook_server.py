"""A local HTTP server that takes apprise's json:// posts, for the alert tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class WebhookServer:
    """Records every posted message; with ``hold`` set, each request waits until ``release``."""

    def __init__(self, *, hold: bool = False) -> None:
        self.messages: list[dict[str, Any]] = []
        self.arrived = threading.Event()
        self.answered = 0
        self._released = threading.Event()
        if not hold:
            self._released.set()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.messages.append(json.loads(body))
                outer.arrived.set()
                outer._released.wait(30)
                self.send_response(200)
                self.end_headers()
                outer.answered += 1

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True  # a held request never holds up the test's end
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def release(self) -> None:
        self._released.set()

    def __enter__(self) -> WebhookServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def texts(self) -> str:
        """Every message's body (one line per event), in arrival order."""
        return "\n".join(str(m.get("message", "")) for m in self.messages)
