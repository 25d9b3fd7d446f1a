"""Replay the labelled development set through the pipeline and print quality and speed figures.

Usage: .venv/bin/python -m bench.detection [--direct] [--devset FILE] [--json] [--verbose]
                                           [--compare] [--quiet] [--sizes 10000,100000] [--db PATH]

Mode ``pipeline`` (default): a loopback site on 127.0.0.1 (``bench/devfeed.py``: one RSS feed
per outlet, one HTML page per article) reveals the articles day by day (by their ``seen``
day) and, for each day, ``storywatch.pipeline.run_cycle`` -- what ``storywatch run --as-of``
runs -- fetches the feeds and pages, parses, dedupes, stores, detects and delivers alerts
to a loopback webhook (Apprise ``json://``), with ``as_of`` = 23:59 UTC that day, on a fresh
SQLite file. Decisions are read back from the database (``watch_articles``, ``articles``,
``developments``) and alerts from the outbox rows that were delivered (sent) to the
webhook; rows are matched to their labels by URL.
Mode ``direct`` (``--direct``, fast, for tuning): the same articles, in the same order
(seen day, publication time, URL), go straight through fingerprint -> find_duplicate ->
insert -> index_article -> detect on a SQLite file; alerts are what the decisions call for.

Figures: event-grouping pairwise precision/recall/F1, relevance precision/recall, alert
precision/recall overall and per kind, duplicate alerts (an event alerted twice), negation
traps alerted, near-duplicate links, and dedupe+detect articles/second with 10k and 100k
articles already stored (``--sizes ''`` skips them). ``--devset`` scores another labelled
JSONL of the same schema (e.g. a held-out set).
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bench.devfeed import (
    AlertReceiver,
    DevsetSite,
    end_of_day,
    loopback_path,
    outlet_id,
    outlet_name,
    paragraphs,
    parse_time,
)
from dedupe.fingerprint import fingerprint, to_json
from detection.engine import Decision, detect
from detection.watch import WatchSpec, load_default_watch
from parsers.models import Article
from storage.db import make_engine, upgrade
from storage.dedupe_index import find_duplicate, index_article
from storage.models import Alert, DedupeKey, Development, DevelopmentKey, WatchArticle
from storage.models import Article as ArticleRow
from storywatch.config import Config, parse_config
from storywatch.pipeline import run_cycle

DEVSET = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "devset" / "devset.jsonl"
NEGATION_EVENTS = {"e2025-trump-claims-kim"}
Row = dict[str, Any]


@dataclass
class Outcome:
    """What the system decided about one labelled article."""

    row: Row
    article_id: int
    duplicate_of: int | None
    decision: Decision


@dataclass(frozen=True)
class Fired:
    """One alert about a development: ``new`` (its first) or ``escalation``, with the article behind it."""

    row: Row
    kind: str
    why: str
    development_id: int | None = None


@dataclass
class Replay:
    """The result of one replay: decisions per article, alerts, and mode-specific figures."""

    mode: str
    outcomes: list[Outcome]
    fired: list[Fired]
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def load_devset(path: Path = DEVSET) -> list[Row]:
    """The labelled rows of a devset JSONL, in replay order (seen day, publication time, URL)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for r in rows:
        # the replay reveals articles day by day (UTC): a ``seen`` time becomes its UTC day
        if "T" in r["seen"]:
            r["seen"] = parse_time(r["seen"]).astimezone(UTC).date().isoformat()
    rows.sort(key=replay_order)
    return rows


def replay_order(r: Row) -> tuple[str, datetime, str]:
    """The order the pipeline stores a day's articles in: publication time, then URL."""
    return r["seen"], parse_time(r["published"]), loopback_path(r)


def to_article(r: Row) -> Article:
    """The row as the parsed article the pipeline would store."""
    return Article(url=r["url"], canonical_url=r["url"], title=r["title"], text=r["text"],
                   published=parse_time(r["published"]), lang=r.get("lang"), site_name=outlet_name(r["source"]))


# ----------------------------------------------------------------------------- direct mode


