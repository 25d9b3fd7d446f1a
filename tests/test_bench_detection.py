"""bench/detection.py: the pipeline replay (loopback feeds, run per day, webhook alerts) scores like the direct one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench import detection
from bench.devfeed import DevsetSite, loopback_path

#: A small slice of the devset: an event with wire copies, translations, a next-day follow-up and
#: an escalation days later; an old event; a negation trap; two keyword traps (one a short brief).
EVENTS = {"e2026-reply-via-mongolia", "e2002-koizumi-visit", "e2025-nt-yet-to-reply", "trap-02", "trap-09"}


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [r for r in detection.load_devset() if r["event"] in EVENTS]
    assert len({r["seen"] for r in rows}) >= 5
    path = tmp_path_factory.mktemp("devset") / "subset.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def replays(subset: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[detection.Replay, detection.Replay]:
    rows = detection.load_devset(subset)
    tmp = tmp_path_factory.mktemp("replays")
    return (detection.run(rows, direct=True, db=tmp / "direct.db"),
            detection.run(rows, direct=False, db=tmp / "pipeline.db"))


def test_pipeline_mode_decides_like_direct_mode(replays: tuple[detection.Replay, detection.Replay]) -> None:
    direct, pipeline = replays
    assert pipeline.mode == "pipeline" and direct.mode == "direct"
    assert len(pipeline.outcomes) == len(direct.outcomes)
    assert all(o.article_id > 0 for o in pipeline.outcomes), "every article was fetched, parsed and stored"
    assert detection.compare(direct, pipeline) == []
    assert {(f.row["id"], f.why, f.kind) for f in pipeline.fired} == {(f.row["id"], f.why, f.kind) for f in direct.fired}
    assert {f.why for f in pipeline.fired} == {"new", "escalation"}


def test_pipeline_figures_come_from_delivered_alerts(replays: tuple[detection.Replay, detection.Replay]) -> None:
    direct, pipeline = replays
    watch = detection.load_default_watch()
    figs = detection.score(watch, pipeline.outcomes, pipeline.fired)
    assert figs == detection.score(watch, direct.outcomes, direct.fired)
    for name in ("grouping_f1", "relevance_precision", "alert_precision", "alert_recall", "duplicate_alerts",
                 "negation_traps_alerted", "dedupe_copies_linked"):
        assert name in figs
    extra = pipeline.figures
    assert extra["pipeline_articles_stored"] == len(pipeline.outcomes)
    assert extra["alerts_delivered"] == len(pipeline.fired) == figs["alerts_fired"] + figs["escalation_alerts"]
    # each alert really reached the receiver (a digest or health message only if the wall clock called for one)
    assert extra["webhook_messages"] == (extra["alerts_delivered"] + extra["digests_delivered"]
                                         + extra["health_alerts_delivered"])
    assert extra["pipeline_parse_failures"] == 0 and extra["pipeline_sources_failed"] == 0
    assert extra["feed_items_never_listed"] == 0
    # the rendered pages give back the labelled title, date and language
    assert extra["extraction_title_changed"] == extra["extraction_date_changed"] == 0
    assert extra["extraction_lang_changed"] == 0


def _figures(out: str) -> dict[str, Any]:
    return {d["figure"]: d["value"] for d in map(json.loads, out.splitlines()) if d}


def test_cli_prints_mode_and_one_json_object_per_figure(subset: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert detection.main(["--direct", "--devset", str(subset), "--json", "--sizes", "", "--quiet",
                           "--db", str(tmp_path / "d.db")]) == 0
    figs = _figures(capsys.readouterr().out)
    assert figs["mode"] == "direct"
    assert figs["articles"] == len(subset.read_text(encoding="utf-8").splitlines())
    assert "pipeline_seconds" not in figs and "articles_per_second@10000" not in figs


def test_cli_pipeline_mode_with_compare(subset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert detection.main(["--devset", str(subset), "--json", "--sizes", "", "--compare",
                           "--db", str(tmp_path / "p.db")]) == 0
    out = capsys.readouterr()
    figs = _figures(out.out)
    assert figs["mode"] == "pipeline"
    assert figs["decisions_differing_from_direct"] == 0
    assert figs["alerts_delivered"] >= 2
    assert "day 1/" in out.err


def test_site_reveals_articles_by_their_seen_day(subset: Path) -> None:
    rows = detection.load_devset(subset)
    first, last = rows[0], rows[-1]
    with DevsetSite(rows) as site, httpx.Client() as client:
        site.set_day(first["seen"])
        feed = client.get(site.feed_url(first["source"]))
        assert feed.status_code == 200 and loopback_path(first) in feed.text
        assert client.get(site.url_of(first)).status_code == 200
        assert client.get(site.url_of(last)).status_code == 404  # not yet published
        again = client.get(site.feed_url(first["source"]), headers={"If-None-Match": feed.headers["ETag"]})
        assert again.status_code == 304
        site.set_day(last["seen"])
        page = client.get(site.url_of(last))
        assert page.status_code == 200 and f'lang="{last["lang"]}"' in page.text
        assert '"@type": "NewsArticle"' in page.text and last["published"] in page.text
        assert site.row_at(str(page.url)) == last
