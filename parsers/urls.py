"""URL canonicalisation: one spelling per article, whatever link led to it.

Rules (in order): lowercase scheme and host, drop userinfo, default ports and
fragments; fold AMP forms (``amp.`` host, ``/amp/`` segment, ``/amp`` suffix,
``.amp`` / ``.amp.html`` suffix, ``?amp=1`` / ``outputType=amp``) and mobile
hosts (``m.``, ``mobile.``); drop tracking query parameters; sort what remains;
fold a trailing slash (except for the root path).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

_TRACKING_EXACT = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "ocid", "cmpid", "cmp", "icid", "ncid", "ito", "ref", "ref_src",
        "ref_url", "smid", "smtyp", "s_cid", "_ga", "_gl", "spm", "xtor", "guccounter",
        "guce_referrer", "guce_referrer_sig", "amp", "taid", "fromrss", "__twitter_impression",
    }
)
_TRACKING_PREFIXES = ("utm_", "utm-", "pk_", "mtm_", "hsa_", "vero_", "oly_", "__hs", "_hs", "at_", "wt_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MOBILE_PREFIXES = ("m.", "mobile.", "amp.", "mobil.")

# Two-label public suffixes common in news: enough for "registrable-domain-ish" comparison.
_SECOND_LEVEL = frozenset(
    {
        "co.uk", "org.uk", "ac.uk", "gov.uk", "co.jp", "ne.jp", "or.jp", "go.jp", "ac.jp", "co.kr",
        "or.kr", "go.kr", "ne.kr", "com.au", "net.au", "org.au", "com.cn", "net.cn", "org.cn",
        "gov.cn", "com.hk", "com.tw", "com.sg", "com.tr", "gov.tr", "org.tr", "com.br", "com.ar",
        "com.mx", "co.in", "co.nz", "co.za", "com.ru", "com.ua", "com.sa", "com.eg", "com.qa",
        "co.il", "com.my", "com.ph", "co.id", "com.vn", "com.pk", "com.es", "gouv.fr",
    }
)


def _clean_path(path: str) -> str:
    path = quote(unquote(path), safe="/:@!$&'()*+,;=-._~%")
    path = re.sub(r"/{2,}", "/", path)
    # AMP forms of the path
    path = re.sub(r"/amp(?=/|$)", "", path, flags=re.IGNORECASE)
    path = re.sub(r"\.amp(\.html?)?$", r"\1", path, flags=re.IGNORECASE)
    if not path:
        path = "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k in _TRACKING_EXACT or k.startswith(_TRACKING_PREFIXES)


def canonicalize_url(url: str) -> str:
    """Return one stable spelling of ``url`` (tracking, AMP, mobile, port, slash and order folded)."""
    url = url.strip()
    if not url:
        return url
    if url.startswith("//"):
        url = "https:" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in _MOBILE_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
            break
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(k) and not (k.lower() == "outputtype" and v.lower() == "amp")
    ]
    query.sort()
    return urlunsplit((scheme, netloc, _clean_path(parts.path), urlencode(query), ""))


def registrable_domain(url_or_host: str) -> str:
    """Return the registrable-domain-ish part of a URL or host (``news.example.co.uk`` -> ``example.co.uk``)."""
    host = url_or_host
    if "//" in host or "/" in host:
        try:
            host = urlsplit(host if "//" in host else "//" + host).hostname or ""
        except ValueError:
            return ""
    host = host.lower().rstrip(".")
    labels = [x for x in host.split(".") if x]
    if len(labels) <= 2:
        return ".".join(labels)
    if ".".join(labels[-2:]) in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(a: str, b: str) -> bool:
    """True when both URLs belong to the same registrable domain (subdomains such as www./m./amp. ignored)."""
    da, db = registrable_domain(a), registrable_domain(b)
    return bool(da) and da == db
