"""Report queries and JSON contracts, on a small story written into a real SQLite file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reporting.data import alerts_json, articles_json, developments_json, load_report_data
from reporting.errors import ReportWriteError
from reporting.render import write_report
from storage.db import make_engine, session_factory, upgrade
from storage.models import Alert, Article, Development, Source, WatchArticle

WATCH = "takaichi-kim-summit"
NOW = datetime(2025, 11, 12, 9, 0, tzinfo=UTC)
EVIL = "<img src=x onerror=alert(1)><script>window.pwned=1</script>"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def t(day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class Story:
    url: str
    factory: sessionmaker[Session]
    dev_ids: dict[str, int]


# (source, day, hour, title) per development; titles are written for these tests.
DEVELOPMENTS: list[dict[str, Any]] = [
    {
        "key": "summit",
        "kind": "summit_request",
        "title": "Takaichi says Tokyo has asked Pyongyang for a leaders' meeting",
        "articles": [
            ("kyodo-en", 3, 6, "PM Takaichi: Japan has told North Korea it wants a summit"),
            ("nhk-world", 3, 9, "Takaichi seeks face-to-face talks with Kim Jong Un"),
            ("cnn-asia", 3, 11, "Japan's new leader wants to meet Kim over abductions"),
            ("japan-times", 4, 2, "Takaichi repeats call for summit with Kim"),
        ],
        "explanation": {
            "kind_sentence": "Takaichi said Japan had conveyed its wish for a summit to the North.",
            "rule": "summit_request: desire + summit",
            "matched_terms": ["summit", "Kim Jong Un", "Takaichi"],
        },
    },
    {
        "key": "families",
        "kind": "families_stance",
        "title": "Abductees' relatives back summit push but want every victim home",
        "articles": [
            ("asahi-en", 5, 7, "Families of abductees say talks must bring all victims back"),
            ("japan-times", 5, 12, "Abductee families cautiously welcome summit bid"),
        ],
        "explanation": {"rule": "families_stance", "matched_terms": ["families", "abductees"], "score": 0.81},
    },
    {
        "key": "seoul",
        "kind": "seoul_mediation",
        "title": "Seoul offers to relay messages between Tokyo and Pyongyang",
        "articles": [
            ("yonhap", 7, 3, "South Korea ready to help arrange Japan–North Korea contact"),
            ("korea-herald", 7, 5, "Seoul signals role as go-between on abduction talks"),
            ("kyodo-en", 7, 6, "South Korea offers to mediate on abduction issue"),
        ],
        "explanation": {"kind_sentence": "An official in Seoul said the government could pass on messages."},
    },
    {
        "key": "reply",
        "kind": "pyongyang_reply",
        "title": "North Korea calls the abduction question settled, rebuffing Tokyo",
        "articles": [
            ("nk-news", 10, 1, "Pyongyang dismisses Takaichi summit overture"),
            ("yonhap", 10, 4, "North Korea says abduction issue already resolved"),
            ("reuters", 10, 5, "North Korea rejects Japan's call to discuss abductions"),
        ],
        "explanation": {"rule": ["reply", "negation"], "matched_terms": "KCNA", "nested": {"a": [1, 2]}},
    },
]


def build_story(tmp_path: Path, *, evil: bool = False) -> Story:
    """A four-development story in a migrated SQLite file; ``evil`` adds markup-laden titles."""
    url = f"sqlite:///{tmp_path / 'story.db'}"
    upgrade(url)
    factory = session_factory(make_engine(url))
    dev_ids: dict[str, int] = {}
    with factory() as s, s.begin():
        for name in ("asahi-en", "cnn-asia", "japan-times", "korea-herald", "kyodo-en", "nhk-world",
                     "nk-news", "reuters", "yonhap"):
            s.add(Source(name=name, url=f"https://{name}.example/feed", last_success_at=t(11),
                         last_attempt_at=t(11)))
        s.add(Source(name="rodong-mirror", url="https://rodong.example/rss", consecutive_failures=3,
                     last_error="HTTP 503 Service Unavailable", last_status=503, last_attempt_at=t(11)))
        n = 0
        for spec in DEVELOPMENTS:
            arts = spec["articles"]
            first_pub = t(arts[0][1], arts[0][2])
            title = spec["title"] + (" " + EVIL if evil and spec["key"] == "reply" else "")
            dev = Development(watch=WATCH, kind=spec["kind"], title=title, first_seen=first_pub + timedelta(minutes=20),
                              first_published=first_pub, last_updated=first_pub + timedelta(hours=5),
                              explanation=spec["explanation"], alert_worthy=True,
                              revision=2 if spec["key"] == "summit" else 1)
            s.add(dev)
            s.flush()
            dev_ids[spec["key"]] = dev.id
            for src, day, hour, atitle in arts:
                n += 1
                if evil and n == 1:
                    atitle = EVIL + " " + atitle
                a = Article(url=f"https://{src}.example/story/{n}?utm_source=x",
                            canonical_url=f"https://{src}.example/story/{n}", source=src, title=atitle,
                            text="body", lang="en", published=t(day, hour), first_seen=t(day, hour, 15),
                            content_hash=f"h{n}")
                s.add(a)
                s.flush()
                if dev.first_article_id is None:
                    dev.first_article_id = a.id
                s.add(WatchArticle(watch=WATCH, article_id=a.id, relevant=True, development_id=dev.id,
                                   kind=spec["kind"], matched_terms=["summit"], decided_at=t(day, hour, 20),
                                   explanation={"rule": "topic"}))
        # A syndicated copy of the first summit article (same development, marked duplicate).
        first = s.scalars(select(Article).where(Article.source == "kyodo-en").order_by(Article.id)).first()
        assert first is not None
        copy = Article(url="https://mirror.example/kyodo-copy", canonical_url="https://mirror.example/kyodo-copy",
                       source="nhk-world", title="(Copy) " + first.title, published=t(3, 7), first_seen=t(3, 8),
                       content_hash="copy", duplicate_of=first.id)
        s.add(copy)
        s.flush()
        s.add(WatchArticle(watch=WATCH, article_id=copy.id, relevant=True, development_id=dev_ids["summit"],
                           kind="summit_request", decided_at=t(3, 8)))
        # Background coverage without a development, and an irrelevant article.
        for i, (day, relevant) in enumerate([(6, True), (6, True), (8, False)]):
            a = Article(url=f"https://bg.example/{i}", canonical_url=f"https://bg.example/{i}", source="reuters",
                        title=f"Background piece {i}", published=t(day, 10), first_seen=t(day, 11),
                        content_hash=f"bg{i}")
            s.add(a)
            s.flush()
            s.add(WatchArticle(watch=WATCH, article_id=a.id, relevant=relevant, kind="background" if relevant else None,
                               decided_at=t(day, 11)))
        # Two channels per alerted development; the reply alert carries its own URLs in the payload.
        for key, day in (("summit", 3), ("reply", 10)):
            for channel in ("email", "webhook"):
                payload: dict[str, Any] = {"article_urls": ["https://nk-news.example/story/10"]} if key == "reply" else {}
                s.add(Alert(idempotency_key=f"{WATCH}:{key}:{channel}:1", watch=WATCH, development_id=dev_ids[key],
                            channel=channel, kind=DEVELOPMENTS[0]["kind"] if key == "summit" else "pyongyang_reply",
                            title=f"Alert: {key}", created_at=t(day, 12), status="delivered", payload=payload))
        s.add(Alert(idempotency_key="other-watch:1", watch="other-watch", channel="email", kind="x", title="other",
                    created_at=t(9), status="pending"))
    return Story(url=url, factory=factory, dev_ids=dev_ids)


@pytest.fixture
def story(tmp_path: Path) -> Story:
    return build_story(tmp_path)


def test_developments_newest_first_with_first_reporter_and_outlets(story: Story) -> None:
    with story.factory() as s:
        data = load_report_data(s, WATCH, now=NOW)
    assert [d.kind for d in data.developments] == [
        "pyongyang_reply", "seoul_mediation", "families_stance", "summit_request"]
    summit = data.developments[-1]
    # The duplicate published at 07:00 is not earlier than kyodo's 06:00 original.
    assert summit.first_reporter is not None and summit.first_reporter.source == "kyodo-en"
    assert summit.outlets == ("kyodo-en", "nhk-world", "cnn-asia", "japan-times")
    assert len(summit.articles) == 5
    assert summit.alerted and summit.why.sentence and "summit" in summit.why.matched_terms
    assert data.title == "Takaichi kim summit"
    assert data.relevant_articles == 15


def test_articles_per_day_stacked_by_kind(story: Story) -> None:
    with story.factory() as s:
        data = load_report_data(s, WATCH, now=NOW)
    per_day = {(c.day, c.kind): c.count for c in data.articles_per_day}
    assert per_day[(date(2025, 11, 3), "summit_request")] == 4  # three originals + one copy
    assert per_day[(date(2025, 11, 4), "summit_request")] == 1
    assert per_day[(date(2025, 11, 6), "background")] == 2
    assert (date(2025, 11, 8), "background") not in per_day  # irrelevant articles are not coverage
    assert sum(per_day.values()) == data.relevant_articles


def test_failing_sources_and_alerts_scoped_to_watch(story: Story) -> None:
    with story.factory() as s:
        data = load_report_data(s, WATCH, now=NOW)
    assert [f.name for f in data.failing_sources] == ["rodong-mirror"]
    assert len(data.sources) == 10
    assert {a.title for a in data.alerts} == {"Alert: summit", "Alert: reply"}


def test_explanations_of_any_shape_are_digested(story: Story) -> None:
    with story.factory() as s:
        data = load_report_data(s, WATCH, now=NOW)
    reply = data.developments[0]
    assert reply.why.rule == "reply, negation"
    assert "KCNA" in reply.why.matched_terms
    assert ("nested", "a: 1, 2") in reply.why.other


def test_developments_json_contract(story: Story) -> None:
    with story.factory() as s:
        devs = developments_json(s, WATCH)
    assert len(devs) == 4
    for d in devs:
        assert {"id", "kind", "title", "first_seen", "first_published", "article_ids", "sources",
                "explanation", "why", "first_reporter", "outlets"} <= d.keys()
        assert ISO_Z.match(d["first_seen"]) and ISO_Z.match(d["first_published"])
    assert devs[0]["first_published"] == "2025-11-10T01:00:00Z"
    assert devs[-1]["sources"] == ["kyodo-en", "nhk-world", "cnn-asia", "japan-times"]
    assert devs[-1]["first_reporter"]["source"] == "kyodo-en"


def test_articles_json_contract(story: Story) -> None:
    with story.factory() as s:
        arts = articles_json(s, WATCH)
    assert len(arts) == 16
    keys = {"id", "url", "canonical_url", "source", "title", "published", "lang", "relevant", "development_id",
            "duplicate_of"}
    assert all(keys <= a.keys() for a in arts)
    assert [a["relevant"] for a in arts].count(False) == 1
    assert sum(1 for a in arts if a["duplicate_of"]) == 1
    assert arts[0]["published"] == "2025-11-10T05:00:00Z"


def test_alerts_json_contract(story: Story) -> None:
    with story.factory() as s:
        everyone = alerts_json(s)
        mine = alerts_json(s, WATCH)
    assert len(everyone) == 5 and len(mine) == 4
    for a in everyone:
        assert {"id", "development_id", "kind", "title", "created_at", "status", "article_urls"} <= a.keys()
        assert ISO_Z.match(a["created_at"])
    reply = next(a for a in mine if a["title"] == "Alert: reply")
    assert reply["article_urls"] == ["https://nk-news.example/story/10"]
    summit = next(a for a in mine if a["title"] == "Alert: summit")
    assert summit["article_urls"][0].startswith("https://kyodo-en.example/")


def test_queries_do_not_write(story: Story) -> None:
    with story.factory() as s:
        load_report_data(s, WATCH, now=NOW)
        developments_json(s, WATCH)
        assert not s.new and not s.dirty and not s.deleted


def test_write_report_is_atomic_and_replaces(story: Story, tmp_path: Path) -> None:
    with story.factory() as s:
        data = load_report_data(s, WATCH, now=NOW)
    out = tmp_path / "out" / "story.html"
    out.parent.mkdir()
    out.write_text("old")
    path = write_report(data, out)
    assert path == out.resolve()
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert sorted(p.name for p in out.parent.iterdir()) == ["story.html"]  # no temp file left


def test_write_report_failure_is_a_report_error(story: Story, tmp_path: Path) -> None:
    with story.factory() as s:
        data = load_report_data(s, WATCH, now=NOW)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReportWriteError, match="cannot write report"):
        write_report(data, blocker / "story.html")


def test_empty_watch_loads(story: Story) -> None:
    with story.factory() as s:
        data = load_report_data(s, "nothing-here", now=NOW)
    assert data.developments == [] and data.articles_per_day == [] and data.alerts == []


def test_nested_kind_explanation_is_lifted() -> None:
    from reporting.data import digest_why

    why = digest_why({"kind": {"kind": "japan_overture", "rule": "leader seeks a summit", "sentence": "PM wants talks",
                               "sentence_index": 0, "cue": "summit", "actor": None}, "first_article_id": 4,
                      "certainty": 2, "matched_terms": ["Pyongyang"]},
                     {"rule": "new development", "relevance": "topic query matches"})
    assert why.sentence == "PM wants talks" and why.rule == "leader seeks a summit"
    assert why.matched_terms == ("Pyongyang",)
    assert dict(why.other) == {"cue": "summit", "certainty": "2", "relevance": "topic query matches"}
