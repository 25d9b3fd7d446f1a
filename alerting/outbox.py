"""The alert outbox: record alerts with their development, deliver them later, exactly once.

Life of an alert row (``storage.models.Alert``)::

    enqueue ──▶ pending ──claim──▶ (sending) ──▶ sent
                  ▲  │                 │
                  │  │ mode=digest     └─fail─▶ pending (next_attempt_at = now + backoff)
                  │  └──▶ batched ──▶ (settled with its digest row: sent/failed/expired)
                  │        attempts ≥ max_attempts ─▶ failed;  past expires_at ─▶ expired
                  └── ``storywatch alerts retry``;   under an active mute ─▶ muted

Guarantees
----------
* ``enqueue`` runs inside the caller's transaction, so an alert exists iff its development
  was recorded; the unique idempotency key ``watch:development:channel:revision`` plus
  INSERT … ON CONFLICT DO NOTHING makes a second run (or a concurrent one) a no-op.
* ``deliver_pending`` claims one row at a time with a conditional UPDATE committed before
  sending (a lease until ``claimed_until``), sends, and records the outcome in a second
  short transaction right after the channel answers. Two runs at once never both win a claim.
* A crash after claiming leaves the row pending; it becomes claimable when the lease ends.
* The at-least-once window: if the process dies after the remote service accepted a message
  but before the "sent" commit (one small UPDATE), the alert is sent again after the lease.
  No outbox can close that window without the receiver deduplicating; we keep it to the
  time of a single commit, and put the idempotency key in the payload for receivers that can.
  A send slower than the lease (``claim_seconds``, default 300 s, far above Apprise's
  timeouts) could also be repeated by another run.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TextIO

from sqlalchemy.orm import Session, sessionmaker

from alerting.messages import render, title_of
from alerting.policy import CONSOLE, AlertPolicy, ResolvedChannel, all_secrets, console_channel
from alerting.redact import apprise_unpropagated, redact
from storage import alerts as q
from storage.db import transaction, with_retry
from storage.models import Alert

log = logging.getLogger("storywatch.alerting")
SessionFactory = sessionmaker[Session] | Callable[[], Session]


class DecisionLike(Protocol):
    """What enqueue reads from ``detection.engine.Decision``."""

    relevant: bool
    development_id: int | None
    created: bool
    is_new: bool
    updated: bool
    escalated: bool
    kind: str | None
    revision: int


@dataclass(frozen=True)
class Delivery:
    """One delivery attempt's outcome."""

    alert_id: int
    channel: str
    ok: bool
    status: str
    error: str | None = None


@dataclass(frozen=True)
class DeliveryReport:
    """What a delivery pass did."""

    sent_ids: tuple[int, ...] = ()
    retrying_ids: tuple[int, ...] = ()
    failed_ids: tuple[int, ...] = ()
    expired_ids: tuple[int, ...] = ()
    muted: int = 0
    held_quiet: int = 0
    skipped_claimed: int = 0
    deliveries: tuple[Delivery, ...] = ()
    superseded: int = 0

    @property
    def delivered(self) -> int:
        """Alerts delivered in this pass."""
        return len(self.sent_ids)

    @property
    def failed(self) -> int:
        """Unsuccessful delivery attempts in this pass (retried later, failed for good, or expired)."""
        return len([d for d in self.deliveries if not d.ok])

    @property
    def errors(self) -> list[str]:
        """One redacted line per unsuccessful attempt: ``alert N -> channel: error``."""
        return [f"alert {d.alert_id} -> {d.channel}: {d.error}" for d in self.deliveries if not d.ok]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return {"delivered": self.delivered, "failed_attempts": self.failed,
                "retrying": len(self.retrying_ids), "failed": len(self.failed_ids),
                "expired": len(self.expired_ids), "muted": self.muted, "held_quiet": self.held_quiet,
                "skipped_claimed": self.skipped_claimed,
                "superseded": self.superseded, "errors": self.errors}


@dataclass(frozen=True)
class DigestReport:
    """What a digest pass did: one digest alert per (watch, channel) with its entry count."""

    digests: tuple[tuple[str, str, int, int], ...] = ()  # (watch, channel, digest alert id, entries)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)

    @property
    def sent(self) -> int:
        """Digest messages delivered in this pass."""
        return len([d for d in self.digests if d[2] in self.delivery.sent_ids])


# -- enqueue ----------------------------------------------------------------------------------