def store_and_detect(session: Session, watch: WatchSpec, art: Article, source: str, as_of: datetime
                     ) -> tuple[int, int | None, Decision]:
    """The pipeline's per-article calls: fingerprint, find_duplicate, insert, index, detect."""
    fp = fingerprint(art.title, art.text)
    dup = find_duplicate(session, fp, published=art.published)
    row = ArticleRow(url=art.url, canonical_url=art.canonical_url, source=source, title=art.title, text=art.text,
                     lang=art.lang, published=art.published, first_seen=as_of, content_hash=fp.content_hash,
                     fingerprint=to_json(fp), duplicate_of=dup[0] if dup else None,
                     duplicate_score=dup[1] if dup else None)
    session.add(row)
    session.flush()
    index_article(session, row.id, fp)
    dec = detect(session, watch, row.id, art, as_of=as_of, duplicate_of=row.duplicate_of)
    return row.id, row.duplicate_of, dec


def replay_direct(url: str, watch: WatchSpec, rows: list[Row]) -> Replay:
    """Each day's articles straight through dedupe + detect (no HTTP, no parsing, no outbox)."""
    upgrade(url)
    engine = make_engine(url)
    out: list[Outcome] = []
    for day, group in itertools.groupby(sorted(rows, key=replay_order), key=lambda r: r["seen"]):
        as_of = end_of_day(day)
        with Session(engine) as session, session.begin():
            for r in group:
                aid, dup, dec = store_and_detect(session, watch, to_article(r), outlet_id(r["source"]), as_of)
                out.append(Outcome(r, aid, dup, dec))
    engine.dispose()
    return Replay("direct", out, decided_alerts(watch, out))


def decided_alerts(watch: WatchSpec, outcomes: list[Outcome]) -> list[Fired]:
    """The alert messages the decisions call for, as the pipeline delivers them after each day's run.

    A fresh new development of an alerting kind alerts; an escalation alerts when its kind's
    ``escalation_alerts`` says so (the default policy's rule). Only a development's newest
    revision of the day is delivered (the outbox supersedes older pending ones), and it reads
    as ``new`` when that development never alerted before.
    """
    alerting = {k for k, s in watch.kinds.items() if s.alert}
    fired: list[Fired] = []
    alerted: set[int] = set()
    for _day, group in itertools.groupby(outcomes, key=lambda o: o.row["seen"]):
        today: dict[int, Fired] = {}
        for o in group:
            d = o.decision
            kind = d.kind or ""
            spec = watch.kinds.get(kind)
            if d.is_new and kind in alerting:
                why = "new"
            elif d.escalated and spec is not None and spec.escalation_alerts:
                why = "escalation"
            else:
                continue
            key = d.development_id if d.development_id is not None else -o.article_id
            today[key] = Fired(o.row, kind, why, d.development_id)
        for key, f in today.items():
            fired.append(replace(f, why="escalation" if key in alerted else "new"))
            alerted.add(key)
    return fired


# ----------------------------------------------------------------------------- pipeline mode


def bench_config(site: DevsetSite, receiver: AlertReceiver, database: str) -> Config:
    """A config for the replay: the site's feeds, the default watch, the webhook channel, loopback only."""
    return parse_config({
        "database": database,
        "fetch": {"allow_hosts": ["127.0.0.1/32"], "per_host_delay": 0, "max_crawl_delay": 0,
                  "per_host_concurrency": 8, "retries": 0},
        "sources": [{"name": o.id, "url": site.feed_url(o.id)} for o in site.story.outlets],
        "watch": {"use": "default"},
        "channels": {"bench-webhook": {"url": receiver.apprise_url()}},
        "report": {"path": None, "write_after_run": False},
    })


