"""Fetch-stage benchmark: N feeds served from 127.0.0.1, a first cycle and an all-304 cycle.

    .venv/bin/python bench/fetch.py [--sources 500] [--items 20] [--json] [--no-pipeline]

The server runs in a child process so it does not compete with the fetcher for the GIL.
Prints, per cycle: sources/s, total seconds and the fetching process's max RSS (with
``--trace``, also tracemalloc's peak of Python allocations, which slows the run down). With the pipeline available it also times a full ``run_cycle`` (storage
included) for a warm-up cycle and an all-unchanged cycle (target: <= 5 s for 500 sources).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fetcher.client import Fetcher, FetchRequest, FetchResponse
from fetcher.settings import FetchSettings
from tests.servers.misbehaving import MisbehavingServer


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class _Remote:
    """A MisbehavingServer in a child process; ``url()`` like the real thing."""

    def __init__(self, items: int) -> None:
        parent, child = multiprocessing.Pipe()
        self._conn = parent
        self._proc = multiprocessing.Process(target=_serve, args=(child, items), daemon=True)
        self._proc.start()
        self.base_url = str(parent.recv())

    def url(self, path: str) -> str:
        return self.base_url + path

    def __enter__(self) -> _Remote:
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.send("stop")
        self._proc.join(timeout=10)
        if self._proc.is_alive():
            self._proc.terminate()


def _serve(conn: Any, items: int) -> None:
    with MisbehavingServer(feed_items=items) as server:
        conn.send(server.base_url)
        conn.recv()


TRACE = False


def _fetch_cycle(reqs: list[FetchRequest], settings: FetchSettings) -> tuple[list[Any], float, float | None]:
    async def run() -> list[Any]:
        async with Fetcher(settings) as f:
            return await f.fetch_many(reqs)

    if TRACE:
        tracemalloc.start()
    start = time.perf_counter()
    out = asyncio.run(run())
    seconds = time.perf_counter() - start
    peak = None
    if TRACE:
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return out, seconds, peak


def bench_fetch(server: Any, n: int) -> list[dict[str, Any]]:
    """The fetch stage alone: first cycle (200s) and an all-304 cycle with the validators it got."""
    settings = FetchSettings(allow_hosts=["127.0.0.1"], per_host_concurrency=32)
    urls = [server.url(f"/feed/f{i}.xml") for i in range(n)]
    figures = []
    first, secs, peak = _fetch_cycle([FetchRequest(u) for u in urls], settings)
    ok = [r for r in first if isinstance(r, FetchResponse) and r.status == 200]
    figures.append(_figure("fetch", "first", n, len(ok), secs, peak, sum(len(r.content) for r in ok)))
    reqs = [FetchRequest(r.url, etag=r.etag, last_modified=r.last_modified) for r in ok]
    second, secs, peak = _fetch_cycle(reqs, settings)
    not_modified = sum(1 for r in second if isinstance(r, FetchResponse) and r.not_modified)
    figures.append(_figure("fetch", "all-304", n, not_modified, secs, peak, 0))
    return figures


def bench_pipeline(server: Any, n: int) -> list[dict[str, Any]]:
    """A full run_cycle (storage included): a warm-up cycle, then an all-unchanged one."""
    try:
        from storywatch.config import parse_config
        from storywatch.pipeline import run_cycle
    except ImportError as exc:  # pragma: no cover - before the pipeline exists
        print(f"pipeline not available: {exc}", file=sys.stderr)
        return []
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        cfg = parse_config(
            {
                "database": f"sqlite:///{Path(tmp) / 'bench.db'}",
                "report": {"path": None, "write_after_run": False},
                "fetch": {"allow_hosts": ["127.0.0.1"], "per_host_concurrency": 32},
                "sources": [{"name": f"s{i}", "url": server.url(f"/feed/p{i}.xml")} for i in range(n)],
            },
            path=Path(tmp) / "config.yaml",
        )
        for label in ("warm-up", "all-unchanged"):
            start = time.perf_counter()
            result = run_cycle(cfg, deliver_alerts=False, report=False)
            secs = time.perf_counter() - start
            done = sum(1 for s in result.sources if s.status in ("ok", "not_modified"))
            figures.append(_figure("pipeline", label, n, done, secs, None, None))
    return figures


def _figure(stage: str, cycle: str, n: int, ok: int, secs: float, peak_mb: float | None,
            body_bytes: int | None) -> dict[str, Any]:
    return {
        "stage": stage,
        "cycle": cycle,
        "sources": n,
        "ok": ok,
        "seconds": round(secs, 3),
        "sources_per_s": round(n / secs, 1) if secs else None,
        "peak_traced_mb": round(peak_mb, 1) if peak_mb is not None else None,
        "max_rss_mb": round(_rss_mb(), 1),
        "body_mb": round(body_bytes / 1e6, 2) if body_bytes is not None else None,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table (or JSON lines)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", type=int, default=500)
    ap.add_argument("--items", type=int, default=20, help="items per feed in the fetch-stage bench")
    ap.add_argument("--pipeline-items", type=int, default=1,
                    help="items per feed in the full-cycle bench (each is an article page to fetch and parse)")
    ap.add_argument("--no-pipeline", action="store_true", help="only the fetch stage")
    ap.add_argument("--json", action="store_true", help="one JSON object per line")
    ap.add_argument("--trace", action="store_true", help="also measure tracemalloc peak (slower)")
    args = ap.parse_args(argv)
    global TRACE
    TRACE = args.trace

    figures: list[dict[str, Any]] = []
    with _Remote(args.items) as server:
        figures += bench_fetch(server, args.sources)
    if not args.no_pipeline:
        with _Remote(args.pipeline_items) as server:
            figures += bench_pipeline(server, args.sources)
    if args.json:
        for f in figures:
            print(json.dumps(f))
        return 0
    cols = ["stage", "cycle", "sources", "ok", "seconds", "sources_per_s", "peak_traced_mb", "max_rss_mb", "body_mb"]
    rows = [[("-" if f[c] is None else str(f[c])) for c in cols] for f in figures]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
