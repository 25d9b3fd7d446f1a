"""Event similarity on literal features: same event across languages, look-alikes kept apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from detection.events import EventFeatures, extract, index_keys, lookup_keys, similarity
from detection.watch import load_default_watch

W = load_default_watch()
D = datetime(2025, 11, 3, 6, tzinfo=UTC)


def feats(title: str, text: str, kind: str, day: int = 3, month: int = 11, year: int = 2025):  # type: ignore[no-untyped-def]
    return extract(W, title, text, kind, datetime(year, month, day, 6, tzinfo=UTC))


def test_same_event_other_language_joins() -> None:
    en = feats("Takaichi seeks summit with Kim Jong Un over abductions",
               "Sanae Takaichi said on Monday she wants to meet Kim Jong Un to resolve the abduction issue.", "japan_overture")
    ja = feats("高市首相、金正恩氏との首脳会談を北朝鮮に伝達",
               "高市早苗首相は3日、拉致問題の解決に向けて金正恩総書記との首脳会談を行いたい意向を伝えた。", "japan_overture")
    score, detail = similarity(W, en, ja)
    assert score >= W.join_threshold, detail


def test_different_family_member_deaths_stay_apart() -> None:
    a = feats("Shigeru Yokota, father of abductee Megumi, dies at 87", "He died on Friday.", "families_position", 5, 6, 2020)
    b = feats("Akihiro Arimoto, father of abductee Keiko, dies at 96", "He died on Saturday.", "families_position", 6, 6, 2020)
    assert similarity(W, a, b)[0] == 0.0


def test_different_summit_years_stay_apart() -> None:
    a = feats("Looking back at the 2002 Pyongyang summit", "Koizumi met Kim Jong Il in 2002.", "background")
    b = feats("Looking back at the 2004 Pyongyang summit", "Koizumi met Kim Jong Il in 2004.", "background", 4)
    assert similarity(W, a, b)[0] == 0.0


def test_reply_does_not_join_the_overture_and_window_applies() -> None:
    ov = feats("Takaichi seeks summit with Kim Jong Un", "Sanae Takaichi wants a summit on abductions.", "japan_overture")
    rep = feats("North Korea rejects Takaichi's summit offer", "Pyongyang rejected the summit proposal.", "pyongyang_response", 5)
    assert similarity(W, rep, ov)[0] == 0.0  # the reply (article) does not join the overture (development)
    later = feats("Takaichi seeks summit with Kim Jong Un", "Sanae Takaichi wants a summit on abductions.", "japan_overture", 20)
    assert similarity(W, ov, later)[0] == 0.0


def test_lookup_keys_cover_index_keys_within_window() -> None:
    a = feats("Takaichi seeks summit with Kim Jong Un", "Sanae Takaichi wants a summit.", "japan_overture")
    b = feats("Takaichi seeks summit with Kim Jong Un", "Sanae Takaichi wants a summit.", "japan_overture", 5)
    assert index_keys(a) & lookup_keys(b, W.group_window_days)
    assert all(len(k) <= 120 for k in lookup_keys(b, W.group_window_days))


def test_a_firm_act_days_after_a_critical_event_in_another_language_stays_apart() -> None:
    handover = feats("北朝鮮 特定失踪者とされる男性の遺骨を日本側に引き渡し",
                     "北朝鮮は3日、日本人男性の遺骨を日本側に引き渡した。", "repatriation")
    same_day = feats("North Korea hands Japan remains of missing man", "North Korea handed over remains on Monday.",
                     "repatriation")
    families = feats("Families say remains are 'not an answer', demand DNA test",
                     "Families of Japanese abducted by North Korea said on Wednesday the remains were not an answer.",
                     "families_position", 5)
    assert similarity(W, same_day, handover)[0] >= W.join_threshold
    assert similarity(W, families, handover)[0] == 0.0


def test_the_models_hint_counts_as_the_developments_kind_and_nothing_else() -> None:
    ret = feats("Japanese man held in North Korea for 47 years flies home",
                "A Japanese man who disappeared from a fishing port in 1979 returned to Japan on Tuesday after 47 "
                "years in North Korea, landing at Haneda airport.", "repatriation")
    town = feats("In Sakata, a harbour town that kept a chair empty celebrates",
                 "Neighbours hung banners along the fish market on Wednesday for the man North Korea held for "
                 "decades. The town on Japan's coast kept a chair empty at every festival.", "background", 4)
    plain, _ = similarity(W, town, ret)
    assert plain < W.join_threshold
    hinted, detail = similarity(W, replace(town, hint="repatriation"), ret)
    assert hinted >= W.join_threshold and detail["hint"] == "repatriation"
    assert similarity(W, replace(town, hint="talks_or_contact"), ret)[0] == plain
    assert EventFeatures.from_json(replace(town, hint="repatriation").to_json()).hint == "repatriation"
