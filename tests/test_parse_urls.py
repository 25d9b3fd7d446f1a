"""parsers.urls: canonical spelling and same-site checks."""

from __future__ import annotations

import pytest

from parsers.urls import canonicalize_url, registrable_domain, same_site


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM:443/News/Story/", "https://example.com/News/Story"),
        ("http://example.com:80/", "http://example.com/"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?utm_source=x&utm_medium=y&id=5", "https://example.com/a?id=5"),
        ("https://example.com/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ocid=5&cmpid=6", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/2026/02/16/story/amp/", "https://example.com/2026/02/16/story"),
        ("https://example.com/2026/02/16/story/amp", "https://example.com/2026/02/16/story"),
        ("https://example.com/amp/2026/02/16/story", "https://example.com/2026/02/16/story"),
        ("https://example.com/story.amp.html", "https://example.com/story.html"),
        ("https://example.com/story.amp", "https://example.com/story"),
        ("https://example.com/story?amp=1", "https://example.com/story"),
        ("https://example.com/story?outputType=amp", "https://example.com/story"),
        ("https://amp.example.com/story", "https://example.com/story"),
        ("https://m.example.com/story", "https://example.com/story"),
        ("https://mobile.example.co.uk/story", "https://example.co.uk/story"),
        ("https://example.com//a//b", "https://example.com/a/b"),
        ("https://example.com", "https://example.com/"),
    ],
)
def test_canonicalize(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_canonicalize_is_idempotent() -> None:
    once = canonicalize_url("https://M.Example.com/a/amp/?utm_campaign=z&q=1#x")
    assert canonicalize_url(once) == once


def test_non_http_left_alone() -> None:
    assert canonicalize_url("mailto:desk@example.com") == "mailto:desk@example.com"


def test_registrable_domain() -> None:
    assert registrable_domain("https://news.example.co.jp/x") == "example.co.jp"
    assert registrable_domain("www.example.com") == "example.com"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://www.example.com/a", "https://m.example.com/b", True),
        ("https://news.example.co.uk/a", "https://example.co.uk/b", True),
        ("https://example.co.uk/a", "https://other.co.uk/b", False),
        ("https://example.com/a", "https://example.org/a", False),
        ("https://syndication.partner.net/x", "https://example.com/x", False),
    ],
)
def test_same_site(a: str, b: str, same: bool) -> None:
    assert same_site(a, b) is same
