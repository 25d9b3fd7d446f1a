"""The fetch stage's one exception hierarchy.

Every failure of :class:`fetcher.client.Fetcher` is one of these; ``str(exc)`` is a
single line that names the problem and is safe to show (no secrets, no bodies).
``exc.url`` is the URL that was requested.

FetchError                      base: the URL could not be fetched
 +-- InvalidURL                 not an absolute http(s) URL
 +-- BlockedAddress             host resolves to a private/loopback/link-local address (untrusted link)
 +-- RobotsDisallowed           robots.txt forbids fetching this page
 +-- HTTPStatusError            the server answered with an error status (``.status``)
 |    +-- RateLimited           429/503 whose Retry-After exceeds the time budget (``.retry_at``)
 +-- FetchTimeout (TimeoutError_)
 |    +-- ConnectTimeout        no TCP/TLS connection within connect_timeout
 |    +-- ReadTimeout           the server went silent for read_timeout
 |    +-- TotalTimeout          the whole exchange (retries, redirects, slow drip) exceeded total_timeout
 +-- TooLarge                   body larger than max_bytes (declared or streamed)
 |    +-- DecompressionBomb     decoded body exceeds max_bytes or max_decompressed_ratio
 +-- RedirectError
 |    +-- TooManyRedirects      more than max_redirects hops
 |    +-- RedirectLoop          a hop revisits a URL of the same chain
 +-- DecodeError                bad Content-Encoding (corrupt gzip/deflate, unsupported coding)
 +-- TransportError             connection refused/reset, DNS failure, protocol error
 |    +-- IncompleteBody        connection closed before Content-Length bytes arrived
 +-- ContentError               a 200 whose body cannot be what was asked for
      +-- EmptyBody             no bytes at all
      +-- NotAFeed              a feed was expected and an HTML page came back
      +-- UnsafeXML             XML with entity declarations in its DTD (billion laughs, XXE)
"""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus

_MAX_MESSAGE = 300
_TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


def one_line(text: str, limit: int = _MAX_MESSAGE) -> str:
    """``text`` collapsed to one line of at most ``limit`` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class FetchError(Exception):
    """Base class for every failure of the fetch stage; ``str()`` is one safe line."""

    transient: bool = False
    """True when trying again soon may well succeed (drives retries within a fetch)."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        self.message = one_line(message)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.url!r}, message={self.message!r})"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[FetchError], state: dict[str, object]) -> FetchError:
    exc = cls.__new__(cls)
    Exception.__init__(exc, state.get("message", ""))
    exc.__dict__.update(state)
    return exc


class InvalidURL(FetchError):
    """The URL is not an absolute http(s) URL."""


class BlockedAddress(FetchError):
    """An untrusted link (or redirect hop) points at a non-public address."""


class RobotsDisallowed(FetchError):
    """robots.txt of the host forbids our user agent to fetch this URL."""


class HTTPStatusError(FetchError):
    """The server answered with an error (or unexpected) HTTP status."""

    def __init__(self, url: str, status: int, message: str | None = None) -> None:
        self.status = status
        self.transient = status in _TRANSIENT_STATUS
        super().__init__(url, message or f"HTTP {status} {_reason(status)}")


class RateLimited(HTTPStatusError):
    """429/503 with a Retry-After this run cannot honour; the source is due again at ``retry_at`` (aware UTC)."""

    def __init__(self, url: str, status: int, retry_at: datetime, *, beyond_budget: bool = True) -> None:
        self.retry_at = retry_at
        stamp = retry_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        why = ", beyond this run's time budget" if beyond_budget else " (retries exhausted)"
        super().__init__(url, status, f"HTTP {status} {_reason(status)}: server asks to retry after {stamp}{why}")
        self.transient = False


class FetchTimeout(FetchError):
    """The server did not answer in time."""

    transient = True


TimeoutError_ = FetchTimeout


class ConnectTimeout(FetchTimeout):
    """No connection within ``connect_timeout``."""


class ReadTimeout(FetchTimeout):
    """The server sent nothing for ``read_timeout``."""


class TotalTimeout(FetchTimeout):
    """The whole fetch exceeded ``total_timeout`` (e.g. a slow drip); not retried within the run."""

    transient = False


class TooLarge(FetchError):
    """The body is larger than ``max_bytes``."""


class DecompressionBomb(TooLarge):
    """The decoded body grows beyond ``max_bytes`` or the allowed compression ratio."""


class RedirectError(FetchError):
    """The redirect chain is unacceptable."""


class TooManyRedirects(RedirectError):
    """More than ``max_redirects`` hops."""


class RedirectLoop(RedirectError):
    """A hop leads back to a URL already visited in the chain."""


class DecodeError(FetchError):
    """The Content-Encoding could not be decoded (corrupt or unsupported)."""


class TransportError(FetchError):
    """The connection failed: refused, reset, DNS failure, protocol violation."""

    transient = True


class IncompleteBody(TransportError):
    """The connection closed before the announced body arrived (truncated response)."""


class ContentError(FetchError):
    """A successful response whose body cannot be what the request asked for."""


class EmptyBody(ContentError):
    """The server answered 200 with no body."""


class NotAFeed(ContentError):
    """A feed was requested and the server returned an HTML page."""


class UnsafeXML(ContentError):
    """XML declaring entities in its DTD (billion laughs / external entities); never parsed."""


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "(non-standard status)"
