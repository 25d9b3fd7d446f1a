"""detect() on real databases: developments, duplicates, novelty, escalation, idempotence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from detection.engine import Decision, detect
from detection.errors import WatchConfigError
from detection.watch import load_default_watch, watch_from_dict
from parsers.models import Article
from storage.db import make_engine, upgrade
from storage.models import Article as ArticleRow
from storage.models import Development, WatchArticle
from tests.detect_world import store_text

W = load_default_watch()
AS_OF = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)


def _run(session: Session, url: str, title: str, text: str, published: datetime,
         as_of: datetime = AS_OF) -> Decision:
    return store_text(session, url, title, text, published, as_of)


REPLY = ("North Korea has sent a reply to Prime Minister Sanae Takaichi's proposal for a summit, passing a message "
         "through officials in Ulaanbaatar, people familiar with the matter said on Sunday.\n\n"
         "The content of the reply was not disclosed.")
KCNA = ("North Korea's foreign ministry said in a statement carried by KCNA on Monday that Pyongyang had answered "
        "Japan and rejected any summit that raises the abduction issue.")


def test_new_copy_escalation_and_offtopic(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    with Session(engine) as s, s.begin():
        first = _run(s, "https://w.example/1", "North Korea sends reply to Takaichi's summit proposal, sources say",
                     REPLY, AS_OF - timedelta(hours=30))
        assert first.relevant and first.created and first.is_new and first.kind == "pyongyang_response"
        assert first.explanation["kind"]["sentence_index"] in (0, 1)
        copy = _run(s, "https://c.example/1", "North Korea sends reply to Takaichi's summit proposal, sources say",
                    REPLY + "\n\nCopyright The Wire.", AS_OF - timedelta(hours=28))
        assert copy.development_id == first.development_id and not copy.is_new and not copy.created
        assert copy.explanation["duplicate_of"] is not None
        official = _run(s, "https://w.example/2", "KCNA: North Korea rejects Takaichi's summit proposal", KCNA,
                        AS_OF - timedelta(hours=4))
        assert official.development_id == first.development_id
        assert official.updated and official.escalated and not official.is_new and official.revision == 2
        off = _run(s, "https://x.example/ufo", "UFO abductees meet in Nevada",
                   "People who say aliens abducted them met on Saturday. Some came from North Korea.", AS_OF)
        assert not off.relevant and off.development_id is None
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(Development)).scalar() == 1
        dev = s.get(Development, first.development_id)
        assert dev is not None and dev.first_article_id is not None and dev.revision == 2
        assert "escalation" in dev.explanation
    engine.dispose()


def test_old_article_is_stored_not_new_and_redetect_is_idempotent(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    with Session(engine) as s, s.begin():
        old = _run(s, "https://o.example/2019", "Japanese delegation heads to Shenyang for talks with North Korea",
                   "A Japanese delegation left for Shenyang on Sunday for talks with North Korean counterparts.",
                   datetime(2019, 11, 17, tzinfo=UTC), as_of=datetime(2026, 2, 20, tzinfo=UTC))
        assert old.relevant and old.created and not old.is_new
        art_id = s.execute(select(ArticleRow.id)).scalar_one()
        again = detect(s, W, art_id, Article(url="u", canonical_url="u", title="t", text="x"),
                       as_of=AS_OF, duplicate_of=None)
        assert again.development_id == old.development_id and not again.created and not again.is_new
        assert s.execute(select(func.count()).select_from(WatchArticle)).scalar() == 1
    engine.dispose()


def test_watch_validation_rejects_unknown_fields() -> None:
    data = W.model_dump()
    data["surprise"] = 1
    with pytest.raises(WatchConfigError):
        watch_from_dict(data)
    data = W.model_dump()
    data["topic"]["query"] = "(a OR"
    with pytest.raises(WatchConfigError):
        watch_from_dict(data)


def test_an_official_statement_days_after_a_sourced_report_confirms_it(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    with Session(engine) as s, s.begin():
        first = _run(s, "https://w.example/r1", "North Korea reportedly answers Japan in writing",
                     "North Korea has answered Japan's proposal for talks in a written message, a Seoul daily "
                     "reported on Monday, citing unnamed government sources.", AS_OF - timedelta(days=2, hours=2))
        assert first.created and first.is_new and first.kind == "pyongyang_response"
        official = _run(s, "https://w.example/r2", "Pyongyang confirms written message to Tokyo",
                        "North Korea's foreign ministry said on Wednesday it had conveyed its position to Japan in "
                        "writing and proposed a second round of talks in July, KCNA reported.", AS_OF - timedelta(hours=1))
        assert official.development_id == first.development_id and not official.is_new
        assert official.escalated
        cand = official.explanation["candidates"][0]
        assert cand["development_id"] == first.development_id and cand.get("confirms") is True
    engine.dispose()


HOMETOWN = ("Neighbours hung banners along the fish market of the Japanese port town on Wednesday. "
            "Shinji Moriwaki, who left for a night of squid fishing in 1979, will come back to Sakata next week.\n\n"
            "His sister said she had set the table for him every New Year. The school choir rehearsed a song he "
            "had sung as a boy.\n\n"
            "Prime Minister Sanae Takaichi is expected to visit the town later this month.")


def test_a_piece_with_the_topic_in_passing_is_on_topic_only_as_part_of_a_known_event(
    db_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STORYWATCH_KIND_MODEL", "off")  # literal evidence only
    when = datetime(2027, 2, 16, 3, tzinfo=UTC)
    title = "Sakata welcomes home the man North Korea held for 47 years"
    upgrade(db_url)
    engine = make_engine(db_url)
    with Session(engine) as s, s.begin():
        early = _run(s, "https://r.example/early", title, HOMETOWN.replace("Wednesday", "Friday"),
                     when - timedelta(days=20), when - timedelta(days=20))
        ret = _run(s, "https://w.example/return", "Japanese man held in North Korea for 47 years returns home",
                   "A Japanese man abducted to North Korea in 1979 returned to Japan on Tuesday after 47 years, "
                   "landing at Haneda airport with his brother at his side.", when, when + timedelta(hours=2))
        town = _run(s, "https://r.example/sakata", title, HOMETOWN, when + timedelta(days=1),
                    when + timedelta(days=1, hours=2))
    engine.dispose()
    # alone, the piece names the story only in passing: off topic
    assert not early.relevant and early.development_id is None
    assert early.explanation["relevance"].startswith("focus terms only in passing")
    # the day after the return it is plainly part of it: on topic, joined, and no alert of its own
    assert ret.kind == "repatriation"
    assert town.relevant and town.development_id == ret.development_id and not town.is_new and not town.created
    assert f"part of development {ret.development_id}" in town.explanation["relevance"]
