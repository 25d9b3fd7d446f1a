"""End-to-end ingest speed and memory over a synthetic corpus, against bare trafilatura.

For each N (default 1k and 10k; ``--big`` adds 100k) a fresh SQLite database ingests N
fresh articles through :func:`storywatch.pipeline.run_cycle` from feeds served on 127.0.0.1
by :mod:`bench.corpus` (a separate process, so its CPU is not the pipeline's). Then the
same pages go through bare ``trafilatura.extract`` in this one process: the reference.
``--sources 500`` (default) also times an all-unchanged cycle over 500 feed sources.

Prints one JSON line per figure on stdout::

    {"figure": "e2e_articles_per_s", "value": 91.3, "unit": "articles/s", "n": 10000}

and a human table on stderr with ``--table``.

Usage::

    .venv/bin/python -m bench.pipeline                 # 1k + 10k + 500-source unchanged cycle
    .venv/bin/python -m bench.pipeline --n 1000 --table
    .venv/bin/python -m bench.pipeline --big           # adds 100k (long: run in the background)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # also runnable as ``python bench/pipeline.py``
    sys.path.insert(0, str(ROOT))

from bench.corpus import Corpus  # noqa: E402
from bench.memsample import TreeMemory  # noqa: E402

AS_OF = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)


class Figures:
    """Collects figures; prints each as one JSON line, and a table at the end if asked."""

    def __init__(self, out: Any = None) -> None:
        self.out = out if out is not None else sys.stdout
        self.rows: list[dict[str, Any]] = []

    def add(self, figure: str, value: float | int | None, unit: str, n: int | None, **extra: Any) -> None:
        """Record and print one figure."""
        if isinstance(value, float):
            value = round(value, 4 if abs(value) < 10 else 2)
        row = {"figure": figure, "value": value, "unit": unit, "n": n, **extra}
        self.rows.append(row)
        print(json.dumps(row), file=self.out, flush=True)

    def table(self, stream: Any = None) -> None:
        """A human summary (stderr by default)."""
        stream = stream if stream is not None else sys.stderr
        print(f"\n{'figure':<40} {'n':>8} {'value':>12}  unit", file=stream)
        for r in self.rows:
            print(f"{r['figure']:<40} {r['n'] if r['n'] is not None else '':>8} {r['value']!s:>12}  {r['unit']}",
                  file=stream)


# --------------------------------------------------------------------------- memory of the process tree


# --------------------------------------------------------------------------- the corpus server


@contextmanager
def corpus_server(n: int, seed: int, *, feeds: int | None = None, sites: int = 10,
                  preload: bool = True) -> Iterator[tuple[subprocess.Popen[str], list[str], list[str]]]:
    """Run ``python -m bench.corpus serve`` in a child process; yields (process, site bases, feed URLs)."""
    with tempfile.TemporaryDirectory(prefix="sw-bench-") as tmp:
        feeds_file = Path(tmp) / "feeds.txt"
        cmd = [sys.executable, "-m", "bench.corpus", "serve", "--n", str(n), "--seed", str(seed),
               "--sites", str(sites), "--feeds-out", str(feeds_file)]
        if feeds is not None:
            cmd += ["--feeds", str(feeds)]
        if preload:
            cmd.append("--preload")
        proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("corpus server did not start")
            ready = json.loads(line)
            urls = feeds_file.read_text().split()
            yield proc, ready["bases"], urls
        finally:
            if proc.stdin:
                proc.stdin.close()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _cpu_of(pid: int) -> float:
    """User+system CPU seconds of a running process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _config(db: str, feed_urls: Sequence[str]) -> Any:
    from storywatch.config import parse_config

    return parse_config({
        "database": db,
        "fetch": {"allow_private_addresses": True, "retries": 1},
        "sources": [{"name": f"feed{j}", "url": u} for j, u in enumerate(feed_urls)],
        "report": {"path": None},
    })


def _db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


# --------------------------------------------------------------------------- ingest