def _session(factory: SessionFactory) -> Any:
    return transaction(factory) if isinstance(factory, sessionmaker) else _tx(factory)


class _tx:
    def __init__(self, factory: Callable[[], Session]) -> None:
        self.factory = factory

    def __enter__(self) -> Session:
        self.s = self.factory()
        self.s.begin()
        return self.s

    def __exit__(self, et: object, *_: object) -> None:
        try:
            if et is None:
                self.s.commit()
            else:
                self.s.rollback()
        finally:
            self.s.close()


def _kind_spec(watch: Any, kind: str) -> Any:
    kinds = getattr(watch, "kinds", None) or {}
    return kinds.get(kind) if isinstance(kinds, Mapping) else None


def kind_label(kind: str, watch: Any = None) -> str:
    """Words for a kind: the watch's label, else the identifier made readable."""
    spec = _kind_spec(watch, kind)
    label = getattr(spec, "label", None)
    if label:
        return str(label)
    return (kind or "development").replace("_", " ").replace("-", " ").strip().capitalize()


def _alert_worthy(policy: AlertPolicy, kind: str, watch: Any, development: Any) -> bool:
    if kind in policy.digest_kinds:
        return True  # a minor kind the policy wants in the digest
    if policy.alert_kinds is not None:
        return kind in policy.alert_kinds or "*" in policy.alert_kinds
    spec = _kind_spec(watch, kind)
    if spec is not None and hasattr(spec, "alert"):
        return bool(spec.alert)
    if watch is not None and getattr(watch, "kinds", None):
        return False  # the watch lists its kinds and this is not one of them
    worthy = getattr(development, "alert_worthy", None)
    return True if worthy is None else bool(worthy)


def classify(decision: Any, policy: AlertPolicy, kind_spec: Any = None, development: Any = None) -> str | None:
    """Which alert event a decision is: ``new``, ``escalation``, ``update`` or None (no alert).

    A new development alerts only when it is fresh (``is_new``); an escalation needs the
    policy's ``escalation_alerts`` and the kind's own ``escalation_alerts`` flag (when the watch
    declares one); every other change to a known development is an ``update`` (digest).
    """
    if decision is None:
        return "new"
    if not getattr(decision, "relevant", True):
        return None
    if getattr(decision, "created", False) and getattr(decision, "is_new", True):
        return "new"
    if getattr(decision, "upgraded", False) and getattr(decision, "is_new", False):
        return "new"  # a known (background) development is now reported as an alert-worthy act
    if not getattr(development, "is_new", True) and not getattr(decision, "created", False):
        return None  # later articles about old news (a backfill) are not news either
    if getattr(decision, "escalated", False) and policy.escalation_alerts \
            and bool(getattr(kind_spec, "escalation_alerts", True)):
        return "escalation"
    if getattr(decision, "updated", False):
        return "update" if policy.update_alerts else None
    return None


_SENTENCE = re.compile(r"(?<=[.!?。])\s+(?=[\"'“‘A-Z0-9(\[])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")


def key_sentences(text: str, headline: str, n: int = 3) -> list[str]:
    """Up to ``n`` informative sentences of ``text`` (most overlap with the headline), in order."""
    paras = [p.strip() for p in (text or "").split("\n") if p.strip()]
    sentences = [s.strip() for p in paras for s in _SENTENCE.split(p) if 40 <= len(s.strip()) <= 400][:20]
    if not sentences:
        return []
    head = {w.lower() for w in _WORD.findall(headline or "")}
    scored = [(len(head & {w.lower() for w in _WORD.findall(s)}) - i * 0.1, i) for i, s in enumerate(sentences)]
    keep = sorted(i for _, i in sorted(scored, reverse=True)[:n])
    return [sentences[i] for i in keep]


