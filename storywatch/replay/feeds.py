"""Feeds of the replay outlets, generated from the manifest: RSS 2.0, Atom, and a news sitemap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from storywatch.replay.story import Outlet, StoryArticle

#: Feeds of Korean- and Japanese-language outlets carry local-time pubDates, as theirs do.
_LOCAL_TZ = {"ko": timezone(timedelta(hours=9)), "ja": timezone(timedelta(hours=9))}


def feed_links(outlet: Outlet, article: StoryArticle) -> list[str]:
    """Every URL path under which ``article`` appears in its outlet's feed (first is the main item)."""
    main = article.feed_link or article.path
    if outlet.feed_query:
        main += ("&" if "?" in main else "?") + outlet.feed_query
    return [main, *article.feed_links]


def render_feed(outlet: Outlet, articles: list[StoryArticle], base_url: str, built: datetime) -> bytes:
    """The outlet's feed document listing ``articles`` (already newest first) with absolute links."""
    if outlet.feed == "atom":
        return _atom(outlet, articles, base_url, built)
    if outlet.feed == "sitemap":
        return _sitemap(outlet, articles, base_url)
    return _rss(outlet, articles, base_url, built)


def _rfc822(when: datetime, lang: str) -> str:
    tz = _LOCAL_TZ.get(lang)
    return format_datetime(when.astimezone(tz), usegmt=False) if tz else format_datetime(
        when.astimezone(UTC), usegmt=True)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rss(outlet: Outlet, articles: list[StoryArticle], base: str, built: datetime) -> bytes:
    items = []
    for a in articles:
        for n, link in enumerate(feed_links(outlet, a)):
            guid = base + a.path if n == 0 else base + link
            items.append(
                "<item>"
                f"<title>{escape(a.title)}</title>"
                f"<link>{escape(base + link)}</link>"
                f'<guid isPermaLink="{"true" if n == 0 else "false"}">{escape(guid)}</guid>'
                f"<pubDate>{_rfc822(a.published, outlet.lang)}</pubDate>"
                f"<description>{escape(a.summary)}</description>"
                "</item>"
            )
    last = articles[0].published if articles else built
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
        f"<title>{escape(outlet.name)}</title>\n"
        f"<link>{escape(base + outlet.home)}</link>\n"
        f"<description>{escape(outlet.description)}</description>\n"
        f"<language>{outlet.lang}</language>\n"
        f"<lastBuildDate>{_rfc822(last, outlet.lang)}</lastBuildDate>\n"
        f'<atom:link href={quoteattr(base + outlet.feed_path)} rel="self" type="application/rss+xml"/>\n'
        + "\n".join(items)
        + "\n</channel>\n</rss>\n"
    )
    return doc.encode("utf-8")


def _atom(outlet: Outlet, articles: list[StoryArticle], base: str, built: datetime) -> bytes:
    entries = []
    for a in articles:
        for link in feed_links(outlet, a):
            entries.append(
                "<entry>"
                f"<title>{escape(a.title)}</title>"
                f'<link rel="alternate" type="text/html" href={quoteattr(base + link)}/>'
                f"<id>{escape(base + link)}</id>"
                f"<published>{_iso(a.published)}</published>"
                f"<updated>{_iso(a.published)}</updated>"
                f"<author><name>{escape(outlet.name)}</name></author>"
                f'<summary type="text">{escape(a.summary)}</summary>'
                "</entry>"
            )
    updated = articles[0].published if articles else built
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{outlet.lang}">\n'
        f"<title>{escape(outlet.name)}</title>\n"
        f"<subtitle>{escape(outlet.description)}</subtitle>\n"
        f'<link rel="alternate" type="text/html" href={quoteattr(base + outlet.home)}/>\n'
        f'<link rel="self" type="application/atom+xml" href={quoteattr(base + outlet.feed_path)}/>\n'
        f"<id>{escape(base + outlet.home)}</id>\n"
        f"<updated>{_iso(updated)}</updated>\n"
        + "\n".join(entries)
        + "\n</feed>\n"
    )
    return doc.encode("utf-8")


def _sitemap(outlet: Outlet, articles: list[StoryArticle], base: str) -> bytes:
    urls = []
    for a in articles:
        for link in feed_links(outlet, a):
            urls.append(
                "<url>"
                f"<loc>{escape(base + link)}</loc>"
                "<news:news><news:publication>"
                f"<news:name>{escape(outlet.name)}</news:name><news:language>{outlet.lang}</news:language>"
                "</news:publication>"
                f"<news:publication_date>{_iso(a.published)}</news:publication_date>"
                f"<news:title>{escape(a.title)}</news:title>"
                "</news:news></url>"
            )
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        + "\n".join(urls)
        + "\n</urlset>\n"
    )
    return doc.encode("utf-8")