def bench_ingest(n: int, seed: int, figs: Figures, *, reference: bool = True, reference_max: int | None = None,
                 fetch_only: bool = True, preload: bool = True) -> None:
    """Ingest ``n`` fresh articles end to end; print throughput, stage figures, memory, DB size."""
    from storywatch.pipeline import run_cycle

    with tempfile.TemporaryDirectory(prefix="sw-bench-db-") as tmp, \
            corpus_server(n, seed, preload=preload) as (server, bases, feed_urls):
        db_path = Path(tmp) / "bench.db"
        config = _config(f"sqlite:///{db_path}", feed_urls)
        gc.collect()
        figs.add("loadavg_1m_before", os.getloadavg()[0], "load", n)
        server_cpu0 = _cpu_of(server.pid)
        self_cpu0, child_cpu0 = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
        console = io.StringIO()
        with TreeMemory(exclude=[server.pid]) as mem:
            t0 = time.perf_counter()
            result = run_cycle(config, as_of=AS_OF, console=console, report=False)
            wall = time.perf_counter() - t0
        self_cpu = _cpu(resource.RUSAGE_SELF) - self_cpu0
        child_cpu = _cpu(resource.RUSAGE_CHILDREN) - child_cpu0 - mem.cpu  # the memory sampler is the bench's
        server_cpu = _cpu_of(server.pid) - server_cpu0
        maxrss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        maxrss_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        stored = len(result.stored)
        figs.add("e2e_articles_per_s", stored / wall, "articles/s", n)
        figs.add("e2e_wall_s", wall, "s", n)
        figs.add("articles_stored", stored, "articles", n)
        stats = result.stats()
        for key in ("duplicates", "relevant", "parse_failures", "developments_new", "alerts_enqueued",
                    "alerts_delivered"):
            figs.add(key, stats[key], "count", n)
        figs.add("sources_failed", stats["sources_failed"], "count", n)
        for stage, secs in result.timings.items():
            figs.add(f"stage_{stage}_s", secs, "s", n)
            if secs > 0 and stage not in ("plan",):
                figs.add(f"stage_{stage}_articles_per_s", stored / secs, "articles/s", n)
        figs.add("cpu_main_s", self_cpu, "cpu-s", n)
        figs.add("cpu_memory_sampler_s", mem.cpu, "cpu-s", n, note="a separate process; not in the workers' CPU")
        figs.add("cpu_pool_workers_s", child_cpu, "cpu-s", n)
        figs.add("cpu_corpus_server_s", server_cpu, "cpu-s", n)
        if child_cpu > 0:
            figs.add("parse_pages_per_cpu_s", stored / child_cpu, "pages/cpu-s", n)
        figs.add("cpu_utilisation", (self_cpu + child_cpu) / wall, "cores", n)
        figs.add("cpu_ms_per_article_main", 1000 * self_cpu / max(1, stored), "cpu-ms", n)
        figs.add("cpu_ms_per_article_workers", 1000 * child_cpu / max(1, stored), "cpu-ms", n)
        # What 2 idle cores could do with this CPU work: all of it spread over both, but the main
        # process (fetch loop + store thread, one GIL) is serial. Robust to other load on the machine.
        cores = os.cpu_count() or 1
        capacity = min(cores / max(1e-9, self_cpu + child_cpu), 1 / max(1e-9, self_cpu)) * stored
        figs.add("e2e_capacity_est_articles_per_s", capacity, "articles/s", n,
                 note="from CPU time: min(cores / cpu-s per article, 1 / main cpu-s per article)")
        figs.add("peak_pss_tree_mb", mem.peak_pss / 2**20, "MB", n, processes=mem.peak_workers + 1,
                 target="<= 500", note="sum of PSS: shared copy-on-write pages counted once")
        figs.add("peak_rss_tree_mb", mem.peak / 2**20, "MB", n, note="sum of RSS: shared pages counted per process")
        figs.add("maxrss_self_mb", maxrss_self / 2**20, "MB", n)
        figs.add("maxrss_children_mb", maxrss_child / 2**20, "MB", n,
                 note="largest single child (pool worker); getrusage RUSAGE_CHILDREN")
        figs.add("db_size_mb", _db_bytes(db_path) / 2**20, "MB", n)
        figs.add("db_bytes_per_article", _db_bytes(db_path) / max(1, stored), "bytes", n)
        if fetch_only:  # after the cycle: holding every response at once must not inflate its memory
            _fetch_only(n, seed, bases, config, figs)
    if reference:
        ref, ref_cpu = bench_reference(n, seed, bases, figs, limit=reference_max)
        figs.add("e2e_vs_reference", (stored / wall) / ref if ref else None, "ratio", n,
                 target=">= 0.9", note="wall clock: only meaningful on an otherwise idle machine")
        figs.add("e2e_capacity_vs_reference_cpu", capacity / ref_cpu if ref_cpu else None, "ratio", n,
                 target=">= 0.9", note="CPU-time based: both sides in pages per CPU-second of this machine")


def _fetch_only(n: int, seed: int, bases: list[str], config: Any, figs: Figures) -> None:
    """The fetch stage alone: every page through the pipeline's Fetcher (same settings)."""
    from fetcher.client import Fetcher, FetchRequest

    corpus = Corpus(n, seed=seed, sites=len(bases))
    urls = [corpus.url(i, bases) for i in range(n)]

    async def run() -> int:
        async with Fetcher(config.fetch) as f:
            res = await f.fetch_many([FetchRequest(url=u, kind="page", untrusted=True) for u in urls])
        return sum(1 for r in res if not isinstance(r, Exception))

    t0, c0 = time.perf_counter(), time.process_time()
    ok = asyncio.run(run())
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    figs.add("fetch_only_pages_per_s", ok / secs, "pages/s", n, failed=n - ok)
    figs.add("fetch_only_cpu_ms_per_page", 1000 * cpu / max(1, ok), "cpu-ms", n)


