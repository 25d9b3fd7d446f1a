"""Real coverage from ../shared/seeds (plain text), wrapped in minimal HTML at test time."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

import pytest

from parsers.article import parse_article

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
FETCHED = datetime(2026, 3, 1, tzinfo=UTC)
EXPECTED_DATES = {"000": datetime(2025, 11, 3, tzinfo=UTC), "002": datetime(2026, 2, 16, tzinfo=UTC),
                  "003": datetime(2019, 11, 17, tzinfo=UTC)}
BOILERPLATE = ("Leave a Reply", "Related topics", "Bu haberi paylaşın", "Tagged:", "Home /", "Home >",
               "Your email address will not be published", "contains only a portion of the news stories")

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seeds folder absent")


def _seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []


def _wrap(text: str) -> tuple[str, str]:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    # the headline is the longest of the first few short lines that repeat or stand alone
    title = next((ln for ln in lines[:6] if 20 < len(ln) < 160 and not ln.startswith(("Home", "date "))
                  and ln[-1] not in ".”\""), lines[0])
    body = "\n".join(f"<p>{html.escape(ln)}</p>" for ln in lines)
    return title, f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head><body><div>{body}</div></body></html>"


@pytest.mark.parametrize("path", _seed_files(), ids=lambda p: p.name[:3])
def test_seed_parses_and_loses_boilerplate(path: Path) -> None:
    title, doc = _wrap(path.read_text(encoding="utf-8"))
    art = parse_article(doc, f"https://seed.example/{path.stem}", FETCHED)
    prefix = path.name[:3]
    if prefix in EXPECTED_DATES:
        assert art.published == EXPECTED_DATES[prefix], art.published_source
    paragraphs = art.text.split("\n\n")
    for junk in BOILERPLATE:
        assert not any(p.startswith(junk) or junk in p[:80] for p in paragraphs), junk
    assert title not in paragraphs  # duplicated headline dropped
    assert len(art.text) > 500
