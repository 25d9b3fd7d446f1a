"""Replay the labelled development set through dedupe + detect and print quality and speed figures.

Usage: .venv/bin/python -m bench.detection [--json] [--sizes 10000,100000] [--db PATH]

Mode ``direct`` (default): articles are revealed day by day (by their ``seen`` day) and each
one goes through fingerprint -> find_duplicate -> insert -> index_article -> detect on a real
SQLite file, with ``as_of`` = the end of that day, exactly the calls the pipeline makes.
Mode ``pipeline`` (``--pipeline``): a loopback HTTP feed reveals the same articles day by day
and ``storywatch.pipeline.run_cycle`` runs with ``as_of`` each day (when the pipeline exists).

Figures: event-grouping pairwise precision/recall/F1, relevance precision/recall, alert
precision/recall overall and per kind, duplicate alerts (an event alerted twice), negation
traps alerted, and dedupe+detect articles/second with 10k and 100k articles already stored.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from dedupe.fingerprint import fingerprint, to_json
from detection.engine import Decision, detect
from detection.watch import WatchSpec, load_default_watch
from parsers.models import Article
from storage.db import make_engine, upgrade
from storage.dedupe_index import find_duplicate, index_article
from storage.models import Article as ArticleRow
from storage.models import DedupeKey, Development, DevelopmentKey

DEVSET = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "devset" / "devset.jsonl"
NEGATION_EVENTS = {"e2025-trump-claims-kim"}


@dataclass
class Outcome:
    row: dict[str, Any]
    article_id: int
    duplicate_of: int | None
    decision: Decision


def load_devset(path: Path = DEVSET) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows.sort(key=lambda r: (r["seen"], r["published"], r["id"]))
    return rows


def to_article(r: dict[str, Any]) -> Article:
    pub = datetime.fromisoformat(r["published"].replace("Z", "+00:00"))
    return Article(url=r["url"], canonical_url=r["url"], title=r["title"], text=r["text"], published=pub,
                   lang=r.get("lang"), site_name=r.get("source"))


def store_and_detect(session: Session, watch: WatchSpec, art: Article, source: str, as_of: datetime
                     ) -> tuple[int, int | None, Decision]:
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


def replay_direct(url: str, watch: WatchSpec, rows: list[dict[str, Any]]) -> list[Outcome]:
    upgrade(url)
    engine = make_engine(url)
    out: list[Outcome] = []
    for day, group in itertools.groupby(rows, key=lambda r: r["seen"]):
        as_of = datetime.fromisoformat(day).replace(hour=23, minute=59, tzinfo=UTC)
        with Session(engine) as session, session.begin():
            for r in group:
                aid, dup, dec = store_and_detect(session, watch, to_article(r), r["source"], as_of)
                out.append(Outcome(r, aid, dup, dec))
    engine.dispose()
    return out


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(watch: WatchSpec, outcomes: list[Outcome]) -> dict[str, Any]:
    figs: dict[str, Any] = {}
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
    expected = {o.row["event"]: o.row["kind"] for o in outcomes if o.row["new"] and o.row["kind"] in alerting}
    fired: list[tuple[Outcome, str]] = []
    for o in outcomes:
        if o.decision.is_new and o.decision.kind in alerting:
            fired.append((o, "new"))
        elif o.decision.escalated:
            fired.append((o, "escalation"))
    new_alerts = [o for o, why in fired if why == "new"]
    per_event = Counter(o.row["event"] for o in new_alerts)
    figs["alerts_fired"] = len(new_alerts)
    figs["escalation_alerts"] = sum(1 for _, why in fired if why == "escalation")
    figs["duplicate_alerts"] = sum(c - 1 for c in per_event.values() if c > 1)
    figs["negation_traps_alerted"] = sum(
        1 for o, _ in fired
        if o.row.get("trap") == "negation" or o.row["kind"] == "no_change_status" or o.row["event"] in NEGATION_EVENTS
    )
    correct_events: set[str] = set()
    good = 0
    by_kind_fired: Counter[str] = Counter()
    by_kind_good: Counter[str] = Counter()
    for o in new_alerts:
        k = o.decision.kind or ""
        by_kind_fired[k] += 1
        ev = o.row["event"]
        if ev in expected and expected[ev] == k and ev not in correct_events:
            correct_events.add(ev)
            good += 1
            by_kind_good[k] += 1
    figs["alert_precision"] = good / len(new_alerts) if new_alerts else 1.0
    figs["alert_recall"] = len(correct_events) / len(expected) if expected else 1.0
    exp_by_kind = Counter(expected.values())
    for k in sorted(alerting):
        figs[f"alert_precision[{k}]"] = by_kind_good[k] / by_kind_fired[k] if by_kind_fired[k] else 1.0
        figs[f"alert_recall[{k}]"] = by_kind_good[k] / exp_by_kind[k] if exp_by_kind[k] else 1.0
    figs["dedupe_copies_linked"] = sum(1 for o in outcomes if o.row.get("duplicate_of") and o.duplicate_of)
    figs["dedupe_copies_total"] = sum(1 for o in outcomes if o.row.get("duplicate_of"))
    figs["dedupe_false_links"] = sum(
        1 for o in outcomes if o.duplicate_of and not o.row.get("duplicate_of") and o.row["relevant"]
        and o.decision.development_id is not None
        and o.row["event"] != _event_of_article(outcomes, o.duplicate_of)
    )
    return figs


def _event_of_article(outcomes: list[Outcome], article_id: int) -> str | None:
    for o in outcomes:
        if o.article_id == article_id:
            return str(o.row["event"])
    return None


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
                         f"{d.explanation.get('relevance')}")
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
                keys.extend({"key": k, "article_id": 10_000_000 + i} for k in set(fp.band_keys))
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


def measure(url: str, watch: WatchSpec, rows: list[dict[str, Any]], repeats: int = 2) -> float:
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
                as_of = datetime.fromisoformat(r["seen"]).replace(hour=23, minute=59, tzinfo=UTC)
                store_and_detect(session, watch, art, r["source"], as_of)
            best = min(best, time.perf_counter() - t0)
            session.rollback()
    engine.dispose()
    return len(rows) / best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object per figure")
    ap.add_argument("--sizes", default="10000,100000", help="store sizes for the throughput figures ('' to skip)")
    ap.add_argument("--db", default=None, help="SQLite file to use (default: a temporary directory)")
    ap.add_argument("--verbose", action="store_true", help="list the articles the system got wrong")
    args = ap.parse_args(argv)
    watch = load_default_watch()
    rows = load_devset()
    tmp = Path(args.db).parent if args.db else Path(tempfile.mkdtemp(prefix="sw-bench-"))
    url = f"sqlite:///{args.db or tmp / 'replay.db'}"
    outcomes = replay_direct(url, watch, rows)
    figs: dict[str, Any] = {"articles": len(rows), "events": len({r['event'] for r in rows if r['relevant']})}
    figs.update(score(watch, outcomes))
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if sizes:
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
    if args.verbose:
        for line in mistakes(watch, outcomes):
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
