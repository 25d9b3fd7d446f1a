"""A loopback news web for a labelled development set, revealed day by day, and an alert receiver.

:class:`DevsetSite` serves every outlet (the rows' ``source``) of a devset JSONL on 127.0.0.1:
one RSS feed per outlet at ``/feeds/<source>.xml`` (newest first, at most ``FEED_LENGTH`` items,
only articles whose ``seen`` day is on or before the site's day) and an HTML page per article
at ``/<source><path of the devset URL>`` (404 until its day), rendered from the row in one of
three outlet layouts. It is the replay server of the bundled story
(:class:`storywatch.replay.server.ReplayServer`: threads, robots.txt, ETag/Last-Modified,
304s) with the devset as its manifest and its RSS renderer for the feeds.

:class:`AlertReceiver` is a webhook endpoint on 127.0.0.1 that records what Apprise's
``json://`` channel posts to it.
"""

from __future__ import annotations

import json
import re
import threading
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from storywatch.replay.feeds import render_feed
from storywatch.replay.server import BackgroundServer, ReplayServer, _Resource
from storywatch.replay.story import Outlet, Story, StoryArticle

#: Items per outlet feed (a realistic length; the busiest outlet-day of the devset has 2).
FEED_LENGTH = 20
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_LAYOUTS = ("wire", "paper", "asia")
#: Reporter names per language (an outlet's byline is picked from its language's list by its id).
_REPORTERS = {
    "en": ("Helen Marsh", "David Okafor", "Ruth Callahan", "Tom Whitaker"), "ja": ("佐藤 健", "中村 美穂"),
    "ko": ("김민준", "이서연"), "zh": ("王磊", "李静"), "ru": ("Анна Петрова", "Игорь Смирнов"),
    "es": ("Lucía Romero", "Pablo Ortega"), "fr": ("Claire Dubois", "Julien Martin"),
}
_BY = {"en": "By {who}", "ja": "{who} 記者", "ko": "{who} 기자", "zh": "记者 {who}", "ru": "Автор: {who}",
       "es": "Por {who}", "fr": "Par {who}"}


def parse_time(value: str) -> datetime:
    """An ISO-8601 devset time (``...Z`` allowed) as an aware UTC datetime."""
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def end_of_day(day: str) -> datetime:
    """23:59 UTC of an ISO day: the ``as_of`` of that day's run."""
    return datetime.combine(date.fromisoformat(day), time(23, 59), tzinfo=UTC)


def outlet_id(source: str) -> str:
    """The outlet's id (a valid config source name and URL segment) for a row's ``source``."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", source).strip("-._")[:100]
    return slug or "source"


def outlet_name(source: str) -> str:
    """The display name of a row's ``source`` (``global-wire`` -> ``Global Wire``; names kept as given)."""
    return source.replace("-", " ").title() if source == outlet_id(source).lower() else source


def _route(path: str, query: str = "") -> str:
    """One spelling of a path and query (percent-encoding normalised), as links carry it."""
    safe = "/:@!$&'()*+,;=-._~"
    route = quote(unquote(path) or "/", safe=safe)
    return f"{route}?{quote(unquote(query), safe=safe + '?')}" if query else route


def loopback_path(row: dict[str, Any]) -> str:
    """The URL path (and query) of a devset article on the loopback site: ``/<outlet id>`` + its own."""
    parts = urlsplit(row["url"])
    return f"/{outlet_id(row['source'])}{_route(parts.path or '/', parts.query)}"


def paragraphs(text: str) -> list[str]:
    """The row's text split into paragraphs on blank lines (stripped, empty ones dropped)."""
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _summary(text: str, limit: int = 200) -> str:
    first = paragraphs(text)[:1]
    lead = " ".join(first[0].split()) if first else ""
    return lead if len(lead) <= limit else lead[: limit - 1].rsplit(" ", 1)[0] + "…"


def build_story(rows: list[dict[str, Any]]) -> Story:
    """The devset as a replay manifest: one RSS outlet per source, one article per row."""
    by_source: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_source.setdefault(outlet_id(r["source"]), []).append(r)
    outlets = []
    for oid, items in sorted(by_source.items()):
        langs = [r.get("lang") or "en" for r in items]
        lang = max(sorted(set(langs)), key=langs.count)
        name = outlet_name(items[0]["source"])
        outlets.append(Outlet(id=oid, name=name, feed="rss", lang=lang, home=f"/{oid}/",
                              description=f"Latest news from {name}"))
    articles = tuple(sorted(
        (StoryArticle(path=loopback_path(r), outlet=outlet_id(r["source"]), published=parse_time(r["published"]),
                      title=r["title"], lang=r.get("lang") or "en", event=r["event"], kind=r.get("kind") or None,
                      relevant=bool(r["relevant"]), alert_expected=bool(r.get("new")), summary=_summary(r["text"]))
         for r in rows),
        key=lambda a: a.published))
    last = max((parse_time(r["published"]) for r in rows), default=_EPOCH)
    return Story(default_clock=last, freshness=timedelta(hours=72), outlets=tuple(outlets), articles=articles)


