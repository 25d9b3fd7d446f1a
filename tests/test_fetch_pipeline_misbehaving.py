"""The whole cycle over misbehaving sources: good ones stored, bad ones recorded with their error."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import make_engine, session_factory
from storage.models import Article, Source
from storywatch.config import parse_config
from storywatch.pipeline import run_cycle
from tests.servers.misbehaving import MisbehavingServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

GOOD = {"good-rss": "/feed/alpha.xml", "good-atom": "/atom/beta.xml", "good-gzip": "/gzip/gamma.xml",
        "good-chain": "/chain/2", "good-flaky": "/flaky/x"}
BAD = {
    "http-500": ("/status/500", "HTTP 500"),
    "rate-limited": ("/retry-after/3600", "retry after"),
    "hang": ("/hang", "read timeout"),
    "drip": ("/drip", "total_timeout"),
    "truncated": ("/truncated", "truncated"),
    "bomb": ("/bomb", "decompression bomb"),
    "huge": ("/big", "max_bytes"),
    "loop": ("/loop/a", "redirect loop"),
    "laughs": ("/laughs.xml", "entities"),
    "html": ("/html-as-feed", "HTML page"),
    "empty": ("/empty", "empty body"),
}


def test_cycle_over_misbehaving_sources(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'sw.db'}"
    with MisbehavingServer(feed_items=3) as server:
        sources = [{"name": n, "url": server.url(p)} for n, p in GOOD.items()]
        sources += [{"name": n, "url": server.url(p)} for n, (p, _) in BAD.items()]
        cfg = parse_config({
            "database": db,
            "report": {"path": None, "write_after_run": False},
            "fetch": {"connect_timeout": 1, "read_timeout": 0.5, "total_timeout": 3, "max_bytes": 2_000_000,
                      "retries": 1, "backoff_base": 0.05, "backoff_max": 0.1, "per_host_concurrency": 32,
                      "allow_hosts": ["127.0.0.1"]},
            "sources": sources,
        }, path=tmp_path / "config.yaml")
        result = run_cycle(cfg, deliver_alerts=False, report=False)
        outcome = {s.name: s for s in result.sources}
        for name in GOOD:
            assert outcome[name].status == "ok", (name, outcome[name])
        for name, (_, words) in BAD.items():
            assert outcome[name].status == "failed", (name, outcome[name])
            assert words.lower() in (outcome[name].error or "").lower(), (name, outcome[name].error)

        sessions = session_factory(make_engine(db))
        with sessions() as s:
            health = {row.name: row for row in s.scalars(select(Source))}
            stored = dict(s.execute(select(Article.source, func.count()).group_by(Article.source)).all())
        for name in GOOD:
            assert stored.get(name, 0) >= 1, (name, stored)
            assert health[name].consecutive_failures == 0
        for name, (_, words) in BAD.items():
            assert health[name].consecutive_failures == 1
            assert words.lower() in (health[name].last_error or "").lower()
            assert health[name].next_due_at is not None

        # second cycle: unchanged good feeds answer 304; bad ones are backing off, not dropped
        before = {p: len(server.requests_for(p)) for p in GOOD.values()}
        again = run_cycle(cfg, deliver_alerts=False, report=False)
        second = {s.name: s for s in again.sources}
        for name in ("good-rss", "good-atom", "good-gzip"):
            assert second[name].status == "not_modified", second[name]
            log = server.requests_for(GOOD[name])
            assert len(log) == before[GOOD[name]] + 1 and "if-none-match" in log[-1].headers
        for name in BAD:
            assert second[name].status == "skipped"
