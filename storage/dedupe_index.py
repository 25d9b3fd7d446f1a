"""Persistent near-duplicate index: exact content hash, then LSH band-key candidates.

Lookups use the ``articles.content_hash`` index and the ``dedupe_keys`` primary key
(key, article_id); the number of candidates verified is capped, so the cost per article
does not grow with the number of stored articles.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from dedupe.errors import FingerprintFormatError
from dedupe.fingerprint import EMPTY_SIGNATURE, Fingerprint, from_json, lead_similarity, similarity
from storage.keyindex import KeyIndex
from storage.models import Article, DedupeKey

DEFAULT_THRESHOLD = 0.5
LEAD_THRESHOLD = 0.25
DEFAULT_WINDOW = timedelta(days=7)
MAX_CANDIDATES = 50
_MAX_CHAIN = 20

# Statements built once and executed with parameters (no per-call construction / cache-key work).
_PARENT = select(Article.duplicate_of).where(Article.id == bindparam("id"))
_EXACT = select(func.min(Article.id)).where(Article.content_hash == bindparam("content_hash"))
_KEYS = KeyIndex(DedupeKey, "article_id")
_CANDIDATES = _KEYS.top_sharing(raw_limit=MAX_CANDIDATES * 40, limit=MAX_CANDIDATES)
_STORED = select(Article.id, Article.fingerprint, Article.published).where(
    Article.id.in_(bindparam("ids", expanding=True))
)


def _root(session: Session, article_id: int) -> int:
    """Follow ``duplicate_of`` links to the first copy (bounded, cycle-safe)."""
    seen = {article_id}
    current = article_id
    for _ in range(_MAX_CHAIN):
        parent = session.execute(_PARENT, {"id": current}).scalar()
        if parent is None or parent in seen:
            return current
        seen.add(parent)
        current = parent
    return current


def find_duplicate(
    session: Session, fp: Fingerprint, *, threshold: float = DEFAULT_THRESHOLD,
    published: datetime | None = None, window: timedelta = DEFAULT_WINDOW,
) -> tuple[int, float] | None:
    """The earliest stored article that ``fp`` copies (exact or near) and the similarity, or None.

    Exact content-hash matches win (score 1.0); otherwise articles sharing LSH band keys are
    ranked by shared bands, the top ``MAX_CANDIDATES`` verified with the full signature, and
    the best one at or above ``threshold`` returned. A near copy must also share the opening
    of the body (a new story reusing old background paragraphs is not a copy) and, when
    ``published`` is given, be published within ``window`` of it. The answer is the root of its chain.
    """
    exact = session.execute(_EXACT, {"content_hash": fp.content_hash}).scalar()
    if exact is not None:
        return _root(session, exact), 1.0
    if not fp.band_keys or fp.signature == EMPTY_SIGNATURE:
        return None
    rows = session.execute(_CANDIDATES, {"keys": list(fp.band_keys)}).all()
    if not rows:
        return None
    ids = [r[0] for r in rows]
    stored = session.execute(_STORED, {"ids": ids}).all()
    best: tuple[int, float] | None = None
    for art_id, fp_json, other_pub in stored:
        if published is not None and other_pub is not None and abs(other_pub - published) > window:
            continue
        try:
            other = from_json(fp_json or {})
        except FingerprintFormatError:
            continue
        score = similarity(fp, other)
        lead = lead_similarity(fp, other)
        if lead is not None and lead < LEAD_THRESHOLD:
            continue
        if score >= threshold and (best is None or score > best[1] or (score == best[1] and art_id < best[0])):
            best = (art_id, score)
    if best is None:
        return None
    return _root(session, best[0]), best[1]


def index_article(session: Session, article_id: int, fp: Fingerprint, *, new: bool = False) -> None:
    """Store the band keys of ``article_id`` (idempotent: existing keys are left alone).

    ``new``: the article row was inserted by this very transaction, so it cannot have keys yet.
    """
    if fp.signature == EMPTY_SIGNATURE:
        return
    _KEYS.add(session, article_id, fp.band_keys, new=new)
