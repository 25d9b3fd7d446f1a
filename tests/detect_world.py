"""Store an article and let the default watch decide it, as the pipeline does (for detection tests)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from dedupe.fingerprint import fingerprint, to_json
from detection.engine import Decision, detect
from detection.watch import WatchSpec, load_default_watch
from parsers.models import Article
from storage.dedupe_index import find_duplicate, index_article
from storage.models import Article as ArticleRow

W = load_default_watch()


def store_and_detect(session: Session, art: Article, *, as_of: datetime, first_seen: datetime | None = None,
                     source: str = "t", watch: WatchSpec = W) -> Decision:
    """Fingerprint, duplicate lookup, insert, band keys and the watch's decision, in ``session``."""
    fp = fingerprint(art.title, art.text)
    dup = find_duplicate(session, fp, published=art.published)
    row = ArticleRow(url=art.url, canonical_url=art.url, source=source, title=art.title, text=art.text,
                     published=art.published, first_seen=first_seen or as_of, content_hash=fp.content_hash,
                     fingerprint=to_json(fp), duplicate_of=dup[0] if dup else None)
    session.add(row)
    session.flush()
    index_article(session, row.id, fp)
    return detect(session, watch, row.id, art, as_of=as_of, duplicate_of=row.duplicate_of)


def store_text(session: Session, url: str, title: str, text: str, published: datetime, as_of: datetime) -> Decision:
    """:func:`store_and_detect` for an article given by its URL, title, text and publication time."""
    art = Article(url=url, canonical_url=url, title=title, text=text, published=published)
    return store_and_detect(session, art, as_of=as_of)
