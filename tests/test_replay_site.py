"""The bundled replay: manifest and pages agree, the server reveals by clock and answers conditionally."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import httpx
import pytest

from storywatch.replay import STORY_FILE, load_story
from storywatch.replay.feeds import feed_links
from storywatch.replay.server import ReplayServer
from storywatch.replay.story import KINDS

STORY = load_story()
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
HTTP = httpx.Client(timeout=10)  # one client: building one per request costs ~0.1 s
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}


@pytest.fixture(scope="module")
def server():
    with ReplayServer(port=0) as s:
        yield s


def _entries(server: ReplayServer, outlet: str) -> list[tuple[str, datetime]]:
    """(link, published) of each feed item in document order, read without the project's parsers."""
    r = HTTP.get(server.base_url + f"/feeds/{outlet}.xml")
    assert r.status_code == 200
    if STORY.outlet(outlet).feed == "sitemap":
        assert r.headers["content-type"].startswith("application/xml")
        root = ElementTree.fromstring(r.content)
        return [(u.findtext("sm:loc", namespaces=NS) or "",
                 datetime.fromisoformat(u.findtext(".//news:publication_date", namespaces=NS) or ""))
                for u in root.findall("sm:url", NS)]
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return [(e.link, datetime.fromtimestamp(calendar.timegm(e.published_parsed), UTC)) for e in parsed.entries]


# ------------------------------------------------------------------ manifest and pages


def test_manifest_is_complete_and_labelled() -> None:
    assert 30 <= len(STORY.articles) <= 45
    assert len(STORY.outlets) >= 5
    assert {a.outlet for a in STORY.articles} == {o.id for o in STORY.outlets}
    assert {o.feed for o in STORY.outlets} == {"rss", "atom", "sitemap"}
    assert {a.lang for a in STORY.articles} >= {"en", "ja", "ko"}
    events = {a.event for a in STORY.articles}
    assert len(events) >= 12
    kinds = {a.kind for a in STORY.articles if a.kind}
    assert kinds == KINDS
    for a in STORY.articles:
        assert a.file.is_file(), a.path
        assert (a.kind is None) == (not a.relevant), a.path
        if a.alert_expected:
            assert a.relevant and a.kind not in ("no_change_status", "background"), a.path
    assert STORY.default_clock == datetime(2026, 11, 21, tzinfo=UTC)


def test_alert_labels_follow_freshness_and_first_report() -> None:
    """At the default clock exactly the first report of each fresh development alerts, plus escalations."""
    window_start = STORY.default_clock - STORY.freshness
    by_event: dict[str, list] = {}
    for a in STORY.articles:
        by_event.setdefault(a.event, []).append(a)
    for event, arts in by_event.items():
        first = arts[0]  # articles are oldest first
        alerting = [a for a in arts if a.alert_expected]
        eligible = first.relevant and first.kind not in ("no_change_status", "background")
        if first.published < window_start or not eligible:
            assert not alerting, event
            continue
        assert alerting[0] is first, event
        for later in alerting[1:]:
            assert later.status == "official" and first.status == "sources", event
    alerting_events = sorted({a.event for a in STORY.articles if a.alert_expected})
    assert alerting_events == sorted(
        ["pyongyang-reply", "seoul-offers-to-host", "families-react-to-kcna", "japan-eases-sanction-for-aid"])


def test_syndicated_copies_point_at_an_earlier_article_of_the_same_event() -> None:
    reposts = [a for a in STORY.articles if a.syndicated_from]
    assert len({a.outlet for a in reposts}) >= 2
    for a in reposts:
        orig = STORY.article_at(a.syndicated_from or "")
        assert orig is not None and orig.event == a.event and orig.published < a.published
        assert orig.title == a.title


