"""Connections kept alive per origin: one small httpcore pool per scheme/host/port.

httpcore's pool scans every connection it holds (and polls every idle one) on each request
and each response close, and it closes idle connections as soon as it holds more than
``max_keepalive_connections`` of them in total, busy ones included. One shared pool for many
hosts therefore costs CPU per request that grows with the number of connections, and
reconnects constantly once a cycle touches more hosts than the keep-alive limit allows.

:class:`OriginPools` gives each origin its own pool of at most ``per_origin_keepalive`` idle
connections (the fetcher never runs more than ``per_host_concurrency`` requests per host,
so these stay alive and are reused), and closes the least recently used origin's pool once
more than ``max_origins`` origins are open and that origin has nothing in flight, so the
number of open sockets stays bounded however many hosts a cycle visits.
"""

from __future__ import annotations

import functools
import ssl
from collections import OrderedDict
from collections.abc import AsyncIterator

import httpx

OriginKey = tuple[bytes, bytes, int | None]


@functools.cache
def _default_ssl_context() -> ssl.SSLContext:
    """The verifying SSL context of every pool: building one loads the CA bundle (~80 ms), so once per process."""
    return httpx.create_ssl_context(trust_env=False)


class _Origin:
    """One origin's pool and how many of its responses are still open."""

    __slots__ = ("active", "transport")

    def __init__(self, transport: httpx.AsyncHTTPTransport) -> None:
        self.transport = transport
        self.active = 0


class _TrackedStream(httpx.AsyncByteStream):
    """The response body; closing it (or failing to send) marks the origin's request done."""

    __slots__ = ("_done", "_origin", "_stream")

    def __init__(self, stream: httpx.AsyncByteStream, origin: _Origin) -> None:
        self._stream = stream
        self._origin = origin
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if not self._done:
                self._done = True
                self._origin.active -= 1


class OriginPools(httpx.AsyncBaseTransport):
    """An httpx transport with one connection pool per origin (bounded number of origins)."""

    def __init__(
        self,
        *,
        per_origin_connections: int,
        per_origin_keepalive: int,
        max_origins: int,
        keepalive_expiry: float = 5.0,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._limits = httpx.Limits(
            max_connections=per_origin_connections,
            max_keepalive_connections=per_origin_keepalive,
            keepalive_expiry=keepalive_expiry,
        )
        self._verify: ssl.SSLContext | bool = _default_ssl_context() if verify is True else verify
        self._max_origins = max(1, max_origins)
        self._origins: OrderedDict[OriginKey, _Origin] = OrderedDict()

    @property
    def open_origins(self) -> int:
        """How many origins currently have a pool."""
        return len(self._origins)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through its origin's pool; the response's stream tracks it until closed."""
        url = request.url
        key: OriginKey = (url.raw_scheme, url.raw_host, url.port)
        origin = self._origins.get(key)
        if origin is None:
            await self._evict()
            origin = _Origin(httpx.AsyncHTTPTransport(verify=self._verify, trust_env=False, limits=self._limits))
            self._origins[key] = origin
        else:
            self._origins.move_to_end(key)
        origin.active += 1
        try:
            response = await origin.transport.handle_async_request(request)
        except BaseException:
            origin.active -= 1
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _TrackedStream(response.stream, origin)
        return response

    async def _evict(self) -> None:
        """Make room for one more origin: close the least recently used idle ones beyond ``max_origins``."""
        excess = len(self._origins) + 1 - self._max_origins
        if excess <= 0:
            return
        idle = [k for k, o in self._origins.items() if o.active == 0][:excess]
        for k in idle:
            await self._origins.pop(k).transport.aclose()

    async def aclose(self) -> None:
        """Close every origin's pool."""
        origins, self._origins = list(self._origins.values()), OrderedDict()
        for origin in origins:
            await origin.transport.aclose()
