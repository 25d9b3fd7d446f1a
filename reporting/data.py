"""Read-only queries behind the report and the JSON API (SQLAlchemy 2.x ``select()``; no writes)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from detection.watch import WatchSpec
from parsers.dates import format_iso
from storage.models import Alert, Article, Development, Run, Source, WatchArticle

UNCLASSIFIED = "other"


# ---------------------------------------------------------------- views


@dataclass(frozen=True)
class ArticleRef:
    """One article as the report shows it inside a development."""

    id: int
    source: str
    title: str
    url: str
    canonical_url: str
    published: datetime | None
    first_seen: datetime
    lang: str | None
    duplicate_of: int | None
    site_name: str | None = None

    @property
    def when(self) -> datetime:
        """Publication time, or when we first saw it when the outlet gave no date."""
        return self.published or self.first_seen


@dataclass(frozen=True)
class Why:
    """Why a development was classified as it was, digested from the detection's explanation."""

    sentence: str | None = None
    rule: str | None = None
    matched_terms: tuple[str, ...] = ()
    other: tuple[tuple[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        """True when there is nothing to say."""
        return not (self.sentence or self.rule or self.matched_terms or self.other)


@dataclass(frozen=True)
class DevelopmentView:
    """A development with its coverage: first reporter, outlets and articles."""

    id: int
    kind: str
    title: str
    first_seen: datetime
    first_published: datetime | None
    last_updated: datetime
    revision: int
    alert_worthy: bool
    articles: tuple[ArticleRef, ...]
    first_reporter: ArticleRef | None
    outlets: tuple[str, ...]
    why: Why
    explanation: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    alerted: bool = False

    @property
    def when(self) -> datetime:
        """The development's date: first publication, else first seen."""
        return self.first_published or self.first_seen


@dataclass(frozen=True)
class DayCount:
    """Relevant articles published on one UTC day for one kind."""

    day: date
    kind: str
    count: int


@dataclass(frozen=True)
class AlertView:
    """One outbox row."""

    id: int
    development_id: int | None
    kind: str
    title: str
    created_at: datetime
    status: str
    channel: str
    severity: str
    mode: str
    revision: int
    delivered_at: datetime | None
    article_urls: tuple[str, ...]


@dataclass(frozen=True)
class SourceView:
    """A configured source, its health and how many articles it gave."""

    name: str
    url: str
    kind: str
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    consecutive_failures: int
    last_error: str | None
    last_status: int | None
    articles: int

    @property
    def failing(self) -> bool:
        """True when the last attempt(s) failed."""
        return self.consecutive_failures > 0


@dataclass(frozen=True)
class RunView:
    """The latest ingest cycle."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    trigger: str


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows for one watch, loaded in one read-only pass."""

    watch: str
    title: str
    generated_at: datetime
    developments: list[DevelopmentView]
    articles_per_day: list[DayCount]
    alerts: list[AlertView]
    sources: list[SourceView]
    failing_sources: list[SourceView]
    relevant_articles: int = 0
    last_run: RunView | None = None
    kind_labels: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def kinds(self) -> list[str]:
        """Kinds present in developments or coverage, in a stable order."""
        found = {d.kind for d in self.developments} | {c.kind for c in self.articles_per_day}
        return sorted(found)

    @property
    def outlets(self) -> list[str]:
        """Every outlet that carried a development, by name."""
        return sorted({o for d in self.developments for o in d.outlets}, key=str.lower)


# ---------------------------------------------------------------- helpers


def iso(value: datetime | None) -> str | None:
    """An aware datetime as an ISO-8601 UTC string to the second, like ``2026-02-16T05:00:00Z``."""
    return format_iso(value, timespec="seconds")


def _text(value: Any, limit: int = 300) -> str:
    """Any JSON value as a short plain string."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, (list, tuple)):
        text = ", ".join(_text(v, limit) for v in value)
    elif isinstance(value, dict):
        text = "; ".join(f"{k}: {_text(v, limit)}" for k, v in value.items())
    elif value is None:
        text = ""
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _terms(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, (list, tuple, set)):
        out: list[str] = []
        for v in value:
            t = _text(v, 80)
            if t and t not in out:
                out.append(t)
        return tuple(out)
    if isinstance(value, dict):
        return tuple(_text(k, 80) for k in value)
    return ()


_SENTENCE_KEYS = ("kind_sentence", "sentence", "evidence", "summary", "reason", "why")
_RULE_KEYS = ("rule", "kind_rule", "classifier", "kind_reason")
_TERM_KEYS = ("matched_terms", "terms", "keywords", "entities")
_HIDDEN_KEYS = {"duplicate_of", "version", "score_details", "kind", "sentence_index", "first_article_id",
                "candidates"}


def _flatten(exp: Mapping[str, Any]) -> dict[str, Any]:
    """A nested ``{"kind": {rule, sentence, ...}}`` block lifted to the top (its keys win)."""
    flat = {str(k): v for k, v in exp.items()}
    nested = flat.get("kind")
    if isinstance(nested, Mapping):
        flat.update({str(k): v for k, v in nested.items()})
    return flat


def digest_why(*explanations: Mapping[str, Any] | None, extra_terms: Iterable[str] = ()) -> Why:
    """A readable ``Why`` from one or more explanation dicts; unknown keys are kept as text."""
    sentence: str | None = None
    rule: str | None = None
    terms: list[str] = []
    other: list[tuple[str, str]] = []
    seen_keys: set[str] = set()
    for exp in explanations:
        if not isinstance(exp, Mapping):
            continue
        for key, value in _flatten(exp).items():
            k = str(key)
            if k in _SENTENCE_KEYS and sentence is None and value:
                sentence = _text(value, 500)
            elif k in _RULE_KEYS and rule is None and value:
                rule = _text(value, 200)
            elif k in _TERM_KEYS:
                for t in _terms(value):
                    if t not in terms:
                        terms.append(t)
            elif k not in _HIDDEN_KEYS and k not in seen_keys and value not in (None, "", [], {}):
                other.append((k.replace("_", " "), _text(value)))
            seen_keys.add(k)
    for t in extra_terms:
        t = _text(t, 80)
        if t and t not in terms:
            terms.append(t)
    return Why(sentence=sentence, rule=rule, matched_terms=tuple(terms[:20]), other=tuple(other[:8]))


def _ref(a: Article) -> ArticleRef:
    return ArticleRef(
        id=a.id,
        source=a.source,
        title=a.title or a.canonical_url,
        url=a.url,
        canonical_url=a.canonical_url,
        published=a.published,
        first_seen=a.first_seen,
        lang=a.lang,
        duplicate_of=a.duplicate_of,
        site_name=a.site_name,
    )


def _watch_rows(session: Session, watch: str) -> list[tuple[WatchArticle, Article]]:
    stmt = (
        select(WatchArticle, Article)
        .join(Article, Article.id == WatchArticle.article_id)
        .where(WatchArticle.watch == watch)
        .order_by(Article.id)
    )
    return [(wa, a) for wa, a in session.execute(stmt).tuples()]


def _developments(
    session: Session, watch: str, rows: list[tuple[WatchArticle, Article]], alerted: set[int]
) -> list[DevelopmentView]:
    devs = session.scalars(select(Development).where(Development.watch == watch)).all()
    by_dev: dict[int, list[tuple[WatchArticle, Article]]] = {}
    for wa, a in rows:
        if wa.development_id is not None:
            by_dev.setdefault(wa.development_id, []).append((wa, a))
    # Articles that detection tied to a development only via first_article_id still count.
    views: list[DevelopmentView] = []
    for d in devs:
        members = by_dev.get(d.id, [])
        refs = sorted((_ref(a) for _, a in members), key=lambda r: (r.when, r.id))
        if not refs and d.first_article_id is not None:
            first = session.get(Article, d.first_article_id)
            if first is not None:
                refs = [_ref(first)]
        first_reporter = refs[0] if refs else None
        outlets: list[str] = []
        for r in refs:
            if r.source not in outlets:
                outlets.append(r.source)
        first_wa = next((wa for wa, a in members if first_reporter and a.id == first_reporter.id), None)
        explanation = d.explanation if isinstance(d.explanation, dict) else {}
        why = digest_why(
            explanation,
            first_wa.explanation if first_wa is not None else None,
            extra_terms=(first_wa.matched_terms or []) if first_wa is not None else (),
        )
        views.append(
            DevelopmentView(
                id=d.id,
                kind=d.kind or UNCLASSIFIED,
                title=d.title,
                first_seen=d.first_seen,
                first_published=d.first_published,
                last_updated=d.last_updated,
                revision=d.revision,
                alert_worthy=d.alert_worthy,
                articles=tuple(refs),
                first_reporter=first_reporter,
                outlets=tuple(outlets),
                why=why,
                explanation=explanation,
                alerted=d.id in alerted,
            )
        )
    views.sort(key=lambda v: (v.when, v.id), reverse=True)
    return views


def _per_day(rows: list[tuple[WatchArticle, Article]], dev_kinds: Mapping[int, str]) -> list[DayCount]:
    counts: Counter[tuple[date, str]] = Counter()
    for wa, a in rows:
        if not wa.relevant:
            continue
        kind = (dev_kinds.get(wa.development_id) if wa.development_id is not None else None) or wa.kind
        when = a.published or a.first_seen
        counts[(when.astimezone(UTC).date(), kind or UNCLASSIFIED)] += 1
    return [DayCount(day=d, kind=k, count=n) for (d, k), n in sorted(counts.items())]


def _alert_views(session: Session, watch: str | None) -> list[AlertView]:
    stmt = select(Alert).order_by(Alert.created_at.desc(), Alert.id.desc())
    if watch is not None:
        stmt = stmt.where(Alert.watch == watch)
    alerts = session.scalars(stmt).all()
    dev_ids = {a.development_id for a in alerts if a.development_id is not None}
    urls_by_dev: dict[int, list[str]] = {}
    if dev_ids:
        q = (
            select(WatchArticle.development_id, Article.canonical_url)
            .join(Article, Article.id == WatchArticle.article_id)
            .where(WatchArticle.development_id.in_(dev_ids))
            .order_by(Article.published, Article.id)
        )
        for dev_id, url in session.execute(q).tuples():
            if dev_id is not None and url not in urls_by_dev.setdefault(dev_id, []):
                urls_by_dev[dev_id].append(url)
    out: list[AlertView] = []
    for a in alerts:
        payload = a.payload if isinstance(a.payload, dict) else {}
        urls = payload.get("article_urls") or payload.get("urls")
        if isinstance(urls, list) and urls:
            article_urls = tuple(str(u) for u in urls)
        else:
            article_urls = tuple(urls_by_dev.get(a.development_id, [])) if a.development_id else ()
        out.append(
            AlertView(
                id=a.id,
                development_id=a.development_id,
                kind=a.kind,
                title=a.title,
                created_at=a.created_at,
                status=a.status,
                channel=a.channel,
                severity=a.severity,
                mode=a.mode,
                revision=a.revision,
                delivered_at=a.delivered_at,
                article_urls=article_urls,
            )
        )
    return out


def _source_views(session: Session) -> list[SourceView]:
    counts: Counter[str] = Counter(session.scalars(select(Article.source)).all())
    out = [
        SourceView(
            name=s.name,
            url=s.url,
            kind=s.kind,
            last_attempt_at=s.last_attempt_at,
            last_success_at=s.last_success_at,
            consecutive_failures=s.consecutive_failures or 0,
            last_error=s.last_error,
            last_status=s.last_status,
            articles=counts.get(s.name, 0),
        )
        for s in session.scalars(select(Source).order_by(Source.name)).all()
    ]
    return out


def _last_run(session: Session) -> RunView | None:
    run = session.scalars(select(Run).order_by(Run.started_at.desc(), Run.id.desc()).limit(1)).first()
    if run is None:
        return None
    return RunView(
        id=run.id, started_at=run.started_at, finished_at=run.finished_at, status=run.status, trigger=run.trigger
    )


def default_title(watch: str) -> str:
    """A report title from a watch name when the configuration gives none."""
    return watch.replace("_", " ").replace("-", " ").strip().capitalize() or "Story"


# ---------------------------------------------------------------- public API


def _watch_identity(watch: str | WatchSpec) -> tuple[str, str | None, dict[str, str]]:
    if isinstance(watch, str):
        return watch, None, {}
    labels = {name: spec.label for name, spec in watch.ordered_kinds()}
    return watch.name, watch.title, labels


def load_report_data(
    session: Session,
    watch: str | WatchSpec,
    *,
    now: datetime,
    title: str | None = None,
    kind_labels: Mapping[str, str] | None = None,
) -> ReportData:
    """Everything the report needs for ``watch``, read without writing; ``now`` stamps it.

    Pass the watch's ``WatchSpec`` (or ``title``/``kind_labels``) to show its title and kind words.
    """
    watch, spec_title, spec_labels = _watch_identity(watch)
    title = title or spec_title
    labels = dict(kind_labels) if kind_labels is not None else spec_labels
    rows = _watch_rows(session, watch)
    alerts = _alert_views(session, watch)
    alerted = {a.development_id for a in alerts if a.development_id is not None}
    developments = _developments(session, watch, rows, alerted)
    dev_kinds = {d.id: d.kind for d in developments}
    sources = _source_views(session)
    return ReportData(
        watch=watch,
        title=title or default_title(watch),
        generated_at=now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC),
        developments=developments,
        articles_per_day=_per_day(rows, dev_kinds),
        alerts=alerts,
        sources=sources,
        failing_sources=[s for s in sources if s.failing],
        relevant_articles=sum(1 for wa, _ in rows if wa.relevant),
        last_run=_last_run(session),
        kind_labels=labels,
    )


def _ref_json(r: ArticleRef) -> dict[str, Any]:
    return {
        "id": r.id,
        "source": r.source,
        "title": r.title,
        "url": r.url,
        "canonical_url": r.canonical_url,
        "published": iso(r.published),
        "duplicate_of": r.duplicate_of,
    }


def development_json(d: DevelopmentView) -> dict[str, Any]:
    """One development as the JSON API shows it."""
    return {
        "id": d.id,
        "kind": d.kind,
        "title": d.title,
        "first_seen": iso(d.first_seen),
        "first_published": iso(d.first_published),
        "last_updated": iso(d.last_updated),
        "revision": d.revision,
        "alert_worthy": d.alert_worthy,
        "alerted": d.alerted,
        "article_ids": [a.id for a in d.articles],
        "sources": list(d.outlets),
        "outlets": len(d.outlets),
        "first_reporter": _ref_json(d.first_reporter) if d.first_reporter else None,
        "articles": [_ref_json(a) for a in d.articles],
        "explanation": dict(d.explanation),
        "why": {
            "sentence": d.why.sentence,
            "rule": d.why.rule,
            "matched_terms": list(d.why.matched_terms),
            "other": dict(d.why.other),
        },
    }


def developments_json(session: Session, watch: str) -> list[dict[str, Any]]:
    """The watch's developments, newest first, as JSON-ready dicts (times ISO-8601 UTC)."""
    rows = _watch_rows(session, watch)
    alerted = {
        a
        for a in session.scalars(
            select(Alert.development_id).where(Alert.watch == watch, Alert.development_id.is_not(None))
        ).all()
        if a is not None
    }
    return [development_json(d) for d in _developments(session, watch, rows, alerted)]


def articles_json(session: Session, watch: str) -> list[dict[str, Any]]:
    """Every article the watch has decided about, newest first, as JSON-ready dicts."""
    rows = _watch_rows(session, watch)
    rows.sort(key=lambda r: (r[1].published or r[1].first_seen, r[1].id), reverse=True)
    return [
        {
            "id": a.id,
            "url": a.url,
            "canonical_url": a.canonical_url,
            "source": a.source,
            "title": a.title,
            "published": iso(a.published),
            "first_seen": iso(a.first_seen),
            "lang": a.lang,
            "relevant": bool(wa.relevant),
            "development_id": wa.development_id,
            "kind": wa.kind,
            "duplicate_of": a.duplicate_of,
            "matched_terms": list(wa.matched_terms or []),
            "explanation": wa.explanation if isinstance(wa.explanation, dict) else {},
        }
        for wa, a in rows
    ]


def alert_json(a: AlertView) -> dict[str, Any]:
    """One alert as the JSON API shows it."""
    return {
        "id": a.id,
        "development_id": a.development_id,
        "kind": a.kind,
        "title": a.title,
        "created_at": iso(a.created_at),
        "status": a.status,
        "channel": a.channel,
        "severity": a.severity,
        "mode": a.mode,
        "revision": a.revision,
        "delivered_at": iso(a.delivered_at),
        "article_urls": list(a.article_urls),
    }


def alerts_json(session: Session, watch: str | None = None) -> list[dict[str, Any]]:
    """Alerts (of every watch unless ``watch`` is given), newest first, as JSON-ready dicts."""
    return [alert_json(a) for a in _alert_views(session, watch)]