class _PageCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.in_title = False
        self.canonical: str | None = None
        self.h1 = 0
        self.stack: list[str] = []
        self.errors: list[str] = []

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr", "source", "area", "base", "col", "wbr"})

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "title":
            self.in_title = True
        if tag == "h1":
            self.h1 += 1
        if tag == "link" and (a.get("rel") or "") == "canonical":
            self.canonical = a.get("href")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data


@pytest.mark.parametrize("article", STORY.articles, ids=lambda a: a.path)
def test_page_is_wellformed_html_with_title_and_canonical(article) -> None:
    text = article.file.read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html>")
    check = _PageCheck()
    check.feed(text)
    check.close()
    assert not check.errors and not check.stack, (check.errors, check.stack)
    assert article.title in check.title
    assert check.canonical == article.path
    assert check.h1 >= 1


def test_pages_are_our_own_words_not_the_seeds() -> None:
    if not SEEDS.is_dir():
        pytest.skip("shared seeds not present")
    seed_sentences = set()
    for f in SEEDS.glob("*.txt"):
        for s in re.split(r"(?<=[.!?])\s+", f.read_text(encoding="utf-8")):
            s = " ".join(s.split())
            if len(s) > 60:
                seed_sentences.add(s)
    pages = " ".join(" ".join(a.file.read_text(encoding="utf-8").split()) for a in STORY.articles)
    copied = [s for s in seed_sentences if s in pages]
    assert not copied, copied[:3]


# ------------------------------------------------------------------ server


def test_feeds_list_only_items_published_by_the_clock(server: ReplayServer) -> None:
    clock = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
    server.set_clock(clock)
    try:
        seen = 0
        for outlet in STORY.outlets:
            entries = _entries(server, outlet.id)
            expected = STORY.published_by(clock, outlet.id)
            want = [(server.base_url + link, a.published) for a in expected for link in feed_links(outlet, a)]
            assert entries == want, outlet.id
            seen += len(expected)
            stamps = [when for _, when in entries]
            assert stamps == sorted(stamps, reverse=True), f"{outlet.id} is not newest first"
        assert 0 < seen < len(STORY.articles)
        # a page from after the clock is not there yet; one from before is
        future = next(a for a in STORY.articles if a.published > clock)
        past = next(a for a in reversed(STORY.articles) if a.published <= clock)
        assert HTTP.get(server.base_url + future.path).status_code == 404
        assert HTTP.get(server.base_url + past.path).status_code == 200
    finally:
        server.set_clock(STORY.default_clock)


def test_rss_pubdates_are_rfc822_and_match_the_manifest(server: ReplayServer) -> None:
    body = HTTP.get(server.base_url + "/feeds/apn.xml").text
    dates = re.findall(r"<pubDate>([^<]+)</pubDate>", body)
    expected = STORY.published_by(server.clock, "apn")
    assert dates and len(dates) >= len(expected)
    parsed = [parsedate_to_datetime(d) for d in dates]
    assert {p for p in parsed} == {a.published for a in expected}
    ja = HTTP.get(server.base_url + "/feeds/toto.xml").text
    assert re.search(r"<pubDate>\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0900</pubDate>", ja)


def test_url_variants_serve_the_same_page(server: ReplayServer) -> None:
    variants = [(a, link) for a in STORY.articles for link in [a.feed_link or "", *a.feed_links] if link]
    assert any("/amp/" in link for _, link in variants)
    assert any("utm_" in link for _, link in variants)
    for article, link in variants:
        r = HTTP.get(server.base_url + link)
        assert r.status_code == 200 and r.content == article.file.read_bytes(), link
    ledger = HTTP.get(server.base_url + "/feeds/ledger.xml").text
    assert "utm_source=rss" in ledger


