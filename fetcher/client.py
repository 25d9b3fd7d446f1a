"""The fetch stage: polite, bounded, conditional HTTP GETs with one error hierarchy.

One :class:`Fetcher` owns one ``httpx.AsyncClient``. Each fetch:

1. refuses non-http(s) URLs; for untrusted links (and redirect hops leaving the configured
   host) refuses non-public addresses (:mod:`fetcher.addresses`);
2. for article pages, asks the host's robots.txt (fetched once per host and cached);
3. waits for a per-host slot, the per-host delay and a global slot;
4. sends If-None-Match / If-Modified-Since when validators are known;
5. follows redirects itself (limit, loop detection, address check on every hop);
6. streams the body, decoding Content-Encoding under ``max_bytes`` and a ratio guard;
7. retries transient failures with exponential backoff and full jitter, honouring
   Retry-After on 429/503 while it fits the ``total_timeout`` budget -- otherwise it fails
   with :class:`RateLimited` carrying ``retry_at``;
8. detects the charset and, for feeds, refuses HTML pages and XML entity declarations.

``total_timeout`` bounds everything after the first slot is obtained, with ``asyncio.timeout``
around each exchange, so a slow drip cannot outlive it.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from fetcher.addresses import AddressPolicy
from fetcher.charset import decode_body, detect_encoding
from fetcher.decoding import ACCEPT_ENCODING, BodyDecoder
from fetcher.errors import (
    ConnectTimeout,
    DecodeError,
    EmptyBody,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    IncompleteBody,
    InvalidURL,
    RateLimited,
    ReadTimeout,
    RedirectLoop,
    RobotsDisallowed,
    TooLarge,
    TooManyRedirects,
    TotalTimeout,
    TransportError,
    one_line,
)
from fetcher.pool import OriginPools
from fetcher.retry import backoff_delay, parse_retry_after
from fetcher.robots import ROBOTS_MAX_BYTES, RobotsRules, rules_from_response, unreachable_rules
from fetcher.settings import FetchSettings
from fetcher.sniff import check_feed_body

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRY_AFTER_STATUS = frozenset({429, 503})


@dataclass(frozen=True)
class FetchRequest:
    """One URL to fetch, with the validators of its last good response.

    ``kind`` is ``"feed"`` (configured feeds and sitemaps) or ``"page"`` (article pages:
    robots.txt applies). ``untrusted`` marks links discovered in feeds: they may not reach
    non-public addresses unless the settings allow it.
    """

    url: str
    etag: str | None = None
    last_modified: str | None = None
    kind: str = "feed"
    untrusted: bool = False


@dataclass(frozen=True)
class FetchResponse:
    """A successful fetch: a 2xx body, or a 304 (``not_modified``, empty ``content``)."""

    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str | None
    encoding: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool
    fetched_at: datetime
    elapsed: float
    redirects: tuple[str, ...] = field(default=(), compare=False)

    def text(self) -> str:
        """The body decoded with the detected encoding (undecodable bytes replaced)."""
        return decode_body(self.content, self.encoding)


@dataclass
class _Host:
    slots: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0
    delay: float = 0.0


@dataclass
class _Attempt:
    """What one exchange produced when it did not succeed: an error and maybe a Retry-After."""

    error: FetchError
    retry_at: datetime | None = None


class _RetryableStatus(Exception):
    def __init__(self, error: HTTPStatusError, retry_after: str | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class Fetcher:
    """Async HTTP fetcher; use as ``async with Fetcher(settings) as f: await f.fetch(req)``."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self._rng = rng or random.Random()
        self._policy = AddressPolicy(
            allow_private=settings.allow_private_addresses, allow_hosts=settings.allow_hosts
        )
        timeout = httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=settings.connect_timeout,
        )
        if transport is None:
            # a small pool per host: see fetcher.pool for why not one pool for all hosts
            transport = OriginPools(
                per_origin_connections=settings.global_concurrency + 8,
                per_origin_keepalive=settings.per_host_concurrency,
                max_origins=settings.global_concurrency,
            )
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            headers={
                "User-Agent": settings.effective_user_agent,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
        )
        self._global: asyncio.Semaphore | None = None
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, RobotsRules] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    # -- public -----------------------------------------------------------------------------

    async def fetch(self, req: FetchRequest) -> FetchResponse:
        """The response for ``req``; raises FetchError subclasses only (one line, names the problem)."""
        try:
            return await self._fetch(req)
        except FetchError:
            raise
        except Exception as exc:  # a bug or an httpx surprise must not escape as a non-FetchError
            raise TransportError(req.url, f"unexpected {type(exc).__name__}: {exc}") from exc

    async def fetch_many(self, reqs: Sequence[FetchRequest]) -> list[FetchResponse | FetchError]:
        """Fetch all concurrently within the limits; results in input order, errors as values."""

        async def one(req: FetchRequest) -> FetchResponse | FetchError:
            try:
                return await self.fetch(req)
            except FetchError as exc:
                return exc

        return list(await asyncio.gather(*(one(r) for r in reqs)))

    # -- one fetch ----------------------------------------------------------------------------

    async def _fetch(self, req: FetchRequest) -> FetchResponse:
        s = self.settings
        origin = _check_url(req.url)
        if req.untrusted:
            await self._policy.check(req.url)
        if req.kind == "page" and s.respect_robots:
            rules = await self._robots_for(req.url)
            if not rules.allowed(s.robots_token, req.url):
                why = f" ({rules.reason})" if rules.reason else ""
                raise RobotsDisallowed(req.url, f"robots.txt disallows fetching this page{why}")
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        started = time.monotonic()
        last: _Attempt | None = None
        for attempt in range(s.retries + 1):
            async with self._slot(origin):
                now = loop.time()
                if deadline is None:
                    deadline = now + s.total_timeout
                remaining = deadline - now
                if remaining <= 0:
                    raise TotalTimeout(req.url, f"gave up after total_timeout={s.total_timeout:g}s")
                try:
                    async with asyncio.timeout(remaining):
                        return await self._exchange(req, origin, started)
                except TimeoutError:
                    raise TotalTimeout(
                        req.url,
                        f"exceeded total_timeout={s.total_timeout:g}s (slow or stalled response)",
                    ) from None
                except _RetryableStatus as rs:
                    last = _Attempt(rs.error, parse_retry_after(rs.retry_after, _utcnow()))
                except FetchError as exc:
                    if not exc.transient:
                        raise
                    last = _Attempt(exc)
            # transient failure: wait (Retry-After or backoff) if the budget allows, then retry
            assert last is not None
            remaining = deadline - loop.time()
            if last.retry_at is not None:
                wait = (last.retry_at - _utcnow()).total_seconds()
                if wait > remaining:
                    assert isinstance(last.error, HTTPStatusError)
                    raise RateLimited(req.url, last.error.status, last.retry_at)
            else:
                wait = backoff_delay(attempt + 1, s.backoff_base, s.backoff_max, self._rng)
            if attempt == s.retries:
                break
            if wait >= remaining:
                break
            await asyncio.sleep(max(wait, 0.0))
        assert last is not None
        if last.retry_at is not None and isinstance(last.error, HTTPStatusError):
            raise RateLimited(req.url, last.error.status, last.retry_at, beyond_budget=attempt < s.retries)
        raise last.error

    async def _exchange(self, req: FetchRequest, origin: str, started: float) -> FetchResponse:
        """One request/response, redirects included; raises FetchError or _RetryableStatus."""
        s = self.settings
        url = req.url
        seen = {url}
        hops: list[str] = []
        headers: dict[str, str] = {}
        if req.etag:
            headers["If-None-Match"] = req.etag
        if req.last_modified:
            headers["If-Modified-Since"] = req.last_modified
        while True:
            request = self._client.build_request("GET", url, headers=headers)
            resp = await self._send(req.url, request)
            try:
                if resp.status_code in _REDIRECTS and resp.headers.get("location"):
                    target = urljoin(url, resp.headers["location"].strip())
                    _check_url(target, requested=req.url)
                    if target in seen:
                        raise RedirectLoop(req.url, f"redirect loop: {url} leads back to {target}")
                    if len(hops) >= s.max_redirects:
                        raise TooManyRedirects(req.url, f"more than max_redirects={s.max_redirects} redirects")
                    if req.untrusted or _host_key(target) != origin:
                        await self._policy.check(target)
                    seen.add(target)
                    hops.append(target)
                    url = target
                    continue
                return await self._finish(req, url, resp, tuple(hops), started)
            finally:
                await resp.aclose()

    async def _send(self, url: str, request: httpx.Request) -> httpx.Response:
        try:
            return await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise _map_httpx_error(url, exc) from exc

    async def _finish(
        self, req: FetchRequest, final_url: str, resp: httpx.Response, hops: tuple[str, ...], started: float
    ) -> FetchResponse:
        s = self.settings
        status = resp.status_code
        etag = resp.headers.get("etag")
        last_modified = resp.headers.get("last-modified")
        content_type = resp.headers.get("content-type")
        if status == 304:
            return FetchResponse(
                url=req.url,
                final_url=final_url,
                status=304,
                content=b"",
                content_type=content_type,
                encoding=None,
                etag=etag or req.etag,
                last_modified=last_modified or req.last_modified,
                not_modified=True,
                fetched_at=_utcnow(),
                elapsed=time.monotonic() - started,
                redirects=hops,
            )
        if status in _RETRY_AFTER_STATUS:
            raise _RetryableStatus(HTTPStatusError(req.url, status), resp.headers.get("retry-after"))
        if not 200 <= status < 300:
            raise HTTPStatusError(req.url, status)
        body = await self._read_body(req.url, resp)
        if not body.strip():
            raise EmptyBody(req.url, f"HTTP {status} with an empty body")
        if req.kind == "feed":
            check_feed_body(req.url, body, content_type, reject_html=s.reject_html_feeds)
        return FetchResponse(
            url=req.url,
            final_url=final_url,
            status=status,
            content=body,
            content_type=content_type,
            encoding=detect_encoding(body, content_type),
            etag=etag,
            last_modified=last_modified,
            not_modified=False,
            fetched_at=_utcnow(),
            elapsed=time.monotonic() - started,
            redirects=hops,
        )

    async def _read_body(self, url: str, resp: httpx.Response, max_bytes: int | None = None) -> bytes:
        s = self.settings
        limit = max_bytes or s.max_bytes
        declared = resp.headers.get("content-length")
        coding = resp.headers.get("content-encoding")
        if declared and declared.strip().isdigit() and not coding and int(declared) > limit:
            raise TooLarge(url, f"Content-Length {int(declared)} exceeds max_bytes={limit}")
        if resp.is_stream_consumed:
            # httpx.Response(content=...) (e.g. from MockTransport) is read and decoded eagerly.
            coding = None
        decoder = BodyDecoder(
            url,
            coding,
            max_bytes=limit,
            max_ratio=s.max_decompressed_ratio,
            ratio_min_bytes=s.ratio_guard_min_bytes,
        )
        try:
            if resp.is_stream_consumed:
                decoder.feed(resp.content)
            else:
                async for chunk in resp.aiter_raw():
                    decoder.feed(chunk)
        except httpx.HTTPError as exc:
            raise _map_httpx_error(url, exc) from exc
        return decoder.finish()

    # -- politeness -------------------------------------------------------------------------------

    def _host(self, key: str) -> _Host:
        host = self._hosts.get(key)
        if host is None:
            host = _Host(asyncio.Semaphore(self.settings.per_host_concurrency), delay=self.settings.per_host_delay)
            self._hosts[key] = host
        return host

    def _slot(self, key: str) -> _Slot:
        if self._global is None:
            self._global = asyncio.Semaphore(self.settings.global_concurrency)
        return _Slot(self._host(key), self._global)

    async def _robots_for(self, url: str) -> RobotsRules:
        key = _host_key(url)
        cached = self._robots.get(key)
        if cached is not None:
            return cached
        lock = self._robots_locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._robots.get(key)
            if cached is not None:
                return cached
            rules = await self._fetch_robots(url, key)
            self._robots[key] = rules
            delay = rules.crawl_delay(self.settings.robots_token)
            if delay:
                host = self._host(key)
                host.delay = max(host.delay, min(delay, self.settings.max_crawl_delay))
            return rules

    async def _fetch_robots(self, url: str, key: str) -> RobotsRules:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        current = robots_url
        try:
            async with self._slot(key), asyncio.timeout(self.settings.total_timeout):
                for _ in range(self.settings.max_redirects + 1):
                    resp = await self._send(robots_url, self._client.build_request("GET", current))
                    try:
                        if resp.status_code in _REDIRECTS and resp.headers.get("location"):
                            current = urljoin(current, resp.headers["location"])
                            _check_url(current, requested=robots_url)
                            if _host_key(current) != key:
                                await self._policy.check(current)
                            continue
                        body = b""
                        if 200 <= resp.status_code < 300:
                            body = await self._read_body(robots_url, resp, max_bytes=ROBOTS_MAX_BYTES)
                        return rules_from_response(resp.status_code, body)
                    finally:
                        await resp.aclose()
                return RobotsRules(None, reason="robots.txt redirects too often: allow all")
        except TooLarge:
            return RobotsRules(None, reason="robots.txt too large: allow all")
        except TimeoutError:
            return unreachable_rules("timed out")
        except FetchError as exc:
            return unreachable_rules(str(exc))


