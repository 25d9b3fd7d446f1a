"""Pure pieces of the fetch stage: charset, aggregator links, decoding limits, Retry-After, sniffing."""

from __future__ import annotations

import base64
import gzip
import ipaddress
import pickle
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from fetcher import errors as E
from fetcher.addresses import AddressPolicy, is_public
from fetcher.aggregators import needs_following, resolve_aggregator_link
from fetcher.charset import detect_encoding
from fetcher.decoding import BodyDecoder
from fetcher.retry import backoff_delay, parse_retry_after
from fetcher.settings import FetchSettings
from fetcher.sniff import check_feed_body
from tests.servers.misbehaving import BILLION_LAUGHS, CP1252_TEXT, SJIS_TEXT, atom_feed, rss_feed

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


# -- charset --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("data", "ctype", "expected"),
    [
        ("\ufeffhé".encode("utf-8"), None, "utf-8-sig"),
        ("héllo".encode("utf-16"), "text/html; charset=utf-8", "utf-16"),
        ("hé".encode(), "text/html; charset=iso-8859-1", "utf-8"),  # valid UTF-8 beats a legacy label
        (CP1252_TEXT.encode("cp1252"), "application/rss+xml; charset=utf-8", "cp1252"),  # wrong label
        (CP1252_TEXT.encode("cp1252"), None, "cp1252"),  # no label
        ("naïve".encode("latin-1"), "text/html; charset=ISO-8859-1", "cp1252"),  # as browsers do
        (b'<?xml version="1.0" encoding="windows-1251"?><rss>' + "Новости".encode("cp1251"), None, "cp1251"),
        (b'<meta charset="euc-jp"><p>' + SJIS_TEXT.encode("euc-jp"), None, "euc_jp"),
        (b"plain ascii", "text/plain; charset=koi8-r", "koi8-r"),
        (b"plain ascii", None, "utf-8"),
    ],
)
def test_detect_encoding(data: bytes, ctype: str | None, expected: str) -> None:
    assert detect_encoding(data, ctype) == expected


def test_shift_jis_without_or_with_wrong_label_decodes() -> None:
    data = ("<html><body><p>" + SJIS_TEXT * 2 + "</p></body></html>").encode("shift_jis")
    for ctype in (None, "text/html; charset=utf-8"):
        assert SJIS_TEXT in data.decode(detect_encoding(data, ctype))


# -- aggregator links ---------------------------------------------------------------------------------

def _google_news_id(url: str) -> str:
    raw = b"\x08\x13\x22" + bytes([len(url)]) + url.encode() + b"\xd2\x01\x00"
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://www.google.com/url?rct=j&sa=t&url=https%3A%2F%2Fnews.example.org%2Fa%3Fid%3D1&ct=ga",
         "https://news.example.org/a?id=1"),
        ("https://www.google.co.uk/url?q=https://news.example.org/b&sa=U", "https://news.example.org/b"),
        ("https://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&tid=1&url=https%3a%2f%2fpaper.example.com%2fstory"
         "&c=1&mkt=en-us", "https://paper.example.com/story"),
        ("https://l.facebook.com/l.php?u=https%3A%2F%2Fnews.example.org%2Fc&h=AT0", "https://news.example.org/c"),
        ("https://www.google.com/url?q=https%3A%2F%2Fl.facebook.com%2Fl.php%3Fu%3Dhttps%253A%252F%252Fx.example%252Fd",
         "https://x.example/d"),  # nested
        ("https://www.google.com/url?q=javascript:alert(1)", "https://www.google.com/url?q=javascript:alert(1)"),
        ("https://news.example.org/plain?url=https://other.example/", "https://news.example.org/plain?url=https://other.example/"),
        ("not a url", "not a url"),
    ],
)
def test_resolve_redirect_links(link: str, expected: str) -> None:
    assert resolve_aggregator_link(link) == expected


def test_resolve_google_news_article_ids() -> None:
    target = "https://www.example.com/world/2026/11/21/harbour-crane-inspection"
    for prefix in ("https://news.google.com/rss/articles/", "https://news.google.com/articles/"):
        assert resolve_aggregator_link(prefix + _google_news_id(target) + "?oc=5") == target
    opaque = "https://news.google.com/rss/articles/CBMiAU_yqLOpaqueNewStyleId?oc=5"
    assert resolve_aggregator_link(opaque) == opaque  # not recoverable offline: unchanged


def test_feedburner_links_need_following() -> None:
    assert needs_following("http://feedproxy.google.com/~r/example/~3/abc/story.html")
    assert not needs_following("https://news.example.org/story.html")


# -- decoding limits -------------------------------------------------------------------------------

def _decode(body: bytes, coding: str | None, *, max_bytes: int = 1_000_000, chunk: int = 4096) -> bytes:
    dec = BodyDecoder("http://x.example/", coding, max_bytes=max_bytes, max_ratio=100, ratio_min_bytes=100_000)
    for i in range(0, len(body), chunk):
        dec.feed(body[i : i + chunk])
    return dec.finish()


