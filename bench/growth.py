"""Cost per article of dedupe + store + detect as the store grows (10k, 100k, 1M stored articles).

How the store is filled: ``--seed-articles`` real articles of the corpus are parsed and
ingested through the real stage functions (fingerprint, find_duplicate, insert_article,
index_article, detect), then those rows are replicated -- articles, dedupe_keys,
developments, development_keys, watch_articles -- with SQLAlchemy executemany until the
store holds each level. Every replica is the story's history moved 84 days further into
the past (new ids and URLs, day buckets of development keys shifted, LSH band keys salted
per replica, bodies shortened to 300 characters), so the density per day stays that of
the real corpus and the indexes see realistic keys.

At each level ``--probes`` fresh articles (another corpus seed, same weeks as the newest
replica) go through the same calls as ``storywatch.pipeline._ingest_one``; each probe's
transaction is rolled back, so every level measures the same work. Figures, one JSON line
each: ms per article (CPU and wall) for dedupe, store, detect and their sum, the ratio to
the first level (target <= 1.5), process RSS, and the database size.

Usage::

    .venv/bin/python -m bench.growth                 # 10k, 100k, 1M
    .venv/bin/python -m bench.growth --max 100000    # stop after 100k
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import Corpus  # noqa: E402
from bench.pipeline import AS_OF, Figures  # noqa: E402

SHIFT = timedelta(days=84)  # a multiple of detection's 2-day key buckets, longer than the story
BUCKET_DAYS = 2
SALT = 0x9E3779B97F4A7C15
FETCHED = datetime(2026, 11, 21, tzinfo=UTC)


def _parse_one(args: tuple[bytes, str]) -> Any:
    from parsers.article import parse_article
    from parsers.errors import ParseError

    try:
        return parse_article(args[0], args[1], FETCHED)
    except ParseError:
        return None


def parsed_articles(n: int, seed: int, *, take: int | None = None) -> list[Any]:
    """Parse ``take`` (default all) evenly spread pages of Corpus(n, seed), using every core."""
    corpus = Corpus(n, seed=seed)
    bases = [f"http://127.0.0.1:{9000 + s}" for s in range(corpus.sites)]
    step = max(1, n // (take or n))
    idx = list(range(0, n, step))[: take or n]
    jobs = [(corpus.page(i, bases), corpus.url(i, bases)) for i in idx]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return [a for a in pool.map(_parse_one, jobs, chunksize=8) if a is not None]


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# --------------------------------------------------------------------------- fill


def _shift(value: Any, k: int) -> Any:
    if value is None:
        return None
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    return (dt - SHIFT * k).isoformat(sep=" ", timespec="microseconds")


def _salt(key: int, k: int) -> int:
    v = (key + k * SALT) & 0xFFFFFFFFFFFFFFFF
    return v - (1 << 64) if v >= 1 << 63 else v


def _bucket_shift(key: str, k: int) -> str:
    head, at, bucket = key.rpartition("@")
    if not at or not bucket.lstrip("-").isdigit():
        return f"{key}#{k}"
    return f"{head}@{int(bucket) - k * (SHIFT.days // BUCKET_DAYS)}"


class Filler:
    """Replicates the seed rows (read once, raw) into ever older copies of the story."""

    TABLES = ("articles", "dedupe_keys", "developments", "development_keys", "watch_articles")

    SEED_FILTER: ClassVar[dict[str, str]] = {"articles": "id <= :a", "dedupe_keys": "article_id <= :a", "developments": "id <= :d",
                   "development_keys": "development_id <= :d", "watch_articles": "article_id <= :a"}

    def __init__(self, engine: Any, a_span: int, d_span: int, next_replica: int = 1) -> None:
        self.engine = engine
        self.a_span, self.d_span = a_span, d_span
        self.rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
        with engine.connect() as conn:
            for t in self.TABLES:
                where = self.SEED_FILTER[t].replace(":a", str(a_span)).replace(":d", str(d_span))
                cur = conn.exec_driver_sql(f"SELECT * FROM {t} WHERE {where}")
                cols = [d[0] for d in cur.cursor.description]
                self.rows[t] = (cols, [tuple(r) for r in cur.fetchall()])
        self.next_replica = next_replica

    @property
    def per_replica(self) -> int:
        return len(self.rows["articles"][1])

    def _transform(self, table: str, cols: list[str], row: tuple[Any, ...], k: int) -> tuple[Any, ...]:
        a_off, d_off = self.a_span * k, self.d_span * k
        out = list(row)
        for i, c in enumerate(cols):
            v = out[i]
            if table == "articles":
                if c == "id" or (c == "duplicate_of" and v is not None):
                    out[i] = v + a_off
                elif c in ("url", "canonical_url"):
                    out[i] = f"{v}#r{k}"
                elif c in ("published", "updated", "first_seen"):
                    out[i] = _shift(v, k)
                elif c == "content_hash":
                    out[i] = f"{v[:48]}{k:016x}"
                elif c == "text":
                    out[i] = v[:300]
            elif table == "dedupe_keys":
                out[i] = _salt(v, k) if c == "key" else v + a_off
            elif table == "developments":
                if c == "id":
                    out[i] = v + d_off
                elif c == "first_article_id" and v is not None:
                    out[i] = v + a_off
                elif c in ("first_seen", "first_published", "last_updated"):
                    out[i] = _shift(v, k)
            elif table == "development_keys":
                out[i] = _bucket_shift(v, k) if c == "key" else v + d_off
            elif table == "watch_articles":
                if c == "article_id":
                    out[i] = v + a_off
                elif c == "development_id" and v is not None:
                    out[i] = v + d_off
                elif c == "decided_at":
                    out[i] = _shift(v, k)
        return tuple(out)

    def fill_to(self, target: int, current: int) -> tuple[int, float]:
        """Add replicas until about ``target`` articles are stored; returns (stored, seconds)."""
        t0 = time.perf_counter()
        with self.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA cache_size=-400000")  # 400 MB for the fill only
            while current + self.per_replica <= target:
                k = self.next_replica
                for t in self.TABLES:
                    cols, rows = self.rows[t]
                    if not rows:
                        continue
                    sql = f"INSERT INTO {t} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                    conn.exec_driver_sql(sql, [self._transform(t, cols, r, k) for r in rows])
                current += self.per_replica
                self.next_replica += 1
            conn.exec_driver_sql("PRAGMA cache_size=-2000")
        return current, time.perf_counter() - t0


def _fill_job(db_url: str, a_span: int, d_span: int, next_replica: int, target: int,
              current: int) -> tuple[int, int, float]:
    """Fill in a child process, so the fill's caches never count as the probing process's memory."""
    from storage.db import make_engine

    engine = make_engine(db_url)
    try:
        filler = Filler(engine, a_span, d_span, next_replica)
        stored, secs = filler.fill_to(target, current)
        return stored, filler.next_replica, secs
    finally:
        engine.dispose()


def seed_spans(engine: Any) -> tuple[int, int, int]:
    """(max article id, max development id, articles) of the seeded store."""
    with engine.connect() as conn:
        a = conn.exec_driver_sql("SELECT coalesce(max(id), 0), count(*) FROM articles").one()
        d = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM developments").scalar()
    return int(a[0]), int(d or 0), int(a[1])


# --------------------------------------------------------------------------- probe


def probe(ctx: Any, articles: Sequence[Any]) -> dict[str, float]:
    """Dedupe + store + detect each article as ``_ingest_one`` does, rolled back; ms per article."""
    from dedupe.fingerprint import fingerprint, to_json
    from detection.engine import detect
    from storage import articles as article_store
    from storage.dedupe_index import find_duplicate, index_article

    wall = {"dedupe": 0.0, "store": 0.0, "detect": 0.0}
    cpu = dict.fromkeys(wall, 0.0)
    watches = ctx.config.watches

    def clock() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    def add(part: str, start: tuple[float, float]) -> tuple[float, float]:
        now = clock()
        wall[part] += now[0] - start[0]
        cpu[part] += now[1] - start[1]
        return now

    for art in articles:
        with ctx.sessions() as session:
            session.begin()
            t = clock()
            fp = fingerprint(art.title, art.text)
            dup = find_duplicate(session, fp)
            dup_id, score = dup if dup else (None, None)
            t = add("dedupe", t)
            new_id = article_store.insert_article(
                session, art, source="probe", first_seen=FETCHED, content_hash=fp.content_hash,
                fingerprint=to_json(fp), duplicate_of=dup_id, duplicate_score=score)
            t = add("store", t)
            assert new_id is not None
            index_article(session, new_id, fp, new=True)
            t = add("dedupe", t)
            for w in watches:
                detect(session, w.spec, new_id, art, as_of=AS_OF, duplicate_of=dup_id)
            add("detect", t)
            session.rollback()
    n = max(1, len(articles))
    out = {f"{k}_ms": 1000 * v / n for k, v in wall.items()}
    out |= {f"{k}_cpu_ms": 1000 * v / n for k, v in cpu.items()}
    out["total_ms"] = sum(1000 * v / n for v in wall.values())
    out["total_cpu_ms"] = sum(1000 * v / n for v in cpu.values())
    return out


# --------------------------------------------------------------------------- main


def seed_store(ctx: Any, articles: Sequence[Any]) -> None:
    """Ingest the seed articles through the pipeline's own store stage (publication order)."""
    from storywatch.pipeline import CycleResult, ParsedArticle, store_and_detect

    result = CycleResult(run_id=None, as_of=AS_OF, started_at=FETCHED)
    store_and_detect(ctx, [ParsedArticle("seed", a, FETCHED) for a in articles], result)


