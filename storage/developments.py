"""Developments, their lookup keys and per-watch article decisions.

Candidate developments come from the ``development_keys`` primary-key index (key prefix)
joined to ``developments`` and bounded by a row cap, never from a scan of all developments.
``claim_watch_article`` inserts the (watch, article) decision row with ON CONFLICT DO NOTHING,
so two concurrent runs cannot both decide the same article.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from storage.keyindex import KeyIndex
from storage.models import Development, DevelopmentKey, WatchArticle
from storage.upsert import insert_ignore

MAX_CANDIDATES = 40

# Statements built once and executed with parameters (no per-call construction / cache-key work).
_WATCH_ARTICLES = WatchArticle.__table__
_RECORD = (
    update(_WATCH_ARTICLES)  # type: ignore[arg-type]
    .where(_WATCH_ARTICLES.c.watch == bindparam("w_watch"), _WATCH_ARTICLES.c.article_id == bindparam("w_article_id"))
    .values(relevant=bindparam("relevant"), matched_terms=bindparam("matched_terms"),
            development_id=bindparam("development_id"), kind=bindparam("kind"),
            explanation=bindparam("explanation"))
)
_KEYS = KeyIndex(DevelopmentKey, "development_id")
_LOCK = select(Development).where(Development.id == bindparam("id"))
_CANDIDATES: dict[int, Select[Development]] = {}


def _candidates_statement(limit: int) -> Select[Development]:
    stmt = _CANDIDATES.get(limit)
    if stmt is None:
        ranked = _KEYS.top_sharing(raw_limit=limit * 50, limit=limit).subquery()
        stmt = (
            select(Development).join(ranked, ranked.c.owner == Development.id)
            .where(Development.watch == bindparam("watch"))
            .order_by(ranked.c.shared.desc(), Development.id)
        )
        _CANDIDATES[limit] = stmt
    return stmt


def claim_watch_article(session: Session, watch: str, article_id: int, decided_at: datetime) -> bool:
    """Insert the decision row for (watch, article); False when another run already holds it."""
    values = {
        "watch": watch, "article_id": article_id, "relevant": False, "matched_terms": [],
        "explanation": {}, "decided_at": decided_at,
    }
    # RETURNING yields a row only when this statement inserted it (rowcount is unreliable here)
    return insert_ignore(session, WatchArticle.__table__, values, returning="article_id") is not None  # type: ignore[arg-type]


def get_watch_article(session: Session, watch: str, article_id: int) -> WatchArticle | None:
    """The stored decision of ``watch`` about ``article_id``, if any."""
    return session.get(WatchArticle, (watch, article_id))


def record_watch_article(
    session: Session, watch: str, article_id: int, *, relevant: bool, matched_terms: list[str],
    development_id: int | None, kind: str | None, explanation: dict[str, Any],
) -> None:
    """Fill in the claimed decision row."""
    session.execute(_RECORD, {"w_watch": watch, "w_article_id": article_id, "relevant": relevant,
                              "matched_terms": matched_terms, "development_id": development_id, "kind": kind,
                              "explanation": explanation})
    loaded = session.identity_map.get(identity_key(WatchArticle, (watch, article_id)))
    if loaded is not None:  # a core UPDATE does not refresh objects the session holds
        session.expire(loaded)


def candidate_developments(
    session: Session, watch: str, keys: Iterable[str], *, limit: int = MAX_CANDIDATES
) -> list[Development]:
    """Developments of ``watch`` sharing any of ``keys`` (time-bucketed), most shared keys first."""
    keys = sorted(set(keys))
    if not keys:
        return []
    rows = session.execute(_candidates_statement(limit), {"keys": keys, "watch": watch}).scalars()
    return list(rows)


def create_development(
    session: Session, *, watch: str, kind: str, title: str, now: datetime, first_published: datetime | None,
    first_article_id: int, alert_worthy: bool, is_new: bool, explanation: dict[str, Any],
    features: dict[str, Any],
) -> Development:
    """Insert a development (revision 1) and return it with its id."""
    dev = Development(
        watch=watch, kind=kind, title=title[:1000], first_seen=now, first_published=first_published,
        last_updated=now, first_article_id=first_article_id, revision=1, alert_worthy=alert_worthy,
        is_new=is_new, explanation=explanation, features=features,
    )
    session.add(dev)
    session.flush()
    return dev


def add_development_keys(session: Session, development_id: int, keys: Iterable[str]) -> None:
    """Attach lookup keys to a development (existing ones are kept)."""
    _KEYS.add(session, development_id, keys)


def lock_development(session: Session, development_id: int) -> Development | None:
    """The development row, locked for update on PostgreSQL (SQLite serialises writers anyway)."""
    stmt = _LOCK
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.execute(stmt, {"id": development_id}).scalar_one_or_none()
