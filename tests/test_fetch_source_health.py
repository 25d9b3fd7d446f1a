"""Per-source health: exponential capped backoff, never dropped, one health alert per outage."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from fetcher import errors as E
from parsers.errors import FeedParseError
from storage import sources as store
from storage.db import make_engine, session_factory, transaction, upgrade
from storage.errors import StorageError

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


@pytest.fixture
def sessions(db_url: str):
    upgrade(db_url)
    return session_factory(make_engine(db_url))


def test_sync_upserts_and_keeps_health(sessions) -> None:
    with transaction(sessions) as s:
        store.sync_sources(s, [("a", "http://a.example/feed", "feed"), ("b", "http://b.example/", "page")])
        store.record_failure(s, "a", T0, E.HTTPStatusError("http://a.example/feed", 500))
    with transaction(sessions) as s:
        rows = store.sync_sources(s, [("a", "http://a.example/feed", "feed"), ("b", "http://b.example/x", "page")])
        assert [r.name for r in rows] == ["a", "b"]
    with sessions() as s:
        health = {r["name"]: r for r in store.health_rows(s)}
    assert health["a"]["consecutive_failures"] == 1 and health["a"]["last_status"] == 500
    assert health["a"]["last_error"] == "HTTP 500 Internal Server Error"
    assert health["b"]["url"] == "http://b.example/x" and health["b"]["state"] == "never"
    assert health["a"]["last_attempt_at"] == "2026-11-21T08:00:00Z"


def test_failures_back_off_exponentially_up_to_a_cap_and_stay_due(sessions) -> None:
    rng = random.Random(7)
    base, cap = timedelta(minutes=2), timedelta(hours=1)
    with transaction(sessions) as s:
        store.sync_sources(s, [("a", "http://a.example/feed", "feed")])
    now = T0
    delays = []
    for _ in range(10):
        with transaction(sessions) as s:
            assert [x.name for x in store.due_sources(s, now)] == ["a"]
            row = store.record_failure(s, "a", now, E.ReadTimeout("http://a.example/feed", "read timeout"),
                                       base=base, cap=cap, rng=rng)
            assert row.next_due_at is not None
            delay = row.next_due_at - now
            delays.append(delay)
            assert store.due_sources(s, now + delay - timedelta(seconds=1)) == []
            now = row.next_due_at
    for n, d in enumerate(delays, start=1):
        nominal = min(base * 2 ** (n - 1), cap)
        assert nominal * 0.85 <= d <= nominal
    assert delays[-1] > cap * 0.8  # capped, still retried
    with transaction(sessions) as s:
        row = store.record_success(s, "a", now, 200, 3)
        assert row.consecutive_failures == 0 and row.last_error is None and row.next_due_at is None
        assert row.last_new_article_at == now
        assert [x.name for x in store.due_sources(s, now)] == ["a"]


def test_retry_after_beyond_backoff_sets_next_due(sessions) -> None:
    retry_at = T0 + timedelta(hours=3)
    with transaction(sessions) as s:
        store.sync_sources(s, [("a", "http://a.example/feed", "feed")])
        row = store.record_failure(s, "a", T0, E.RateLimited("http://a.example/feed", 429, retry_at))
        assert row.next_due_at == retry_at
        assert "retry after 2026-11-21T11:00:00Z" in (row.last_error or "")
        assert row.last_status == 429


def test_parse_and_other_errors_are_one_line(sessions) -> None:
    with transaction(sessions) as s:
        store.sync_sources(s, [("a", "http://a.example/feed", "feed")])
        store.record_failure(s, "a", T0, FeedParseError("not a feed:\n got <html>"))
        row = store.record_failure(s, "a", T0, RuntimeError("boom\nsecond line"))
        assert row.last_error == "RuntimeError: boom second line"
        with pytest.raises(StorageError, match="unknown source"):
            store.record_failure(s, "nope", T0, RuntimeError("x"))


def test_health_alert_fires_once_per_outage(sessions) -> None:
    err = E.HTTPStatusError("http://a.example/feed", 503)
    with transaction(sessions) as s:
        store.sync_sources(s, [("a", "http://a.example/feed", "feed"), ("b", "http://b.example/feed", "feed")])
    for i in range(7):
        with transaction(sessions) as s:
            store.record_failure(s, "a", T0 + timedelta(hours=i), err)
            store.record_success(s, "b", T0 + timedelta(hours=i), 304, 0)
            due = store.health_alerts_due(s, T0 + timedelta(hours=i), threshold_failures=5)
            assert [x.name for x in due] == (["a"] if i == 4 else [])
            if due:
                assert "5 consecutive failures" in store.describe_health(due[0], T0)
    with transaction(sessions) as s:  # recovery, then a new outage alerts again
        store.record_success(s, "a", T0 + timedelta(hours=8), 200, 1)
        for i in range(5):
            store.record_failure(s, "a", T0 + timedelta(hours=9 + i), err)
        assert [x.name for x in store.health_alerts_due(s, T0 + timedelta(hours=14))] == ["a"]


def test_quiet_source_alerts_once_until_new_articles(sessions) -> None:
    with transaction(sessions) as s:
        store.sync_sources(s, [("q", "http://q.example/feed", "feed")])
        store.record_success(s, "q", T0, 200, 2)
        later = T0 + timedelta(days=4)
        store.record_success(s, "q", later, 304, 0)
        assert store.health_alerts_due(s, later) == []  # quiet detection is opt-in
        (row,) = store.health_alerts_due(s, later, quiet_after=timedelta(days=3))
        assert "quiet" in store.describe_health(row, later)
        assert store.health_alerts_due(s, later, quiet_after=timedelta(days=3)) == []
        store.record_new_articles(s, "q", later, 1)
        assert row.health_alerted_at is None