# ------------------------------------------------------------------------------------ pages


def render_page(row: dict[str, Any], base_url: str) -> bytes:
    """The article page of ``row`` as its outlet would publish it (one of three layouts)."""
    source = outlet_id(row["source"])
    name = outlet_name(row["source"])
    lang = row.get("lang") or "en"
    url = base_url + loopback_path(row)
    home = f"/{source}/"
    published = parse_time(row["published"])
    iso = published.strftime("%Y-%m-%dT%H:%M:%SZ")
    names = _REPORTERS.get(lang, _REPORTERS["en"])
    reporter = names[zlib.crc32(source.encode("utf-8")) % len(names)]
    byline = _BY.get(lang, _BY["en"]).format(who=reporter)
    title = row["title"]
    layout = _LAYOUTS[zlib.crc32(source.encode("utf-8")) % len(_LAYOUTS)]
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
        "datePublished": iso, "dateModified": iso, "inLanguage": lang,
        "author": [{"@type": "Person", "name": reporter}],
        "publisher": {"@type": "Organization", "name": name, "logo": {"@type": "ImageObject",
                                                                     "url": f"{base_url}{home}logo.png"}},
        "mainEntityOfPage": {"@type": "WebPage", "@id": url}, "description": _summary(row["text"]),
    }
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs(row["text"]))
    nav = " ".join(f'<a href="{home}{s}/">{s.title()}</a>' for s in ("world", "asia", "politics", "business",
                                                                       "sport", "opinion"))
    head = (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} - {escape(name)}</title>\n"
        f'<meta name="description" content="{escape(_summary(row["text"]))}">\n'
        f'<meta name="author" content="{escape(reporter)}">\n'
        f'<link rel="canonical" href="{escape(url)}">\n'
        f'<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{escape(title)}">\n'
        f'<meta property="og:url" content="{escape(url)}">\n'
        f'<meta property="og:site_name" content="{escape(name)}">\n'
        f'<meta property="article:published_time" content="{iso}">\n'
        f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>\n'
        f'<style>body{{font-family:serif;margin:0}}.wrap{{max-width:760px;margin:auto}}</style>\n'
        "</head>\n"
    )
    header = (f'<header class="site-header"><a class="logo" href="{home}">{escape(name)}</a>'
              f'<nav class="main-nav">{nav}</nav></header>\n')
    footer = (f'<footer class="site-footer"><ul><li><a href="{home}about/">About us</a></li>'
              f'<li><a href="{home}privacy/">Privacy</a></li><li><a href="/feeds/{source}.xml">RSS</a></li></ul>'
              f"<p>&copy; {published.year} {escape(name)}. All rights reserved.</p></footer>\n")
    when = f'<time datetime="{iso}">{published.strftime("%d %B %Y %H:%M UTC")}</time>'
    if layout == "wire":
        main = (f'<main class="wrap"><article class="story">\n<h1 class="story-title">{escape(title)}</h1>\n'
                f'<div class="story-meta"><span class="byline">{escape(byline)}</span> · {when}</div>\n'
                f'<div class="story-body">\n{body}\n</div>\n</article>\n'
                f'<aside class="more"><h2>More from {escape(name)}</h2><ul>'
                f'<li><a href="{home}world/">World headlines</a></li><li><a href="{home}markets/">Markets today'
                f"</a></li></ul></aside></main>\n")
    elif layout == "paper":
        main = (f'<div class="breadcrumb"><a href="{home}">Home</a> &gt; <a href="{home}world/">World</a></div>\n'
                f'<main class="wrap"><article>\n<header class="article-header"><h1>{escape(title)}</h1>'
                f'<p class="byline">{escape(byline)}</p><p class="dateline">{when}</p></header>\n'
                f'<div class="article-body" itemprop="articleBody">\n{body}\n</div>\n'
                f'<div class="share-bar"><a href="https://x.example/share">Share</a> '
                f'<a href="https://mail.example/share">Email</a></div>\n</article>\n'
                f'<section class="related"><h2>Related</h2><ul><li><a href="{home}asia/">Asia</a></li></ul>'
                f"</section></main>\n"
                f'<div class="newsletter-box"><p>Get our morning briefing in your inbox.</p>'
                f"<button>Sign up</button></div>\n")
    else:
        main = (f'<main class="wrap"><div class="p-article"><article>\n'
                f'<div class="p-article__head"><h1 class="p-article__title">{escape(title)}</h1>'
                f'<p class="p-article__date">{when}</p><p class="p-article__author">{escape(byline)}</p></div>\n'
                f'<div class="p-article__body">\n{body}\n</div>\n</article></div>\n'
                f'<section class="c-ranking"><h2>Most read</h2><ol><li><a href="{home}weather/">Weather</a></li>'
                f'<li><a href="{home}economy/">Economy</a></li></ol></section></main>\n')
    page = f"{head}<body>\n{header}{main}{footer}</body>\n</html>\n"
    return page.encode("utf-8")


