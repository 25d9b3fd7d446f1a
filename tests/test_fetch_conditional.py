"""Conditional requests: validators stored per URL are sent back and unchanged sources answer 304."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fetcher.client import FetchRequest, FetchResponse, fetch_all
from storage import sources as store
from storage.db import make_engine, session_factory, transaction, upgrade
from storage.models import HttpCache
from tests.servers.misbehaving import MisbehavingServer, rss_feed
from tests.test_fetch_misbehaving import SMALL

pytestmark = pytest.mark.timeout(60)

PATHS = ["/feed/one.xml", "/feed/two.xml", "/atom/three.xml", "/gzip/four.xml"]


def test_second_fetch_sends_validators_and_gets_304(db_url: str) -> None:
    upgrade(db_url)
    sessions = session_factory(make_engine(db_url))
    with MisbehavingServer() as server:
        urls = [server.url(p) for p in PATHS] + [server.url("/nolabel/five.xml")]
        first = fetch_all([FetchRequest(u) for u in urls], SMALL)
        assert all(isinstance(r, FetchResponse) and r.status == 200 for r in first)
        with transaction(sessions) as s:
            for r in first:
                assert isinstance(r, FetchResponse)
                store.save_validators(s, r)
        with sessions() as s:
            cache = store.validators(s, urls)
        assert set(cache) == set(urls)
        assert cache[server.url("/nolabel/five.xml")] == (None, None)

        reqs = [FetchRequest(u, etag=cache[u][0], last_modified=cache[u][1]) for u in urls]
        second = fetch_all(reqs, SMALL)
        for u, r in zip(urls, second, strict=True):
            assert isinstance(r, FetchResponse)
            if "nolabel" in u:
                assert r.status == 200 and not r.not_modified
            else:
                assert r.status == 304 and r.not_modified and r.content == b""
                assert r.etag == cache[u][0]  # kept for the next round
        for path in PATHS:
            log = server.requests_for(path)
            assert len(log) == 2
            assert "if-none-match" not in log[0].headers
            assert log[1].headers["if-none-match"] == cache[server.url(path)][0]
            assert log[1].headers["if-modified-since"] == cache[server.url(path)][1]

        # a 304 refreshes the stamp but keeps the validators
        with transaction(sessions) as s:
            for r in second:
                assert isinstance(r, FetchResponse)
                store.save_validators(s, r)
        with sessions() as s:
            assert store.validators(s, urls) == cache
            row = s.scalars(select(HttpCache).where(HttpCache.url == urls[0])).one()
            assert row.last_status == 304

        # the content changes: a 200 with a new ETag replaces the validators
        server.change_feed("one", rss_feed("one", 3))
        (third,) = fetch_all([FetchRequest(urls[0], etag=cache[urls[0]][0], last_modified=cache[urls[0]][1])], SMALL)
        assert isinstance(third, FetchResponse) and third.status == 200
        assert third.etag != cache[urls[0]][0]


def test_last_modified_alone_is_enough(db_url: str) -> None:
    with MisbehavingServer() as server:
        (first,) = fetch_all([FetchRequest(server.url("/feed/lm.xml"))], SMALL)
        assert isinstance(first, FetchResponse) and first.last_modified
        (second,) = fetch_all([FetchRequest(server.url("/feed/lm.xml"), last_modified=first.last_modified)], SMALL)
        assert isinstance(second, FetchResponse) and second.not_modified
        assert second.last_modified == first.last_modified