def replay_pipeline(url: str, rows: list[Row], progress: Callable[[str], None] = lambda _m: None) -> Replay:
    """Reveal the rows day by day on a loopback site and run one pipeline cycle per day."""
    days = sorted({r["seen"] for r in rows})
    failures: list[str] = []
    sources_failed = 0
    unlisted: list[str] = []
    started = time.perf_counter()
    with DevsetSite(rows) as site, AlertReceiver() as receiver:
        config = bench_config(site, receiver, url)
        for k, day in enumerate(days, 1):
            site.set_day(day)
            listed = {r["id"] for o in site.story.outlets for r in site.visible(o.id)}
            unlisted += [r["id"] for r in rows if r["seen"] == day and r["id"] not in listed]
            t0 = time.perf_counter()
            result = run_cycle(config, as_of=end_of_day(day), trigger="bench", console=io.StringIO(), report=False)
            failures += result.parse_failures
            sources_failed += len(result.failed_sources)
            failures += [f"source {s.name}: {s.error}" for s in result.failed_sources]
            progress(f"day {k}/{len(days)} {day}: {len(result.stored)} stored, "
                     f"{result.alerts_delivered} alerts delivered, {time.perf_counter() - t0:.2f}s")
        seconds = time.perf_counter() - started
        replay = read_back(url, config, rows, site)
        messages = receiver.messages()
    replay.figures.update({
        "pipeline_days": len(days), "pipeline_seconds": seconds, "pipeline_parse_failures": len(failures),
        "pipeline_sources_failed": sources_failed, "webhook_messages": len(messages),
        "feed_items_never_listed": len(unlisted),
    })
    replay.notes += [f"FAILURE {f}" for f in failures] + [f"UNLISTED {i} never in its outlet's feed" for i in unlisted]
    sent_total = replay.figures.pop("_outbox_sent_total")
    if sent_total != len(messages):
        replay.notes.append(f"WEBHOOK received {len(messages)} messages but the outbox marks {sent_total} sent")
    return replay


def read_back(url: str, config: Config, rows: list[Row], site: DevsetSite) -> Replay:
    """Decisions and delivered alerts from the pipeline's database, matched to the labels by URL."""
    watch = config.watch().spec
    engine = make_engine(url)
    with Session(engine) as s:
        arts = list(s.scalars(select(ArticleRow).order_by(ArticleRow.id)))
        decided = {w.article_id: w for w in s.scalars(select(WatchArticle).where(WatchArticle.watch == watch.name))}
        devs = {d.id: d for d in s.scalars(select(Development).where(Development.watch == watch.name))}
        alerts = list(s.scalars(select(Alert).order_by(Alert.delivered_at, Alert.id)))
        s.expunge_all()
    engine.dispose()
    by_row: dict[str, ArticleRow] = {}
    for a in arts:
        r = site.row_at(a.url) or site.row_at(a.canonical_url)
        if r is not None:
            by_row[r["id"]] = a
    row_of_article = {by_row[r["id"]].id: r for r in rows if r["id"] in by_row}
    decisions = rebuild_decisions(watch, decided, devs)
    outcomes: list[Outcome] = []
    changed = Counter[str]()
    notes: list[str] = []
    for r in sorted(rows, key=lambda r: by_row[r["id"]].id if r["id"] in by_row else 1 << 60):
        if r["id"] not in by_row:
            outcomes.append(Outcome(r, -1, None, Decision(False, (), None, False, False, False, False, None, 0,
                                                          {"rule": "not stored by the pipeline"})))
            continue
        a = by_row[r["id"]]
        outcomes.append(Outcome(r, a.id, a.duplicate_of, decisions.get(a.id) or _UNDECIDED))
        for what, same in (("title", a.title == r["title"]), ("text", a.text.split("\n\n") == paragraphs(r["text"])),
                           ("date", a.published is not None and _utc(a.published) == parse_time(r["published"])),
                           ("lang", a.lang == r.get("lang"))):
            if not same:
                changed[what] += 1
                notes.append(f"EXTRACTED-{what.upper()} {r['id']} {_extraction_diff(what, a, r)}")
    fired: list[Fired] = []
    alerted: set[int] = set()
    joins: dict[int, list[int]] = defaultdict(list)
    for aid, w in sorted(decided.items()):
        if w.development_id is not None and str((w.explanation or {}).get("rule", "")).startswith("joined"):
            joins[w.development_id].append(aid)
    delivered = [a for a in alerts if a.status == "sent" and a.mode == "immediate" and a.development_id is not None]
    for al in delivered:
        dev_id = int(al.development_id or 0)
        dev = devs.get(dev_id)
        why = "escalation" if dev_id in alerted else "new"
        alerted.add(dev_id)
        if al.revision <= 1:
            article_id = dev.first_article_id if dev is not None else None
        else:  # revision r of a development comes from its (r-1)th joining article
            ids = joins.get(dev_id, [])
            article_id = ids[al.revision - 2] if al.revision - 2 < len(ids) else None
        r = row_of_article.get(article_id or -1)
        if r is None:
            notes.append(f"ALERT {al.id} for development {dev_id} matches no labelled article")
            continue
        fired.append(Fired(r, al.kind, why, dev_id))
    replay = Replay("pipeline", outcomes, fired, notes=notes)
    pending = [a for a in alerts if a.mode == "immediate" and a.development_id is not None
               and a.status not in ("sent", "superseded", "muted")]
    replay.figures.update({
        "pipeline_articles_stored": len(by_row),
        "extraction_title_changed": changed["title"], "extraction_text_changed": changed["text"],
        "extraction_date_changed": changed["date"], "extraction_lang_changed": changed["lang"],
        "alerts_delivered": len(delivered),
        "alerts_superseded": sum(1 for a in alerts if a.status == "superseded"),
        "alerts_undelivered": len(pending),
        "digests_delivered": sum(1 for a in alerts if a.status == "sent" and a.kind == "digest"),
        "health_alerts_delivered": sum(1 for a in alerts if a.status == "sent" and a.kind == "source_health"),
        # one message per sent immediate row: development alerts, digests, source health
        "_outbox_sent_total": sum(1 for a in alerts if a.status == "sent" and a.mode == "immediate"),
    })
    decided_set = {(f.row["id"], f.why) for f in decided_alerts(watch, outcomes)}
    delivered_set = {(f.row["id"], f.why) for f in fired}
    replay.notes += [f"DECIDED-NOT-DELIVERED {i} {why}" for i, why in sorted(decided_set - delivered_set)]
    replay.notes += [f"DELIVERED-NOT-DECIDED {i} {why}" for i, why in sorted(delivered_set - decided_set)]
    return replay


