"""A real HTTP server on 127.0.0.1 that misbehaves in every way a news server can.

Use as a context manager; ``server.url(path)`` gives absolute URLs and ``server.requests``
logs every request (path and lowercased headers) so tests can assert what was sent.

Routes (all GET):
  /feed/<name>.xml        a good RSS feed (20 items) with ETag + Last-Modified; 304 on a match
  /atom/<name>.xml        a good Atom feed, same validators
  /gzip/<name>.xml        a good feed, gzip Content-Encoding
  /nolabel/<name>.xml     a good feed, no validators at all (always 200)
  /status/<code>          that status with a short body
  /flaky/<name>           500 on the first request for <name>, then a good feed
  /retry-after/<secs>     429 with ``Retry-After: <secs>``
  /retry-after-date/<secs>  503 with Retry-After as an HTTP-date <secs> from now
  /retry-once/<name>      429 ``Retry-After: 0`` on the first request, then a good feed
  /hang                   reads the request, then says nothing
  /hang-body              sends headers (Content-Length 5000) and then nothing
  /drip                   sends one byte every 0.05 s forever (never silent long enough for read timeouts)
  /truncated              Content-Length 20000, sends 500 bytes, closes
  /bomb                   gzip bomb: ~200 KB that inflate to 200 MB of zeros
  /big                    a 50 MB page with Content-Length
  /big-chunked            a 50 MB page with no Content-Length (read until close)
  /loop/a, /loop/b        a redirect loop
  /chain/<n>              n redirects, then a good feed
  /redirect/<path>        302 to /<path>
  /laughs.xml             a feed declaring a billion-laughs entity tree
  /cp1252.xml             windows-1252 bytes labelled utf-8
  /sjis.html              Shift_JIS page, no charset anywhere
  /sjis-mislabelled.html  Shift_JIS page labelled utf-8
  /html-as-feed           an HTML page served as a feed URL
  /empty                  200 with an empty body
  /robots.txt             ``Disallow: /private/`` for every agent
  /private/<page>, /page/<page>   article pages (the first disallowed by robots.txt)
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

_BOMB_CACHE: list[bytes] = []
_BOMB_LOCK = threading.Lock()
LAST_MODIFIED = "Sat, 21 Nov 2026 08:00:00 GMT"


def rss_feed(name: str, items: int = 20, *, charset: str = "utf-8", base: str = "http://example.invalid") -> bytes:
    """A small valid RSS 2.0 feed whose items link to ``{base}/page/<name>-<i>.html`` (text written here)."""
    entries = "".join(
        f"<item><title>{name} update {i}: harbour crane inspection finds loose bolts</title>"
        f"<link>{base}/page/{name}-{i}.html</link>"
        f"<guid isPermaLink=\"false\">{name}-{i}</guid>"
        f"<pubDate>Sat, 21 Nov 2026 {i % 24:02d}:00:00 GMT</pubDate>"
        f"<description>Inspectors at the port of {name} reported item {i} of their review; "
        f"operations continue while parts are replaced.</description></item>"
        for i in range(items)
    )
    return (
        f'<?xml version="1.0" encoding="{charset}"?><rss version="2.0"><channel>'
        f"<title>{name} harbour news</title><link>http://example.invalid/{name}/</link>"
        f"<description>Test feed {name}</description>{entries}</channel></rss>"
    ).encode(charset)


def atom_feed(name: str, base: str = "http://example.invalid") -> bytes:
    """A small valid Atom feed whose entries link to ``{base}/page/<name>-b<i>.html``."""
    entries = "".join(
        f"<entry><title>{name} bulletin {i}</title><id>urn:{name}:{i}</id>"
        f'<link href="{base}/page/{name}-b{i}.html"/>'
        f"<updated>2026-11-21T{i:02d}:00:00Z</updated><summary>Bulletin {i} about the ferry timetable.</summary></entry>"
        for i in range(5)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{name}</title><id>urn:{name}</id><updated>2026-11-21T05:00:00Z</updated>{entries}</feed>"
    ).encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>laughs</title><link>http://example.invalid/laughs</link></item></channel></rss>
"""

