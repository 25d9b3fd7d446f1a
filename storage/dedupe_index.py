"""Persistent near-duplicate index: exact content hash, then LSH band-key candidates.

A candidate is a copy when it shares the opening of the body (a new story reusing old
background paragraphs is not a copy, nor is another outlet's own write-up of the event) and

* the two bodies are alike (MinHash Jaccard >= 0.5, lead and first-substantial-paragraph
  similarity >= 0.25), or
* one body is mostly contained in the other -- a trimmed copy, or the longer "UPDATE" version
  stored first: containment >= 0.8 with the first substantial paragraphs alike (>= 0.6), or
  containment >= 0.5 with those paragraphs near-identical (>= 0.8), the smaller body having at
  least ``MIN_CONTAINED`` shingles and a fifth of the larger's (so the estimate is not noise).

The keys looked up are the body's band keys and those of its first substantial paragraph,
so a trimmed copy whose body Jaccard is low is still a candidate through its opening.

Lookups use the ``articles.content_hash`` index and the ``dedupe_keys`` primary key
(key, article_id); the number of candidates verified is capped, so the cost per article
does not grow with the number of stored articles.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, or_, select
from sqlalchemy.orm import Session

from dedupe.errors import FingerprintFormatError
from dedupe.fingerprint import (
    EMPTY_SIGNATURE,
    Fingerprint,
    containment,
    from_json,
    lead_similarity,
    opening_similarity,
    similarity,
)
from storage.keyindex import KeyIndex
from storage.models import Article, DedupeKey

DEFAULT_THRESHOLD = 0.5
LEAD_THRESHOLD = 0.25
DEFAULT_WINDOW = timedelta(days=7)
MAX_CANDIDATES = 50
# containment rules: (least opening similarity, least containment of the smaller body)
CONTAINMENT_RULES = ((0.6, 0.8), (0.8, 0.5))
MIN_CONTAINED = 25
MIN_SIZE_RATIO = 0.2
_MAX_CHAIN = 20

# Statements built once and executed with parameters (no per-call construction / cache-key work),
# on the table's columns: plain Core statements skip the ORM's per-execution compile and row loading.
_T = Article.__table__
_PARENT = select(_T.c.duplicate_of).where(_T.c.id == bindparam("id"))
_EXACT = (
    select(_T.c.id, _T.c.duplicate_of).where(_T.c.content_hash == bindparam("content_hash"))
    .order_by(_T.c.id).limit(1)
)
_KEYS = KeyIndex(DedupeKey, "article_id")
_CANDIDATES = _KEYS.top_sharing(raw_limit=MAX_CANDIDATES * 40, limit=MAX_CANDIDATES)
_STORED_COLUMNS = (_T.c.id, _T.c.fingerprint, _T.c.duplicate_of)
_STORED = select(*_STORED_COLUMNS).where(_T.c.id.in_(bindparam("ids", expanding=True)))
# ... only those published within the window (or undated): the others are never copies, so
# their fingerprints (the bulk of the bytes read and decoded) are not loaded at all.
_STORED_NEAR = _STORED.where(
    or_(_T.c.published.is_(None), _T.c.published.between(bindparam("earliest"), bindparam("latest")))
)


def _root(conn: Connection, article_id: int, parent: int | None) -> int:
    """Follow ``duplicate_of`` links (``parent`` is that of ``article_id``) to the first copy (bounded, cycle-safe)."""
    seen = {article_id}
    current = article_id
    for _ in range(_MAX_CHAIN):
        if parent is None or parent in seen:
            return current
        seen.add(parent)
        current = parent
        parent = conn.execute(_PARENT, {"id": current}).scalar()
    return current


def copy_score(fp: Fingerprint, other: Fingerprint, *, threshold: float = DEFAULT_THRESHOLD) -> float | None:
    """How surely ``fp`` copies ``other`` (Jaccard, or the containment of a trimmed copy), None if not a copy."""
    score = similarity(fp, other)
    lead = lead_similarity(fp, other)
    opening = opening_similarity(fp, other)
    if score >= threshold and all(x is None or x >= LEAD_THRESHOLD for x in (lead, opening)):
        return score
    contained = containment(fp, other, jaccard=score)
    if opening is None or contained is None:  # stored before openings and sizes were recorded
        return None
    small, large = sorted((fp.shingle_count, other.shingle_count))
    if small < MIN_CONTAINED or small < MIN_SIZE_RATIO * large:
        return None
    if any(opening >= least_opening and contained >= least for least_opening, least in CONTAINMENT_RULES):
        return contained
    return None


def find_duplicate(
    session: Session, fp: Fingerprint, *, threshold: float = DEFAULT_THRESHOLD,
    published: datetime | None = None, window: timedelta = DEFAULT_WINDOW,
) -> tuple[int, float] | None:
    """The earliest stored article that ``fp`` copies (exact or near) and the similarity, or None.

    Exact content-hash matches win (score 1.0); otherwise articles sharing LSH band keys are
    ranked by shared bands, the top ``MAX_CANDIDATES`` verified by :func:`copy_score` (Jaccard
    at or above ``threshold``, or a trimmed copy's containment; the opening shared either way),
    and the best one returned, when ``published`` is given only among those published within
    ``window`` of it. The answer is the root of its chain.
    """
    if session.autoflush:  # as an ORM query would: pending rows take part in the lookup
        session.flush()
    conn = session.connection()
    exact = conn.execute(_EXACT, {"content_hash": fp.content_hash}).first()
    if exact is not None:
        return _root(conn, exact[0], exact[1]), 1.0
    if not fp.band_keys or fp.signature == EMPTY_SIGNATURE:
        return None
    ids = [r[0] for r in conn.execute(_CANDIDATES, {"keys": [*fp.band_keys, *fp.opening_keys]})]
    if not ids:
        return None
    if published is None:
        stored = conn.execute(_STORED, {"ids": ids})
    else:
        stored = conn.execute(_STORED_NEAR, {"ids": ids, "earliest": published - window, "latest": published + window})
    best: tuple[int, float] | None = None
    best_parent: int | None = None
    for art_id, fp_json, parent in stored:
        try:
            other = from_json(fp_json or {})
        except FingerprintFormatError:
            continue
        score = copy_score(fp, other, threshold=threshold)
        if score is None:
            continue
        if best is None or score > best[1] or (score == best[1] and art_id < best[0]):
            best = (art_id, score)
            best_parent = parent
    if best is None:
        return None
    return _root(conn, best[0], best_parent), best[1]


def index_article(session: Session, article_id: int, fp: Fingerprint, *, new: bool = False) -> None:
    """Store the band keys of ``article_id`` and of its opening (idempotent: existing keys are left alone).

    ``new``: the article row was inserted by this very transaction, so it cannot have keys yet.
    """
    if fp.signature == EMPTY_SIGNATURE:
        return
    _KEYS.add(session, article_id, (*fp.band_keys, *fp.opening_keys), new=new)