def test_decoding_gzip_deflate_and_multi_member() -> None:
    text = rss_feed("dec", 5)
    assert _decode(gzip.compress(text), "gzip") == text
    assert _decode(gzip.compress(text) + gzip.compress(text), "x-gzip") == text * 2
    assert _decode(zlib.compress(text), "deflate") == text
    raw = zlib.compressobj(wbits=-15)
    assert _decode(raw.compress(text) + raw.flush(), "deflate") == text
    assert _decode(text, "identity") == text


def test_decoding_guards() -> None:
    with pytest.raises(E.DecompressionBomb, match="decompression bomb"):
        _decode(gzip.compress(b"\0" * 5_000_000), "gzip", max_bytes=10_000_000)  # ratio guard
    with pytest.raises(E.DecompressionBomb):
        _decode(gzip.compress(bytes(range(256)) * 10_000), "gzip", max_bytes=100_000)  # size guard
    with pytest.raises(E.TooLarge):
        _decode(b"x" * 200_000, None, max_bytes=100_000)
    with pytest.raises(E.DecodeError, match="corrupt gzip"):
        _decode(b"this is not gzip at all", "gzip")
    with pytest.raises(E.DecodeError, match="unsupported"):
        _decode(b"x", "br")


# -- retry timing ---------------------------------------------------------------------------------------

def test_parse_retry_after() -> None:
    assert parse_retry_after("120", NOW) == NOW + timedelta(seconds=120)
    assert parse_retry_after("Sat, 21 Nov 2026 13:00:00 GMT", NOW) == NOW + timedelta(hours=1)
    assert parse_retry_after("Sat, 21 Nov 2026 11:00:00 GMT", NOW) == NOW  # in the past: now
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_backoff_delay_is_bounded() -> None:
    import random

    rng = random.Random(1)
    for attempt in range(1, 12):
        d = backoff_delay(attempt, 0.5, 30, rng)
        assert 0 <= d <= min(30, 0.5 * 2 ** (attempt - 1))


# -- sniffing and addresses -----------------------------------------------------------------------------

def test_feed_sniffing() -> None:
    check_feed_body("u", rss_feed("ok"), "application/rss+xml")
    check_feed_body("u", atom_feed("ok"), "text/html")  # wrong type, right body: fine
    check_feed_body("u", b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "application/feed+json")
    check_feed_body("u", b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" '
                    b'"http://example.invalid/rss.dtd"><rss version="0.91"><channel/></rss>', None)
    with pytest.raises(E.UnsafeXML):
        check_feed_body("u", BILLION_LAUGHS, "application/rss+xml")
    with pytest.raises(E.UnsafeXML):
        check_feed_body("u", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>&x;</rss>',
                        None)
    with pytest.raises(E.NotAFeed, match="HTML page"):
        check_feed_body("u", b"\n<!doctype html><html><body>hi</body></html>", "text/html")


def test_address_policy() -> None:
    assert not is_public(ipaddress.ip_address("10.1.2.3"))
    assert not is_public(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert not is_public(ipaddress.ip_address("fe80::1"))
    assert is_public(ipaddress.ip_address("93.184.216.34"))
    policy = AddressPolicy(allow_private=False, allow_hosts=["10.0.0.0/8", "*.corp.example", "intranet"])
    assert policy.address_allowed(ipaddress.ip_address("10.9.9.9"))
    assert not policy.address_allowed(ipaddress.ip_address("192.168.1.1"))
    assert policy.host_allowed("news.corp.example") and policy.host_allowed("intranet")
    assert not policy.host_allowed("corp.example.evil")


# -- settings and errors ------------------------------------------------------------------------------

def test_settings_validation() -> None:
    s = FetchSettings(contact_url="https://ops.example.org/bot")
    assert s.effective_user_agent == "storywatch/0.1 (+https://ops.example.org/bot)"
    assert s.robots_token == "storywatch"
    with pytest.raises(ValidationError):
        FetchSettings(max_bytes=0)
    with pytest.raises(ValidationError):
        FetchSettings(unknown=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        FetchSettings(allow_hosts=["10.0.0.0/33"])


def test_errors_are_one_line_and_picklable() -> None:
    err = E.HTTPStatusError("http://x.example/", 502, "bad\ngateway\n" + "x" * 1000)
    assert "\n" not in str(err) and len(str(err)) <= 300
    assert err.transient and not E.HTTPStatusError("u", 404).transient
    limited = E.RateLimited("u", 429, NOW)
    back = pickle.loads(pickle.dumps(limited))
    assert isinstance(back, E.RateLimited) and back.retry_at == NOW and back.url == "u" and str(back) == str(limited)
    assert E.TimeoutError_ is E.FetchTimeout