def build_payload(session: Session, *, watch_name: str, development: Any, kind: str, label: str,
                  severity: str, event: str, revision: int, watch_title: str | None = None) -> dict[str, Any]:
    """Everything needed to render the alert later, read from the development and its articles."""
    dev_id = getattr(development, "id", None)
    headline = str(getattr(development, "title", "") or "")
    articles = q.development_articles(session, watch_name, dev_id) if dev_id is not None else []
    first_id = getattr(development, "first_article_id", None)
    first = next((a for a in articles if a.id == first_id), None) if first_id else None
    if first is None and first_id is not None:
        first = q.article_by_id(session, first_id)
    if first is None and articles:
        first = articles[0]
    ordered = ([first] if first is not None else []) + [a for a in articles if first is None or a.id != first.id]
    outlets = {(a.site_name or a.source) for a in ordered}
    when = getattr(development, "first_published", None) or (first.published if first else None) \
        or getattr(development, "first_seen", None)
    explanation = getattr(development, "explanation", None) or {}
    sentences = explanation.get("key_sentences") if isinstance(explanation, Mapping) else None
    if not sentences and first is not None:
        sentences = key_sentences(first.text or first.description or "", headline or first.title)
    links: list[dict[str, str]] = []
    seen_sources: set[str] = set()
    for a in ordered:
        src = a.site_name or a.source
        if src in seen_sources and len(links) >= 3:
            continue
        seen_sources.add(src)
        links.append({"url": a.canonical_url or a.url, "title": a.title, "source": src})
        if len(links) >= 5:
            break
    return {
        "event": event,
        "watch": watch_name,
        "watch_title": watch_title or watch_name,
        "development_id": dev_id,
        "revision": revision,
        "kind": kind,
        "kind_label": label,
        "severity": severity,
        "headline": headline or (first.title if first else ""),
        "when": when.isoformat() if isinstance(when, datetime) else None,
        "first_reporter": (first.site_name or first.source) if first else None,
        "first_reported_at": first.published.isoformat() if first and first.published else None,
        "outlets": len(outlets),
        "articles": len(ordered),
        "key_sentences": list(sentences or [])[:3],
        "links": links,
        "article_urls": [a.canonical_url or a.url for a in ordered][:50],
    }


def enqueue(
    session: Session,
    *,
    watch_name: str,
    policy: AlertPolicy,
    channels: Sequence[str],
    development: Any,
    decision: Any = None,
    now: datetime,
    watch: Any = None,
) -> list[int]:
    """Record the alerts this decision calls for, in the caller's transaction; ids newly inserted.

    Idempotent: the same (watch, development, channel, revision) is never recorded twice,
    even by two runs at once. ``watch`` (a ``WatchSpec``) supplies kind labels, severities
    and the per-kind ``alert`` flag; ``channels`` empty means the built-in console channel.
    """
    if watch is not None and hasattr(watch, "spec"):
        watch = watch.spec  # a config Watch: use its WatchSpec
    kind = str(getattr(decision, "kind", None) or getattr(development, "kind", None) or "development")
    event = classify(decision, policy, _kind_spec(watch, kind), development)
    if event is None:
        return []
    if not _alert_worthy(policy, kind, watch, development):
        return []
    dev_id = getattr(development, "id", None) or getattr(decision, "development_id", None)
    if dev_id is None:
        raise ValueError("enqueue needs a recorded development (flush it first so it has an id)")
    revision = int(getattr(decision, "revision", None) or getattr(development, "revision", None) or 1)
    spec = _kind_spec(watch, kind)
    severity = policy.severity_of(kind, getattr(spec, "severity", None))
    label = kind_label(kind, watch)
    names = list(channels) or [CONSOLE]
    routed = policy.routes_for(kind, names, update=event == "update")
    if not routed:
        return []
    payload = build_payload(session, watch_name=watch_name, development=development, kind=kind, label=label,
                            severity=severity, event=event, revision=revision,
                            watch_title=getattr(watch, "title", None))
    muted = q.is_muted(session, watch_name, kind, now)
    rows = []
    for channel, mode in routed:
        if event == "escalation":
            mode = "immediate"
        key = f"{watch_name}:{dev_id}:{channel}:{revision}"
        rows.append(_row(key, watch_name, dev_id, channel, revision, kind, payload["headline"], severity,
                         mode, now, policy, {**payload, "idempotency_key": key}, muted))
    return q.insert_alerts(session, rows)


def _row(key: str, watch: str, dev_id: int | None, channel: str, revision: int, kind: str, title: str,
         severity: str, mode: str, now: datetime, policy: AlertPolicy, payload: dict[str, Any],
         muted: bool) -> dict[str, Any]:
    hold = None
    if mode == "immediate" and not policy.bypasses_quiet(severity) and policy.quiet_hours is not None:
        hold = policy.quiet_hours.end_if_quiet(now)
    start = hold or now
    return {
        "idempotency_key": key[:300], "watch": watch, "development_id": dev_id, "channel": channel,
        "revision": revision, "kind": kind, "title": title, "severity": severity, "mode": mode,
        "created_at": now, "status": "muted" if muted else "pending", "attempts": 0,
        "next_attempt_at": hold, "expires_at": start + timedelta(hours=policy.expire_after_hours),
        "payload": payload, "last_error": "muted" if muted else None,
    }


