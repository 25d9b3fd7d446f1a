"""The report of the bundled story replayed through the real pipeline, and in Chromium when present."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from reporting.chart import MAX_DAYS
from reporting.data import developments_json, load_report_data
from reporting.render import render_report
from reporting.web import start_in_thread
from storage.db import make_engine, session_factory
from tests.test_report_browser import ARGS, ARTIFACTS, CHROMIUM

pytestmark = pytest.mark.slow


def test_replayed_story_report(tmp_path: Path) -> None:
    pipeline = pytest.importorskip("storywatch.pipeline")
    from storywatch.config import parse_config
    from storywatch.replay.server import ReplayServer

    db = f"sqlite:///{tmp_path / 'replay.db'}"
    with ReplayServer() as site:
        clock = site.story.default_clock
        sources = [{"name": o.id, "url": site.base_url.rstrip("/") + o.feed_path
                    + (f"?{o.feed_query}" if o.feed_query else "")} for o in site.story.outlets]
        cfg: Any = parse_config({"database": db, "fetch": {"allow_private_addresses": True},
                                 "sources": sources, "report": {"path": None}})
        pipeline.run_cycle(cfg, as_of=clock, deliver_alerts=False, report=False)
    watch = cfg.watch()
    factory = session_factory(make_engine(db))
    with factory() as s:
        data = load_report_data(s, watch.spec, now=clock + timedelta(hours=1))
        api = developments_json(s, watch.name)
    assert data.developments, "the replay produced developments"
    assert data.title == watch.spec.title
    whens = [d.when for d in data.developments]
    assert whens == sorted(whens, reverse=True)
    assert [d["id"] for d in api] == [d.id for d in data.developments]
    html = render_report(data)
    # One mark per day with coverage inside the chart's window (older archive pieces are left out).
    last = max(c.day for c in data.articles_per_day)
    days = sorted({c.day.isoformat() for c in data.articles_per_day if (last - c.day).days < MAX_DAYS})
    assert html.count('<g class="day') == len(days)

    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium: browser half skipped")
    sync_api = pytest.importorskip("playwright.sync_api")
    server, url = start_in_thread(factory, watch.spec, clock=lambda: clock + timedelta(hours=1))
    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.goto(url)
            titles = page.locator("#timeline > li.dev h3").all_inner_texts()
            assert titles == [d.title for d in data.developments]
            marks = page.locator("svg.chart g.day").evaluate_all("els => els.map(e => e.dataset.day)")
            assert marks == days
            kind = data.developments[0].kind
            page.get_by_label("Kind", exact=True).select_option(kind)
            shown = page.locator("#timeline > li.dev:visible").evaluate_all("els => els.map(e => e.dataset.kind)")
            assert shown and set(shown) == {kind}
            page.get_by_role("button", name="Show all").click()
            page.screenshot(path=str(ARTIFACTS / "report-replay.png"))  # the first screenful
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
