"""Language identification: script heuristics first (CJK, Hangul, Kana), py3langid for the rest.

Markup hints (``<html lang>``, ``og:locale``, ``content-language``) are normalised to
ISO 639-1 and used when the text is too short or ambiguous; the text wins when it
clearly disagrees (another script, or a confident classifier).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_GREEK = re.compile(r"[\u0370-\u03ff]")
_HEBREW = re.compile(r"[\u0590-\u05ff]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")

_SCRIPT_OF_LANG = {
    "ja": "cjk", "zh": "cjk", "ko": "cjk", "ru": "cyrillic", "uk": "cyrillic", "bg": "cyrillic",
    "sr": "cyrillic", "mk": "cyrillic", "be": "cyrillic", "kk": "cyrillic", "ar": "arabic",
    "fa": "arabic", "ur": "arabic", "ps": "arabic", "el": "greek", "he": "hebrew", "th": "thai",
    "hi": "devanagari", "mr": "devanagari", "ne": "devanagari",
}
_ISO3 = {"jpn": "ja", "kor": "ko", "zho": "zh", "chi": "zh", "eng": "en", "rus": "ru", "ara": "ar",
         "spa": "es", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "tur": "tr"}


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def normalize_lang(tag: str | None) -> str | None:
    """Return the ISO 639-1 code of a BCP-47-ish tag (``en-US``, ``ja_JP``, ``zh-Hant``) or None."""
    if not tag:
        return None
    head = re.split(r"[-_\s,;]", tag.strip().lower(), maxsplit=1)[0]
    head = _ISO3.get(head, head)
    if re.fullmatch(r"[a-z]{2}", head):
        return head
    return None


_NOT_ASCII_LETTER = bytes(c for c in range(128) if not chr(c).isalpha())
_ASCII_RUN = re.compile(r"[\x00-\x7f]+")


def _script_counts(text: str) -> dict[str, int]:
    # ASCII letters are counted at C speed; the script patterns only scan the other characters
    ascii_part = text.encode("ascii", "ignore")
    ascii_letters = len(ascii_part.translate(None, _NOT_ASCII_LETTER))
    text = "" if len(ascii_part) == len(text) else _ASCII_RUN.sub("", text)
    return {
        "kana": len(_KANA.findall(text)),
        "hangul": len(_HANGUL.findall(text)),
        "han": len(_HAN.findall(text)),
        "cyrillic": len(_CYRILLIC.findall(text)),
        "arabic": len(_ARABIC.findall(text)),
        "latin": ascii_letters + len(_LATIN.findall(text)),
        "greek": len(_GREEK.findall(text)),
        "hebrew": len(_HEBREW.findall(text)),
        "thai": len(_THAI.findall(text)),
        "devanagari": len(_DEVANAGARI.findall(text)),
    }


def _dominant_script(counts: dict[str, int]) -> tuple[str | None, int]:
    cjk = counts["kana"] + counts["hangul"] + counts["han"]
    grouped = {
        "cjk": cjk, "cyrillic": counts["cyrillic"], "arabic": counts["arabic"], "latin": counts["latin"],
        "greek": counts["greek"], "hebrew": counts["hebrew"], "thai": counts["thai"],
        "devanagari": counts["devanagari"],
    }
    # CJK characters carry ~3 Latin letters of information each.
    weighted = {k: (v * 3 if k == "cjk" else v) for k, v in grouped.items()}
    best = max(weighted, key=lambda k: weighted[k])
    return (best, grouped[best]) if weighted[best] else (None, 0)


def _cjk_language(counts: dict[str, int]) -> str:
    if counts["hangul"] >= max(3, 0.2 * (counts["han"] + counts["kana"])):
        return "ko"
    if counts["kana"] >= max(1, 0.02 * counts["han"]):
        return "ja"
    return "zh"


def detect_language(text: str, hint: str | None = None) -> str | None:
    """Return the ISO 639-1 language of ``text``; ``hint`` (markup language) breaks ties and short texts."""
    hint_code = normalize_lang(hint)
    sample = unicodedata.normalize("NFC", text or "")[:20000]
    counts = _script_counts(sample)
    script, n = _dominant_script(counts)
    if script is None:
        return hint_code
    if script == "cjk":
        guess = _cjk_language(counts)
        if n < 4 and hint_code and _SCRIPT_OF_LANG.get(hint_code) == "cjk":
            return hint_code
        return guess
    if n < 12:
        # too little text to judge: trust markup unless its script is plainly wrong
        if hint_code and _SCRIPT_OF_LANG.get(hint_code, "latin") == script:
            return hint_code
        if n < 3:
            return hint_code
    lang, prob = _identifier().classify(sample)
    lang = str(lang)
    if _SCRIPT_OF_LANG.get(lang, "latin") != script:
        # classifier picked a language of another script: fall back to script defaults
        lang = {"cyrillic": "ru", "arabic": "ar", "greek": "el", "hebrew": "he", "thai": "th",
                "devanagari": "hi"}.get(script, hint_code or lang)
        prob = 0.5
    if hint_code is None or hint_code == lang:
        return lang
    if _SCRIPT_OF_LANG.get(hint_code, "latin") != script:
        return lang  # markup says another script: the text wins
    if (prob >= 0.75 and n >= 60) or (prob >= 0.95 and n >= 25):
        return lang  # confident classifier on enough text wins over markup
    return hint_code