# ------------------------------------------------------------------------------------- server


class DevsetSite(ReplayServer):
    """The devset's outlets on 127.0.0.1 (ephemeral port), revealing articles by their ``seen`` day."""

    def __init__(self, rows: list[dict[str, Any]], *, host: str = "127.0.0.1", port: int = 0,
                 feed_length: int = FEED_LENGTH) -> None:
        """Bind now; nothing is visible until :meth:`set_day`."""
        self.rows = list(rows)
        self.feed_length = feed_length
        story = build_story(self.rows)
        self._by_path = {loopback_path(r): r for r in self.rows}
        if len(self._by_path) != len(self.rows):
            raise ValueError("two devset rows map to one loopback URL")
        self._day = ""
        super().__init__(_EPOCH, host=host, port=port, story=story)

    def set_day(self, day: str) -> None:
        """Reveal every article whose ``seen`` day is on or before ``day`` (ISO date)."""
        date.fromisoformat(day)
        with self._lock:
            self._day = day
        self.set_clock(end_of_day(day))

    @property
    def day(self) -> str:
        """The current day ('' before the first :meth:`set_day`)."""
        with self._lock:
            return self._day

    def url_of(self, row: dict[str, Any]) -> str:
        """The loopback URL of a devset row's article page."""
        return self.base_url + loopback_path(row)

    def row_at(self, url: str) -> dict[str, Any] | None:
        """The devset row served at ``url`` (any host/port), or None."""
        parts = urlsplit(url)
        return self._by_path.get(_route(parts.path, parts.query))

    def feed_url(self, outlet: str) -> str:
        """The RSS feed URL of an outlet (by id)."""
        return f"{self.base_url}/feeds/{outlet}.xml"

    def visible(self, outlet: str, day: str | None = None) -> list[dict[str, Any]]:
        """The rows listed in the feed of ``outlet`` (an id) on ``day`` (default: today), newest first."""
        day = self.day if day is None else day
        items = [r for r in self.rows if outlet_id(r["source"]) == outlet and r["seen"] <= day]
        items.sort(key=lambda r: (r["published"], r["seen"], r["id"]), reverse=True)
        return items[: self.feed_length]

    def resource(self, raw_path: str) -> _Resource | None:
        """Feeds and pages at the current day; robots.txt from the replay server."""
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        day = self.day
        if path == "/robots.txt":
            return super().resource(raw_path)
        if path.startswith("/feeds/") and path.endswith(".xml"):
            try:
                outlet = self.story.outlet(path[len("/feeds/"):-len(".xml")])
            except KeyError:
                return None
            shown = {loopback_path(r) for r in self.visible(outlet.id, day)}
            items = [a for a in self.story.articles if a.path in shown]
            items.sort(key=lambda a: a.published, reverse=True)
            built = self.clock
            body = render_feed(outlet, items, self.base_url, built)
            tag = render_feed(outlet, items, "", built)
            return _Resource(body, "application/rss+xml; charset=utf-8",
                             max((a.published for a in items), default=_EPOCH), tag)
        row = self._by_path.get(_route(parts.path, parts.query))
        if row is None or not day or row["seen"] > day:
            return None
        return _Resource(render_page(row, self.base_url), "text/html; charset=utf-8", parse_time(row["published"]))


# ------------------------------------------------------------------------------ alert receiver


@dataclass(frozen=True)
class ReceivedAlert:
    """One message posted to the receiver."""

    path: str
    body: bytes

    def json(self) -> Any:
        """The posted JSON document (Apprise ``json://``: version, title, message, type)."""
        return json.loads(self.body.decode("utf-8"))


class AlertReceiver(BackgroundServer):
    """A webhook on 127.0.0.1 (ephemeral port) that answers 200 and records every POST."""

    thread_name = "alert-receiver"

    def __init__(self) -> None:
        """Bind now; serve after :meth:`start` (or ``with``)."""
        self._lock = threading.Lock()
        self.received: list[ReceivedAlert] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with outer._lock:
                    outer.received.append(ReceivedAlert(self.path, body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._httpd.server_address[1])

    def apprise_url(self, path: str = "/alerts") -> str:
        """The Apprise ``json://`` URL that posts to this receiver."""
        return f"json://127.0.0.1:{self.port}{path}"

    def messages(self) -> list[ReceivedAlert]:
        """Everything received so far."""
        with self._lock:
            return list(self.received)
