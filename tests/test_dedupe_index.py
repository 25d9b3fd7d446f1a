"""Persistent near-duplicate lookup on a real SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dedupe.fingerprint import Fingerprint, fingerprint, to_json
from storage.db import make_engine, upgrade
from storage.dedupe_index import find_duplicate, index_article
from storage.models import Article, DedupeKey
from tests import dedupe_world as w

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
                         .where(DedupeKey.article_id == second)).scalar() == len({*copy.band_keys, *copy.opening_keys})
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


ORIGINAL = fingerprint("Ferry crews strike at Porthaven", w.ORIGINAL)


@pytest.mark.parametrize(("title", "text"), [
    ("Porthaven ferries halted", w.TRIMMED),            # trimmed to a third: body Jaccard well below 0.5
    ("Ferry strike strands thousands", w.NOTED),        # an editor's note before the real lead
    ("Porthaven ferry walkout", w.REWORDED),            # lead verbatim, the rest lightly reworded
], ids=["trimmed", "editors-note", "reworded"])
def test_trimmed_and_annotated_copies_link_to_the_original(db_url: str, title: str, text: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    with Session(engine) as s, s.begin():
        original = _store(s, "https://wire.example/1", ORIGINAL, T0)
        _store(s, "https://other.example/own", fingerprint("Holidaymakers stuck", w.OWN_REPORT), T0)
        hit = find_duplicate(s, fingerprint(title, text), published=T0 + timedelta(hours=2))
        assert hit is not None and hit[0] == original
    engine.dispose()


def test_shorter_first_take_links_to_the_longer_update_stored_first(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    with Session(engine) as s, s.begin():
        update = _store(s, "https://wire.example/u2", fingerprint("UPDATE 2-Ferry crews strike", w.UPDATED), T0)
        copy = _store(s, "https://client.example/u2", fingerprint("Strike latest", w.UPDATED + "\n\n(c) Wire"),
                      T0 + timedelta(hours=1), dup=update)
        hit = find_duplicate(s, fingerprint("Ferry crews walk out", w.FIRST_TAKE), published=T0 + timedelta(hours=3))
        assert hit is not None and hit[0] == update  # the root of the chain, not the later copy
        assert copy != update
    engine.dispose()


def test_own_write_ups_and_background_reuse_are_not_copies(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    with Session(engine) as s, s.begin():
        _store(s, "https://wire.example/1", ORIGINAL, T0)
        _store(s, "https://wire.example/u2", fingerprint("UPDATE 2-Ferry crews strike", w.UPDATED), T0)
        # another outlet's own report of the same strike (same names, facts and quote)
        assert find_duplicate(s, fingerprint("Holidaymakers stuck", w.OWN_REPORT), published=T0) is None
        # two days later, a new story that reuses the background paragraphs
        assert find_duplicate(s, fingerprint("Ferries sail again", w.FOLLOW_UP),
                              published=T0 + timedelta(days=2)) is None
    engine.dispose()


def test_fingerprints_stored_without_sizes_keep_the_jaccard_rule(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    legacy = {k: v for k, v in to_json(ORIGINAL).items() if k not in ("opening_signature", "shingles")}
    with Session(engine) as s, s.begin():
        row = Article(url="https://wire.example/old", canonical_url="https://wire.example/old", source="t",
                      title="t", text="", published=T0, first_seen=T0, content_hash=ORIGINAL.content_hash,
                      fingerprint=legacy)
        s.add(row)
        s.flush()
        index_article(s, row.id, ORIGINAL)
        # no size stored: containment is unknown, so a trimmed copy is not claimed ...
        assert find_duplicate(s, fingerprint("Porthaven ferries halted", w.TRIMMED), published=T0) is None
        # ... while a full copy still is
        hit = find_duplicate(s, fingerprint("Strike", w.ORIGINAL + "\n\nAll rights reserved."), published=T0)
        assert hit is not None and hit[0] == row.id
    engine.dispose()
