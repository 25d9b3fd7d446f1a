"""Connection reuse of the fetcher: one pool per origin, kept across batches by FetchLoop (real servers)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from fetcher.client import Fetcher, FetchRequest
from fetcher.loop import FetchLoop
from fetcher.pool import OriginPools
from fetcher.settings import FetchSettings

PAGE = b"<html><body><article><p>" + b"A paragraph of the test page. " * 40 + b"</p></article></body></html>"


class KeepAliveServer:
    """HTTP/1.1 keep-alive server on 127.0.0.1 that counts the connections it accepted."""

    def __init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with owner.lock:
                    owner.connections += 1

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                with owner.lock:
                    owner.requests += 1
                body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else PAGE
                self.send_response(200)
                self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.lock = threading.Lock()
        self.connections = 0
        self.requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def servers() -> Iterator[list[KeepAliveServer]]:
    running = [KeepAliveServer() for _ in range(3)]
    try:
        yield running
    finally:
        for s in running:
            s.close()


def _settings(**kw: Any) -> FetchSettings:
    return FetchSettings(allow_private_addresses=True, per_host_concurrency=2, global_concurrency=4, **kw)


def _pages(servers: list[KeepAliveServer], n: int, start: int = 0) -> list[FetchRequest]:
    return [FetchRequest(url=f"{servers[i % len(servers)].base}/p/{start + i}.html", kind="page", untrusted=True)
            for i in range(n)]


def test_many_hosts_reuse_their_connections(servers: list[KeepAliveServer]) -> None:
    async def run() -> list[Any]:
        async with Fetcher(_settings()) as f:
            return await f.fetch_many(_pages(servers, 60))

    results = asyncio.run(run())
    assert all(not isinstance(r, Exception) and r.content == PAGE for r in results)
    for s in servers:
        assert s.requests == 21  # robots.txt + 20 pages
        # at most per_host_concurrency connections per host, kept alive for all its requests
        assert 1 <= s.connections <= 2


def test_least_recently_used_idle_origin_is_closed(servers: list[KeepAliveServer]) -> None:
    pools = OriginPools(per_origin_connections=4, per_origin_keepalive=2, max_origins=2)

    async def run() -> None:
        async with Fetcher(_settings(respect_robots=False), transport=pools) as f:
            for s in servers:  # one host after the other: the first is closed to make room for the third
                await f.fetch(FetchRequest(url=f"{s.base}/a.html", kind="page"))
                assert pools.open_origins <= 2
            await f.fetch(FetchRequest(url=f"{servers[0].base}/b.html", kind="page"))

    asyncio.run(run())
    assert pools.open_origins == 0  # closed with the fetcher
    assert servers[0].connections == 2  # reconnected after its pool was closed
    assert servers[1].connections == 1 and servers[2].connections == 1


def test_fetch_loop_keeps_connections_and_robots_between_batches(servers: list[KeepAliveServer]) -> None:
    with FetchLoop(_settings()) as loop:
        for batch in range(3):
            reqs = _pages(servers, 12, start=100 * batch)
            results = loop.run(lambda f, reqs=reqs: f.fetch_many(reqs))  # type: ignore[misc]
            assert all(not isinstance(r, Exception) for r in results)
    for s in servers:
        assert s.requests == 1 + 12  # robots.txt once for the three batches
        assert s.connections <= 2


def test_fetch_loop_inside_a_running_event_loop(servers: list[KeepAliveServer]) -> None:
    async def outer() -> int:
        # e.g. a Prefect task: the caller's thread already runs a loop
        with FetchLoop(_settings(respect_robots=False)) as loop:
            first = loop.run(lambda f: f.fetch(FetchRequest(url=f"{servers[0].base}/x.html", kind="page")))
            second = loop.run(lambda f: f.fetch(FetchRequest(url=f"{servers[0].base}/y.html", kind="page")))
        return len(first.content) + len(second.content)

    assert asyncio.run(outer()) == 2 * len(PAGE)
    assert servers[0].connections == 1
