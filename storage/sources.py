"""Source rows and their health, and the HTTP validators of conditional requests.

Health model (miniflux-like): every attempt stamps ``last_attempt_at``; a success resets
``consecutive_failures`` and makes the source due again at once; a failure increments it and
pushes ``next_due_at`` out by ``min(base * 2**(n-1), cap)`` (minus up to 15 % jitter, so a
fleet of failing sources does not retry in lockstep), or to the server's Retry-After if that
is later. Failing sources are never dropped: they keep coming due at the capped interval.

A source-health alert fires once per outage: :func:`health_alerts_due` returns sources that
crossed the failure threshold (or, optionally, went quiet) and stamps ``health_alerted_at``;
the stamp is cleared when the outage ends (a success after failures, or new articles).

All times are aware UTC; :func:`health_rows` renders them ISO-8601 with ``Z``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fetcher.client import FetchResponse
from fetcher.errors import FetchError, HTTPStatusError, RateLimited, one_line
from parsers.dates import format_iso as iso
from storage.errors import StorageError
from storage.models import HttpCache, Source
from storage.upsert import insert_ignore, upsert

BACKOFF_BASE = timedelta(minutes=2)
BACKOFF_CAP = timedelta(hours=6)
JITTER = 0.15


def sync_sources(session: Session, configured: Iterable[tuple[str, str, str]]) -> list[Source]:
    """Insert new configured sources, update url/kind of known ones; health is kept. Returns them."""
    wanted = list(configured)
    names = [n for n, _, _ in wanted]
    for name, url, kind in wanted:
        # insert-on-conflict: two runs starting at once on a new database may both add a source
        insert_ignore(session, Source.__table__, {"name": name, "url": url, "kind": kind,  # type: ignore[arg-type]
                                                   "consecutive_failures": 0})
    existing = {s.name: s for s in session.scalars(select(Source).where(Source.name.in_(names)))}
    out: list[Source] = []
    for name, url, kind in wanted:
        row = existing[name]
        if row.url != url:
            row.url = url
            row.next_due_at = None  # a corrected URL deserves an immediate try
        row.kind = kind
        out.append(row)
    session.flush()
    return out


def due_sources(session: Session, now: datetime) -> list[Source]:
    """Sources whose next attempt is due at ``now`` (never tried, or ``next_due_at <= now``)."""
    stmt = (
        select(Source)
        .where(or_(Source.next_due_at.is_(None), Source.next_due_at <= now))
        .order_by(Source.next_due_at.is_not(None), Source.next_due_at, Source.name)
    )
    return list(session.scalars(stmt))


def validators(session: Session, urls: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
    """``{url: (etag, last_modified)}`` of the last good response of each known URL."""
    if not urls:
        return {}
    out: dict[str, tuple[str | None, str | None]] = {}
    unique = list(dict.fromkeys(urls))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        for row in session.execute(
            select(HttpCache.url, HttpCache.etag, HttpCache.last_modified).where(HttpCache.url.in_(chunk))
        ):
            out[row.url] = (row.etag, row.last_modified)
    return out


def save_validators(session: Session, resp: FetchResponse) -> None:
    """Remember ``resp``'s ETag/Last-Modified for its requested URL (a 304 only refreshes the stamp).

    Call it only after a 200's body was processed: the next fetch will get a 304 and never see
    this body again.
    """
    values: dict[str, Any] = {"last_status": resp.status, "fetched_at": resp.fetched_at}
    if not resp.not_modified or resp.etag or resp.last_modified:
        values["etag"] = resp.etag
        values["last_modified"] = resp.last_modified
    upsert(session, HttpCache, {"url": resp.url, **values}, key=["url"], update=values)


def _source(session: Session, name: str) -> Source:
    row = session.scalars(select(Source).where(Source.name == name)).one_or_none()
    if row is None:
        raise StorageError(f"unknown source {name!r} (sync_sources first)")
    return row


def record_success(
    session: Session, name: str, now: datetime, status: int, new_articles: int, *,
    next_due_at: datetime | None = None,
) -> Source:
    """Mark a successful fetch (200 or 304): failures reset, due again at ``next_due_at`` (default now)."""
    row = _source(session, name)
    if row.consecutive_failures:
        row.health_alerted_at = None  # the outage is over; the next one alerts again
    row.last_attempt_at = now
    row.last_success_at = now
    row.last_status = status
    row.consecutive_failures = 0
    row.last_error = None
    row.next_due_at = next_due_at
    if new_articles > 0:
        _new_articles(row, now)
    session.flush()
    return row


def record_new_articles(session: Session, name: str, now: datetime, count: int) -> Source:
    """Note that ``count`` new articles of this source were stored at ``now``."""
    row = _source(session, name)
    if count > 0:
        _new_articles(row, now)
    session.flush()
    return row


def _new_articles(row: Source, now: datetime) -> None:
    row.last_new_article_at = now
    if not row.consecutive_failures:
        row.health_alerted_at = None  # a "gone quiet" alert is over


def error_line(error: BaseException) -> str:
    """One safe line describing ``error`` (FetchError's own message; else ``Type: message``)."""
    if isinstance(error, FetchError):
        return error.message
    text = one_line(str(error))
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def backoff(failures: int, *, base: timedelta = BACKOFF_BASE, cap: timedelta = BACKOFF_CAP,
            rng: random.Random | None = None) -> timedelta:
    """Delay after the ``failures``-th consecutive failure: min(base*2**(n-1), cap) less up to 15 % jitter."""
    exponent = min(max(failures - 1, 0), 40)
    delay = min(base * (2**exponent), cap)
    return delay * (1 - JITTER * (rng or random).random())


def record_failure(
    session: Session, name: str, now: datetime, error: BaseException, *,
    base: timedelta = BACKOFF_BASE, cap: timedelta = BACKOFF_CAP, rng: random.Random | None = None,
) -> Source:
    """Count a failed attempt, keep its one-line error and push ``next_due_at`` out (exponential, capped)."""
    row = _source(session, name)
    if not row.consecutive_failures:
        row.health_alerted_at = None  # a new outage starts; it may alert once
    row.consecutive_failures = (row.consecutive_failures or 0) + 1
    row.last_attempt_at = now
    row.last_error = error_line(error)
    row.last_status = error.status if isinstance(error, HTTPStatusError) else None
    due = now + backoff(row.consecutive_failures, base=base, cap=cap, rng=rng)
    if isinstance(error, RateLimited) and error.retry_at > due:
        due = error.retry_at
    row.next_due_at = due
    session.flush()
    return row


def health_state(row: Source) -> str:
    """``never`` (not tried), ``ok``, ``failing`` (backing off) for a source row."""
    if row.last_attempt_at is None:
        return "never"
    if row.consecutive_failures:
        return "failing"
    return "ok"


def health_rows(session: Session, names: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Every source's health as plain dicts (ISO-8601 UTC strings), by name; ``names`` filters."""
    stmt = select(Source).order_by(Source.name)
    if names is not None:
        stmt = stmt.where(Source.name.in_(list(names)))
    rows = []
    for s in session.scalars(stmt):
        rows.append(
            {
                "name": s.name,
                "url": s.url,
                "kind": s.kind,
                "state": health_state(s),
                "consecutive_failures": s.consecutive_failures,
                "last_status": s.last_status,
                "last_error": s.last_error,
                "last_attempt_at": iso(s.last_attempt_at),
                "last_success_at": iso(s.last_success_at),
                "last_new_article_at": iso(s.last_new_article_at),
                "next_due_at": iso(s.next_due_at),
                "health_alerted_at": iso(s.health_alerted_at),
            }
        )
    return rows


def health_alerts_due(
    session: Session, now: datetime, threshold_failures: int = 5, quiet_after: timedelta | None = None,
) -> list[Source]:
    """Sources whose outage should alert now (once per outage); stamps their ``health_alerted_at``.

    A source qualifies when it has failed ``threshold_failures`` times in a row, or -- if
    ``quiet_after`` is given -- when it fetches fine but stored no new article for that long.
    """
    conditions = [Source.consecutive_failures >= threshold_failures]
    if quiet_after is not None:
        conditions.append(
            (Source.consecutive_failures == 0)
            & Source.last_new_article_at.is_not(None)
            & (Source.last_new_article_at <= now - quiet_after)
        )
    stmt = (
        select(Source)
        .where(Source.health_alerted_at.is_(None), or_(*conditions))
        .order_by(Source.name)
        .with_for_update(skip_locked=True)
    )
    due = list(session.scalars(stmt))
    for row in due:
        row.health_alerted_at = now
    session.flush()
    return due


def describe_health(row: Source, now: datetime) -> str:
    """One line for a source-health alert: what is wrong and since when."""
    if row.consecutive_failures:
        since = iso(row.last_success_at) or "never succeeded"
        return (
            f"source {row.name} failing: {row.consecutive_failures} consecutive failures "
            f"(last success {since}); last error: {row.last_error or 'unknown'}; "
            f"next try {iso(row.next_due_at)}"
        )
    quiet = iso(row.last_new_article_at) or "never"
    return f"source {row.name} quiet: no new article since {quiet}"