def main(argv: Sequence[str] | None = None) -> int:
    """Fill and probe at each level; JSON lines on stdout."""
    p = argparse.ArgumentParser(prog="python -m bench.growth", description=__doc__.splitlines()[0])
    p.add_argument("--levels", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    p.add_argument("--max", type=int, default=None, help="skip levels above this many stored articles")
    p.add_argument("--seed-articles", type=int, default=1000, help="real articles replicated by the fill")
    p.add_argument("--probes", type=int, default=200, help="fresh articles measured at each level")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--db", type=Path, default=None, help="database file (default: a temporary one)")
    p.add_argument("--table", action="store_true", help="human summary on stderr")
    args = p.parse_args(argv)
    from storywatch.config import parse_config
    from storywatch.pipeline import open_context

    levels = [lv for lv in sorted(args.levels) if args.max is None or lv <= args.max]
    figs = Figures()
    with tempfile.TemporaryDirectory(prefix="sw-growth-") as tmp:
        db = args.db or Path(tmp) / "growth.db"
        ctx = open_context(parse_config({"database": f"sqlite:///{db}", "report": {"path": None}}), as_of=AS_OF)
        t0 = time.perf_counter()
        seeds = parsed_articles(args.seed_articles, args.seed)
        probes = parsed_articles(max(args.probes * 20, 1000), args.seed + 1000, take=args.probes)
        seed_store(ctx, seeds)
        figs.add("seed_ingest_s", time.perf_counter() - t0, "s", len(seeds))
        a_span, d_span, stored = seed_spans(ctx.engine)
        next_replica = 1
        first: float | None = None
        spawn = multiprocessing.get_context("spawn")
        for level in levels:
            with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as filler:
                stored, next_replica, secs = filler.submit(
                    _fill_job, f"sqlite:///{db}", a_span, d_span, next_replica, level, stored).result()
            figs.add("fill_s", secs, "s", stored)
            probe(ctx, probes[: min(30, len(probes))])  # warm the caches the same way at every level
            r = probe(ctx, probes)
            for key, value in r.items():
                figs.add(f"per_article_{key}", value, "ms", stored)
            base = first if first is not None else r["total_cpu_ms"]
            first = base
            figs.add("per_article_cpu_vs_first_level", r["total_cpu_ms"] / base, "ratio", stored,
                     target="<= 1.5")
            figs.add("rss_mb", _rss_mb(), "MB", stored)
            figs.add("maxrss_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MB", stored)
            size = sum(f.stat().st_size for f in db.parent.glob(db.name + "*"))
            figs.add("db_size_mb", size / 2**20, "MB", stored)
        ctx.engine.dispose()
    if args.table:
        figs.table()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
