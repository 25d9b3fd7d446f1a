"""Sentence splitting and the article lead (title + first real sentences), for any script."""

from __future__ import annotations

import re
from functools import lru_cache

from detection.terms import is_cjk

_ABBREV = {
    "mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "prof", "gov", "lt", "col", "sgt", "jr", "sr",
    "no", "vs", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "u.s", "u.n", "u.k", "e.g", "i.e", "approx", "est", "fig",
}
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-ZÀ-ÖØ-ÞА-ЯЁ0-9¿¡])|(?<=[。！？])\s*")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?][\"'”’)\]]*\s*$")
_CRUMBS = re.compile(r"(\s[/>»|]\s.*){2,}|\s\|\s.*\d{4}")
_BYLINE = re.compile(r"^(by\s|updated?\b|published\b|\d{1,2}[./]\d{1,2}[./]\d{2,4}|photo:|image:|file photo)", re.I)


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` in order: paragraphs first, then terminal punctuation (abbreviation-aware)."""
    return list(_split_sentences(text))


@lru_cache(maxsize=32)  # relevance, kinds and events each split the same article
def _split_sentences(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for para in re.split(r"\n+", text):
        para = para.strip()
        if not para:
            continue
        start = 0
        for m in _BOUNDARY.finditer(para):
            chunk = para[start : m.start()]
            wb = _WORD_BEFORE.search(para[: m.start()])
            if wb and not is_cjk(para[m.start() - 1 : m.start()]):
                word = wb.group(1).casefold().rstrip(".")
                if word in _ABBREV or (len(word) == 1 and word.isalpha()):
                    continue
            if chunk.strip():
                out.append(chunk.strip())
            start = m.end()
        tail = para[start:].strip()
        if tail:
            out.append(tail)
    return tuple(out)


def _is_content(sentence: str, title: str) -> bool:
    s = sentence.strip()
    if not s or s.casefold() == title.strip().casefold():
        return False
    if _BYLINE.match(s) or _CRUMBS.search(s):
        return False
    if is_cjk(s):
        return len(s) >= 12
    words = s.split()
    if len(words) < 6 and not s.endswith((".", "!", "?", '"', "”")):
        return False
    return len(words) >= 4


def content_sentences(title: str, text: str) -> list[str]:
    """Body sentences that carry content (navigation, bylines, repeated titles dropped)."""
    return [s for s in _split_sentences(text) if _is_content(s, title)]


def lead_sentences(title: str, text: str, n: int = 3) -> list[str]:
    """The lead: the title (when present) followed by the first ``n`` content sentences."""
    title = clean_title(title)
    lead = [title] if title else []
    return lead + content_sentences(title, text)[:n]


def clean_title(title: str) -> str:
    """The headline without breadcrumb trails (``Home / World / Headline`` -> ``Headline``)."""
    parts = re.split(r"\s[/>»]\s", title.strip())
    return parts[-1].strip() if len(parts) >= 3 else title.strip()
