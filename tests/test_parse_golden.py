"""Golden corpus: every page in tests/fixtures/golden/ against its hand-written expectation."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from parsers.article import parse_article
from parsers.models import Article

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
CASES = sorted(GOLDEN.glob("[0-9][0-9][0-9]-*.json"))
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+")


def _f1(expected: str, got: str) -> float:
    e, g = Counter(_TOKEN.findall(expected.casefold())), Counter(_TOKEN.findall(got.casefold()))
    overlap = sum((e & g).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(g.values()), overlap / sum(e.values())
    return 2 * p * r / (p + r)


def _parse(path: Path) -> tuple[dict, Article]:
    exp = json.loads(path.read_text(encoding="utf-8"))
    fetched = datetime.fromisoformat(exp["fetched_at"].replace("Z", "+00:00"))
    art = parse_article(path.with_suffix(".html").read_bytes(), exp["url"], fetched, encoding=exp.get("encoding"))
    return exp, art


def test_corpus_is_big_and_varied() -> None:
    expectations = [json.loads(p.read_text(encoding="utf-8")) for p in CASES]
    assert len(expectations) >= 40
    assert len({e["outlet_kind"] for e in expectations}) >= 10
    assert {"ja", "ko", "zh", "es", "tr", "ru", "ar", "fr", "de", "en"} <= {e["lang"] for e in expectations}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_page(path: Path) -> None:
    exp, art = _parse(path)
    assert art.title == exp["title"]
    got_pub = art.published.strftime("%Y-%m-%dT%H:%M:%SZ") if art.published else None
    assert got_pub == exp["published"], art.published_source
    assert art.lang == exp["lang"]
    assert art.paywalled == exp["paywalled"]
    assert art.canonical_url == exp["canonical_url"]
    assert _f1(exp["text"], art.text) >= 0.9
    assert "\n\n" in art.text and "\n\n\n" not in art.text


def test_golden_overall_f1() -> None:
    scores = []
    for path in CASES:
        exp, art = _parse(path)
        scores.append(_f1(exp["text"], art.text))
    assert sum(scores) / len(scores) >= 0.95
