"""The HTML report: self-contained, escaped, one chart mark per day, accessible structure."""

from __future__ import annotations

import itertools
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from reporting.data import load_report_data
from reporting.kinds import OTHER_COLOUR, PALETTE, kind_styles
from reporting.render import render_report
from tests.test_report_data import EVIL, NOW, WATCH, build_story


class Collector(HTMLParser):
    """Start tags with their attributes, and the text of the document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Collector:
    c = Collector()
    c.feed(html)
    return c


def render(tmp_path: Path, *, evil: bool = False) -> str:
    story = build_story(tmp_path, evil=evil)
    with story.factory() as s:
        return render_report(load_report_data(s, WATCH, now=NOW), nonce="testnonce")


def test_self_contained_no_external_requests(tmp_path: Path) -> None:
    html = render(tmp_path)
    doc = parse(html)
    for tag, attrs in doc.tags:
        assert not (tag in ("script", "img", "iframe", "audio", "video", "source", "embed") and attrs.get("src"))
        assert tag != "link", "no <link>: styles are inline"
        href = attrs.get("href")
        if tag == "a" and href:
            assert href.startswith(("https://", "http://", "#"))
    assert "@import" not in html and "url(" not in html
    csp = next(a["content"] for t, a in doc.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp and "'nonce-testnonce'" in csp
    scripts = [a for t, a in doc.tags if t == "script"]
    assert scripts == [{"nonce": "testnonce"}]


def test_timeline_order_kind_words_and_details(tmp_path: Path) -> None:
    html = render(tmp_path)
    doc = parse(html)
    devs = [a for t, a in doc.tags if t == "li" and "dev" in (a.get("class") or "").split()]
    assert [d["data-kind"] for d in devs] == ["pyongyang_reply", "seoul_mediation", "families_stance",
                                             "summit_request"]
    text = " ".join(doc.text)
    for words in ("Pyongyang reply", "Seoul mediation", "Families' stance", "Summit request"):
        assert words in text  # the kind in words, not only colour
    assert "First reported by" in text and "kyodo-en" in text
    assert html.count("<details>") == 4
    assert "4 outlets, 5 articles" in text
    assert "rodong-mirror" in text and "HTTP 503" in text


def test_chart_has_one_mark_group_per_day_with_coverage(tmp_path: Path) -> None:
    html = render(tmp_path)
    doc = parse(html)
    days = [a["data-day"] for t, a in doc.tags if t == "g" and "day" in (a.get("class") or "").split()]
    assert days == ["2025-11-03", "2025-11-04", "2025-11-05", "2025-11-06", "2025-11-07", "2025-11-10"]
    alert_days = [a["data-day"] for t, a in doc.tags if t == "path" and a.get("class") == "alert-mark"]
    assert alert_days == ["2025-11-03", "2025-11-10"]
    totals = {a["data-day"]: int(a["data-total"] or 0) for t, a in doc.tags if t == "g" and a.get("data-total")}
    assert totals[date(2025, 11, 3).isoformat()] == 4


def test_article_markup_renders_as_text(tmp_path: Path) -> None:
    html = render(tmp_path, evil=True)
    assert "<script>window.pwned" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html
    doc = parse(html)
    assert [t for t, _ in doc.tags if t in ("img", "script")] == ["script"]  # only our own script
    assert any(EVIL in chunk for chunk in doc.text)


def test_javascript_urls_are_not_linked(tmp_path: Path) -> None:
    from sqlalchemy import update

    from storage.models import Article

    story = build_story(tmp_path)
    with story.factory() as s, s.begin():
        s.execute(update(Article).where(Article.id == 1).values(canonical_url="javascript:alert(1)//kyodo"))
    with story.factory() as s:
        html = render_report(load_report_data(s, WATCH, now=NOW))
    assert 'href="javascript:' not in html
    assert "First reported by <strong>kyodo-en</strong> — PM Takaichi" in html  # shown, not linked


def test_phone_print_and_accessibility_hooks(tmp_path: Path) -> None:
    html = render(tmp_path)
    doc = parse(html)
    assert '<meta name="viewport"' in html and "@media print" in html and "@media (max-width" in html
    assert '<html lang="en">' in html
    headings = [t for t, _ in doc.tags if re.fullmatch(r"h[1-6]", t)]
    assert headings[0] == "h1" and headings.count("h1") == 1
    levels = [int(h[1]) for h in headings]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels  # no skipped levels
    ids = {a.get("id") for _, a in doc.tags}
    fors = [a["for"] for t, a in doc.tags if t == "label"]
    assert fors == ["filter-kind", "filter-source"] and all(f in ids for f in fors)
    svg = next(a for t, a in doc.tags if t == "svg")
    assert svg.get("role") == "img" and svg.get("aria-labelledby")
    form = next(a for t, a in doc.tags if t == "form")
    assert "hidden" in form  # without JS the filters stay hidden and everything shows


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_kind_colours_meet_wcag_aa_for_badge_text() -> None:
    for colour in (*PALETTE, OTHER_COLOUR):
        assert contrast(colour, "#ffffff") >= 4.5, colour
    css = (Path(__file__).parent.parent / "reporting" / "templates" / "report.css").read_text()
    for var in ("--ink", "--muted", "--link"):
        value = re.search(rf"{var}: (#[0-9a-f]{{6}})", css)
        assert value is not None
        for bg in ("#ffffff", "#f4f2ed", "#ebe8e1", "#f7f6f2"):
            assert contrast(value.group(1), bg) >= 4.5, (var, bg)


def test_kind_styles_follow_watch_order_and_labels() -> None:
    styles = kind_styles(["b_kind", "a_kind", "other"], {"b_kind": "Bee", "a_kind": "Ay"})
    assert list(styles) == ["b_kind", "a_kind", "other"]
    assert styles["b_kind"].label == "Bee" and styles["other"].colour == OTHER_COLOUR
    assert kind_styles(["seoul_mediation"])["seoul_mediation"].label == "Seoul mediation"


def test_empty_report_renders(tmp_path: Path) -> None:
    story = build_story(tmp_path)
    with story.factory() as s:
        html = render_report(load_report_data(s, "nothing", now=NOW))
    assert "No developments detected yet." in html and "No relevant coverage yet." in html
