"""Text normalisation and shingling shared by the exact and near-duplicate fingerprints."""

from __future__ import annotations

import re
import unicodedata

#: Kana, CJK ideographs and hangul, as a character-class body: each such character is one token.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
# A CJK / kana / hangul character is one token; runs of other letters/digits are words.
_TOKEN = re.compile(rf"[{CJK}]|[^\W_]+", re.UNICODE)


def normalize_text(text: str) -> str:
    """NFKC, case-folded, punctuation-free, single-spaced text (stable across typography)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_TOKEN.findall(text))


def tokens(text: str) -> list[str]:
    """Normalised tokens: words, or single characters for CJK scripts."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def shingle_list(toks: list[str], k: int = 3) -> list[str]:
    """The k-token shingles of ``toks`` in order, repeats kept (all of ``toks`` when shorter than k)."""
    if len(toks) <= k:
        return [" ".join(toks)] if toks else []
    return [" ".join(t) for t in zip(*(toks[i:] for i in range(k)), strict=False)]
