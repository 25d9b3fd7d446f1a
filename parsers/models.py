"""Frozen domain types shared by every stage.

These carry no I/O and no ORM: `storage` maps them to tables, `detection`
reads them, `alerting` formats them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class DateValue:
    """An aware UTC datetime and where it was read from (e.g. ``jsonld:datePublished``)."""

    value: datetime
    source: str


@dataclass(frozen=True)
class FeedEntry:
    """One item of an RSS/Atom feed or a news sitemap."""

    url: str
    title: str = ""
    summary: str = ""
    published: datetime | None = None
    guid: str | None = None
    author: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its own metadata and its entries in document order."""

    url: str
    title: str = ""
    language: str | None = None
    entries: tuple[FeedEntry, ...] = ()
    kind: str = "rss"  # rss | atom | sitemap


@dataclass(frozen=True)
class Article:
    """A clean article as the pipeline stores it.

    ``text`` is the body without boilerplate, paragraphs separated by a blank
    line. ``published``/``updated`` are aware UTC datetimes or ``None`` when no
    trustworthy date was found; ``*_source`` says where each came from.
    """

    url: str
    canonical_url: str
    title: str
    text: str
    published: datetime | None = None
    published_source: str | None = None
    updated: datetime | None = None
    updated_source: str | None = None
    byline: str | None = None
    lang: str | None = None
    site_name: str | None = None
    description: str | None = None
    paywalled: bool = False
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
