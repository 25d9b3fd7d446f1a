"""Tables. Unique constraints make dedupe and alert delivery safe under concurrency.

Edit with small targeted changes (several people work on this file); every change
needs a migration under storage/migrations/versions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Source(Base):
    """A configured source and its health."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="feed")
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    last_status: Mapped[int | None] = mapped_column(Integer, default=None)
    next_due_at: Mapped[datetime | None] = mapped_column(default=None)
    last_new_article_at: Mapped[datetime | None] = mapped_column(default=None)
    health_alerted_at: Mapped[datetime | None] = mapped_column(default=None)


class HttpCache(Base):
    """Validators of the last good response per URL, for conditional requests."""

    __tablename__ = "http_cache"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text, default=None)
    last_modified: Mapped[str | None] = mapped_column(Text, default=None)
    last_status: Mapped[int | None] = mapped_column(Integer, default=None)
    fetched_at: Mapped[datetime | None] = mapped_column(default=None)


class Article(Base):
    """A stored article. ``url`` and ``canonical_url`` are each unique."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    canonical_url: Mapped[str] = mapped_column(Text, unique=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    byline: Mapped[str | None] = mapped_column(Text, default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    text: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str | None] = mapped_column(String(16), default=None)
    site_name: Mapped[str | None] = mapped_column(Text, default=None)
    published: Mapped[datetime | None] = mapped_column(default=None, index=True)
    published_source: Mapped[str | None] = mapped_column(String(80), default=None)
    updated: Mapped[datetime | None] = mapped_column(default=None)
    updated_source: Mapped[str | None] = mapped_column(String(80), default=None)
    first_seen: Mapped[datetime] = mapped_column(index=True)
    paywalled: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    fingerprint: Mapped[dict[str, Any]] = mapped_column(default=dict)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), default=None, index=True)
    duplicate_score: Mapped[float | None] = mapped_column(default=None)


class DedupeKey(Base):
    """LSH band keys of an article's fingerprint: near-duplicate candidates by index lookup."""

    __tablename__ = "dedupe_keys"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)


class Development(Base):
    """A real-world event of a watch's story, grouping its articles."""

    __tablename__ = "developments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watch: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column()
    first_published: Mapped[datetime | None] = mapped_column(default=None)
    last_updated: Mapped[datetime] = mapped_column()
    first_article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), default=None)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    alert_worthy: Mapped[bool] = mapped_column(Boolean, default=False)
    is_new: Mapped[bool] = mapped_column(Boolean, default=False)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    features: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (Index("ix_developments_watch_first_published", "watch", "first_published"),)


class DevelopmentKey(Base):
    """Index keys (entities, key terms) of a development for candidate lookup."""

    __tablename__ = "development_keys"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    development_id: Mapped[int] = mapped_column(
        ForeignKey("developments.id", ondelete="CASCADE"), primary_key=True
    )


class WatchArticle(Base):
    """What a watch decided about an article: relevance, development, why."""

    __tablename__ = "watch_articles"

    watch: Mapped[str] = mapped_column(String(100), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    relevant: Mapped[bool] = mapped_column(Boolean, default=False)
    matched_terms: Mapped[list[Any]] = mapped_column(default=list)
    development_id: Mapped[int | None] = mapped_column(
        ForeignKey("developments.id"), default=None, index=True
    )
    kind: Mapped[str | None] = mapped_column(String(60), default=None)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    decided_at: Mapped[datetime] = mapped_column()


class Alert(Base):
    """The outbox: one row per (watch, development, channel, revision), delivered at most once."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)
    watch: Mapped[str] = mapped_column(String(100), index=True)
    development_id: Mapped[int | None] = mapped_column(ForeignKey("developments.id"), default=None, index=True)
    channel: Mapped[str] = mapped_column(String(100))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(20), default="normal")
    mode: Mapped[str] = mapped_column(String(20), default="immediate")  # immediate | digest
    created_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    claim_token: Mapped[str | None] = mapped_column(String(64), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AlertAttempt(Base):
    """Every delivery attempt of an alert and its outcome."""

    __tablename__ = "alert_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column()
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text, default=None)


class Mute(Base):
    """A mute/snooze of a watch (kind '*') or one kind until a time."""

    __tablename__ = "mutes"
    __table_args__ = (UniqueConstraint("watch", "kind", name="uq_mutes_watch_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watch: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(60))
    until: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()


class Run(Base):
    """One ingest cycle and its figures."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    as_of: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="running")
    trigger: Mapped[str] = mapped_column(String(40), default="cli")
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