def _extraction_diff(what: str, a: ArticleRow, r: Row) -> str:
    """What the pipeline stored differently from the labelled row (for --verbose)."""
    if what == "text":
        got, want = a.text.split("\n\n"), paragraphs(r["text"])
        lost = [p[:60] for p in want if p not in got]
        added = [p[:90] for p in got if p not in want]
        return f"lost {lost} added {added}"
    stored = {"title": a.title, "date": a.published, "lang": a.lang}[what]
    label = {"title": r["title"], "date": r["published"], "lang": r.get("lang")}[what]
    return f"stored {stored!r} labelled {label!r}"


def _utc(when: datetime) -> datetime:
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


_UNDECIDED = Decision(False, (), None, False, False, False, False, None, 0, {"rule": "not decided"})


def rebuild_decisions(watch: WatchSpec, decided: dict[int, WatchArticle], devs: dict[int, Development]
                      ) -> dict[int, Decision]:
    """The engine's Decision per stored article, rebuilt from the ``watch_articles`` rows in article order.

    A development's kind at each decision is replayed from its history (created with its first
    article's kind, raised by each ``upgraded`` join). Novelty: a new development's ``fresh``; an
    upgrade from a kind that never alerts is new while the development is fresh at its ``decided_at``
    (the run's ``as_of``). An explicit ``new`` in a decision's explanation wins.
    """
    alerting = {k for k, spec in watch.kinds.items() if spec.alert}
    kind_now: dict[int, str | None] = {}
    out: dict[int, Decision] = {}
    for aid in sorted(decided):
        w = decided[aid]
        expl = dict(w.explanation or {})
        rule = str(expl.get("rule", ""))
        dev_id = w.development_id
        dev = devs.get(dev_id) if dev_id is not None else None
        created = rule.startswith("new development")
        joined = rule.startswith("joined")
        upgraded = joined and "upgraded" in expl
        escalated = "escalated" in expl
        old_kind = kind_now.get(dev_id) if dev_id is not None else None
        if dev_id is not None and (created or upgraded):
            kind_now[dev_id] = w.kind
        if "new" in expl:
            is_new = bool(expl["new"])
        elif created:
            is_new = bool(expl.get("fresh", dev.is_new if dev else False))
        elif upgraded and dev is not None and old_kind not in alerting:
            start = dev.first_published or dev.first_seen
            is_new = _utc(w.decided_at) - _utc(start) <= timedelta(hours=watch.freshness_hours)
        else:
            is_new = False
        if dev_id is None:
            kind = None
        elif rule.startswith("duplicate") or dev_id not in kind_now:
            kind = w.kind
        else:
            kind = kind_now[dev_id]
        out[aid] = Decision(w.relevant, tuple(w.matched_terms or ()), dev_id, created, is_new, joined, escalated,
                            kind, 0, expl)
    return out


