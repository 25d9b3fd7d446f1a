"""Keep secrets (Apprise URLs, tokens, passwords) out of every string we show or store."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, unquote, urlsplit

# scheme://user:password@host -> scheme://***@host for any URL at all
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]{1,30}://)[^\s/@]+@")
# any non-web URL (an Apprise service URL: mailto://, slack://, tgram://, json://...) -> scheme://***
_SERVICE_URL = re.compile(r"\b(?!https?://)(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]{1,30}://)[^\s'\"<>]+")
_MIN_SECRET = 6
_WEBHOOK_SCHEMES = frozenset({"json", "jsons", "form", "forms", "xml", "xmls", "http", "https"})
_HOST_IS_SERVER = frozenset({"mailto", "mailtos", "ntfy", "ntfys", "matrix", "matrixs", "gotify", "gotifys",
                             "mmost", "mmosts", "rocket", "rockets", "nctalk", "nctalks", "apprise", "apprises"})
# query keys whose values are addresses/settings rather than credentials
_PUBLIC_QUERY = frozenset(
    {"format", "overflow", "method", "mode", "smtp", "from", "to", "cc", "bcc", "name", "priority",
     "verify", "cto", "rto", "retry", "wait", "optional", "tags", "tag"}
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every given secret and every credential-bearing URL replaced by ``***``."""
    out = text
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        out = out.replace(secret, "***")
    out = _USERINFO.sub(lambda m: m.group("scheme") + "***@", out)
    out = _SERVICE_URL.sub(lambda m: m.group("scheme") + "***", out)
    return out


def url_secrets(url: str) -> list[str]:
    """The parts of an Apprise URL that must never be shown: the URL, credentials, tokens."""
    found = [url]
    try:
        parts = urlsplit(url)
    except ValueError:
        return found
    for value in (parts.username, parts.password):
        if value:
            found += [value, unquote(value)]
    scheme = parts.scheme.lower()
    segments = [s for s in parts.path.split("/") if s and "@" not in s]
    if scheme in _WEBHOOK_SCHEMES:
        # Generic webhooks: only long, token-like path segments are secret.
        tokens = [s for s in segments if len(s) >= 16]
    else:
        # Service URLs carry tokens in host and path segments (slack://T/B/X, tgram://bot/chat...).
        tokens = [s for s in segments if len(s) >= _MIN_SECRET]
        if parts.hostname and scheme not in _HOST_IS_SERVER and len(parts.hostname) >= _MIN_SECRET:
            tokens.append(parts.hostname)
    found += tokens + [unquote(t) for t in tokens]
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if key.lower() not in _PUBLIC_QUERY and len(value) >= 4:
            found.append(value)
    return found


def display_url(url: str) -> str:
    """What may be shown of a channel URL: its scheme only, e.g. ``slack://***``."""
    scheme = url.split("://", 1)[0] if "://" in url else "?"
    return f"{scheme}://***"


@contextmanager
def apprise_unpropagated() -> Iterator[None]:
    """Stop Apprise's own log records (which can carry partly masked URLs) reaching our handlers."""
    apprise_log = logging.getLogger("apprise")
    propagate = apprise_log.propagate
    apprise_log.propagate = False
    try:
        yield
    finally:
        apprise_log.propagate = propagate
