"""parsers.article: behaviour on literal pages (charsets, metadata sources, paywalls, failures)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from parsers.article import clean_byline, clean_title, parse_article
from parsers.errors import ArticleParseError, ParseError

FETCHED = datetime(2026, 3, 1, tzinfo=UTC)
BODY = "".join(
    f"<p>Paragraph {i} of the story says that officials in Tokyo are still waiting for an answer from Pyongyang.</p>"
    for i in range(5)
)


def page(head: str = "", body: str = BODY, lang: str = "en", h1: str = "Tokyo waits for Pyongyang") -> str:
    return f"<html lang='{lang}'><head>{head}</head><body><article><h1>{h1}</h1>{body}</article></body></html>"


def test_paragraphs_separated_by_blank_line() -> None:
    art = parse_article(page(), "https://x.example/a")
    assert art.text.count("\n\n") == 4
    assert art.text.startswith("Paragraph 0")


def test_jsonld_inside_graph_list() -> None:
    head = """<script type="application/ld+json">[{"@context":"https://schema.org","@graph":[
      {"@type":"WebSite","name":"X"},
      {"@type":["ReportageNewsArticle"],"headline":"Tokyo waits for Pyongyang","datePublished":"2026-02-16T14:05:00+09:00",
       "dateModified":"2026-02-17T09:00:00+09:00","author":[{"@type":"Person","name":"Jessie Yeung"},{"@type":"Person","name":"Junko Ogura"}],
       "isAccessibleForFree":false}]}]</script>"""
    art = parse_article(page(head), "https://x.example/a", FETCHED)
    assert art.published == datetime(2026, 2, 16, 5, 5, tzinfo=UTC)
    assert art.published_source == "jsonld:datePublished"
    assert art.updated == datetime(2026, 2, 17, 0, 0, tzinfo=UTC)
    assert art.byline == "Jessie Yeung, Junko Ogura"
    assert art.paywalled is True


@pytest.mark.parametrize(
    ("head", "source"),
    [
        ('<meta property="article:published_time" content="2026-02-16T05:05:00Z">', "meta:article:published_time"),
        ('<meta name="parsely-pub-date" content="2026-02-16T05:05:00Z">', "meta:parsely-pub-date"),
        ('<meta name="sailthru.date" content="2026-02-16 05:05:00">', "meta:sailthru.date"),
        ('<meta name="pubdate" content="Mon, 16 Feb 2026 05:05:00 GMT">', "meta:pubdate"),
        ('<meta name="dc.date" content="2026-02-16T14:05:00+09:00">', "meta:dc.date"),
    ],
)
def test_meta_dates(head: str, source: str) -> None:
    art = parse_article(page(head), "https://x.example/a", FETCHED)
    assert art.published == datetime(2026, 2, 16, 5, 5, tzinfo=UTC)
    assert art.published_source == source


def test_time_element_and_url_path() -> None:
    art = parse_article(page(body='<time datetime="2026-02-16T14:05:00+09:00">Feb 16</time>' + BODY),
                        "https://x.example/a", FETCHED)
    assert art.published == datetime(2026, 2, 16, 5, 5, tzinfo=UTC)
    art = parse_article(page(), "https://x.example/news/2026/02/16/tokyo-waits", FETCHED)
    assert art.published == datetime(2026, 2, 16, tzinfo=UTC) and art.published_source == "url:path"


def test_future_and_ancient_dates_are_skipped() -> None:
    head = ('<meta property="article:published_time" content="2031-01-01T00:00:00Z">'
            '<meta name="date" content="1970-01-01">')
    art = parse_article(page(head), "https://x.example/news/2026/02/16/a", FETCHED)
    assert art.published == datetime(2026, 2, 16, tzinfo=UTC)


def test_relative_date_uses_fetched_at() -> None:
    art = parse_article(page(body='<span class="timestamp">2 hours ago</span>' + BODY), "https://x.example/a", FETCHED)
    assert art.published == datetime(2026, 2, 28, 22, 0, tzinfo=UTC)


JA_BODY = "<p>高市首相は北朝鮮との首脳会談の実現に強い意欲を示し、拉致被害者の家族と官邸で面会した。</p>" * 3


@pytest.mark.parametrize(
    ("lang", "body", "expected"),
    [
        # a Japanese or Korean page prints Tokyo/Seoul time without saying so
        ("ja", '<span class="date">2026年2月16日 14時05分</span>' + JA_BODY, datetime(2026, 2, 16, 5, 5, tzinfo=UTC)),
        ("ja", '<meta name="sailthru.date" content="2026-02-16 14:05:00">' + JA_BODY, datetime(2026, 2, 16, 5, 5, tzinfo=UTC)),
        # an explicit offset or zone still wins
        ("ja", '<span class="date">2026-02-16T14:05:00Z</span>' + JA_BODY, datetime(2026, 2, 16, 14, 5, tzinfo=UTC)),
        # English spans many zones: a naive time stays UTC
        ("en", '<span class="date">2026-02-16 14:05</span>' + BODY, datetime(2026, 2, 16, 14, 5, tzinfo=UTC)),
    ],
)
def test_naive_times_in_the_newsroom_zone(lang: str, body: str, expected: datetime) -> None:
    art = parse_article(page(body=body, lang=lang, h1="首相、首脳会談に意欲" if lang == "ja" else "Tokyo waits"),
                        "https://x.example/a", FETCHED)
    assert art.published == expected


def test_title_suffix_removed() -> None:
    head = '<title>Tokyo waits for Pyongyang | Harbour Chronicle</title><meta property="og:site_name" content="Harbour Chronicle">'
    art = parse_article(page(head, h1=""), "https://harbour.example/a")
    assert art.title == "Tokyo waits for Pyongyang"
    assert clean_title("Harbour Chronicle - Tokyo waits", ["Harbour Chronicle"]) == "Tokyo waits"
    assert clean_title("Tokyo waits – Harbour Chronicle", ["harbour.example", "Harbour Chronicle"]) == "Tokyo waits"
    assert clean_title("Kim - Takaichi talks: what next", ["Example"]) == "Kim - Takaichi talks: what next"


def test_byline_cleaning() -> None:
    assert clean_byline("By Jessie Yeung, Junko Ogura, CNN") == "Jessie Yeung, Junko Ogura"
    assert clean_byline("By Helen Marsh and Ji-woo Park") == "Helen Marsh, Ji-woo Park"
    assert clean_byline("Von Jonas Weber und Lea Hoffmann") == "Jonas Weber, Lea Hoffmann"


def test_canonical_only_when_same_site() -> None:
    same = '<link rel="canonical" href="https://www.x.example/a/?utm_source=rss">'
    assert parse_article(page(same), "https://m.x.example/a/amp").canonical_url == "https://www.x.example/a"
    other = '<link rel="canonical" href="https://syndicator.example/copy">'
    assert parse_article(page(other), "https://x.example/a?fbclid=1").canonical_url == "https://x.example/a"


def test_wrong_charset_header_and_meta() -> None:
    doc = page('<meta charset="iso-8859-1">', body="<p>Las víctimas esperan una respuesta de Pionyang desde hace décadas, según las familias.</p>" * 3, lang="es")
    art = parse_article(doc.encode("utf-8"), "https://x.example/a", encoding="iso-8859-1")
    assert "víctimas" in art.text


def test_legacy_charsets_without_header() -> None:
    jp = page('<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">',
              body="<p>高市首相は北朝鮮との首脳会談の実現に強い意欲を示し、拉致被害者の家族と面会した。</p>" * 3, lang="ja", h1="首相、首脳会談に意欲")
    art = parse_article(jp.encode("shift_jis"), "https://x.example/a", encoding="utf-8")
    assert "首脳会談" in art.text and art.lang == "ja" and art.title == "首相、首脳会談に意欲"
    ru = page("", body="<p>Семьи похищенных японцев смягчили позицию в отношении Пхеньяна и ждут ответа.</p>" * 3, lang="")
    art = parse_article(ru.encode("windows-1251"), "https://x.example/a")
    assert "Пхеньяна" in art.text and art.lang == "ru"


def test_text_language_beats_wrong_markup() -> None:
    doc = page(body="<p>Премьер-министр Японии заявила о готовности встретиться с лидером КНДР ради возвращения похищенных.</p>" * 3)
    assert parse_article(doc, "https://x.example/a").lang == "ru"


def test_boilerplate_lines_removed() -> None:
    body = (
        "<p>Home / World News / Tokyo waits</p><p>Tokyo waits for Pyongyang</p>" + BODY
        + "<p>Tagged: Japan</p><p>Leave a Reply</p><p>Your email address will not be published. Required fields are marked *</p>"
        + "<p>Related topics</p><p>Bu haberi paylaşın</p>"
    )
    art = parse_article(page(body=body), "https://x.example/a")
    for junk in ("Home /", "Tagged", "Leave a Reply", "email address", "Related topics", "paylaşın"):
        assert junk not in art.text
    assert not art.text.startswith("Tokyo waits")


def test_truncated_body_with_subscribe_prompt_is_paywalled() -> None:
    body = BODY + "<p>The officials said the next step would depend on …</p><div class='offer'><p>Subscribe to continue reading.</p></div>"
    art = parse_article(page(body=body), "https://x.example/a")
    assert art.paywalled is True
    assert "Subscribe" not in art.text
    assert parse_article(page(), "https://x.example/a").paywalled is False


@pytest.mark.parametrize(
    "doc",
    [b"", "", "   ", b"\x89PNG\r\n\x1a\n\x00\x00", "plain text, no markup at all",
     "<html><head><title>t</title></head><body></body></html>",
     "<html><body><nav><a href='/'>Home</a></nav></body></html>"],
    ids=["empty-bytes", "empty-str", "blank", "png", "plain-text", "empty-body", "nav-only"],
)
def test_nothing_article_like_raises(doc: bytes | str) -> None:
    with pytest.raises(ArticleParseError):
        parse_article(doc, "https://x.example/a")


def test_parse_error_is_the_base() -> None:
    assert issubclass(ArticleParseError, ParseError)
