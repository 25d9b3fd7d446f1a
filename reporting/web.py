"""A small read-only web server: the latest report at ``/`` and a JSON API under ``/api/``."""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from detection.watch import WatchSpec
from reporting.data import alerts_json, articles_json, developments_json, load_report_data
from reporting.render import content_security_policy, render_report

log = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]


class ReportServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its database, watch and report title."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        session_factory: SessionFactory,
        watch: str | WatchSpec,
        title: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(address, ReportHandler)
        self.session_factory = session_factory
        self.watch = watch
        self.watch_name = watch if isinstance(watch, str) else watch.name
        self.title = title
        self.clock = clock or (lambda: datetime.now(UTC))

    @property
    def url(self) -> str:
        """The base URL the server answers on."""
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"


class ReportHandler(BaseHTTPRequestHandler):
    """Routes GET requests to the report page or a JSON listing."""

    server: ReportServer
    server_version = "storywatch"
    sys_version = ""

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def _handle(self, *, send_body: bool) -> None:
        path = urlsplit(self.path).path.rstrip("/") or "/"
        srv = self.server
        try:
            if path in ("/", "/index.html", "/report.html"):
                with srv.session_factory() as session:
                    data = load_report_data(session, srv.watch, now=srv.clock(), title=srv.title)
                nonce = secrets.token_urlsafe(16)
                body = render_report(data, nonce=nonce).encode("utf-8")
                self._send(200, "text/html; charset=utf-8", body, send_body, csp=content_security_policy(nonce))
            elif path == "/api/developments":
                with srv.session_factory() as session:
                    self._json(developments_json(session, srv.watch_name), send_body)
            elif path == "/api/articles":
                with srv.session_factory() as session:
                    self._json(articles_json(session, srv.watch_name), send_body)
            elif path == "/api/alerts":
                with srv.session_factory() as session:
                    self._json(alerts_json(session, srv.watch_name), send_body)
            elif path == "/healthz":
                self._send(200, "text/plain; charset=utf-8", b"ok\n", send_body)
            else:
                self._json({"error": "not found", "path": path}, send_body, status=404)
        except Exception as exc:  # one bad request must not stop the server
            log.exception("report server failed on %s", path)
            self._json({"error": type(exc).__name__}, send_body, status=500)

    def _json(self, payload: Any, send_body: bool, status: int = 200) -> None:
        body = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
        self._send(status, "application/json; charset=utf-8", body, send_body)

    def _send(self, status: int, ctype: str, body: bytes, send_body: bool, csp: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if csp:
            self.send_header("Content-Security-Policy", csp)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s " + format, self.address_string(), *args)


def make_server(
    session_factory: SessionFactory,
    watch: str | WatchSpec,
    host: str = "127.0.0.1",
    port: int = 8780,
    *,
    title: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> ReportServer:
    """A bound, not yet serving, report server (port 0 picks a free port)."""
    return ReportServer((host, port), session_factory, watch, title=title, clock=clock)


def start_in_thread(
    session_factory: SessionFactory,
    watch: str | WatchSpec,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    title: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> tuple[ReportServer, str]:
    """Serve in a daemon thread; returns ``(server, url)``. Stop with ``server.shutdown(); server.server_close()``."""
    server = make_server(session_factory, watch, host, port, title=title, clock=clock)
    thread = threading.Thread(target=server.serve_forever, name="storywatch-web", daemon=True)
    thread.start()
    return server, server.url


def serve(
    session_factory: SessionFactory,
    watch: str | WatchSpec,
    host: str = "127.0.0.1",
    port: int = 8780,
    *,
    title: str | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the report until Ctrl-C, then close the socket and return."""
    server = make_server(session_factory, watch, host, port, title=title)
    if on_ready is not None:
        on_ready(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
