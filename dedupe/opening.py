"""Where an article's own text begins: its paragraphs from the first substantial one.

Syndicated copies often open with a line the original does not have -- an editor's note
("this report has been shortened"), a correction or update notice, a byline or a bare
dateline. Such a paragraph is skipped when it is short and either starts with a known note
prefix (a few languages), is wholly parenthesised / bracketed, is a byline, or is only a few
tokens long.
"""

from __future__ import annotations

import re

from dedupe.normalize import CJK, normalize_text, tokens

# a leading paragraph at most this long may be a note; a real lead is rarely this short
NOTE_MAX_TOKENS = 40
# a leading paragraph shorter than this is a byline / dateline / kicker, never the lead
MIN_LEAD_TOKENS = 8
# "By <names>, <outlet>": a byline is short; a lead may start with "By 2030, ..."
BYLINE_MAX_TOKENS = 12
_BYLINE_PREFIXES = ("by", "von", "par", "por", "di", "door")

# unambiguous note openers: a paragraph of at most NOTE_MAX_TOKENS starting with one is a note
_NOTE_PREFIXES = (
    "editor's note", "editors' note", "editor note", "editors note", "note to editors", "note to readers",
    "this story has", "this story was", "this article has", "this article was", "this report has",
    "this report was", "this version of", "listen to this article", "advertisement",
    "anmerkung der redaktion", "hinweis der redaktion", "note de la rédaction", "ndlr", "nota del editor",
    "nota de la redacción", "fe de erratas", "nota do editor", "nota da redação", "nota della redazione",
    "примечание редакции", "от редакции",
    "編集部注", "編集注", "编者按", "編者按", "编者注", "편집자 주", "편집자주",
)
# ordinary words that also open notices ("Correction: ...", "Updated 14:05 GMT"): a note only when
# followed by a colon or in a short paragraph, since a real lead may start "Updates to the ..."
_NOTICE_WORDS = (
    "correction", "corrected", "corrects", "clarification", "update", "updated", "updates", "adds",
    "refiles", "repeats", "recasts", "published", "posted", "last updated", "file photo", "photo",
    "korrektur", "aktualisiert", "aktualisierung", "mise à jour", "rectificatif", "actualización",
    "actualizado", "corrección", "atualização", "atualizado", "correção", "aggiornamento", "correzione",
    "обновлено", "исправлено", "訂正", "更新", "更正", "정정", "업데이트",
)
NOTICE_MAX_TOKENS = 15
_PREFIXES = tuple(sorted({normalize_text(p) for p in _NOTE_PREFIXES}, key=len, reverse=True))
_NOTICES = tuple(sorted({normalize_text(p) for p in _NOTICE_WORDS}, key=len, reverse=True))
_COLON_SOON = re.compile(r"^[^\n]{0,30}[:：]")
# a paragraph's length in words, each CJK / kana / hangul character counting as one
# (``tokens`` glues a CJK run to a leading digit run: "1980年..." would be one token)
_WORD = re.compile(rf"[{CJK}]|[^\W_{CJK}]+")
_BLANK_LINE = re.compile(r"\n\s*\n")
_WRAPPED = re.compile(r"^\s*[(\[（【].*[)\]）】]\s*$", re.DOTALL)


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs (split on blank lines, else on line breaks), stripped, empty ones dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = _BLANK_LINE.split(text)
    if len(parts) == 1:
        parts = text.split("\n")
    return [p.strip() for p in parts if p.strip()]


def is_note(paragraph: str) -> bool:
    """True when ``paragraph`` reads as an editor's note / notice / byline rather than article text."""
    size = len(_WORD.findall(paragraph))
    if size < MIN_LEAD_TOKENS:
        return True
    if size > NOTE_MAX_TOKENS:
        return False
    toks = tokens(paragraph)
    if _WRAPPED.match(paragraph):
        return True
    if size <= BYLINE_MAX_TOKENS and toks[0] in _BYLINE_PREFIXES:
        return True
    norm = " ".join(toks)
    if _starts_with(norm, _PREFIXES):
        return True
    return _starts_with(norm, _NOTICES) and (size <= NOTICE_MAX_TOKENS or bool(_COLON_SOON.match(paragraph)))


def _starts_with(norm: str, prefixes: tuple[str, ...]) -> bool:
    return any(norm == p or norm.startswith(p + " ") for p in prefixes)


def first_own(paras: list[str]) -> int:
    """The index of the first paragraph that is not a note (0 when every one is)."""
    for i, p in enumerate(paras):
        if not is_note(p):
            return i
    return 0
