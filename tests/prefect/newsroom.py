"""A tiny newsroom on 127.0.0.1 for the Prefect tests: one RSS feed and its article pages.

Fault injection: ``fail_next(path, n)`` answers 503 to the next ``n`` requests of a
path; ``hold(path)`` makes requests of a path wait until ``release()`` (so a test can
keep one ingest run busy while it starts another). The article texts are written for
these tests (a fictional harbour strike in a fictional town).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

STORIES = [
    ("dockers-walk-out", "Dockworkers in Velmora walk out over night-shift pay",
     "Dockworkers at the port of Velmora stopped work at dawn on Monday after talks over night-shift pay "
     "broke down. The union said about four hundred members joined the walkout and that container cranes "
     "along the eastern quay stood idle for most of the morning. Port managers said perishable cargo "
     "would be moved to the western berths while the dispute lasted. A union spokesperson said members "
     "had waited two years for the pay review promised in the last agreement."),
    ("ferries-cancelled", "Velmora island ferries cancelled as harbour strike spreads",
     "All ferry crossings from Velmora to the outer islands were cancelled on Tuesday as the harbour "
     "strike spread to the ticket offices and the mooring crews. The ferry operator said passengers with "
     "bookings would be refunded in full. Island councils warned that deliveries of fresh food could run "
     "short by the weekend if the crossings did not resume, and asked the regional government to step in."),
    ("mediator-named", "Regional government names mediator in Velmora port dispute",
     "The regional government appointed a retired labour judge on Wednesday to mediate between the port "
     "authority and the dockworkers' union in Velmora. Both sides agreed to meet the mediator on Thursday "
     "morning. The union said the strike would continue until an offer was put in writing, while the "
     "port authority said it was ready to reopen the pay review at once."),
]


def page_html(slug: str, title: str, body: str, published: datetime, base: str) -> str:
    """An article page with the metadata the parser reads."""
    when = published.strftime("%Y-%m-%dT%H:%M:%SZ")
    paras = "".join(f"<p>{s.strip()}.</p>" for s in body.split(". ") if s.strip())
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<link rel=\"canonical\" href=\"{base}/news/{slug}\">"
            f"<meta property=\"og:title\" content=\"{title}\">"
            f"<meta property=\"article:published_time\" content=\"{when}\"></head>"
            f"<body><article><h1>{title}</h1><p class=\"byline\">By Staff Reporter</p>{paras}</article></body></html>")


class Newsroom:
    """A threaded HTTP server with an RSS feed at ``/feed.xml`` listing ``STORIES``."""

    def __init__(self, published: datetime) -> None:
        self.pages: dict[str, tuple[bytes, str]] = {}
        self.hits: dict[str, int] = {}
        self._fail: dict[str, int] = {}
        self._held: set[str] = set()
        self._gate = threading.Event()
        self._lock = threading.Lock()
        room = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with room._lock:
                    room.hits[path] = room.hits.get(path, 0) + 1
                    failing = room._fail.get(path, 0)
                    if failing:
                        room._fail[path] = failing - 1
                    held = path in room._held
                    page = room.pages.get(path)
                if held:
                    room._gate.wait(60)
                if failing:
                    self._send(503, b"busy", "text/plain")
                elif page is None:
                    self._send(404, b"not found", "text/plain")
                else:
                    self._send(200, *page)

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        items = []
        for i, (slug, title, body) in enumerate(STORIES):
            when = published + timedelta(hours=i)
            self.put(f"/news/{slug}", page_html(slug, title, body, when, self.base_url), "text/html; charset=utf-8")
            items.append(f"<item><title>{title}</title><link>{self.base_url}/news/{slug}</link>"
                         f"<guid>{self.base_url}/news/{slug}</guid><pubDate>{format_datetime(when)}</pubDate></item>")
        rss = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Velmora Post</title>'
               f"<link>{self.base_url}/</link>" + "".join(reversed(items)) + "</channel></rss>")
        self.put("/feed.xml", rss, "application/rss+xml")
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def put(self, path: str, body: str, ctype: str) -> None:
        with self._lock:
            self.pages[path] = (body.encode("utf-8"), ctype)

    def fail_next(self, path: str, n: int) -> None:
        """Answer 503 to the next ``n`` requests of ``path``."""
        with self._lock:
            self._fail[path] = n

    def hold(self, path: str) -> None:
        """Make requests of ``path`` wait until :meth:`release`."""
        with self._lock:
            self._held.add(path)
        self._gate.clear()

    def release(self) -> None:
        with self._lock:
            self._held.clear()
        self._gate.set()

    def __enter__(self) -> Newsroom:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()


AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PUBLISHED = AS_OF - timedelta(hours=6)


def write_config(tmp: Path, room: Newsroom, **extra: Any) -> Path:
    """A config file for ``room``: SQLite in ``tmp``, no fetch retries inside the fetcher, fast task retries."""
    data: dict[str, Any] = {
        "database": f"sqlite:///{tmp / 'storywatch.db'}",
        "fetch": {"allow_private_addresses": True, "retries": 0, "respect_robots": False},
        "sources": [{"name": "velmora-post", "url": f"{room.base_url}/feed.xml"}],
        "report": {"path": str(tmp / "story.html")},
        "prefect": {"fetch_retries": 2, "fetch_retry_delays": [0.2], "retry_jitter": 0},
    }
    data.update(extra)
    path = tmp / "storywatch.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def stored_urls(db_url: str) -> list[str]:
    """Every stored article URL (duplicates would show twice)."""
    from sqlalchemy import select

    from storage.db import make_engine, session_factory
    from storage.models import Article

    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as s:
            return list(s.scalars(select(Article.url)))
    finally:
        engine.dispose()
