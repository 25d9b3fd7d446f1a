"""A threaded HTTP receiver on 127.0.0.1 that records every request; switchable up/down."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the receiver saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class WebhookServer:
    """``with WebhookServer() as hook:`` -> ``hook.url('/path')``, ``hook.requests``.

    ``hook.down = True`` answers 503 (requests still recorded in ``hook.rejected``);
    ``hook.fail_next(n)`` answers 503 to the next ``n`` requests, then recovers.
    """

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.down = False
        self._fail_budget = 0
        self.requests: list[ReceivedRequest] = []
        self.rejected: list[ReceivedRequest] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                req = ReceivedRequest(self.command, self.path, dict(self.headers.items()), body)
                with outer._lock:
                    failing = outer.down or outer._fail_budget > 0
                    if outer._fail_budget > 0:
                        outer._fail_budget -= 1
                    (outer.rejected if failing else outer.requests).append(req)
                code = 503 if failing else outer.status
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_POST = _handle
            do_PUT = _handle
            do_GET = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def fail_next(self, n: int) -> None:
        with self._lock:
            self._fail_budget = n

    def url(self, path: str = "/hook", scheme: str = "json") -> str:
        """An Apprise URL (json:// by default) pointing at this receiver."""
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def received(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self.requests)

    def start(self) -> WebhookServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> WebhookServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
