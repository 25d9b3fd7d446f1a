"""The day a look-back piece's lead names is its event's day (detection.eventdate)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from detection.eventdate import LOOKBACK_DAYS, event_day, mentioned_days
from storage.db import make_engine, upgrade
from tests.detect_world import store_text

PUB = date(2027, 2, 6)


@pytest.mark.parametrize("lead", [
    "Forty-eight winters \n On January 28, the lamp was on when he walked through the door.",
    "Le retour \n Le 28 janvier, la lampe était allumée.",
    "Die Rückkehr \n Am 28. Januar brannte die Lampe noch.",
    "El regreso \n El 28 de enero la lámpara seguía encendida.",
    "Возвращение \n 28 января лампа горела.",
    "帰郷 \n 1月28日、玄関の明かりはついていた。",
    "귀향 \n 1월 28일 현관 불은 켜져 있었다.",
])
def test_a_look_back_piece_is_dated_by_the_day_its_lead_names(lead: str) -> None:
    assert event_day(lead, PUB, 4) == date(2027, 1, 28)


def test_part_of_a_month_and_a_year_boundary() -> None:
    assert mentioned_days("For two days in late April, that room held the first meeting", date(2026, 5, 2)) == [
        date(2026, 4, 25)]
    # "December 30" read in early January is last year's
    assert event_day("On December 30 the envoy flew to Pyongyang.", date(2027, 1, 8), 4) == date(2026, 12, 30)


@pytest.mark.parametrize("lead", [
    "On January 28 he flew home; on Tuesday his sister spoke for the first time.",  # a weekday: recent news
    "Yesterday's talks followed the January 28 return.",
    "Die Familie sprach gestern, zehn Tage nach der Rückkehr am 28. Januar.",
    "家族会は5日、1月28日の帰国について会見した。",  # a bare day of the month: this week's act
    "TOKYO, Feb 6 - A week after the January 28 return, the families spoke.",  # a dateline within the window
    "The Korea Desk, week of February 1: the return of January 28",
])
def test_a_lead_that_says_its_news_is_recent_keeps_its_publication_day(lead: str) -> None:
    assert event_day(lead, PUB, 4) == PUB


def test_days_too_old_or_in_the_future_are_background() -> None:
    old = PUB - timedelta(days=LOOKBACK_DAYS + 5)
    assert event_day(f"On {old:%B} {old.day}, the first envoy arrived.", PUB, 4) == PUB
    assert event_day("The summit is planned for March 20.", PUB, 4) == PUB
    assert event_day("On September 17, 2002, Koizumi went to Pyongyang.", PUB, 4) == PUB
    assert event_day("No date at all, only a scene by the harbour.", PUB, 4) == PUB


def test_a_magazine_piece_nine_days_later_joins_the_meeting_it_recounts(db_url: str) -> None:
    meeting = datetime(2026, 4, 23, 9, tzinfo=UTC)
    upgrade(db_url)
    engine = make_engine(db_url)
    with Session(engine) as s, s.begin():
        first = store_text(
            s, "https://w.example/almaty", "Japanese lawmakers meet North Korean delegation in Almaty",
            "A cross-party group of Japanese lawmakers met a North Korean delegation in Almaty on Thursday, "
            "the first contact between the two sides under Prime Minister Sanae Takaichi. They read out the "
            "names of the 12 abductees Japan says remain unaccounted for.", meeting, meeting + timedelta(hours=3))
        late = meeting + timedelta(days=9)
        feature = store_text(
            s, "https://m.example/hotel", "The hotel below the mountains: inside the first Japan-North Korea meeting",
            "The snow was still on the peaks when the Japanese lawmakers arrived. For two days in late April, "
            "a windowless room in Almaty held the first contact between Japanese lawmakers and North Korean "
            "officials under Prime Minister Sanae Takaichi. The Japanese read out the names of the 12 "
            "abductees.", late, late + timedelta(hours=1))
    engine.dispose()
    assert first.created and first.is_new and first.kind == "talks_or_contact"
    # nine days later, outside the grouping window by publication date, within it by the day it names
    assert feature.relevant and feature.development_id == first.development_id and not feature.created
    assert not feature.is_new
