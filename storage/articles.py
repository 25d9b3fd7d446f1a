"""The articles table: what is known, and storing a new article exactly once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from parsers.models import Article
from storage.models import Article as ArticleRow
from storage.upsert import insert_ignore


def known_urls(session: Session, urls: Iterable[str]) -> set[str]:
    """Those of ``urls`` already stored as an article's URL or canonical URL."""
    wanted = list(dict.fromkeys(urls))
    found: set[str] = set()
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        rows = session.execute(
            select(ArticleRow.url, ArticleRow.canonical_url).where(
                or_(ArticleRow.url.in_(chunk), ArticleRow.canonical_url.in_(chunk))
            )
        )
        for url, canonical in rows:
            found.add(url)
            found.add(canonical)
    return found & set(wanted)


def insert_article(
    session: Session,
    article: Article,
    *,
    source: str,
    first_seen: datetime,
    content_hash: str,
    fingerprint: dict[str, Any],
    duplicate_of: int | None,
    duplicate_score: float | None,
) -> int | None:
    """Store ``article``; returns its id, or None when its URL or canonical URL is already stored."""
    values = {
        "url": article.url,
        "canonical_url": article.canonical_url,
        "source": source,
        "title": article.title,
        "byline": article.byline,
        "description": article.description,
        "text": article.text,
        "lang": article.lang,
        "site_name": article.site_name,
        "published": article.published,
        "published_source": article.published_source,
        "updated": article.updated,
        "updated_source": article.updated_source,
        "first_seen": first_seen,
        "paywalled": article.paywalled,
        "content_hash": content_hash,
        "fingerprint": fingerprint,
        "duplicate_of": duplicate_of,
        "duplicate_score": duplicate_score,
    }
    new_id = insert_ignore(session, ArticleRow.__table__, values, returning="id")  # type: ignore[arg-type]
    return None if new_id is None else int(new_id)
