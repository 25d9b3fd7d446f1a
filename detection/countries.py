"""Every country as a watch actor, named from CLDR (via babel) in the watch's languages.

A watch lists the governments it knows by hand (with capitals, adjectives and spelling
variants). Any other government may still carry a message or offer a venue tomorrow, so a watch
can ask for *every other* country as an actor on one side (``countries:`` in the watch). Names
come from the Unicode CLDR territory tables, filtered for what would match ordinary words: short
Latin names, katakana shorter than three characters, and the watch's own ``exclude`` list (which
holds the two-syllable Korean and Chinese names that are also common words). A name some listed entity already owns stays
that entity's.
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale

#: Regions, groupings and dependencies that are no government of their own.
_NOT_STATES = frozenset([
    "AC", "AQ", "AS", "AW", "AX", "BL", "BM", "BQ", "BV", "CC", "CK", "CP", "CQ", "CW", "CX", "DG", "EA", "EH", "EU", "EZ",
    "FK", "FO", "GF", "GG", "GI", "GL", "GP", "GS", "GU", "HK", "HM", "IC", "IM", "IO", "JE", "KY", "MF", "MO", "MP", "MQ",
    "MS", "NC", "NF", "NU", "PF", "PM", "PN", "PR", "PS", "QO", "RE", "SH", "SJ", "SX", "TA", "TC", "TF", "TK", "UM", "UN",
    "VG", "VI", "WF", "XA", "XB", "XK", "YT", "ZZ",
])
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_KANA = re.compile(r"^[\u30a0-\u30ff]+$")


def _variants(name: str) -> list[str]:
    """``Myanmar (Burma)`` -> ``Myanmar``, ``Burma``; names with ``&`` or a dash list are dropped."""
    if "&" in name or " - " in name or "SAR" in name:
        return []
    m = re.fullmatch(r"(.+?)\s*[(（](.+)[)）]", name)
    parts = [m.group(1), m.group(2)] if m else [name]
    return [p.strip() for p in parts if p.strip()]


def _usable(name: str) -> bool:
    """Whether ``name`` is specific enough to mean the country wherever it appears."""
    if _KANA.match(name):
        return len(name) >= 3
    if any(ord(ch) > 0x2E80 for ch in name):  # Chinese characters and Hangul: two suffice
        return len(name) >= 2
    return len(name) >= 4


def _declined(name: str) -> str:
    """A Russian country name as a prefix pattern, so its case endings match (Казахстан*, Норвеги*)."""
    stem = name[:-1] if name[-1] in "аяьйиыоеу" else name
    return name if " " in name or len(stem) < 5 else stem + "*"


@lru_cache(maxsize=8)
def country_names(languages: tuple[str, ...], exclude: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """ISO code -> the country's usable names in ``languages`` (CLDR), minus ``exclude`` (case-blind)."""
    blocked = {e.casefold() for e in exclude}
    out: dict[str, list[str]] = {}
    for lang in languages:
        for code, raw in Locale.parse(lang).territories.items():
            if len(code) != 2 or not code.isalpha() or code in _NOT_STATES:
                continue
            for name in _variants(raw):
                if name.casefold() in blocked or not _usable(name):
                    continue
                alias = _declined(name) if _CYRILLIC.search(name) else name
                names = out.setdefault(code, [])
                if alias not in names:
                    names.append(alias)
    return {code: tuple(names) for code, names in out.items()}
