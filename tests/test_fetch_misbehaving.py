"""One fetch over every way a server can misbehave: good sources return content, bad ones a clear error."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from fetcher import errors as E
from fetcher.client import Fetcher, FetchRequest, FetchResponse, fetch_all
from fetcher.settings import FetchSettings
from tests.servers.misbehaving import CP1252_TEXT, SJIS_TEXT, MisbehavingServer

pytestmark = pytest.mark.timeout(90)

SMALL = FetchSettings(
    connect_timeout=1.0,
    read_timeout=0.5,
    total_timeout=3.0,
    max_bytes=2_000_000,
    retries=1,
    backoff_base=0.05,
    backoff_max=0.1,
    per_host_concurrency=32,
    allow_hosts=["127.0.0.1"],
)

GOOD = {
    "/feed/alpha.xml": "feed",
    "/atom/beta.xml": "feed",
    "/gzip/gamma.xml": "feed",
    "/nolabel/delta.xml": "feed",
    "/chain/3": "feed",
    "/flaky/one": "feed",
    "/retry-once/two": "feed",
    "/cp1252.xml": "feed",
    "/sjis.html": "page",
    "/sjis-mislabelled.html": "page",
    "/page/story-1.html": "page",
}

BAD: dict[str, tuple[str, type[E.FetchError], str]] = {
    "/status/500": ("feed", E.HTTPStatusError, "HTTP 500"),
    "/status/404": ("feed", E.HTTPStatusError, "HTTP 404"),
    "/retry-after/3600": ("feed", E.RateLimited, "retry after"),
    "/retry-after-date/7200": ("feed", E.RateLimited, "retry after"),
    "/hang": ("feed", E.ReadTimeout, "read timeout"),
    "/hang-body": ("feed", E.ReadTimeout, "read timeout"),
    "/drip": ("feed", E.TotalTimeout, "total_timeout"),
    "/truncated": ("feed", E.IncompleteBody, "truncated"),
    "/bomb": ("feed", E.DecompressionBomb, "decompression bomb"),
    "/big": ("page", E.TooLarge, "max_bytes"),
    "/big-chunked": ("page", E.TooLarge, "max_bytes"),
    "/loop/a": ("feed", E.RedirectLoop, "redirect loop"),
    "/chain/9": ("feed", E.TooManyRedirects, "max_redirects"),
    "/laughs.xml": ("feed", E.UnsafeXML, "entities"),
    "/html-as-feed": ("feed", E.NotAFeed, "HTML page"),
    "/empty": ("feed", E.EmptyBody, "empty body"),
    "/private/secret.html": ("page", E.RobotsDisallowed, "robots.txt"),
}


@pytest.fixture(scope="module")
def server():
    with MisbehavingServer() as srv:
        yield srv


@pytest.mark.slow
def test_one_fetch_over_every_misbehaviour(server: MisbehavingServer) -> None:
    paths = list(GOOD) + list(BAD)
    kinds = {**GOOD, **{p: k for p, (k, _, _) in BAD.items()}}
    reqs = [FetchRequest(server.url(p), kind=kinds[p], untrusted=kinds[p] == "page") for p in paths]
    results = fetch_all(reqs, SMALL)
    assert len(results) == len(reqs)
    by_path = dict(zip(paths, results, strict=True))
    for path in GOOD:
        res = by_path[path]
        assert isinstance(res, FetchResponse), f"{path}: {res!r}"
        assert res.status == 200 and res.content and not res.not_modified
        assert res.url == server.url(path)
        assert res.fetched_at.tzinfo is not None
    for path, (_, cls, words) in BAD.items():
        res = by_path[path]
        assert isinstance(res, cls), f"{path}: expected {cls.__name__}, got {res!r}"
        msg = str(res)
        assert "\n" not in msg and len(msg) <= 300
        assert words.lower() in msg.lower(), f"{path}: {msg}"
        assert res.url == server.url(path)

    assert by_path["/chain/3"].final_url == server.url("/feed/chained.xml")  # type: ignore[union-attr]
    assert by_path["/gzip/gamma.xml"].content.startswith(b"<?xml")  # type: ignore[union-attr]
    cp = by_path["/cp1252.xml"]
    assert isinstance(cp, FetchResponse) and cp.encoding == "cp1252" and CP1252_TEXT in cp.text()
    for path in ("/sjis.html", "/sjis-mislabelled.html"):
        page = by_path[path]
        assert isinstance(page, FetchResponse), (path, page)
        assert SJIS_TEXT in page.text(), (path, page.encoding)
    assert by_path["/status/500"].status == 500  # type: ignore[union-attr]
    limited = by_path["/retry-after/3600"]
    assert isinstance(limited, E.RateLimited) and limited.status == 429
    assert (limited.retry_at - datetime.now(UTC)).total_seconds() > 3000
    assert by_path["/retry-after-date/7200"].status == 503  # type: ignore[union-attr]
    # transient failures were retried (and then succeeded or gave up), permanent ones were not
    assert len(server.requests_for("/flaky/one")) == 2
    assert len(server.requests_for("/retry-once/two")) == 2
    assert len(server.requests_for("/status/500")) == 2
    assert len(server.requests_for("/status/404")) == 1
    assert len(server.requests_for("/html-as-feed")) == 1
    # robots.txt was fetched once for the host, and the disallowed page never requested
    assert len(server.requests_for("/robots.txt")) == 1
    assert server.requests_for("/private/secret.html") == []
    # an honest User-Agent on every request
    assert all(r.headers["user-agent"].startswith("storywatch/0.1 (+https://") for r in server.requests)


def test_untrusted_private_links_are_refused_by_default(server: MisbehavingServer) -> None:
    settings = SMALL.model_copy(update={"allow_hosts": []})
    before = len(server.requests)
    out = fetch_all(
        [
            FetchRequest(server.url("/page/a.html"), kind="page", untrusted=True),
            FetchRequest(f"http://localhost:{server.port}/page/b.html", kind="page", untrusted=True),
            FetchRequest("http://169.254.169.254/latest/meta-data/", kind="page", untrusted=True),
            FetchRequest(f"http://[::1]:{server.port}/page/c.html", kind="page", untrusted=True),
        ],
        settings,
    )
    for res in out:
        assert isinstance(res, E.BlockedAddress), res
        assert "non-public address" in str(res)
    assert len(server.requests) == before  # nothing reached the server
    # a configured (trusted) source on the same host is fine
    (ok,) = fetch_all([FetchRequest(server.url("/feed/trusted.xml"))], settings)
    assert isinstance(ok, FetchResponse)


def test_redirect_from_trusted_source_to_private_host_is_checked(server: MisbehavingServer) -> None:
    """A configured feed may live on 127.0.0.1, but its redirects may not leave for another private host."""
    settings = SMALL.model_copy(update={"allow_hosts": []})
    target = f"http://localhost:{server.port}/feed/elsewhere.xml"
    server.extra_routes["/to-localhost"] = lambda h: h._redirect(target)  # type: ignore[attr-defined]
    (res,) = fetch_all([FetchRequest(server.url("/to-localhost"))], settings)
    assert isinstance(res, E.BlockedAddress), res
    assert server.requests_for("/feed/elsewhere.xml") == []


def test_fetch_raises_only_fetch_errors(server: MisbehavingServer) -> None:
    async def run() -> None:
        async with Fetcher(SMALL) as f:
            with pytest.raises(E.InvalidURL):
                await f.fetch(FetchRequest("ftp://example.invalid/feed"))
            with pytest.raises(E.InvalidURL):
                await f.fetch(FetchRequest("not a url"))
            with pytest.raises(E.TransportError, match="connection failed"):
                await f.fetch(FetchRequest("http://127.0.0.1:9/feed.xml"))  # discard port: refused
            with pytest.raises(E.HTTPStatusError) as info:
                await f.fetch(FetchRequest(server.url("/status/503")))
            assert info.value.status == 503

    asyncio.run(run())


def test_per_host_concurrency_is_respected(server: MisbehavingServer) -> None:
    import threading
    import time

    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def slow(handler):  # type: ignore[no-untyped-def]
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        handler._feed(b"<?xml version='1.0'?><rss><channel><title>s</title></channel></rss>")

    for i in range(12):
        server.extra_routes[f"/slow/{i}"] = slow
    settings = SMALL.model_copy(update={"per_host_concurrency": 3})
    out = fetch_all([FetchRequest(server.url(f"/slow/{i}")) for i in range(12)], settings)
    assert all(isinstance(r, FetchResponse) for r in out)
    assert 1 <= state["peak"] <= 3