# ----------------------------------------------------------------------------- scoring


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(watch: WatchSpec, outcomes: list[Outcome], fired: list[Fired] | None = None) -> dict[str, Any]:
    """Quality figures of the decisions, and of ``fired`` alerts (default: what the decisions call for)."""
    figs: dict[str, Any] = {}
    fired = decided_alerts(watch, outcomes) if fired is None else fired
    # relevance
    tp = sum(1 for o in outcomes if o.row["relevant"] and o.decision.relevant)
    fp = sum(1 for o in outcomes if not o.row["relevant"] and o.decision.relevant)
    fn = sum(1 for o in outcomes if o.row["relevant"] and not o.decision.relevant)
    figs["relevance_precision"], figs["relevance_recall"], _ = _prf(tp, fp, fn)
    # grouping (pairwise over gold-relevant articles; an unassigned article is a singleton)
    gold = [o for o in outcomes if o.row["relevant"]]
    ptp = pfp = pfn = 0
    for a, b in itertools.combinations(gold, 2):
        same_gold = a.row["event"] == b.row["event"]
        da, db = a.decision.development_id, b.decision.development_id
        same_pred = da is not None and da == db
        ptp += same_gold and same_pred
        pfp += (not same_gold) and same_pred
        pfn += same_gold and not same_pred
    figs["grouping_precision"], figs["grouping_recall"], figs["grouping_f1"] = _prf(ptp, pfp, pfn)
    # alerts
    alerting = {k for k, s in watch.kinds.items() if s.alert}
    expected = {ev: r["kind"] for ev, r in expected_alerts(watch, outcomes).items()}
    new_alerts = [f for f in fired if f.why == "new"]
    per_event = Counter(f.row["event"] for f in new_alerts)
    figs["alerts_fired"] = len(new_alerts)
    figs["escalation_alerts"] = sum(1 for f in fired if f.why == "escalation")
    figs["duplicate_alerts"] = sum(c - 1 for c in per_event.values() if c > 1)
    figs["negation_traps_alerted"] = sum(
        1 for f in fired
        if f.row.get("trap") == "negation" or f.row["kind"] == "no_change_status" or f.row["event"] in NEGATION_EVENTS
    )
    correct_events: set[str] = set()
    good = 0
    by_kind_fired: Counter[str] = Counter()
    by_kind_good: Counter[str] = Counter()
    for f in new_alerts:
        by_kind_fired[f.kind] += 1
        ev = f.row["event"]
        if ev in expected and expected[ev] == f.kind and ev not in correct_events:
            correct_events.add(ev)
            good += 1
            by_kind_good[f.kind] += 1
    figs["alert_precision"] = good / len(new_alerts) if new_alerts else 1.0
    figs["alert_recall"] = len(correct_events) / len(expected) if expected else 1.0
    exp_by_kind = Counter(expected.values())
    for k in sorted(alerting):
        figs[f"alert_precision[{k}]"] = by_kind_good[k] / by_kind_fired[k] if by_kind_fired[k] else 1.0
        figs[f"alert_recall[{k}]"] = by_kind_good[k] / exp_by_kind[k] if exp_by_kind[k] else 1.0
    event_of = {o.article_id: str(o.row["event"]) for o in outcomes}
    figs["dedupe_copies_linked"] = sum(1 for o in outcomes if o.row.get("duplicate_of") and o.duplicate_of)
    figs["dedupe_copies_total"] = sum(1 for o in outcomes if o.row.get("duplicate_of"))
    figs["dedupe_false_links"] = sum(
        1 for o in outcomes if o.duplicate_of and not o.row.get("duplicate_of") and o.row["relevant"]
        and o.decision.development_id is not None
        and o.row["event"] != event_of.get(o.duplicate_of)
    )
    return figs


