"""SQL of the alert outbox: idempotent inserts, per-row claims, outcomes, mutes.

Every function takes a Session inside the caller's transaction; ``alerting.outbox`` decides
what to do, this module only says how in SQL. Claims are conditional UPDATEs whose row count
says who won, so they are safe with two runs at once on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from storage.models import Alert, AlertAttempt, Article, Mute, WatchArticle
from storage.upsert import insert_ignore

ACTIVE = ("pending",)
STATUSES = ("pending", "batched", "sent", "failed", "expired", "muted", "superseded")


def insert_alerts(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert outbox rows, skipping any whose idempotency key exists; ids of the inserted rows."""
    if not rows:
        return []
    ids: list[int] = []
    for row in rows:  # one statement per row: RETURNING + ON CONFLICT is portable this way
        new_id = insert_ignore(session, Alert.__table__, row, returning="id",  # type: ignore[arg-type]
                               conflict=["idempotency_key"])
        if new_id is not None:
            ids.append(int(new_id))
    return ids


def development_articles(session: Session, watch: str, development_id: int, limit: int = 200) -> list[Article]:
    """Articles a watch attached to a development, earliest published (or seen) first."""
    stmt = (
        select(Article)
        .join(WatchArticle, WatchArticle.article_id == Article.id)
        .where(WatchArticle.watch == watch, WatchArticle.development_id == development_id)
        .order_by(func.coalesce(Article.published, Article.first_seen), Article.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def article_by_id(session: Session, article_id: int) -> Article | None:
    """One stored article, or None when the id is unknown."""
    return session.get(Article, article_id)


def muted_clause(now: datetime) -> Any:
    """SQL condition: the alert row's watch/kind is under an active mute at ``now``."""
    return (
        select(Mute.id)
        .where(
            Mute.until > now,
            or_(Mute.watch == "*", Mute.watch == Alert.watch),
            or_(Mute.kind == "*", Mute.kind == Alert.kind),
        )
        .exists()
    )


def is_muted(session: Session, watch: str, kind: str, now: datetime) -> bool:
    """True when ``kind`` of ``watch`` is muted (per kind, per watch, or everything) at ``now``."""
    stmt = select(Mute.id).where(
        Mute.until > now,
        Mute.watch.in_([watch, "*"]),
        Mute.kind.in_([kind, "*"]),
    )
    return session.execute(stmt.limit(1)).first() is not None


def mute_pending(session: Session, now: datetime) -> int:
    """Mark pending, unclaimed alerts that fall under an active mute as ``muted``; how many."""
    stmt = (
        update(Alert)
        .where(Alert.status == "pending", or_(Alert.claimed_until.is_(None), Alert.claimed_until < now),
               muted_clause(now))
        .values(status="muted", last_error="muted")
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def set_mute(session: Session, watch: str, kind: str, until: datetime, now: datetime) -> None:
    """Mute ``kind`` (``*`` = all) of ``watch`` (``*`` = all watches) until ``until`` (replaces)."""
    existing = session.scalar(select(Mute).where(Mute.watch == watch, Mute.kind == kind))
    if existing is None:
        session.add(Mute(watch=watch, kind=kind, until=until, created_at=now))
    else:
        existing.until = until
        existing.created_at = now
    session.flush()


def remove_mutes(session: Session, watch: str | None, kind: str | None) -> int:
    """Delete mutes matching ``watch``/``kind`` (None = any); how many were removed."""
    stmt = delete(Mute)
    if watch is not None:
        stmt = stmt.where(Mute.watch == watch)
    if kind is not None:
        stmt = stmt.where(Mute.kind == kind)
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def list_mutes(session: Session, now: datetime | None = None) -> list[Mute]:
    """Mutes (only the active ones when ``now`` is given), soonest ending first."""
    stmt = select(Mute).order_by(Mute.until)
    if now is not None:
        stmt = stmt.where(Mute.until > now)
    return list(session.scalars(stmt))


def expire_overdue(session: Session, now: datetime) -> list[int]:
    """Mark pending, unclaimed alerts past ``expires_at`` as ``expired``; their ids."""
    stmt = (
        update(Alert)
        .where(Alert.status == "pending", Alert.expires_at.is_not(None), Alert.expires_at <= now,
               or_(Alert.claimed_until.is_(None), Alert.claimed_until < now))
        .values(status="expired", claim_token=None, claimed_until=None)
        .returning(Alert.id)
    )
    return [int(i) for i in session.scalars(stmt)]


def due_ids(session: Session, now: datetime, *, modes: Iterable[str] = ("immediate",),
            severities: Iterable[str] | None = None, watch: str | None = None,
            limit: int = 500) -> list[int]:
    """Ids of pending alerts that may be claimed at ``now``, oldest first (of ``watch`` and ``*``)."""
    stmt = select(Alert.id).where(
        Alert.status == "pending",
        Alert.mode.in_(list(modes)),
        or_(Alert.next_attempt_at.is_(None), Alert.next_attempt_at <= now),
        or_(Alert.claimed_until.is_(None), Alert.claimed_until < now),
    )
    if severities is not None:
        stmt = stmt.where(Alert.severity.in_(list(severities)))
    if watch is not None:
        stmt = stmt.where(Alert.watch.in_([watch, "*"]))
    return [int(i) for i in session.scalars(stmt.order_by(Alert.created_at, Alert.id).limit(limit))]


def claim(session: Session, alert_id: int, token: str, now: datetime, until: datetime) -> Alert | None:
    """Claim one pending alert until ``until``; the row when this caller won, None when another did."""
    stmt = (
        update(Alert)
        .where(Alert.id == alert_id, Alert.status == "pending",
               or_(Alert.next_attempt_at.is_(None), Alert.next_attempt_at <= now),
               or_(Alert.claimed_until.is_(None), Alert.claimed_until < now))
        .values(claim_token=token, claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    if not session.execute(stmt).rowcount:  # type: ignore[attr-defined]
        return None
    row = session.get(Alert, alert_id, populate_existing=True)
    return row


def _same_development(row: Alert) -> Any:
    return and_(Alert.watch == row.watch, Alert.development_id == row.development_id,
                Alert.channel == row.channel, Alert.mode == "immediate", Alert.id != row.id)


def newer_pending_exists(session: Session, row: Alert) -> bool:
    """True when a later revision of the same development waits for the same channel."""
    stmt = select(Alert.id).where(_same_development(row), Alert.status == "pending",
                                  Alert.revision > row.revision).limit(1)
    return session.execute(stmt).first() is not None


def supersede(session: Session, alert_id: int, token: str) -> None:
    """Retire a claimed alert without sending: a newer revision of its development will be sent."""
    session.execute(
        update(Alert).where(Alert.id == alert_id, Alert.claim_token == token)
        .values(status="superseded", claim_token=None, claimed_until=None)
        .execution_options(synchronize_session=False))


def supersede_older(session: Session, row: Alert, now: datetime) -> list[int]:
    """Retire unclaimed pending older revisions of ``row``'s development on its channel; their ids."""
    stmt = (
        update(Alert)
        .where(_same_development(row), Alert.status == "pending", Alert.revision < row.revision,
               or_(Alert.claimed_until.is_(None), Alert.claimed_until < now))
        .values(status="superseded")
        .returning(Alert.id)
    )
    return [int(i) for i in session.scalars(stmt)]


def delivered_before(session: Session, row: Alert) -> bool:
    """True when some alert of ``row``'s development already reached ``row``'s channel."""
    stmt = select(Alert.id).where(Alert.watch == row.watch, Alert.development_id == row.development_id,
                                  Alert.channel == row.channel, Alert.status == "sent",
                                  Alert.id != row.id).limit(1)
    return session.execute(stmt).first() is not None


def record_attempt(session: Session, alert_id: int, now: datetime, ok: bool, error: str | None) -> None:
    """Append one delivery attempt to the alert's history."""
    session.add(AlertAttempt(alert_id=alert_id, attempted_at=now, ok=ok, error=error))
    session.flush()


def finish(session: Session, alert_id: int, token: str, *, status: str, now: datetime,
           error: str | None = None, next_attempt_at: datetime | None = None) -> bool:
    """Settle a claimed alert (sent / pending-with-retry / failed / expired); False if the claim was lost."""
    values: dict[str, Any] = {
        "status": status,
        "attempts": Alert.attempts + 1,
        "claim_token": None,
        "claimed_until": None,
        "last_error": error,
        "next_attempt_at": next_attempt_at,
    }
    if status == "sent":
        values["delivered_at"] = now
    stmt = (
        update(Alert)
        .where(Alert.id == alert_id, Alert.claim_token == token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def release(session: Session, alert_id: int, token: str, next_attempt_at: datetime | None) -> None:
    """Give a claim back without an attempt (e.g. quiet hours began); optionally delay it."""
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.claim_token == token)
        .values(claim_token=None, claimed_until=None, next_attempt_at=next_attempt_at)
        .execution_options(synchronize_session=False)
    )


def batch_for_digest(session: Session, *, channel: str, watch: str, until: datetime) -> list[Alert]:
    """Atomically take this channel's pending digest-mode alerts created up to ``until`` (-> batched)."""
    stmt = (
        update(Alert)
        .where(Alert.status == "pending", Alert.mode == "digest", Alert.channel == channel,
               Alert.watch == watch, Alert.created_at <= until)
        .values(status="batched")
        .returning(Alert.id)
    )
    ids = [int(i) for i in session.scalars(stmt)]
    if not ids:
        return []
    rows = session.scalars(
        select(Alert).where(Alert.id.in_(ids)).order_by(Alert.created_at, Alert.id)
        .execution_options(populate_existing=True))
    return list(rows)


def digest_groups(session: Session, until: datetime) -> list[tuple[str, str]]:
    """(watch, channel) pairs having pending digest-mode alerts created up to ``until``."""
    stmt = (
        select(Alert.watch, Alert.channel)
        .where(Alert.status == "pending", Alert.mode == "digest", Alert.created_at <= until)
        .group_by(Alert.watch, Alert.channel)
        .order_by(Alert.watch, Alert.channel)
    )
    return [(str(w), str(c)) for w, c in session.execute(stmt)]


def settle_members(session: Session, member_ids: Sequence[int], status: str, now: datetime) -> None:
    """Give alerts batched into a digest the digest's final status."""
    if not member_ids:
        return
    values: dict[str, Any] = {"status": status}
    if status == "sent":
        values["delivered_at"] = now
    session.execute(
        update(Alert)
        .where(Alert.id.in_(list(member_ids)), Alert.status == "batched")
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def get_alert(session: Session, alert_id: int) -> Alert | None:
    """One alert by id (fresh from the database)."""
    return session.get(Alert, alert_id, populate_existing=True)


def list_alerts(session: Session, *, status: str | None = None, watch: str | None = None,
                limit: int = 200) -> list[Alert]:
    """Alerts, newest first, optionally filtered by status and watch."""
    stmt = select(Alert).order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Alert.status == status)
    if watch:
        stmt = stmt.where(Alert.watch == watch)
    return list(session.scalars(stmt))


def attempts_of(session: Session, alert_id: int) -> list[AlertAttempt]:
    """Delivery attempts of one alert in order."""
    stmt = select(AlertAttempt).where(AlertAttempt.alert_id == alert_id).order_by(AlertAttempt.id)
    return list(session.scalars(stmt))


def retry_alerts(session: Session, ids: Sequence[int] | None, now: datetime, expires_at: datetime) -> list[int]:
    """Reset failed/expired (and named muted) alerts to pending, due now; ids reset."""
    cond: Any = Alert.status.in_(("failed", "expired"))
    if ids:
        cond = and_(Alert.id.in_(list(ids)), Alert.status.in_(("failed", "expired", "muted")))
    stmt = (
        update(Alert)
        .where(cond)
        .values(status="pending", next_attempt_at=now, claim_token=None, claimed_until=None,
                attempts=0, expires_at=expires_at)
        .returning(Alert.id)
    )
    return sorted(int(i) for i in session.scalars(stmt))


def last_digest_at(session: Session, watch: str | None = None) -> datetime | None:
    """When the newest digest alert was created."""
    stmt = select(func.max(Alert.created_at)).where(Alert.kind == "digest")
    if watch:
        stmt = stmt.where(Alert.watch == watch)
    return session.scalar(stmt)


def backoff_until(now: datetime, seconds: float) -> datetime:
    """``now`` plus ``seconds``."""
    return now + timedelta(seconds=seconds)
