"""RSS 0.9x/1.0/2.0, Atom and news-sitemap bytes -> ``Feed``.

Safety first: the prolog is inspected before any XML parser sees the bytes. A
DOCTYPE that declares entities (billion laughs, external entities) is refused;
a plain DOCTYPE is stripped. Sitemaps are read with defusedxml; RSS/Atom go to
feedparser. Anything whose root is not a feed (an HTML page, an empty body,
garbage) raises ``FeedParseError``.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from parsers.dates import parse_date, plausible
from parsers.errors import FeedParseError
from parsers.lang import normalize_lang
from parsers.models import Feed, FeedEntry

MAX_FEED_BYTES = 20 * 1024 * 1024
_FEED_ROOTS = {"rss", "feed", "rdf", "channel"}
_SITEMAP_ROOTS = {"urlset", "sitemapindex"}
_PROLOG_JUNK = re.compile(rb"\A(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_DOCTYPE = re.compile(rb"<!DOCTYPE\b(?:[^\[>]*)(?:\[(?P<subset>.*?)\])?\s*>", re.DOTALL | re.IGNORECASE)
_ROOT = re.compile(rb"<\s*(?:[A-Za-z_][\w.-]*:)?(?P<name>[A-Za-z_][\w.-]*)")
_TAGS = re.compile(r"<[^>]*>")


def _sniff_and_sanitise(data: bytes) -> tuple[bytes, str]:
    """Return the bytes with any DOCTYPE removed and the local name of the root element."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            data = data.decode("utf-16").encode("utf-8")
            data = re.sub(rb"encoding=[\"']utf-16[\"']", b'encoding="utf-8"', data, count=1, flags=re.I)
        except UnicodeDecodeError as exc:
            raise FeedParseError("undecodable UTF-16 feed") from exc
    head = data[:65536]
    doctype = _DOCTYPE.search(head)
    if doctype is not None:
        subset = doctype.group("subset") or b""
        if re.search(rb"<!ENTITY", subset, re.IGNORECASE) or re.search(rb"\bSYSTEM\b", subset):
            raise FeedParseError("feed declares entities in its DOCTYPE; refusing to expand them")
        if b"html" in doctype.group(0)[:20].lower():
            raise FeedParseError("an HTML page, not a feed")
        data = data[: doctype.start()] + data[doctype.end():]
    elif re.search(rb"<!ENTITY", head, re.IGNORECASE):
        raise FeedParseError("entity declarations outside a DOCTYPE")
    prolog = _PROLOG_JUNK.match(data)
    rest = data[prolog.end() if prolog else 0:]
    root = _ROOT.match(rest)
    if root is None:
        raise FeedParseError("no XML root element")
    return data, root.group("name").decode("ascii", "replace").lower()


def _to_utc(struct: time.struct_time | None) -> datetime | None:
    if not struct:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _plain(text: str | None) -> str:
    if not text:
        return ""
    import html as html_lib

    return re.sub(r"\s+", " ", html_lib.unescape(_TAGS.sub(" ", text))).strip()


def _entry_date(entry: Any, now: datetime) -> datetime | None:
    for key in ("published", "updated", "created", "dc_date"):
        raw = entry.get(key)
        if raw:
            dt = parse_date(str(raw), now=now)
            if dt is not None:
                return dt
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        dt = _to_utc(entry.get(key))
        if dt is not None and plausible(dt, now):
            return dt
    return None


def _parse_rss_atom(data: bytes, url: str, root: str) -> Feed:
    try:
        parsed = feedparser.parse(data, response_headers={"content-location": url})
    except Exception as exc:  # feedparser is not supposed to raise, but guard the contract
        raise FeedParseError(f"feedparser failed: {exc}") from exc
    version = str(parsed.get("version") or "")
    if not version and not parsed.entries:
        raise FeedParseError("not an RSS or Atom feed")
    now = datetime.now(UTC)
    meta = parsed.feed
    feed_lang = normalize_lang(meta.get("language"))
    entries: list[FeedEntry] = []
    for e in parsed.entries:
        link = e.get("link") or ""
        if not link:
            links = [x.get("href") for x in e.get("links", []) if x.get("href")]
            link = links[0] if links else ""
        guid = e.get("id") or None
        if not link and guid and str(guid).startswith("http"):
            link = str(guid)
        if not link:
            continue
        entries.append(
            FeedEntry(
                url=urljoin(url, link.strip()),
                title=_plain(e.get("title")),
                summary=_plain(e.get("summary") or e.get("description")),
                published=_entry_date(e, now),
                guid=str(guid) if guid else None,
                author=_plain(e.get("author")) or None,
                language=normalize_lang(e.get("language")) or feed_lang,
            )
        )
    kind = "atom" if version.startswith("atom") or root == "feed" else "rss"
    return Feed(url=url, title=_plain(meta.get("title")), language=feed_lang, entries=tuple(entries), kind=kind)


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(el: Any, *path: str) -> str:
    cur = el
    for name in path:
        cur = next((c for c in cur if _local(c.tag) == name), None)
        if cur is None:
            return ""
    return (cur.text or "").strip()


def _parse_sitemap(data: bytes, url: str, root_name: str) -> Feed:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SafeET.ParseError, ValueError) as exc:
        raise FeedParseError(f"unreadable sitemap: {exc}") from exc
    now = datetime.now(UTC)
    child_name = "sitemap" if root_name == "sitemapindex" else "url"
    entries: list[FeedEntry] = []
    languages: set[str] = set()
    for node in root:
        if _local(node.tag) != child_name:
            continue
        loc = _child_text(node, "loc")
        if not loc:
            continue
        title = _child_text(node, "news", "title")
        raw_date = _child_text(node, "news", "publication_date") or _child_text(node, "lastmod")
        lang = normalize_lang(_child_text(node, "news", "publication", "language"))
        if lang:
            languages.add(lang)
        entries.append(
            FeedEntry(
                url=urljoin(url, loc),
                title=title,
                published=parse_date(raw_date, now=now) if raw_date else None,
                guid=loc,
                language=lang,
            )
        )
    return Feed(
        url=url,
        title="",
        language=languages.pop() if len(languages) == 1 else None,
        entries=tuple(entries),
        kind="sitemap",
    )


def parse_feed(data: bytes, url: str) -> Feed:
    """Parse RSS/Atom/news-sitemap bytes into a ``Feed`` (entries in order, dates aware UTC) or raise FeedParseError."""
    if not isinstance(data, bytes | bytearray):
        raise FeedParseError("feed data must be bytes")
    data = bytes(data)
    if not data.strip():
        raise FeedParseError("empty feed body")
    if len(data) > MAX_FEED_BYTES:
        raise FeedParseError(f"feed larger than {MAX_FEED_BYTES} bytes")
    cleaned, root = _sniff_and_sanitise(data)
    if root in ("html", "head", "body", "div", "p", "script"):
        raise FeedParseError("an HTML page, not a feed")
    if root in _SITEMAP_ROOTS:
        return _parse_sitemap(cleaned, url, root)
    if root not in _FEED_ROOTS:
        raise FeedParseError(f"root element <{root}> is not a feed")
    return _parse_rss_atom(cleaned, url, root)
