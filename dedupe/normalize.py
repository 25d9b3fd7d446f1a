"""Text normalisation and shingling shared by the exact and near-duplicate fingerprints."""

from __future__ import annotations

import re
import unicodedata

# A CJK / kana / hangul character is one token; runs of other letters/digits are words.
_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\W_]+",
    re.UNICODE,
)


def normalize_text(text: str) -> str:
    """NFKC, case-folded, punctuation-free, single-spaced text (stable across typography)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_TOKEN.findall(text))


def tokens(text: str) -> list[str]:
    """Normalised tokens: words, or single characters for CJK scripts."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str, k: int = 3) -> set[str]:
    """The set of k-token shingles of ``text`` (the whole text when shorter than k tokens)."""
    toks = tokens(text)
    if len(toks) <= k:
        return {" ".join(toks)} if toks else set()
    return {" ".join(toks[i : i + k]) for i in range(len(toks) - k + 1)}
