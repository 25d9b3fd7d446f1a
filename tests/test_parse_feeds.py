"""parsers.feeds: RSS/Atom/sitemaps from literals, and hostile input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from parsers.errors import FeedParseError, ParseError
from parsers.feeds import parse_feed

RSS2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Asia Desk</title><link>https://news.example.com/</link><language>en-us</language>
<item><title>Takaichi seeks summit with Kim</title><link>https://news.example.com/a/1</link>
<description>&lt;p&gt;The prime minister &lt;b&gt;said&lt;/b&gt; Tokyo had sent a message.&lt;/p&gt;</description>
<pubDate>Mon, 03 Nov 2025 07:42:00 GMT</pubDate><guid isPermaLink="false">asia-1</guid><dc:creator>Kaori Nishida</dc:creator></item>
<item><title>Families soften stance</title><link>/a/2</link><pubDate>Mon, 16 Feb 2026 12:15:00 +0900</pubDate></item>
</channel></rss>"""

RSS091 = b"""<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old feed</title><link>http://old.example.com/</link><description>d</description>
<item><title>Red Cross talks</title><link>http://old.example.com/rc</link></item></channel></rss>"""

RDF = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://rdf.example.jp/"><title>RDF feed</title><link>https://rdf.example.jp/</link><dc:language>ja</dc:language></channel>
<item rdf:about="https://rdf.example.jp/1"><title>拉致被害者家族会が新方針</title><link>https://rdf.example.jp/1</link><dc:date>2026-02-15T17:40:00+09:00</dc:date></item>
</rdf:RDF>""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr"><title>Courrier</title><id>urn:x</id><updated>2026-02-16T10:05:00Z</updated>
<entry><title>Les familles assouplissent leur position</title><link rel="alternate" href="https://courrier.example/a/6720"/>
<id>urn:uuid:6720</id><published>2026-02-16T11:05:00+01:00</published><updated>2026-02-16T12:00:00+01:00</updated>
<author><name>Claire Dubois</name></author><summary>R\xc3\xa9sum\xc3\xa9</summary></entry></feed>"""

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://hanbit.example/news/208811</loc><news:news><news:publication><news:name>Hanbit</news:name>
<news:language>ko</news:language></news:publication><news:publication_date>2026-01-14T14:05:00+09:00</news:publication_date>
<news:title>이 대통령 "일본·북한 대화 돕겠다"</news:title></news:news></url>
<url><loc>https://hanbit.example/news/211204</loc><lastmod>2026-02-16</lastmod></url>
</urlset>""".encode()

SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://x.example/sitemap-news.xml</loc><lastmod>2026-02-16T00:00:00Z</lastmod></sitemap>
<sitemap><loc>https://x.example/sitemap-2026-01.xml</loc></sitemap></sitemapindex>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><link>https://x.example/1</link></item></channel></rss>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title></channel></rss>"""

XXE_SITEMAP = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&xxe;</loc></url></urlset>"""

HTML_PAGE = b"""<!DOCTYPE html><html lang="en"><head><title>Asia Desk</title></head>
<body><h1>Latest</h1><p>This is a web page, not a feed.</p></body></html>"""


def test_rss2() -> None:
    feed = parse_feed(RSS2, "https://news.example.com/rss.xml")
    assert feed.kind == "rss" and feed.title == "Asia Desk" and feed.language == "en"
    first, second = feed.entries
    assert first.url == "https://news.example.com/a/1"
    assert first.summary == "The prime minister said Tokyo had sent a message."
    assert first.published == datetime(2025, 11, 3, 7, 42, tzinfo=UTC)
    assert first.guid == "asia-1" and first.author == "Kaori Nishida"
    assert second.url == "https://news.example.com/a/2"  # relative link resolved
    assert second.published == datetime(2026, 2, 16, 3, 15, tzinfo=UTC)


def test_rss091_with_plain_doctype() -> None:
    feed = parse_feed(RSS091, "http://old.example.com/rss")
    assert [e.title for e in feed.entries] == ["Red Cross talks"]


def test_rss10_rdf() -> None:
    feed = parse_feed(RDF, "https://rdf.example.jp/index.rdf")
    assert feed.entries[0].published == datetime(2026, 2, 15, 8, 40, tzinfo=UTC)
    assert feed.entries[0].title == "拉致被害者家族会が新方針"


def test_atom() -> None:
    feed = parse_feed(ATOM, "https://courrier.example/atom.xml")
    assert feed.kind == "atom"
    (entry,) = feed.entries
    assert entry.url == "https://courrier.example/a/6720"
    assert entry.published == datetime(2026, 2, 16, 10, 5, tzinfo=UTC)
    assert entry.author == "Claire Dubois" and entry.summary == "Résumé"


def test_news_sitemap() -> None:
    feed = parse_feed(NEWS_SITEMAP, "https://hanbit.example/sitemap-news.xml")
    assert feed.kind == "sitemap"
    a, b = feed.entries
    assert a.title.startswith("이 대통령") and a.language == "ko"
    assert a.published == datetime(2026, 1, 14, 5, 5, tzinfo=UTC)
    assert b.published == datetime(2026, 2, 16, tzinfo=UTC)


def test_sitemap_index() -> None:
    feed = parse_feed(SITEMAP_INDEX, "https://x.example/sitemap.xml")
    assert [e.url for e in feed.entries] == ["https://x.example/sitemap-news.xml", "https://x.example/sitemap-2026-01.xml"]


@pytest.mark.timeout(10)
@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE, XXE_SITEMAP], ids=["billion-laughs", "xxe", "xxe-sitemap"])
def test_entity_attacks_refused(data: bytes) -> None:
    with pytest.raises(FeedParseError):
        parse_feed(data, "https://x.example/feed")


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "data",
    [HTML_PAGE, b"", b"   \n", b"\x00\x01\x02garbage\xff", b"just some text", b"{\"json\": true}",
     b"<?xml version='1.0'?><note><to>x</to></note>"],
    ids=["html", "empty", "blank", "binary", "text", "json", "other-xml"],
)
def test_non_feeds_raise_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        parse_feed(data, "https://x.example/feed")
