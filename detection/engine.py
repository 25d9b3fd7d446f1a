"""Decide, for one watch and one stored article: relevance, kind, development, novelty.

Runs inside the caller's transaction (never commits). The (watch, article) decision row is
claimed first with insert-on-conflict, so concurrent runs cannot decide an article twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from detection.events import FIRM, STRONGEST, EventFeatures, extract, index_keys, lookup_keys, similarity
from detection.kinds import classify
from detection.relevance import relevance
from detection.text import clean_title
from detection.watch import WatchSpec
from parsers.models import Article
from storage import developments as store
from storage.models import Development

#: Lead sentence index (0 = headline) from which a kind hit is too weak to open an alerting development.
WEAK_FROM = 3
#: An article with the topic only in passing is on topic when it joins a development this much
#: above the join threshold.
ASSOCIATION_MARGIN = 0.1
#: The kind model's reading of a lead where no rule fired counts for grouping from this probability.
HINT_FROM = 0.3
#: A firmer report of a development's kind within this many days (sources, then the official
#: statement) gets this much more similarity: it is most likely the same act, confirmed.
ESCALATION_DAYS = 3
ESCALATION_BONUS = 0.1


@dataclass(frozen=True)
class Decision:
    """What the watch decided about one article."""

    relevant: bool
    matched_terms: tuple[str, ...]
    development_id: int | None
    created: bool
    is_new: bool
    updated: bool
    escalated: bool
    kind: str | None
    revision: int
    explanation: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    #: The article raised the development's kind (a background piece, then the act itself).
    upgraded: bool = False


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _from_existing(session: Session, watch: WatchSpec, article_id: int) -> Decision:
    row = store.get_watch_article(session, watch.name, article_id)
    if row is None:  # pragma: no cover - claim failed yet nothing stored
        return Decision(False, (), None, False, False, False, False, None, 0, {"rule": "already decided"})
    dev = session.get(Development, row.development_id) if row.development_id else None
    return Decision(row.relevant, tuple(row.matched_terms or ()), row.development_id, False, False, False,
                    False, row.kind, dev.revision if dev else 0,
                    {**(row.explanation or {}), "rule": "already decided by another run"})


def detect(
    session: Session, watch: WatchSpec, article_id: int, article: Article, *,
    as_of: datetime, duplicate_of: int | None,
) -> Decision:
    """Decide and record what ``watch`` makes of ``article`` (see module docstring)."""
    as_of = _aware(as_of) or datetime.now(UTC)
    if not store.claim_watch_article(session, watch.name, article_id, as_of):
        return _from_existing(session, watch, article_id)

    if duplicate_of is not None:
        dup_row = store.get_watch_article(session, watch.name, duplicate_of)
        if dup_row is not None:
            return _join_duplicate(session, watch, article_id, duplicate_of, dup_row.relevant,
                                   tuple(dup_row.matched_terms or ()), dup_row.development_id, dup_row.kind)

    title = clean_title(article.title)
    rel = relevance(watch.topic, title, article.text)
    expl: dict[str, Any] = {"matched_terms": list(rel.matched_terms), "relevance": rel.reason}
    if not rel.relevant and not rel.passing:
        return _irrelevant(session, watch, article_id, expl)

    kres = classify(watch, title, article.text)
    kind = kres.kind
    expl["kind"] = kres.explanation()
    published = _aware(article.published)
    when = published or as_of
    # how firmly the lead states the kind (headline > first sentence > later): see similarity()
    vote = kres.vote
    hint = (vote.kind if kres.hit is None and kres.overruled is None and vote is not None and vote.kind != kind
            and vote.probability >= HINT_FROM else "")
    feats = extract(watch, title, article.text, kind, when, kres.others, strength=kres.strength, hint=hint)
    spec = watch.kinds[kind]
    certainty = kres.hit.certainty if kres.hit else 1

    best: tuple[Development, float, dict[str, Any]] | None = None
    scored: list[dict[str, Any]] = []
    for dev in store.candidate_developments(session, watch.name, lookup_keys(feats, watch.group_window_days)):
        try:
            # judged against the development's kind and every act its members reported
            dfeat = replace(EventFeatures.from_json(dev.features or {}), kind=dev.kind)
        except (KeyError, ValueError):
            continue
        score, detail = similarity(watch, feats, dfeat)
        # a development's later articles extend its reach: compare with its latest state too
        last = (dev.features or {}).get("last")
        if last:
            try:
                s2, d2 = similarity(watch, feats, replace(EventFeatures.from_json(last), kind=dev.kind,
                                                          also=dfeat.also))
                if s2 > score:
                    score, detail = s2, {**d2, "against": "latest article"}
            except (KeyError, ValueError):
                pass
        if (score > 0 and dev.kind == kind and spec.escalation_alerts and "veto" not in detail
                and certainty > int((dev.features or {}).get("certainty", 1)) and int(detail.get("days", 99)) <= ESCALATION_DAYS):
            # an official statement of what sources reported days before is that report confirmed,
            # an escalation of one development, not a second one
            score += ESCALATION_BONUS
            detail = {**detail, "confirms": True, "score": round(score, 3)}
        scored.append({"development_id": dev.id, **detail})
        if score >= watch.join_threshold and (best is None or score > best[1]):
            best = (dev, score, detail)
    scored.sort(key=lambda d: -float(d.get("score", 0.0)))
    expl["candidates"] = scored[:5]
    if not rel.relevant:
        # the topic only in passing: on topic as a clear part of a known event (a hometown piece the
        # day after a return), otherwise not
        if best is None or best[1] < watch.join_threshold + ASSOCIATION_MARGIN:
            return _irrelevant(session, watch, article_id, expl)
        expl["relevance"] = f"{rel.reason}, but part of development {best[0].id} (similarity {best[1]:.2f})"

    if best is None and kres.hit is not None and spec.alert and kres.hit.sentence_index >= WEAK_FROM:
        # an act found only deep in the body (third body sentence on) is an angle or backstory of
        # the article, not what it reports: alone it never opens an alerting development (a firmer
        # write-up upgrades it; it may still join and corroborate one)
        expl["kind"] = {**expl["kind"], "weak": f"{kind} only in lead sentence {kres.hit.sentence_index}"}
        kind = watch.default_kind
        spec = watch.kinds[kind]
        feats = replace(feats, kind=kind, also=frozenset(feats.also) | {kres.kind})
    if best is None:
        fresh = published is None or (
            as_of - published <= timedelta(hours=watch.freshness_hours)
            and published - as_of <= timedelta(hours=24)
        )
        expl["rule"] = "new development: no candidate reached the join threshold"
        expl["fresh"] = fresh
        expl["new"] = fresh
        dev_expl = {
            "kind": expl["kind"], "matched_terms": expl["matched_terms"], "first_article_id": article_id,
            "certainty": certainty, "fresh": fresh,
        }
        dev = store.create_development(
            session, watch=watch.name, kind=kind, title=title or article.url, now=as_of,
            first_published=published, first_article_id=article_id, alert_worthy=spec.alert,
            is_new=fresh, explanation=dev_expl,
            features={**feats.to_json(), "certainty": certainty, "sources": 1},
        )
        store.add_development_keys(session, dev.id, index_keys(feats))
        store.record_watch_article(session, watch.name, article_id, relevant=True,
                                   matched_terms=list(rel.matched_terms), development_id=dev.id,
                                   kind=kind, explanation=expl)
        return Decision(True, rel.matched_terms, dev.id, True, fresh, False, False, kind, 1, expl)

    dev, score, detail = best
    locked = store.lock_development(session, dev.id) or dev
    feats_json = dict(locked.features or {})
    old_cert = int(feats_json.get("certainty", 1))
    # an escalation alerts only while the development itself is fresh (a stale one stays quiet)
    dev_when = _aware(locked.first_published) or _aware(locked.first_seen) or as_of
    dev_fresh = as_of - dev_when <= timedelta(hours=watch.freshness_hours)
    escalated = (kind == locked.kind and certainty > old_cert and watch.kinds[locked.kind].alert
                 and dev_fresh)
    old_kind = locked.kind
    old_spec = watch.kinds.get(old_kind)
    old_strength = int(feats_json.get("strength", STRONGEST))
    reported = set(feats_json.get("also", ()))
    # The development's kind is that of its most firmly stated member: a kind found only in a later
    # sentence never overrides a headline's, and a write-up reporting both acts (its lead names
    # the development's act too, or the development already named this one) confirms the kind.
    agreeing = old_kind in feats.also or kind in reported
    upgraded = (kind != old_kind and spec.alert and (
        ((old_spec is None or not old_spec.alert) and feats.strength >= FIRM)
        or (old_spec is not None and old_spec.alert and spec.priority > old_spec.priority
            and feats.strength >= old_strength
            and not agreeing)))
    # an upgrade from a kind that never alerts is the development's first alert-worthy report:
    # it alerts as new when the development is fresh; from an alerting kind it is an escalation
    upgraded_new = upgraded and (old_spec is None or not old_spec.alert) and dev_fresh
    feats_json["certainty"] = max(old_cert, certainty)
    if upgraded:
        locked.kind = kind
        locked.alert_worthy = True
        feats_json["kind"], feats_json["strength"] = kind, feats.strength
        if upgraded_new:
            locked.is_new = True
        else:
            escalated = escalated or dev_fresh
    elif kind == locked.kind:
        feats_json["strength"] = max(old_strength, feats.strength)
    # every act a member reported (its kind, and the other kinds its lead names) is known here
    feats_json["also"] = sorted(reported | set(feats.also) | ({kind} if spec.alert else set()))
    feats_json["sources"] = int(feats_json.get("sources", 1)) + 1
    feats_json["last"] = feats.to_json()
    locked.features = feats_json
    locked.revision = (locked.revision or 1) + 1
    locked.last_updated = as_of
    dev_expl = dict(locked.explanation or {})
    if escalated:
        dev_expl["escalation"] = {"article_id": article_id, "certainty": certainty, "kind": expl["kind"]}
    if upgraded:
        dev_expl["upgraded"] = {"article_id": article_id, "from": old_kind, "to": kind, "kind": expl["kind"]}
        dev_expl["kind"] = expl["kind"]
    locked.explanation = dev_expl
    store.add_development_keys(session, locked.id, index_keys(feats))
    expl["rule"] = "joined development: same event"
    expl["similarity"] = round(score, 3)
    expl["new"] = upgraded_new
    if upgraded:
        expl["upgraded"] = f"kind {old_kind} -> {kind}"
    if escalated:
        expl["escalated"] = f"certainty {old_cert} -> {certainty}" if not upgraded else f"kind {old_kind} -> {kind}"
    store.record_watch_article(session, watch.name, article_id, relevant=True,
                               matched_terms=list(rel.matched_terms), development_id=locked.id,
                               kind=kind, explanation=expl)
    return Decision(True, rel.matched_terms, locked.id, False, upgraded_new, True, escalated, locked.kind,
                    locked.revision, expl, upgraded=upgraded)


def _irrelevant(session: Session, watch: WatchSpec, article_id: int, expl: dict[str, Any]) -> Decision:
    store.record_watch_article(session, watch.name, article_id, relevant=False, matched_terms=[],
                               development_id=None, kind=None, explanation=expl)
    return Decision(False, (), None, False, False, False, False, None, 0, expl)


def _join_duplicate(
    session: Session, watch: WatchSpec, article_id: int, duplicate_of: int, relevant: bool,
    terms: tuple[str, ...], development_id: int | None, kind: str | None,
) -> Decision:
    expl: dict[str, Any] = {"rule": "duplicate: joins the development of the article it copies",
                            "duplicate_of": duplicate_of, "matched_terms": list(terms)}
    revision = 0
    if development_id is not None:
        dev = session.get(Development, development_id)
        if dev is not None:
            revision = dev.revision
            feats = dict(dev.features or {})
            feats["copies"] = int(feats.get("copies", 0)) + 1
            dev.features = feats
    store.record_watch_article(session, watch.name, article_id, relevant=relevant, matched_terms=list(terms),
                               development_id=development_id, kind=kind, explanation=expl)
    return Decision(relevant, terms, development_id, False, False, False, False,
                    kind if development_id else None, revision, expl)
