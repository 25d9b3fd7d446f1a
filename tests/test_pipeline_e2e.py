"""End to end: a news site on 127.0.0.1, the real pipeline, a real database.

First run stores and alerts each new development once; a second run stores and
alerts nothing; a new article about a known development joins it without an alert;
a new development alerts once.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy import func, select

from storage.db import make_engine, session_factory
from storage.models import Alert, Article, Development
from storywatch.config import parse_config
from storywatch.pipeline import run_cycle
from tests.servers.site import Site

FIXTURES = Path(__file__).parent / "fixtures" / "site"
AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def publish(site: Site, feed: str, items: list[tuple[str, str, datetime]]) -> None:
    """Serve the pages and an RSS feed listing them (newest first)."""
    entries = []
    for path, fixture, when in sorted(items, key=lambda i: i[2], reverse=True):
        html = (FIXTURES / fixture).read_text(encoding="utf-8").replace("{base}", site.base_url)
        site.put(path, html)
        entries.append(
            f"<item><title>{fixture}</title><link>{site.base_url}{path}</link>"
            f"<guid>{site.base_url}{path}</guid><pubDate>{format_datetime(when)}</pubDate></item>"
        )
    rss = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>' + feed +
           "</title><link>" + site.base_url + "</link>" + "".join(entries) + "</channel></rss>")
    site.put(f"/feeds/{feed}.xml", rss, "application/rss+xml")


def config_for(site: Site, db_url: str) -> object:
    return parse_config({
        "database": db_url,
        "fetch": {"allow_private_addresses": True},
        "sources": [
            {"name": "eastwire", "url": f"{site.base_url}/feeds/eastwire.xml"},
            {"name": "harbour", "url": f"{site.base_url}/feeds/harbour.xml"},
            {"name": "observer", "url": f"{site.base_url}/feeds/observer.xml"},
        ],
        "report": {"path": None},
    })


def counts(db_url: str) -> tuple[int, int, int]:
    """(articles, developments, immediate alerts); updates of known developments go to the digest."""
    engine = make_engine(db_url)
    with session_factory(engine)() as s:
        out = (s.scalar(select(func.count(Article.id))) or 0,
               s.scalar(select(func.count(Development.id))) or 0,
               s.scalar(select(func.count(Alert.id)).where(Alert.mode == "immediate")) or 0)
    engine.dispose()
    return out


def test_pipeline_end_to_end(db_url: str) -> None:
    t = lambda d, h: datetime(2026, 11, d, h, tzinfo=UTC)  # noqa: E731
    with Site() as site:
        publish(site, "eastwire", [("/eastwire/summit", "wire-summit-call.html", t(18, 3)),
                                   ("/eastwire/families", "families-back-talks.html", t(19, 8))])
        publish(site, "harbour", [("/harbour/summit", "reprint-summit-call.html", t(18, 5))])
        publish(site, "observer", [])
        cfg = config_for(site, db_url)

        # 1. first run: three articles, two developments (the reprint is the same one), two alerts
        out = io.StringIO()
        r1 = run_cycle(cfg, as_of=AS_OF, console=out)  # type: ignore[arg-type]
        assert not r1.failed_sources
        assert len(r1.stored) == 3
        dups = [a for a in r1.stored if a.duplicate_of is not None]
        assert len(dups) == 1 and dups[0].source == "harbour"
        assert counts(db_url) == (3, 2, 2)
        assert r1.alerts_delivered == 2
        assert out.getvalue().count("Takaichi says Tokyo has asked Pyongyang") >= 1

        # 2. second run over unchanged sources: 304s, nothing stored, nothing alerted
        before = len(site.log)
        out2 = io.StringIO()
        r2 = run_cycle(cfg, as_of=AS_OF, console=out2)  # type: ignore[arg-type]
        assert r2.stored == [] and r2.alerts_enqueued == 0 and r2.alerts_delivered == 0
        assert {status for _m, path, status in site.log[before:] if path.startswith("/feeds/")} == {304}
        assert counts(db_url) == (3, 2, 2)
        assert out2.getvalue().strip() == ""

        # 3. a reaction piece on the known summit request joins it, without a new alert
        publish(site, "observer", [("/observer/analysis", "reaction-summit-call.html", t(19, 11))])
        r3 = run_cycle(cfg, as_of=AS_OF, console=io.StringIO())  # type: ignore[arg-type]
        assert len(r3.stored) == 1
        summit_dev = next(a.development_id for a in r1.stored if a.source == "eastwire" and "summit" in a.url)
        assert r3.stored[0].development_id == summit_dev
        assert counts(db_url) == (4, 2, 2)
        assert r3.alerts_delivered == 0

        # 4. a new development (a Pyongyang response) alerts once
        publish(site, "eastwire", [("/eastwire/summit", "wire-summit-call.html", t(18, 3)),
                                   ("/eastwire/families", "families-back-talks.html", t(19, 8)),
                                   ("/eastwire/kcna", "kcna-reply.html", t(20, 1))])
        out4 = io.StringIO()
        r4 = run_cycle(cfg, as_of=AS_OF, console=out4)  # type: ignore[arg-type]
        assert len(r4.stored) == 1 and r4.stored[0].kind == "pyongyang_response"
        assert counts(db_url) == (5, 3, 3)
        assert r4.alerts_delivered == 1
        r5 = run_cycle(cfg, as_of=AS_OF, console=io.StringIO())  # type: ignore[arg-type]
        assert r5.alerts_delivered == 0 and counts(db_url) == (5, 3, 3)
