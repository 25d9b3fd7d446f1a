"""Persistent near-duplicate lookup on a real SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dedupe.fingerprint import Fingerprint, fingerprint, to_json
from storage.db import make_engine, upgrade
from storage.dedupe_index import find_duplicate, index_article
from storage.models import Article, DedupeKey

T0 = datetime(2026, 2, 1, tzinfo=UTC)
WIRE = (
    "TOKYO (Wire) — Japan's prime minister told a rally on Monday that she had asked Pyongyang for a leaders' "
    "meeting on the abductions. She said she wanted concrete results during her term.\n\n"
    "No Japanese leader has met a North Korean leader since 2004. Relatives of the victims are ageing.\n\n"
    "The two countries have no diplomatic relations and earlier talks stalled."
)
OTHER = (
    "SEOUL (Wire) — Heavy snow closed mountain roads across the province on Tuesday, officials said, and "
    "schools shut for a second day.\n\nNo Japanese leader has met a North Korean leader since 2004. Relatives "
    "of the victims are ageing.\n\nThe two countries have no diplomatic relations and earlier talks stalled."
)


def _store(session: Session, url: str, fp: Fingerprint, published: datetime, dup: int | None = None) -> int:
    row = Article(url=url, canonical_url=url, source="t", title="t", text="", published=published,
                  first_seen=published, content_hash=fp.content_hash, fingerprint=to_json(fp), duplicate_of=dup)
    session.add(row)
    session.flush()
    index_article(session, row.id, fp)
    return row.id


def test_copies_found_across_sessions_and_chains_resolve_to_root(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    first = fingerprint("Takaichi seeks summit", WIRE)
    with Session(engine) as s, s.begin():
        root = _store(s, "https://a.example/1", first, T0)
    # a later run (new session, nothing in memory) finds the stored copy through the index
    copy = fingerprint("Takaichi seeks summit | Herald", WIRE + "\n\nCopyright The Wire.")
    with Session(engine) as s, s.begin():
        hit = find_duplicate(s, copy, published=T0 + timedelta(hours=3))
        assert hit is not None and hit[0] == root and hit[1] >= 0.5
        second = _store(s, "https://b.example/1", copy, T0 + timedelta(hours=3), dup=hit[0])
        # a copy of the copy resolves to the first reporter
        exact = find_duplicate(s, copy)
        assert exact == (root, 1.0)
        assert s.execute(select(func.count()).select_from(DedupeKey)
                         .where(DedupeKey.article_id == second)).scalar() == len(set(copy.band_keys))
        index_article(s, second, copy)  # idempotent
    engine.dispose()


def test_shared_background_or_far_dates_are_not_copies(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    with Session(engine) as s, s.begin():
        _store(s, "https://a.example/1", fingerprint("t", WIRE), T0)
        assert find_duplicate(s, fingerprint("snow", OTHER), published=T0) is None
        late = fingerprint("t", WIRE + " Updated.")
        assert find_duplicate(s, late, published=T0 + timedelta(days=400)) is None
        assert find_duplicate(s, late, published=T0 + timedelta(days=1)) is not None
    engine.dispose()