def mistakes(watch: WatchSpec, outcomes: list[Outcome]) -> list[str]:
    """Human-readable list of misclassified articles (for --verbose)."""
    lines = []
    alerting = {k for k, s in watch.kinds.items() if s.alert}
    dev_events: dict[int, Counter[str]] = defaultdict(Counter)
    for o in outcomes:
        if o.decision.development_id is not None:
            dev_events[o.decision.development_id][o.row["event"]] += 1
    for o in outcomes:
        r, d = o.row, o.decision
        if r["relevant"] != d.relevant:
            lines.append(f"RELEVANCE {r['id']} gold={r['relevant']} got={d.relevant} {r['title'][:70]!r} "
                         f"{d.explanation.get('relevance') or d.explanation.get('rule')}")
        elif d.created and r["kind"] != d.kind:
            lines.append(f"KIND {r['id']} gold={r['kind']} got={d.kind} {r['title'][:70]!r}")
        if d.is_new and d.kind in alerting and not r["new"]:
            lines.append(f"EXTRA-ALERT {r['id']} {r['event']} {d.kind} {r['title'][:70]!r} "
                         f"cands={d.explanation.get('candidates', [])[:2]}")
        if r["new"] and r["kind"] in alerting and not d.is_new:
            lines.append(f"MISSED-NEW {r['id']} {r['event']} {r['title'][:70]!r} {d.explanation.get('rule')}")
    for dev, evs in dev_events.items():
        if len(evs) > 1:
            lines.append(f"MERGED dev {dev}: {dict(evs)}")
    return lines


def expected_alerts(watch: WatchSpec, outcomes: list[Outcome]) -> dict[str, Row]:
    """The labelled ``new`` row of each event that should alert, by event."""
    alerting = {k for k, s in watch.kinds.items() if s.alert}
    return {o.row["event"]: o.row for o in outcomes if o.row["new"] and o.row["kind"] in alerting}


def alert_mistakes(watch: WatchSpec, outcomes: list[Outcome], fired: list[Fired]) -> list[str]:
    """Event-level alert errors as the scorer counts them (for --verbose): wrong, duplicate and missed alerts."""
    expected = expected_alerts(watch, outcomes)
    lines, seen, good = [], set(), set()
    for f in (f for f in fired if f.why == "new"):
        ev, r = f.row["event"], f.row
        if ev in expected and expected[ev]["kind"] == f.kind:
            good.add(ev)
        if ev in seen:
            lines.append(f"ALERT-DUPLICATE {r['id']} {ev} {f.kind} {r['title'][:70]!r}")
        elif ev not in expected or expected[ev]["kind"] != f.kind:
            want = expected[ev]["kind"] if ev in expected else f"none ({r['kind'] or 'off-topic'})"
            lines.append(f"ALERT-WRONG {r['id']} {ev} got={f.kind} want={want} {r['title'][:70]!r}")
        seen.add(ev)
    for ev, r in expected.items():
        if ev not in good:
            lines.append(f"ALERT-MISSED {r['id']} {ev} {r['kind']} {r['title'][:70]!r}")
    return lines


def compare(a: Replay, b: Replay) -> list[str]:
    """Where two replays of the same rows decided differently (relevance, grouping, kind, novelty, dedupe)."""
    ea = {o.row["id"]: o for o in a.outcomes}
    eb = {o.row["id"]: o for o in b.outcomes}
    lines = []

    def groups(r: Replay) -> dict[str, frozenset[str]]:
        members: dict[int, set[str]] = defaultdict(set)
        for o in r.outcomes:
            if o.decision.development_id is not None:
                members[o.decision.development_id].add(o.row["id"])
        return {i: frozenset(m) for m in members.values() for i in m}

    def dup_row(r: Replay, o: Outcome) -> str | None:
        ids = {x.article_id: x.row["id"] for x in r.outcomes}
        return ids.get(o.duplicate_of) if o.duplicate_of is not None else None

    ga, gb = groups(a), groups(b)
    for rid in sorted(set(ea) | set(eb)):
        oa, ob = ea.get(rid), eb.get(rid)
        if oa is None or ob is None:
            lines.append(f"ONLY-IN-{(a.mode if ob is None else b.mode).upper()} {rid}")
            continue
        da, db = oa.decision, ob.decision
        for what, x, y in (("relevant", da.relevant, db.relevant), ("created", da.created, db.created),
                           ("new", da.is_new, db.is_new), ("kind", da.kind, db.kind),
                           ("escalated", da.escalated, db.escalated),
                           ("group", sorted(ga.get(rid, ())), sorted(gb.get(rid, ()))),
                           ("duplicate_of", dup_row(a, oa), dup_row(b, ob))):
            if x != y:
                lines.append(f"DIFF {rid} {what}: {a.mode}={x} {b.mode}={y}")
    return lines