CP1252_TEXT = "Zürich café: “Déjà vu” as the naïve señor’s crème brûlée costs 5 €"
SJIS_TEXT = "東京湾の港で大型クレーンの点検が行われ、ボルトの緩みが見つかりました。作業は部品の交換が終わるまで続きます。"


def gzip_bomb() -> bytes:
    """~200 KB of gzip (20 members) that inflate to 200 MB of zeros; built once per process."""
    with _BOMB_LOCK:
        if not _BOMB_CACHE:
            member = gzip.compress(b"\0" * 10_000_000, compresslevel=9)
            _BOMB_CACHE.append(member * 20)
        return _BOMB_CACHE[0]


@dataclass
class LoggedRequest:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class MisbehavingServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 (ephemeral port); see the module docstring for routes."""

    def __init__(self, *, feed_items: int = 20) -> None:
        self.feed_items = feed_items
        self.requests: list[LoggedRequest] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._feeds: dict[str, bytes] = {}
        self.extra_routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        server = self

        class Handler(_Handler):
            owner = server

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="misbehaving", daemon=True)
        self.port = int(self._httpd.server_address[1])
        self.base_url = f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def start(self) -> MisbehavingServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release hanging handlers and stop serving."""
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> MisbehavingServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def log(self, path: str, headers: dict[str, str]) -> int:
        """Record a request; returns how many times ``path`` was requested (1 for the first)."""
        with self._lock:
            self.requests.append(LoggedRequest(path, headers))
            self._counts[path] = self._counts.get(path, 0) + 1
            return self._counts[path]

    def requests_for(self, path: str) -> list[LoggedRequest]:
        """Logged requests of one path, in order."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def feed_bytes(self, name: str) -> bytes:
        """The (cached) body of the good feed ``name``."""
        with self._lock:
            body = self._feeds.get(name)
            if body is None:
                body = self._feeds[name] = rss_feed(name, self.feed_items, base=self.base_url)
            return body

    def change_feed(self, name: str, body: bytes) -> None:
        """Replace the body of good feed ``name`` (its ETag changes with it)."""
        with self._lock:
            self._feeds[name] = body


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # the default (5) drops SYNs under a concurrent fetch: connect timeouts

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up on hostile routes are the point, not an error


class _Handler(BaseHTTPRequestHandler):
    owner: MisbehavingServer
    protocol_version = "HTTP/1.1"
    server_version = "misbehaving/1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stalls

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        count = self.owner.log(path, {k.lower(): v for k, v in self.headers.items()})
        try:
            self._route(path, count)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    # -- helpers ----------------------------------------------------------------------

    def _send(self, status: int, body: bytes, ctype: str | None = "text/plain", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _feed(self, body: bytes, ctype: str = "application/rss+xml; charset=utf-8", *, validators: bool = True,
              encoding: str | None = None) -> None:
        if not validators:
            self._send(200, body, ctype)
            return
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if (inm is not None and inm == etag) or (inm is None and ims == LAST_MODIFIED):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if encoding == "gzip":
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._send(200, body, ctype, headers)

    def _redirect(self, location: str, status: int = 302) -> None:
        self._send(status, b"", None, {"Location": location})

    def _wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; False when the server is stopping."""
        return not self.owner.stopping.wait(seconds)

    # -- routes -------------------------------------------------------------------------

    def _route(self, path: str, count: int) -> None:
        o = self.owner
        parts = path.strip("/").split("/")
        head = parts[0]
        if path in o.extra_routes:
            o.extra_routes[path](self)
        elif head == "feed" and len(parts) == 2:
            self._feed(o.feed_bytes(parts[1].removesuffix(".xml")))
        elif head == "atom" and len(parts) == 2:
            self._feed(atom_feed(parts[1].removesuffix(".xml"), o.base_url), "application/atom+xml")
        elif head == "gzip" and len(parts) == 2:
            self._feed(o.feed_bytes(parts[1].removesuffix(".xml")), encoding="gzip")
        elif head == "nolabel" and len(parts) == 2:
            self._feed(o.feed_bytes(parts[1].removesuffix(".xml")), "application/xml", validators=False)
        elif head == "status" and len(parts) == 2:
            code = int(parts[1])
            self._send(code, f"status {code}\n".encode())
        elif head == "flaky":
            if count == 1:
                self._send(500, b"temporarily broken\n")
            else:
                self._feed(o.feed_bytes("flaky"))
        elif head == "retry-after":
            self._send(429, b"slow down\n", headers={"Retry-After": parts[1]})
        elif head == "retry-after-date":
            when = email.utils.formatdate(time.time() + int(parts[1]), usegmt=True)
            self._send(503, b"maintenance\n", headers={"Retry-After": when})
        elif head == "retry-once":
            if count == 1:
                self._send(429, b"slow down\n", headers={"Retry-After": "0"})
            else:
                self._feed(o.feed_bytes("retry-once"))
        elif path == "/hang":
            self._wait(120)
            self.close_connection = True
        elif path == "/hang-body":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"<?xml version='1.0'?><rss>")
            self.wfile.flush()
            self._wait(120)
            self.close_connection = True
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and self._wait(0.05):
                self.wfile.write(b" ")
                self.wfile.flush()
            self.close_connection = True
        elif path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "20000")
            self.end_headers()
            self.wfile.write(o.feed_bytes("truncated")[:500])
            self.wfile.flush()
            self.close_connection = True
        elif path == "/bomb":
            self._send(200, gzip_bomb(), "application/rss+xml", {"Content-Encoding": "gzip"})
        elif path in ("/big", "/big-chunked"):
            size = 50_000_000
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            if path == "/big":
                self.send_header("Content-Length", str(size))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"<p>" + b"x" * 65_529 + b"</p>"
            sent = 0
            while sent < size and not o.stopping.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
            self.close_connection = True
        elif head == "loop":
            self._redirect("/loop/b" if parts[-1] == "a" else "/loop/a")
        elif head == "chain":
            n = int(parts[1])
            self._redirect(f"/chain/{n - 1}" if n > 1 else "/feed/chained.xml", 301)
        elif head == "redirect":
            self._redirect("/" + "/".join(parts[1:]))
        elif path == "/laughs.xml":
            self._send(200, BILLION_LAUGHS, "application/rss+xml")
        elif path == "/cp1252.xml":
            body = rss_feed("cp1252", 2).replace(b"cp1252 harbour news", CP1252_TEXT.encode("cp1252"))
            self._send(200, body.replace(b'encoding="utf-8"', b""), "application/rss+xml; charset=utf-8")
        elif path == "/sjis.html":
            self._send(200, _sjis_page(), "text/html")
        elif path == "/sjis-mislabelled.html":
            self._send(200, _sjis_page(), "text/html; charset=utf-8")
        elif path == "/html-as-feed":
            self._send(200, b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Welcome</p></body></html>",
                       "text/html; charset=utf-8")
        elif path == "/empty":
            self._send(200, b"", "application/rss+xml")
        elif path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private/\n")
        elif head in ("page", "private"):
            self._send(200, article_page(parts[-1].removesuffix(".html")), "text/html; charset=utf-8")
        else:
            self._send(404, b"not found\n")


def article_page(slug: str) -> bytes:
    """An article page with a title, a date and a few paragraphs of text written for these tests."""
    paragraphs = "".join(
        f"<p>Paragraph {i} of {slug}: engineers at the harbour examined crane number {len(slug) + i} "
        f"and found that {i + 2} bolts on the boom had worked loose during the autumn storms. "
        "The port authority said cargo handling would continue on the other berths while the parts are "
        "replaced, and that a second inspection is planned before the end of the month.</p>"
        for i in range(4)
    )
    return (
        f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{slug}: crane bolts found loose</title>"
        f"<meta property=\"article:published_time\" content=\"2026-11-21T07:00:00Z\"></head>"
        f"<body><article><h1>{slug}: crane bolts found loose</h1>{paragraphs}</article></body></html>"
    ).encode()


def _sjis_page() -> bytes:
    return ("<html><head><title>港のニュース</title></head><body><p>" + SJIS_TEXT * 3 + "</p></body></html>").encode(
        "shift_jis"
    )
