"""The shared seed articles (real coverage, read at test time; skipped when absent)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from detection.engine import Decision
from detection.kinds import classify
from detection.relevance import relevance
from detection.watch import load_default_watch
from parsers.models import Article
from storage.db import make_engine, upgrade
from tests.detect_world import store_and_detect

W = load_default_watch()
AS_OF = datetime(2026, 2, 20, 12, tzinfo=UTC)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def seed_article(path: Path) -> Article:
    """An Article from a seed file: optional date line, headline = first line of 5+ words."""
    lines = path.read_text(encoding="utf-8").splitlines()
    published = None
    m = re.match(r"\s*date\s+(\d{4}-\d{2}-\d{2})", lines[0]) if lines else None
    if m:
        published = datetime.fromisoformat(m.group(1)).replace(tzinfo=UTC)
        lines = lines[1:]
    for line in lines[:6]:
        if published:
            break
        if d := re.search(rf"({_MONTHS}) (\d{{1,2}}), (\d{{4}})", line):
            published = datetime.strptime(d.group(0), "%B %d, %Y").replace(tzinfo=UTC)
        elif d2 := re.search(r"\b(\d{2})\.(\d{2})\.(\d{4})\b", line):
            published = datetime(int(d2.group(3)), int(d2.group(2)), int(d2.group(1)), tzinfo=UTC)
    title = next(line for line in lines if len(line.split()) >= 5)
    return Article(url=path.name, canonical_url=path.name, title=title, text="\n".join(lines), published=published)


def _seed(seeds_dir: Path, prefix: str) -> Article:
    return seed_article(next(seeds_dir.glob(f"{prefix}_*.txt")))


def test_seed_kinds_and_relevance(seeds_dir: Path) -> None:
    a0, a1, a2, a4 = (_seed(seeds_dir, p) for p in ("000", "001", "002", "004"))
    for a in (a0, a1):
        assert relevance(W.topic, a.title, a.text).relevant
        assert classify(W, a.title, a.text).kind not in ("pyongyang_response", W.default_kind)
    assert classify(W, a2.title, a2.text).kind == "families_position"
    assert relevance(W.topic, a4.title, a4.text).relevant
    assert classify(W, a4.title, a4.text).kind != "pyongyang_response"


def test_seeds_through_storage(seeds_dir: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'seeds.db'}"
    upgrade(url)
    engine = make_engine(url)
    decisions: dict[str, Decision] = {}
    with Session(engine) as s, s.begin():
        for path in sorted(seeds_dir.glob("*.txt")):
            # 001 carries no date: it is seen the day after 000, when it was reported
            as_of = datetime(2025, 11, 4, 12, tzinfo=UTC) if path.name.startswith(("000", "001")) else AS_OF
            decisions[path.name[:3]] = store_and_detect(s, seed_article(path), as_of=as_of, first_seen=AS_OF,
                                                        source="seed")
    d = decisions
    assert d["000"].development_id == d["001"].development_id
    assert d["000"].kind != "pyongyang_response" and d["001"].kind != "pyongyang_response"
    assert d["002"].kind == "families_position"
    assert d["004"].relevant and d["004"].kind != "pyongyang_response"
    assert d["003"].relevant and d["003"].development_id is not None and not d["003"].is_new
    engine.dispose()