def enqueue_source_health(
    session: Session,
    *,
    policy: AlertPolicy,
    channels: Sequence[str],
    source: Any,
    now: datetime,
    watch_name: str = "*",
) -> list[int]:
    """Record one alert per channel for a failing source, once per outage (keyed by last success)."""
    names = policy.health_channels(list(channels) or [CONSOLE])
    name = str(getattr(source, "name", source))
    failures = getattr(source, "consecutive_failures", None)
    quiet = failures == 0  # fetches fine but has published nothing new for a long time
    since = getattr(source, "last_new_article_at" if quiet else "last_success_at", None)
    episode = ("quiet:" if quiet else "") + (since.isoformat() if isinstance(since, datetime) else "never")
    error = redact(str(getattr(source, "last_error", "") or ""))[:500]
    headline = (f"Source {name} has published nothing new for a long time" if quiet
                else f"Source {name} is failing ({failures or '?'} failed fetches in a row)")
    payload: dict[str, Any] = {
        "event": "source_health", "watch": watch_name, "kind": "source_health",
        "kind_label": "Source health", "severity": "high",
        "headline": headline,
        "source": name, "when": since.isoformat() if isinstance(since, datetime) else None,
        "failures": failures, "error": error or None, "links": [], "article_urls": [],
    }
    muted = q.is_muted(session, watch_name, "source_health", now)
    rows = []
    for channel in names:
        key = f"health:{name}:{channel}:{episode}"
        rows.append(_row(key, watch_name, None, channel, 1, "source_health", str(payload["headline"]), "high",
                         "immediate", now, policy, {**payload, "idempotency_key": key}, muted))
    return q.insert_alerts(session, rows)


# -- delivery ---------------------------------------------------------------------------------

def send_message(channel: ResolvedChannel, title: str, body: str, *, fmt: str, severity: str = "normal",
                 console: TextIO | None = None) -> tuple[bool, str | None]:
    """Send one message; (ok, error text). Errors are Apprise's own logged words, redacted."""
    if channel.is_console:
        out = console if console is not None else sys.stdout
        bar = "─" * 72
        out.write(f"{bar}\n{title}\n{bar}\n{body.rstrip()}\n\n")
        out.flush()
        return True, None
    import apprise

    obj = apprise.Apprise()
    with apprise_unpropagated():
        added = obj.add(channel.url)
    if not added:
        return False, f"channel {channel.name}: the Apprise URL was rejected ({channel.display})"
    notify_type = apprise.NotifyType.WARNING if severity in ("high", "critical") else apprise.NotifyType.INFO
    # Apprise's own words reach logs only redacted, through us.
    with apprise_unpropagated(), apprise.LogCapture(level=logging.WARNING) as captured:
        try:
            ok = bool(obj.notify(body=body, title=title, body_format=fmt, notify_type=notify_type))
        except Exception as exc:  # a plugin bug must not stop the other alerts
            ok = False
            captured.write(f"{type(exc).__name__}: {exc}\n")
    if ok:
        return True, None
    lines = [re.sub(r"^\S+ \S+ - \w+ - ", "", ln) for ln in captured.getvalue().splitlines() if ln.strip()]
    err = "; ".join(lines[-3:]) or "the service did not accept the message"
    return False, redact(err, channel.secrets)[:1000]


def _quiet_now(policy: AlertPolicy, now: datetime) -> datetime | None:
    return policy.quiet_hours.end_if_quiet(now) if policy.quiet_hours else None


