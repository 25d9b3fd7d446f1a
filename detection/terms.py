"""Multilingual term matching: word-bounded for alphabetic scripts, substring for CJK.

A term is a word, a phrase (words separated by spaces match any whitespace/hyphen run) or
a prefix ending in ``*``. Matching is case-insensitive on NFKC-normalised text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def _latin_base_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(cp))[0]
        if base != chr(cp) and base.isascii() and base.isalpha():
            table[cp] = base
    return table


#: Accented Latin letters -> their base letter ("enlevés" matches "enlev*", "Japón" "japon").
_LATIN_BASE = _latin_base_table()


def fold(text: str) -> str:
    """NFKC + casefold, typographic quotes/dashes made plain, Latin accents dropped (same length mapping not kept)."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    return text.casefold().translate(_LATIN_BASE)


def is_cjk(term: str) -> bool:
    """Whether ``term`` contains CJK / kana / hangul characters (matched as a substring)."""
    return bool(_CJK.search(term))


def term_pattern(term: str) -> str:
    """The regex source matching one term (see module docstring)."""
    t = fold(term.strip())
    prefix = t.endswith("*")
    if prefix:
        t = t[:-1]
    # a ``*`` ending an inner word is a prefix too ("call* for" matches "calls for")
    parts = [re.escape(p[:-1]) + r"\w*" if p.endswith("*") else re.escape(p)
             for p in re.split(r"[\s\-]+", t) if p]
    body = r"[\s\-]+".join(parts)
    if is_cjk(t):
        return body + (r"\w*" if prefix and not is_cjk(t[-1]) else "")
    tail = r"\w*" if prefix else r"(?!\w)"
    return r"(?<!\w)" + body + tail


def _group_pattern(word: bool, first: str, pats: list[str]) -> str:
    """One alternative for the terms starting with ``first``, led by that literal character.

    Leading with a literal lets the regex engine skip positions by a character-set scan
    instead of trying every alternative everywhere; the word-start test moves behind it
    (``(?<!\\w.)`` after the first character is ``(?<!\\w)`` before it).
    """
    lead = re.escape(first)
    if first and first != "\n" and all(p.startswith(lead) for p in pats):
        alt = "|".join(p[len(lead):] for p in pats)
        return f"{lead}(?<!\\w.)(?:{alt})" if word else f"{lead}(?:{alt})"
    alt = "|".join(pats)
    return f"(?<!\\w)(?:{alt})" if word else f"(?:{alt})"


@dataclass(frozen=True)
class Hit:
    """One match of a term: character span in the folded text and the term as written."""

    start: int
    end: int
    term: str


def _key(text: str) -> str:
    return re.sub(r"[\s\-]+", " ", text.strip())


class TermSet:
    """A compiled set of terms; :meth:`find` returns every non-overlapping hit in order.

    Alternatives are grouped by first character so the regex engine dispatches on one
    character instead of trying every term at every position; the term behind a match is
    recovered from the matched text.
    """

    def __init__(self, terms: list[str] | tuple[str, ...]) -> None:
        self.terms = tuple(t for t in terms if t.strip())
        self._exact: dict[str, str] = {}
        self._prefixes: list[tuple[str, str]] = []
        self._patterns: list[tuple[re.Pattern[str], str]] = []
        #: (term, its longest literal piece, its own pattern): the per-term test behind :meth:`present`
        self._singles: list[tuple[str, str, re.Pattern[str]]] = []
        groups: dict[str, list[str]] = {}
        for t in sorted(self.terms, key=lambda t: -len(t)):
            f = fold(t.strip())
            pieces = [p.strip("*") for p in re.split(r"[\s\-]+", f) if p.strip("*")]
            self._singles.append((t, max(pieces, key=len) if pieces else "", re.compile(term_pattern(t))))
            if "*" in f.rstrip("*"):
                self._patterns.append((re.compile(term_pattern(t)), t))
            elif f.endswith("*"):
                self._prefixes.append((_key(f[:-1]), t))
            else:
                self._exact.setdefault(_key(f), t)
            pat = term_pattern(t)
            if pat.startswith("(?<!\\w)"):
                pat = pat[len("(?<!\\w)") :]
                groups.setdefault("w" + f[:1], []).append(pat)
            else:
                groups.setdefault("c" + f[:1], []).append(pat)
        self._prefixes.sort(key=lambda p: -len(p[0]))
        parts = [_group_pattern(g[0] == "w", g[1:], pats) for g, pats in groups.items()]
        self._re: re.Pattern[str] | None = re.compile("|".join(parts)) if parts else None

    def _term_of(self, matched: str) -> str:
        k = _key(matched)
        if k in self._exact:
            return self._exact[k]
        for pat, term in self._patterns:
            if pat.fullmatch(matched):
                return term
        for prefix, term in self._prefixes:
            if k.startswith(prefix):
                return term
        return self.terms[0]

    def find(self, folded: str) -> list[Hit]:
        """Hits in ``folded`` (text already passed through :func:`fold`)."""
        if self._re is None:
            return []
        return [Hit(m.start(), m.end(), self._term_of(m.group(0))) for m in self._re.finditer(folded)]

    def present(self, folded: str) -> set[str]:
        """Every term occurring in ``folded``, also those hidden inside a longer term's match.

        :meth:`find` reports non-overlapping hits, so "kim jong un" hides "kim"; the terms it did
        not report are tested one by one, but only when their longest literal piece occurs at all
        (a plain substring test), so absent terms cost next to nothing.
        """
        found = {h.term for h in self.find(folded)}
        for term, piece, pat in self._singles:
            if term not in found and piece in folded and pat.search(folded):
                found.add(term)
        return found

    def any(self, folded: str) -> bool:
        """Whether any term occurs in ``folded``."""
        return self._re is not None and self._re.search(folded) is not None


@lru_cache(maxsize=4096)
def compiled(terms: tuple[str, ...]) -> TermSet:
    """A cached :class:`TermSet` for a tuple of terms."""
    return TermSet(terms)
