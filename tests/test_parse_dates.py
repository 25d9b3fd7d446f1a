"""parsers.dates: every newsroom format -> aware UTC, implausible dates rejected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from parsers.dates import date_value, parse_date

NOW = datetime(2026, 2, 17, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date 2025-11-03", datetime(2025, 11, 3, tzinfo=UTC)),
        ("16.02.2026", datetime(2026, 2, 16, tzinfo=UTC)),
        ("Berk Kutay Gokmen  | 16.02.2026 - Update : 17.02.2026", datetime(2026, 2, 16, tzinfo=UTC)),
        ("Sunday, November 17, 2019", datetime(2019, 11, 17, tzinfo=UTC)),
        ("Jan 13, 2026 (00:55 UTC)", datetime(2026, 1, 13, 0, 55, tzinfo=UTC)),
        ("Mon, 16 Feb 2026 05:05:00 GMT", datetime(2026, 2, 16, 5, 5, tzinfo=UTC)),
        ("Mon, 16 Feb 2026 14:05:00 +0900", datetime(2026, 2, 16, 5, 5, tzinfo=UTC)),
        ("2026-02-16T14:05:00+09:00", datetime(2026, 2, 16, 5, 5, tzinfo=UTC)),
        ("2026-02-16T05:05:00.000Z", datetime(2026, 2, 16, 5, 5, tzinfo=UTC)),
        ("2026-02-16 14:05", datetime(2026, 2, 16, 14, 5, tzinfo=UTC)),
        ("2026年2月16日 14時05分", datetime(2026, 2, 16, 14, 5, tzinfo=UTC)),
        ("2026年2月16日", datetime(2026, 2, 16, tzinfo=UTC)),
        ("2026년 2월 16일 오후 2:05", datetime(2026, 2, 16, 14, 5, tzinfo=UTC)),
        ("입력 2026.02.16 14:05", datetime(2026, 2, 16, 14, 5, tzinfo=UTC)),
        ("2026/02/16 14:05 JST", datetime(2026, 2, 16, 5, 5, tzinfo=UTC)),
        ("February 16, 2026 at 9:30 am KST", datetime(2026, 2, 16, 0, 30, tzinfo=UTC)),
        ("Feb. 16, 2026 2:05 p.m. ET", datetime(2026, 2, 16, 19, 5, tzinfo=UTC)),
        ("16 февраля 2026, 14:05", datetime(2026, 2, 16, 14, 5, tzinfo=UTC)),
        ("Publié le 16 février 2026 à 14h05", datetime(2026, 2, 16, 14, 5, tzinfo=UTC)),
        ("16.02.2026, 14:05 Uhr", datetime(2026, 2, 16, 14, 5, tzinfo=UTC)),
        ("16 de febrero de 2026", datetime(2026, 2, 16, tzinfo=UTC)),
        ("16 Şubat 2026 14:05", datetime(2026, 2, 16, 14, 5, tzinfo=UTC)),
        ("١٦ فبراير ٢٠٢٦", datetime(2026, 2, 16, tzinfo=UTC)),
        ("２０２６年２月１６日", datetime(2026, 2, 16, tzinfo=UTC)),
        ("2 hours ago", NOW - timedelta(hours=2)),
        ("3時間前", NOW - timedelta(hours=3)),
        ("5분 전", NOW - timedelta(minutes=5)),
        ("yesterday", datetime(2026, 2, 16, tzinfo=UTC)),
    ],
)
def test_formats(text: str, expected: datetime) -> None:
    got = parse_date(text, now=NOW)
    assert got == expected
    assert got is not None and got.tzinfo is not None and got.utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["2030-01-01", "1985-06-01", "March 3, 1989", "no date here", "", "12:30", "Page 2 of 5"])
def test_rejects_implausible_or_missing(text: str) -> None:
    assert parse_date(text, now=NOW) is None


def test_future_skew_is_one_day() -> None:
    assert parse_date("2026-02-18T11:00:00Z", now=NOW) is not None
    assert parse_date("2026-02-18T13:00:00Z", now=NOW) is None


def test_assume_tz_for_naive_values() -> None:
    jst = timezone(timedelta(hours=9))
    assert parse_date("2026-02-16 14:05", now=NOW, assume_tz=jst) == datetime(2026, 2, 16, 5, 5, tzinfo=UTC)
    assert parse_date("2026-02-16T14:05:00+00:00", now=NOW, assume_tz=jst) == datetime(2026, 2, 16, 14, 5, tzinfo=UTC)


def test_slash_dates_follow_language() -> None:
    assert parse_date("02/01/2026", now=NOW, languages=["en"]) == datetime(2026, 2, 1, tzinfo=UTC)
    assert parse_date("02/01/2026", now=NOW, languages=["fr"]) == datetime(2026, 1, 2, tzinfo=UTC)
    assert parse_date("25/01/2026", now=NOW, languages=["en"]) == datetime(2026, 1, 25, tzinfo=UTC)


def test_date_value_keeps_provenance() -> None:
    dv = date_value("2026-02-16T05:05:00Z", "meta:article:published_time", now=NOW)
    assert dv is not None and dv.source == "meta:article:published_time"
    assert dv.value == datetime(2026, 2, 16, 5, 5, tzinfo=UTC)
    assert date_value("nothing", "x", now=NOW) is None


def test_format_iso_is_utc_with_z() -> None:
    from parsers.dates import format_iso

    jst = timezone(timedelta(hours=9))
    assert format_iso(datetime(2026, 2, 16, 14, 0, 0, 250000, tzinfo=jst)) == "2026-02-16T05:00:00.250000Z"
    assert format_iso(datetime(2026, 2, 16, 14, 0, 0, 250000, tzinfo=jst), timespec="seconds") == "2026-02-16T05:00:00Z"
    assert format_iso(datetime(2026, 2, 16, 5, 0)) == "2026-02-16T05:00:00Z"
    assert format_iso(None) is None