def deliver_pending(
    session_factory: SessionFactory,
    policy: AlertPolicy | Mapping[str, AlertPolicy],
    channels: Mapping[str, ResolvedChannel],
    *,
    now: datetime,
    console: TextIO | None = None,
    only_ids: Sequence[int] | None = None,
    watch: str | None = None,
    limit: int = 500,
) -> DeliveryReport:
    """Deliver every due pending alert once: claim, send, record; retry later with backoff.

    ``policy`` is one policy or a mapping watch name -> policy (alerts of other watches use the
    first); ``watch`` limits the pass to that watch's alerts (and watch-less ones, e.g. source
    health). Safe to run concurrently with itself (per-row claims) and after a crash (leases).
    """
    policies = dict(policy) if isinstance(policy, Mapping) else {}
    fallback = next(iter(policies.values())) if policies else policy
    assert isinstance(fallback, AlertPolicy)
    secrets = all_secrets(channels)
    sent: list[int] = []
    retrying: list[int] = []
    failed: list[int] = []
    deliveries: list[Delivery] = []
    held = skipped = superseded = 0

    def tx(fn: Callable[[Session], Any]) -> Any:
        def run() -> Any:
            with _session(session_factory) as s:
                return fn(s)
        return with_retry(run)

    muted = tx(lambda s: q.mute_pending(s, now))
    expired = list(tx(lambda s: q.expire_overdue(s, now)))
    if expired:
        tx(lambda s: _settle_digests(s, expired, "expired", now))
    candidates = list(only_ids) if only_ids is not None else tx(
        lambda s: q.due_ids(s, now, limit=limit, watch=watch))
    for alert_id in candidates:
        token = uuid.uuid4().hex

        def do_claim(s: Session, alert_id: int = alert_id, token: str = token) -> dict[str, Any] | None:
            row = q.claim(s, alert_id, token, now, now + timedelta(seconds=_policy_for(policies, fallback,
                                                                                        None).claim_seconds))
            if row is None:
                return None
            snap = _snapshot(row)
            if row.development_id is not None and row.mode == "immediate":
                # One message per development: a newer revision waiting for this channel wins.
                if q.newer_pending_exists(s, row):
                    q.supersede(s, alert_id, token)
                    return {**snap, "superseded": True}
                q.supersede_older(s, row, now)
                if snap["payload"].get("event") in ("update", "escalation") and not q.delivered_before(s, row):
                    snap["payload"]["event"] = "new"  # the reader never saw this development
            return snap

        snap = tx(do_claim)
        if snap is None:
            skipped += 1
            continue
        if snap.get("superseded"):
            superseded += 1
            continue
        pol = _policy_for(policies, fallback, snap["watch"])
        quiet_end = _quiet_now(pol, now)
        if quiet_end is not None and not pol.bypasses_quiet(snap["severity"]):
            tx(lambda s, a=alert_id, t=token, e=quiet_end: q.release(s, a, t, e))  # type: ignore[misc]
            held += 1
            continue
        channel = channels.get(snap["channel"])
        if channel is None and snap["channel"] == CONSOLE:
            channel = console_channel()
        ok: bool
        error: str | None
        if channel is None:
            ok, error = False, f"channel {snap['channel']!r} is not configured"
        else:
            try:
                title, body = render(snap["payload"], channel.format)
            except Exception as exc:  # a bad payload must not block the outbox
                title, body = title_of({}), ""
                ok, error = False, f"cannot render: {type(exc).__name__}: {exc}"
            else:
                ok, error = send_message(channel, title, body, fmt=channel.format, severity=snap["severity"],
                                         console=console)
        error = redact(error, secrets) if error else None
        attempts = snap["attempts"] + 1
        if ok:
            status, next_at = "sent", None
        elif attempts >= pol.max_attempts:
            status, next_at = "failed", None
        elif snap["expires_at"] is not None and now + pol.retry.delay(attempts) >= snap["expires_at"]:
            status, next_at = "expired", None
        else:
            status, next_at = "pending", now + pol.retry.delay(attempts)

        def record(s: Session, alert_id: int = alert_id, token: str = token, status: str = status,
                   next_at: datetime | None = next_at, error: str | None = error, ok: bool = ok) -> bool:
            won = q.finish(s, alert_id, token, status=status, now=now, error=error, next_attempt_at=next_at)
            q.record_attempt(s, alert_id, now, ok, error)
            if won and status != "pending":
                _settle_digests(s, [alert_id], status, now)
            return won

        if not tx(record):
            log.warning("alert %s: claim expired while sending (lease too short?)", alert_id)
        {"sent": sent, "pending": retrying, "failed": failed, "expired": expired}[status].append(alert_id)
        deliveries.append(Delivery(alert_id, snap["channel"], ok, status, error))
        if not ok:
            log.warning("alert %s to %s failed (attempt %s): %s", alert_id, snap["channel"], attempts, error)
    return DeliveryReport(tuple(sent), tuple(retrying), tuple(failed), tuple(expired), muted, held, skipped,
                          tuple(deliveries), superseded)


def _policy_for(policies: Mapping[str, AlertPolicy], fallback: AlertPolicy, watch: str | None) -> AlertPolicy:
    return policies.get(watch or "", fallback)