def test_conditional_requests_get_304(server: ReplayServer) -> None:
    paths = ["/feeds/apn.xml", "/feeds/pwatch.xml", "/feeds/storyline.xml", STORY.articles[-1].path]
    for path in paths:
        first = HTTP.get(server.base_url + path)
        assert first.status_code == 200
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        by_etag = HTTP.get(server.base_url + path, headers={"If-None-Match": etag})
        assert by_etag.status_code == 304 and by_etag.content == b""
        assert by_etag.headers["etag"] == etag
        by_date = HTTP.get(server.base_url + path, headers={"If-Modified-Since": modified})
        assert by_date.status_code == 304
        stale = HTTP.get(server.base_url + path, headers={"If-None-Match": '"something-else"'})
        assert stale.status_code == 200
    assert any(r.status == 304 and r.if_none_match for r in server.requests)


def test_feed_changes_its_validators_when_the_clock_reveals_more(server: ReplayServer) -> None:
    server.set_clock(datetime(2026, 11, 18, 0, 0, tzinfo=UTC))
    try:
        early = HTTP.get(server.base_url + "/feeds/apn.xml")
        server.set_clock(datetime(2026, 11, 19, 0, 0, tzinfo=UTC))
        later = HTTP.get(server.base_url + "/feeds/apn.xml", headers={"If-None-Match": early.headers["etag"]})
        assert later.status_code == 200
        assert later.text.count("<item>") > early.text.count("<item>")
        again = HTTP.get(server.base_url + "/feeds/apn.xml",
                          headers={"If-Modified-Since": later.headers["last-modified"]})
        assert again.status_code == 304
    finally:
        server.set_clock(STORY.default_clock)


def test_robots_index_and_unknown_paths(server: ReplayServer) -> None:
    robots = HTTP.get(server.base_url + "/robots.txt")
    assert robots.status_code == 200 and "Allow: /" in robots.text
    assert HTTP.get(server.base_url + "/").status_code == 200
    assert HTTP.get(server.base_url + "/feeds/nope.xml").status_code == 404
    assert HTTP.get(server.base_url + "/../story.yaml").status_code == 404
    assert HTTP.head(server.base_url + "/feeds/apn.xml").status_code == 200


def test_validators_survive_a_change_of_port() -> None:
    """The pipeline's HTTP cache is keyed by URL; the default port is stable, and the ETag ignores the port."""
    with ReplayServer() as first, ReplayServer() as second:
        assert first.base_url != second.base_url  # the second falls back to an ephemeral port
        a = HTTP.get(first.base_url + "/feeds/ledger.xml")
        b = HTTP.get(second.base_url + "/feeds/ledger.xml", headers={"If-None-Match": a.headers["etag"]})
        assert a.status_code == 200 and b.status_code == 304


def test_clock_must_be_aware_and_server_binds_loopback() -> None:
    with ReplayServer(datetime(2026, 1, 1, tzinfo=UTC), port=0) as s:
        assert s.base_url.startswith("http://127.0.0.1:")
        with pytest.raises(ValueError):
            s.set_clock(datetime(2026, 1, 1))
        assert STORY_FILE.is_file()


# ------------------------------------------------------------------ parse stage on every page


def _parse_article():
    try:
        from parsers.article import parse_article
    except ImportError:
        pytest.skip("parsers.article.parse_article is not there yet")
    return parse_article


@pytest.mark.parametrize("article", STORY.articles, ids=lambda a: a.path)
def test_parse_stage_reads_title_date_and_canonical(article) -> None:
    parse_article = _parse_article()
    from parsers.urls import canonicalize_url

    base = "http://127.0.0.1:8765"
    fetched = STORY.default_clock
    for url in [base + article.path, *(base + v for v in [article.feed_link or "", *article.feed_links] if v)]:
        parsed = parse_article(article.file.read_bytes(), url, fetched)
        assert parsed.title == article.title
        assert parsed.published == article.published, parsed.published_source
        assert parsed.canonical_url == canonicalize_url(base + article.path)
        assert parsed.lang == article.lang
        assert len(parsed.text) > (100 if article.lang in ("ja", "ko") else 300)
        assert article.summary[-40:] in " ".join(parsed.text.split()), "the lead paragraph is in the body"
    assert fetched - article.published < timedelta(days=365 * 30)