class _Slot:
    """Per-host slot (with the per-host delay) first, then a global slot; released in reverse."""

    def __init__(self, host: _Host, global_slots: asyncio.Semaphore) -> None:
        self.host = host
        self.global_slots = global_slots

    async def __aenter__(self) -> None:
        await self.host.slots.acquire()
        try:
            if self.host.delay > 0:
                async with self.host.lock:
                    loop = asyncio.get_running_loop()
                    wait = self.host.next_start - loop.time()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    self.host.next_start = loop.time() + self.host.delay
            await self.global_slots.acquire()
        except BaseException:
            self.host.slots.release()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self.global_slots.release()
        self.host.slots.release()


def fetch_all(
    reqs: Sequence[FetchRequest],
    settings: FetchSettings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[FetchResponse | FetchError]:
    """Synchronous :meth:`Fetcher.fetch_many` in a fresh event loop (not for use inside a running loop)."""

    async def run() -> list[FetchResponse | FetchError]:
        async with Fetcher(settings, transport=transport) as fetcher:
            return await fetcher.fetch_many(reqs)

    return asyncio.run(run())


# -- helpers ---------------------------------------------------------------------------------------


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


def _check_url(url: str, *, requested: str | None = None) -> str:
    """The host key of ``url``; InvalidURL unless it is an absolute http(s) URL."""
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as exc:
        raise InvalidURL(requested or url, f"invalid URL {one_line(url, 120)!r}: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        what = "redirect to" if requested else "not an absolute http(s) URL:"
        raise InvalidURL(requested or url, f"{what} {one_line(url, 120)!r}")
    return _host_key(url)


def _map_httpx_error(url: str, exc: httpx.HTTPError) -> FetchError:
    detail = one_line(str(exc) or type(exc).__name__, 160)
    if isinstance(exc, httpx.ConnectTimeout):
        return ConnectTimeout(url, "connect timeout: no connection within connect_timeout")
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout):
        return ReadTimeout(url, "read timeout: server sent nothing within read_timeout")
    if isinstance(exc, httpx.PoolTimeout):
        return FetchTimeout(url, "timed out waiting for a free connection")
    if isinstance(exc, httpx.TimeoutException):
        return FetchTimeout(url, f"timeout: {detail}")
    if isinstance(exc, httpx.RemoteProtocolError):
        low = detail.lower()
        if "incomplete" in low or "peer closed" in low or "expected" in low:
            return IncompleteBody(url, f"truncated body: connection closed early ({detail})")
        return TransportError(url, f"protocol error: {detail}")
    if isinstance(exc, httpx.ConnectError):
        return TransportError(url, f"connection failed: {detail}")
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return TransportError(url, f"connection broken: {detail}")
    if isinstance(exc, httpx.DecodingError):
        return DecodeError(url, f"cannot decode body: {detail}")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return InvalidURL(url, f"invalid URL: {detail}")
    return TransportError(url, f"{type(exc).__name__}: {detail}")
