"""parsers.lang: script heuristics for CJK, classifier for the rest, markup as hint."""

from __future__ import annotations

import pytest

from parsers.lang import detect_language, normalize_lang


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("高市首相は北朝鮮との首脳会談を目指すと述べた。", "ja"),
        ("拉致被害者家族会が新方針", "ja"),
        ("이재명 대통령은 다카이치 총리와 정상회담을 가졌다.", "ko"),
        ("日本首相高市早苗表示希望与朝鲜领导人会晤。", "zh"),
        ("Премьер-министр Японии заявила о готовности встретиться с лидером КНДР.", "ru"),
        ("أعلنت رئيسة وزراء اليابان أن حكومتها أبلغت كوريا الشمالية برغبتها في عقد قمة.", "ar"),
        ("La primera ministra japonesa afirmó que su Gobierno comunicó a Corea del Norte su deseo de celebrar una cumbre.", "es"),
        ("Japonya Başbakanı, Kuzey Kore lideri ile bir zirve düzenlemek istediklerini açıkladı.", "tr"),
        ("Die japanische Premierministerin will den nordkoreanischen Machthaber treffen.", "de"),
        ("Le président sud-coréen a proposé de jouer les intermédiaires avec la Corée du Nord.", "fr"),
        ("Japan's prime minister said she had told North Korea she wanted a summit with its leader.", "en"),
    ],
)
def test_detects_text_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_hint_used_for_short_text() -> None:
    assert detect_language("Tokyo", hint="de-DE") == "de"
    assert detect_language("", hint="ja_JP") == "ja"


def test_text_wins_over_wrong_markup() -> None:
    assert detect_language("日本の首相は北朝鮮との首脳会談に意欲を示した。", hint="en") == "ja"
    long_es = "Las familias de los secuestrados anunciaron que no se opondrán a la ayuda humanitaria si todas las víctimas regresan."
    assert detect_language(long_es, hint="en") == "es"


def test_normalize_lang() -> None:
    assert normalize_lang("en-US") == "en"
    assert normalize_lang("ja_JP") == "ja"
    assert normalize_lang("zh-Hant-TW") == "zh"
    assert normalize_lang("jpn") == "ja"
    assert normalize_lang("x") is None
    assert normalize_lang(None) is None