def bench_reference(n: int, seed: int, bases: list[str], figs: Figures, *,
                    limit: int | None = None) -> tuple[float, float]:
    """Bare ``trafilatura.extract`` over the same pages in this one process; (pages/s wall, per CPU-s)."""
    import trafilatura

    corpus = Corpus(n, seed=seed, sites=len(bases))
    count = min(n, limit) if limit else n
    step = max(1, n // count)
    indices = list(range(0, n, step))[:count]
    trafilatura.extract(corpus.page(0, bases), url=corpus.url(0, bases))  # warm up imports
    spent = cpu = 0.0
    extracted = 0
    for i in indices:
        page = corpus.page(i, bases)  # generated outside the timer
        url = corpus.url(i, bases)
        t0, c0 = time.perf_counter(), time.process_time()
        text = trafilatura.extract(page, url=url)
        spent += time.perf_counter() - t0
        cpu += time.process_time() - c0
        extracted += bool(text)
    rate, rate_cpu = len(indices) / spent, len(indices) / cpu
    figs.add("reference_trafilatura_pages_per_s", rate, "pages/s", n, pages=len(indices), extracted=extracted)
    figs.add("reference_trafilatura_pages_per_cpu_s", rate_cpu, "pages/cpu-s", n)
    return rate, rate_cpu


# --------------------------------------------------------------------------- unchanged cycle


def bench_unchanged(sources: int, seed: int, figs: Figures, *, articles: int = 2000) -> None:
    """A cycle over ``sources`` feeds where nothing changed (304s), after a first full cycle."""
    from storywatch.pipeline import run_cycle

    with tempfile.TemporaryDirectory(prefix="sw-bench-db-") as tmp, \
            corpus_server(articles, seed, feeds=sources) as (_server, _bases, feed_urls):
        db_path = Path(tmp) / "bench.db"
        config = _config(f"sqlite:///{db_path}", feed_urls)
        console = io.StringIO()
        t0 = time.perf_counter()
        first = run_cycle(config, as_of=AS_OF, console=console, report=False)
        figs.add("first_cycle_s", time.perf_counter() - t0, "s", sources, articles=len(first.stored))
        t0 = time.perf_counter()
        second = run_cycle(config, as_of=AS_OF, console=console, report=False)
        secs = time.perf_counter() - t0
        nm = second.stats()["sources_not_modified"]
        figs.add("unchanged_cycle_s", secs, "s", sources, target="<= 5", not_modified=nm,
                 timings=second.stats()["timings"])
        # the same without validators (a server that ignores ETag): every feed parsed, all entries known
        from sqlalchemy import create_engine, text

        eng = create_engine(f"sqlite:///{db_path}")
        with eng.begin() as conn:
            conn.execute(text("DELETE FROM http_cache"))
        eng.dispose()
        t0 = time.perf_counter()
        third = run_cycle(config, as_of=AS_OF, console=console, report=False)
        secs = time.perf_counter() - t0
        figs.add("unchanged_cycle_no_validators_s", secs, "s", sources, skipped_known=third.skipped_known,
                 stored=len(third.stored), timings=third.stats()["timings"])


# --------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks asked for; JSON lines on stdout."""
    p = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, action="append", help="articles per run (repeatable; default 1000 and 10000)")
    p.add_argument("--big", action="store_true", help="also run 100000 articles")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--sources", type=int, default=500, help="sources of the unchanged cycle (0: skip)")
    p.add_argument("--unchanged-articles", type=int, default=2000, help="articles behind the unchanged feeds")
    p.add_argument("--no-reference", action="store_true", help="skip the bare-trafilatura reference")
    p.add_argument("--reference-max", type=int, default=None, help="reference over at most this many pages")
    p.add_argument("--no-fetch-only", action="store_true", help="skip the fetch-only pass")
    p.add_argument("--window", type=int, default=None,
                   help="pages per store window of the pipeline (A/B: a huge value stores only after parsing)")
    p.add_argument("--table", action="store_true", help="human summary on stderr")
    args = p.parse_args(argv)
    if args.window:
        import storywatch.pipeline

        storywatch.pipeline.STORE_WINDOW = args.window
    sizes = args.n or [1000, 10000]
    if args.big:
        sizes.append(100_000)
    figs = Figures()
    figs.add("cpu_count", os.cpu_count() or 0, "cores", None)
    for n in sizes:
        bench_ingest(n, args.seed, figs, reference=not args.no_reference, reference_max=args.reference_max,
                     fetch_only=not args.no_fetch_only, preload=n <= 20_000)
    if args.sources:
        bench_unchanged(args.sources, args.seed, figs, articles=args.unchanged_articles)
    if args.table:
        figs.table()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
