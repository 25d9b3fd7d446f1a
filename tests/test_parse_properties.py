"""Property tests: random and mutated HTML/XML never escape the ParseError contract, never hang."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.article import parse_article
from parsers.errors import ParseError
from parsers.feeds import parse_feed

GOLDEN = sorted((Path(__file__).parent / "fixtures" / "golden").glob("[0-9][0-9][0-9]-*.html"))
PAGES = [p.read_bytes() for p in GOLDEN]
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>A</title><link>https://x.example/1</link><pubDate>Mon, 16 Feb 2026 05:05:00 GMT</pubDate></item>
</channel></rss>"""
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def _article_ok(doc: bytes | str) -> None:
    try:
        art = parse_article(doc, "https://x.example/news/2026/02/16/a")
    except ParseError:
        return
    assert isinstance(art.text, str) and art.text
    assert art.published is None or art.published.tzinfo is not None


def _feed_ok(data: bytes) -> None:
    try:
        feed = parse_feed(data, "https://x.example/feed")
    except ParseError:
        return
    assert all(e.url for e in feed.entries)


@st.composite
def mutated_page(draw: st.DrawFn) -> bytes:
    page = PAGES[draw(st.integers(0, len(PAGES) - 1))] if PAGES else b"<html><body><p>x</p></body></html>"
    op = draw(st.sampled_from(["truncate", "drop_tag", "random_bytes", "nest", "splice"]))
    if op == "truncate":
        return page[: draw(st.integers(0, len(page)))]
    if op == "drop_tag":
        tag = draw(st.sampled_from([b"p", b"div", b"article", b"body", b"html", b"head", b"script", b"h1", b"meta"]))
        return re.sub(rb"</?" + tag + rb"\b[^>]*>", b"", page)
    if op == "random_bytes":
        pos = draw(st.integers(0, len(page)))
        return page[:pos] + draw(st.binary(min_size=1, max_size=200)) + page[pos:]
    if op == "nest":
        depth = draw(st.integers(100, 3000))
        return page.replace(b"<body", b"<div>" * depth + b"<body", 1) + b"</div>" * depth
    a, b = sorted((draw(st.integers(0, len(page))), draw(st.integers(0, len(page)))))
    return page[:a] + page[b:]


@pytest.mark.timeout(300)
@SETTINGS
@given(st.binary(max_size=4000))
def test_article_random_bytes(data: bytes) -> None:
    _article_ok(data)


@pytest.mark.timeout(300)
@SETTINGS
@given(st.lists(st.sampled_from([*"<>/=\"' abcdivphtmlbody&;#!-[]", "<p>", "</p>", "<div>", "<script>", "拉致", "é",
                                  "<h1>", "<article>", "Leave a Reply", "2026-02-16", " word"]), max_size=600))
def test_article_random_markup(pieces: list[str]) -> None:
    _article_ok("".join(pieces))


@pytest.mark.timeout(600)
@SETTINGS
@given(mutated_page())
def test_article_mutated_golden_pages(data: bytes) -> None:
    _article_ok(data)


@pytest.mark.timeout(120)
def test_article_deeply_nested() -> None:
    doc = "<html><body>" + "<div>" * 20000 + "<p>" + "Deep text about the summit. " * 20 + "</p>" + "</div>" * 20000 + "</body></html>"
    _article_ok(doc)
    _article_ok("<p>" * 50000)


@pytest.mark.timeout(120)
def test_article_huge_input_is_capped() -> None:
    doc = b"<html><body>" + b"<p>" + b"word " * 2_000_000 + b"</p></body></html>"
    _article_ok(doc)


@pytest.mark.timeout(300)
@SETTINGS
@given(st.binary(max_size=4000))
def test_feed_random_bytes(data: bytes) -> None:
    _feed_ok(data)


@pytest.mark.timeout(300)
@SETTINGS
@given(st.integers(0, len(FEED)), st.binary(max_size=100), st.sampled_from([b"", b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"<html>"]))
def test_feed_mutations(pos: int, junk: bytes, prefix: bytes) -> None:
    _feed_ok(prefix + FEED[:pos] + junk + FEED[pos:])
    _feed_ok(FEED[:pos])