# ----------------------------------------------------------------------------- throughput

_VOCAB = [w for w in ["minister", "government", "ministry", "talks", "summit", "border", "trade", "economy", "market", "election", "party", "vote", "court", "police", "weather", "storm", "rain", "festival", "school", "company", "profit", "shares", "energy", "power", "plant", "train", "airport", "visitors", "tourism", "city", "council", "mayor", "budget", "tax", "health", "hospital", "doctors", "vaccine", "research", "science", "space", "rocket", "football", "match", "player", "coach", "team", "league", "season", "film", "music", "concert", "artist", "museum", "history", "culture"]]


def fill_store(url: str, n: int, start: int = 0, seed: int = 7) -> None:
    """Add ``n`` synthetic stored articles (with fingerprints and band keys) and one development per 10."""
    rng = random.Random(seed + start)
    engine = make_engine(url)
    base = datetime(2000, 1, 1, tzinfo=UTC)
    span_days = 26 * 365
    batch = 2000
    with Session(engine) as session, session.begin():
        for lo in range(start, start + n, batch):
            arts: list[dict[str, Any]] = []
            keys: list[dict[str, Any]] = []
            devs: list[dict[str, Any]] = []
            dkeys: list[dict[str, Any]] = []
            for i in range(lo, min(lo + batch, start + n)):
                words = rng.choices(_VOCAB, k=80)
                text = " ".join(words) + f" item {i}."
                fp = fingerprint(f"synthetic {i}", text)
                pub = base + timedelta(days=rng.randrange(span_days), hours=rng.randrange(24))
                arts.append({"id": 10_000_000 + i, "url": f"https://fill.example/{i}",
                             "canonical_url": f"https://fill.example/{i}", "source": "fill",
                             "title": f"synthetic {i}", "text": text, "published": pub, "first_seen": pub,
                             "content_hash": fp.content_hash, "fingerprint": to_json(fp)})
                keys.extend({"key": k, "article_id": 10_000_000 + i} for k in {*fp.band_keys, *fp.opening_keys})
                if i % 10 == 0:
                    did = 10_000_000 + i
                    day = pub.date()
                    bucket = day.toordinal() // 2
                    devs.append({"id": did, "watch": "japan-nk-abductions", "kind": "background",
                                 "title": f"synthetic development {i}", "first_seen": pub, "first_published": pub,
                                 "last_updated": pub, "revision": 1, "alert_worthy": False, "is_new": False,
                                 "explanation": {}, "features": {"kind": "background", "entities": ["japan"],
                                                                  "concepts": [], "distinct": [], "terms": [],
                                                                  "years": [], "day": day.isoformat()}})
                    dkeys.extend({"key": f"{k}@{bucket}", "development_id": did}
                                 for k in ("e:japan", "e:north_korea", "k:background"))
            session.execute(insert(ArticleRow), arts)
            session.execute(insert(DedupeKey), keys)
            if devs:
                session.execute(insert(Development), devs)
                session.execute(insert(DevelopmentKey), dkeys)
    engine.dispose()


def measure(url: str, watch: WatchSpec, rows: list[Row], repeats: int = 2) -> float:
    """Articles per second for fingerprint+find_duplicate+insert+index+detect (rolled back afterwards)."""
    engine = make_engine(url)
    best = float("inf")
    for rep in range(repeats):
        with Session(engine) as session:
            session.begin()
            t0 = time.perf_counter()
            for r in rows:
                art = to_article(r)
                art = Article(url=f"{art.url}?m={rep}", canonical_url=f"{art.canonical_url}?m={rep}",
                              title=art.title, text=art.text, published=art.published, lang=art.lang)
                store_and_detect(session, watch, art, r["source"], end_of_day(r["seen"]))
            best = min(best, time.perf_counter() - t0)
            session.rollback()
    engine.dispose()
    return len(rows) / best


