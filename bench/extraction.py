"""Extraction quality and speed over the golden corpus, against bare trafilatura.

Prints, for ``parsers.article.parse_article`` and for the reference
``trafilatura.bare_extraction(..., with_metadata=True)`` on the same pages:
body token precision/recall/F1 (word tokens, CJK by character), title
exact-match rate, date accuracy, language accuracy and pages per second.

Date accuracy for ours is exact to the second (UTC); trafilatura only returns a
day, so the reference is scored on the day alone (in its favour).

Usage: ``.venv/bin/python bench/extraction.py [--json] [--verbose]``
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "fixtures" / "golden"
sys.path.insert(0, str(ROOT))

_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Word tokens, lowercased; every CJK character (Han, kana, Hangul syllable) is its own token."""
    return _TOKEN.findall((text or "").casefold())


def prf(expected: str, got: str) -> tuple[float, float, float]:
    """Token precision, recall and F1 of ``got`` against ``expected`` (multiset overlap)."""
    e, g = Counter(tokens(expected)), Counter(tokens(got))
    overlap = sum((e & g).values())
    p = overlap / sum(g.values()) if g else 0.0
    r = overlap / sum(e.values()) if e else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


@dataclass
class Case:
    name: str
    html: bytes
    expected: dict[str, Any]


def load_cases() -> list[Case]:
    return [
        Case(j.stem, j.with_suffix(".html").read_bytes(), json.loads(j.read_text(encoding="utf-8")))
        for j in sorted(GOLDEN.glob("[0-9][0-9][0-9]-*.json"))
    ]


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def run_ours(case: Case) -> dict[str, Any]:
    from parsers.article import parse_article
    from parsers.errors import ParseError

    exp = case.expected
    fetched = datetime.fromisoformat(exp["fetched_at"].replace("Z", "+00:00"))
    try:
        a = parse_article(case.html, exp["url"], fetched, encoding=exp.get("encoding"))
    except ParseError:
        return {"text": "", "title": "", "published": None, "lang": None}
    return {"text": a.text, "title": a.title, "published": _iso(a.published), "lang": a.lang,
            "paywalled": a.paywalled, "canonical_url": a.canonical_url}


def run_reference(case: Case) -> dict[str, Any]:
    import trafilatura

    doc = trafilatura.bare_extraction(case.html, url=case.expected["url"], with_metadata=True,
                                      include_comments=False)
    if doc is None:
        return {"text": "", "title": "", "published": None, "lang": None}
    get = (lambda k: doc.get(k)) if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
    return {"text": get("text") or "", "title": get("title") or "", "published": get("date"),
            "lang": get("language")}


def score(cases: list[Case], runner: Any, day_only: bool) -> tuple[dict[str, float], list[dict[str, Any]]]:
    rows = []
    start = time.perf_counter()
    results = [runner(c) for c in cases]
    elapsed = time.perf_counter() - start
    for case, got in zip(cases, results, strict=True):
        exp = case.expected
        p, r, f = prf(exp["text"], got["text"])
        want_date = exp["published"]
        got_date = got["published"]
        if day_only:
            date_ok = bool(want_date and got_date and str(got_date)[:10] == want_date[:10])
        else:
            date_ok = got_date == want_date
        rows.append({"page": case.name, "precision": p, "recall": r, "f1": f,
                     "title_ok": got["title"] == exp["title"], "date_ok": date_ok,
                     "lang_ok": got["lang"] == exp["lang"], "got": got})
    n = len(rows) or 1
    figures = {
        "body_precision": sum(x["precision"] for x in rows) / n,
        "body_recall": sum(x["recall"] for x in rows) / n,
        "body_f1": sum(x["f1"] for x in rows) / n,
        "body_f1_min": min((x["f1"] for x in rows), default=0.0),
        "title_exact": sum(x["title_ok"] for x in rows) / n,
        "date_accuracy": sum(x["date_ok"] for x in rows) / n,
        "lang_accuracy": sum(x["lang_ok"] for x in rows) / n,
        "pages_per_second": len(rows) / elapsed if elapsed else 0.0,
    }
    return figures, rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="one JSON line per figure")
    ap.add_argument("--verbose", action="store_true", help="per-page rows for ours")
    args = ap.parse_args(argv)
    cases = load_cases()
    if not cases:
        print("no golden pages found", file=sys.stderr)
        return 1
    run_ours(cases[0])  # warm caches/imports outside the timed loop
    run_reference(cases[0])
    ours, rows = score(cases, run_ours, day_only=False)
    ref, _ = score(cases, run_reference, day_only=True)
    if args.verbose:
        for row in rows:
            flags = "".join(c if ok else "-" for c, ok in zip("TDL", (row["title_ok"], row["date_ok"], row["lang_ok"]), strict=True))
            print(f"{row['page']:<45} F1={row['f1']:.3f} P={row['precision']:.3f} R={row['recall']:.3f} {flags}"
                  f" {row['got']['published']} {row['got']['lang']} | {row['got']['title'][:50]}")
    if args.json:
        for key in ours:
            print(json.dumps({"figure": key, "storywatch": round(ours[key], 4), "trafilatura": round(ref[key], 4),
                              "pages": len(cases)}))
        return 0
    print(f"golden corpus: {len(cases)} pages ({GOLDEN.relative_to(ROOT)})")
    print(f"{'figure':<20} {'storywatch':>12} {'trafilatura':>12}")
    for key in ours:
        print(f"{key:<20} {ours[key]:>12.3f} {ref[key]:>12.3f}")
    print("(trafilatura date scored on the day only; ours exact to the second)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
