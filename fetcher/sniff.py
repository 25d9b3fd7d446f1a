"""Cheap checks on a feed body before anyone parses it: HTML instead of XML, entity declarations.

Nothing here parses XML; it looks at the first bytes only, so it is safe on hostile input.
"""

from __future__ import annotations

import re

from fetcher.errors import NotAFeed, UnsafeXML

_HEAD = 8192
_FEED_ROOTS = re.compile(rb"<(?:[\w-]+:)?(?:rss|feed|rdf|urlset|sitemapindex|channel)[\s>/]", re.IGNORECASE)
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _ascii_view(content: bytes) -> bytes:
    """The content with UTF-16/32 NULs dropped, so the regexes see ASCII markup either way."""
    if b"\x00" in content[:64]:
        return content.replace(b"\x00", b"")
    return content


def check_feed_body(url: str, content: bytes, content_type: str | None, *, reject_html: bool = True) -> None:
    """Raise UnsafeXML for DTD entity declarations and NotAFeed for an HTML page; else return."""
    view = _ascii_view(content)
    head = view[:_HEAD]
    stripped = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")
    if stripped.startswith((b"{", b"[")):
        return  # JSON Feed
    root = _FEED_ROOTS.search(head)
    doctype = _DOCTYPE.search(view, 0, root.start() if root else len(view))
    # Entity declarations live in the DTD's internal subset; searching the rest of the document
    # too costs one regex scan and cannot be fooled by root-like markup inside the DTD.
    if doctype and _ENTITY_DECL.search(view, doctype.end()):
        raise UnsafeXML(url, "XML declares entities in its DTD (entity expansion / XXE risk); refused")
    if reject_html and root is None and _HTML_ROOT.search(head):
        kind = (content_type or "no content type").split(";")[0].strip()
        raise NotAFeed(url, f"expected a feed, got an HTML page ({kind})")