def throughput(tmp: Path, watch: WatchSpec, rows: list[Row], sizes: list[int]) -> dict[str, float]:
    """articles_per_second@N for each store size N, and the cost ratio of the largest to the smallest."""
    figs: dict[str, float] = {}
    perf_url = f"sqlite:///{tmp / 'perf.db'}"
    upgrade(perf_url)
    filled = 0
    sample = rows[: min(len(rows), 150)]
    for size in sorted(sizes):
        fill_store(perf_url, size - filled, start=filled)
        filled = size
        figs[f"articles_per_second@{size}"] = measure(perf_url, watch, sample)
    if len(sizes) >= 2:
        lo, hi = sorted(sizes)[0], sorted(sizes)[-1]
        figs[f"cost_ratio_{hi}_vs_{lo}"] = figs[f"articles_per_second@{lo}"] / figs[f"articles_per_second@{hi}"]
    return figs


# ----------------------------------------------------------------------------- main


def run(rows: list[Row], *, direct: bool, db: Path, progress: Callable[[str], None] = lambda _m: None) -> Replay:
    """One replay of ``rows`` in the chosen mode on the SQLite file ``db`` (must not exist yet)."""
    url = f"sqlite:///{db}"
    if direct:
        return replay_direct(url, load_default_watch(), rows)
    return replay_pipeline(url, rows, progress)


def main(argv: list[str] | None = None) -> int:
    """Run the replay and print the figures; returns the exit code."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--direct", action="store_true", help="call dedupe + detect directly (fast; for tuning)")
    ap.add_argument("--devset", type=Path, default=DEVSET, help=f"labelled JSONL to replay (default: {DEVSET.name})")
    ap.add_argument("--json", action="store_true", help="print one JSON object per figure")
    ap.add_argument("--sizes", default="10000,100000", help="store sizes for the throughput figures ('' to skip)")
    ap.add_argument("--db", default=None, help="SQLite file to create (default: in a temporary directory)")
    ap.add_argument("--verbose", action="store_true", help="list the articles the system got wrong")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    ap.add_argument("--compare", action="store_true",
                    help="pipeline mode: also replay directly and count (--verbose: list) differing decisions")
    args = ap.parse_args(argv)
    watch = load_default_watch()
    rows = load_devset(args.devset)
    tmp = Path(tempfile.mkdtemp(prefix="sw-bench-"))
    db = Path(args.db) if args.db else tmp / "replay.db"
    if db.exists():
        ap.error(f"--db {db} exists: the replay needs a fresh database")
    mode = "direct" if args.direct else "pipeline"

    def say(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    say(f"mode {mode}: {len(rows)} articles from {args.devset}, database {db}")
    replay = run(rows, direct=args.direct, db=db, progress=say)
    figs: dict[str, Any] = {"mode": mode, "articles": len(rows),
                            "events": len({r['event'] for r in rows if r['relevant']})}
    figs.update(score(watch, replay.outcomes, replay.fired))
    figs.update(replay.figures)
    if args.compare and not args.direct:
        say("direct replay for --compare")
        diffs = compare(run(rows, direct=True, db=tmp / "compare.db"), replay)
        figs["decisions_differing_from_direct"] = len(diffs)
        replay.notes += diffs
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if sizes:
        say(f"throughput at {', '.join(map(str, sorted(sizes)))} stored articles")
        figs.update(throughput(tmp, watch, rows, sizes))
    if args.verbose:
        for line in mistakes(watch, replay.outcomes) + alert_mistakes(watch, replay.outcomes, replay.fired) + replay.notes:
            print(line)
    if args.json:
        for k, v in figs.items():
            print(json.dumps({"figure": k, "value": round(v, 4) if isinstance(v, float) else v}))
    else:
        width = max(len(k) for k in figs)
        print(f"{'figure':<{width}}  value")
        for k, v in figs.items():
            print(f"{k:<{width}}  {v:.3f}" if isinstance(v, float) else f"{k:<{width}}  {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
