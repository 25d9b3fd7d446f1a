"""ReplayServer: the fixture news web of the bundled story, on 127.0.0.1.

Routes: ``/robots.txt`` (allows all), ``/`` (an index of the outlets), ``/feeds/<outlet>.xml``
(generated from the manifest at request time, newest first, only items published at or
before the clock), and each article page at its path (query strings ignored, an ``/amp/``
segment folded; 404 until the clock reaches its publication time). Every 200 carries an
ETag and Last-Modified, and a matching If-None-Match / If-Modified-Since gets a 304.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import unquote, urlsplit

from storywatch.replay.feeds import render_feed
from storywatch.replay.story import Story, load_story

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
#: The port tried first when none is given: a stable address lets a second run send the
#: validators stored by the first (the HTTP cache is keyed by URL) and get its 304s.
DEFAULT_PORT = 8765
_FEED_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "sitemap": "application/xml; charset=utf-8",
}


class _Server(ThreadingHTTPServer):
    """The stdlib server with a listen backlog fit for a fetcher's burst (the default 5 drops connections)."""

    request_queue_size = 128
    daemon_threads = True


class BackgroundServer:
    """A bound :class:`ThreadingHTTPServer` (backlog 128) served from a daemon thread: ``start()``/``stop()``
    or a ``with`` block."""

    thread_name = "http-server"

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        """Bind ``address`` now (port 0: an ephemeral port); serve after :meth:`start`."""
        self._httpd = _Server(address, handler)
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Serve in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name=self.thread_name,
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


@dataclass(frozen=True)
class RequestRecord:
    """One request the server answered."""

    method: str
    path: str
    status: int
    if_none_match: str | None = None
    if_modified_since: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class _Resource:
    body: bytes
    content_type: str
    last_modified: datetime
    etag_source: bytes | None = None

    @property
    def etag(self) -> str:
        """A strong validator of the content (independent of the server's address)."""
        return '"' + hashlib.sha256(self.etag_source or self.body).hexdigest()[:20] + '"'


class ReplayServer(BackgroundServer):
    """A threaded HTTP server of the replay site; use as a context manager or start()/stop()."""

    thread_name = "replay-server"

    def __init__(self, clock: datetime | None = None, *, host: str = "127.0.0.1", port: int | None = None,
                 story: Story | None = None) -> None:
        """Bind ``host:port`` now (``port=0``: an ephemeral port; ``None``: DEFAULT_PORT, else ephemeral)."""
        self.story = story or load_story()
        self._lock = threading.Lock()
        self._clock = self.story.default_clock
        if clock is not None:
            self.set_clock(clock)
        self.requests: list[RequestRecord] = []
        handler = _make_handler(self)
        try:
            super().__init__((host, DEFAULT_PORT if port is None else port), handler)
        except OSError:
            if port is not None:
                raise
            super().__init__((host, 0), handler)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def clock(self) -> datetime:
        """The replay's 'now': only articles published at or before it are visible."""
        with self._lock:
            return self._clock

    def set_clock(self, when: datetime) -> None:
        """Move the replay clock (forward or back); takes effect for the next request."""
        if when.tzinfo is None:
            raise ValueError("the replay clock needs a time zone")
        with self._lock:
            self._clock = when.astimezone(UTC)


    # ------------------------------------------------------------ resources

    def resource(self, raw_path: str) -> _Resource | None:
        """What ``raw_path`` serves at the current clock, or None (404)."""
        path = unquote(urlsplit(raw_path).path)
        clock = self.clock
        if path == "/robots.txt":
            return _Resource(b"User-agent: *\nAllow: /\n", "text/plain; charset=utf-8", _EPOCH)
        if path == "/":
            return self._index(clock)
        if path.startswith("/feeds/") and path.endswith(".xml"):
            try:
                outlet = self.story.outlet(path[len("/feeds/"):-len(".xml")])
            except KeyError:
                return None
            items = self.story.published_by(clock, outlet.id)
            body = render_feed(outlet, items, self.base_url, clock)
            # validators from the host-free document, so they survive a change of port
            tag = render_feed(outlet, items, "", clock)
            return _Resource(body, _FEED_TYPES[outlet.feed], items[0].published if items else _EPOCH, tag)
        article = self.story.article_at(path)
        if article is None or article.published > clock:
            return None
        return _Resource(article.file.read_bytes(), "text/html; charset=utf-8", article.published)

    def _index(self, clock: datetime) -> _Resource:
        rows = "".join(
            f'<li><a href="{o.home}">{escape(o.name)}</a> — <a href="{o.feed_path}">{o.feed} feed</a></li>'
            for o in self.story.outlets
        )
        html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>storywatch replay</title></head>"
                f"<body><h1>storywatch offline replay</h1><p>Clock: {clock.isoformat()}</p><ul>{rows}</ul>"
                f"</body></html>")
        return _Resource(html.encode("utf-8"), "text/html; charset=utf-8", clock)

    def _log(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)


def _not_modified(etag: str, last_modified: datetime, inm: str | None, ims: str | None) -> bool:
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    if ims is not None:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return last_modified.replace(microsecond=0) <= since
    return False


def _make_handler(replay: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "storywatch-replay/1"
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def _answer(self, *, send_body: bool) -> None:
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            res = replay.resource(self.path)
            if res is None:
                status, body = 404, b"not found\n"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
            else:
                etag = res.etag
                status = 304 if _not_modified(etag, res.last_modified, inm, ims) else 200
                body = b"" if status == 304 else res.body
                self.send_response(status)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", format_datetime(res.last_modified.astimezone(UTC), usegmt=True))
                self.send_header("Cache-Control", "no-cache")
                if status == 200:
                    self.send_header("Content-Type", res.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
            if send_body and body and status != 304:
                self.wfile.write(body)
            replay._log(RequestRecord(self.command, self.path, status, inm, ims, self.headers.get("User-Agent")))

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