def _snapshot(row: Alert) -> dict[str, Any]:
    return {"watch": row.watch, "channel": row.channel, "severity": row.severity, "payload": dict(row.payload),
            "attempts": row.attempts, "expires_at": row.expires_at, "kind": row.kind}


def _settle_digests(s: Session, ids: Sequence[int], status: str, now: datetime) -> None:
    for alert_id in ids:
        row = q.get_alert(s, alert_id)
        if row is not None and row.kind == "digest":
            q.settle_members(s, [int(i) for i in row.payload.get("member_ids", [])], status, now)


# -- digest -----------------------------------------------------------------------------------

def send_digest(
    session_factory: SessionFactory,
    policy: AlertPolicy | Mapping[str, AlertPolicy],
    channels: Mapping[str, ResolvedChannel],
    *,
    now: datetime,
    until: datetime | None = None,
    console: TextIO | None = None,
) -> DigestReport:
    """Batch pending digest-mode alerts created up to ``until`` (default ``now``) into one message per
    (watch, channel) and deliver them; nothing is recorded or sent when there is nothing to batch."""
    policies = dict(policy) if isinstance(policy, Mapping) else {}
    fallback = next(iter(policies.values())) if policies else policy
    assert isinstance(fallback, AlertPolicy)
    cutoff = until or now

    def make(s: Session) -> list[tuple[str, str, int, int]]:
        q.mute_pending(s, now)
        made = []
        for watch, channel in q.digest_groups(s, cutoff):
            members = q.batch_for_digest(s, channel=channel, watch=watch, until=cutoff)
            if not members:
                continue
            pol = _policy_for(policies, fallback, watch)
            entries = _collapse([dict(m.payload) for m in members])
            ids = [m.id for m in members]
            title = entries[0].get("watch_title") or watch
            key = f"digest:{watch}:{channel}:{cutoff.isoformat()}:{ids[0]}"
            payload = {"event": "digest", "watch": watch, "watch_title": title, "kind": "digest",
                       "kind_label": "Digest", "entries": entries, "member_ids": ids,
                       "period_end": cutoff.isoformat(), "idempotency_key": key,
                       "article_urls": [u for e in entries for u in e.get("article_urls", [])][:100]}
            new = q.insert_alerts(s, [{
                "idempotency_key": key[:300], "watch": watch, "development_id": None, "channel": channel,
                "revision": 1, "kind": "digest", "title": f"Digest: {len(entries)} items", "severity": "low",
                "mode": "immediate", "created_at": now, "status": "pending", "attempts": 0,
                "next_attempt_at": None, "expires_at": now + timedelta(hours=pol.expire_after_hours),
                "payload": payload}])
            made += [(watch, channel, new_id, len(entries)) for new_id in new]
        return made

    def run() -> list[tuple[str, str, int, int]]:
        with _session(session_factory) as s:
            return make(s)

    made = with_retry(run)
    if not made:
        return DigestReport()
    report = deliver_pending(session_factory, policy, channels, now=now, console=console,
                             only_ids=[m[2] for m in made])
    return DigestReport(tuple(made), report)


def _collapse(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One digest entry per development: its newest payload (most outlets), first-seen order."""
    by_dev: dict[Any, dict[str, Any]] = {}
    order: list[Any] = []
    for n, e in enumerate(entries):
        key = e.get("development_id") if e.get("development_id") is not None else f"#{n}"
        if key not in by_dev:
            order.append(key)
        if key not in by_dev or int(e.get("revision") or 0) >= int(by_dev[key].get("revision") or 0):
            by_dev[key] = e
    return [by_dev[k] for k in order]


def digest_due(policy: AlertPolicy, now: datetime) -> datetime:
    """The cut-off of the digest due at ``now``: the latest scheduled slot at or before ``now``."""
    return policy.digest.last_slot(now)


def send_scheduled_digests(
    session_factory: SessionFactory,
    policy: AlertPolicy | Mapping[str, AlertPolicy],
    channels: Mapping[str, ResolvedChannel],
    *,
    now: datetime,
    console: TextIO | None = None,
) -> DigestReport:
    """Call every cycle: sends the digest of the latest scheduled slot when it has entries.

    Alerts created after the slot wait for the next one; an empty slot sends nothing.
    """
    fallback = next(iter(policy.values())) if isinstance(policy, Mapping) else policy
    return send_digest(session_factory, policy, channels, now=now, until=digest_due(fallback, now),
                       console=console)
