"""A tiny news site on 127.0.0.1 whose pages tests can add between runs.

Serves ``pages`` (path -> (bytes, content type)); answers conditional requests with
304 using a content-hash ETag, and logs every request as (method, path, status).
"""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Site:
    """A threaded HTTP server serving an editable set of pages."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[bytes, str]] = {}
        self.log: list[tuple[str, str, int]] = []
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with site._lock:
                    page = site.pages.get(path)
                if page is None:
                    self._send(404, b"not found", "text/plain")
                    return
                body, ctype = page
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    site.log.append(("GET", path, 304))
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self._send(200, body, ctype, etag)

            def _send(self, status: int, body: bytes, ctype: str, etag: str | None = None) -> None:
                site.log.append(("GET", self.path.split("?", 1)[0], status))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if etag:
                    self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def put(self, path: str, body: str | bytes, ctype: str = "text/html; charset=utf-8") -> None:
        """Serve ``body`` at ``path`` (replacing what was there)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self.pages[path] = (data, ctype)

    def __enter__(self) -> Site:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
