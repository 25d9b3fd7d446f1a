"""Kind rules on literal leads: actors, speech acts, negation, modality, attribution, CJK."""

from __future__ import annotations

import pytest

from detection.kinds import classify, decide
from detection.scope import analyse
from detection.terms import fold
from detection.watch import load_default_watch

W = load_default_watch()


@pytest.mark.parametrize(
    ("title", "text", "kind"),
    [
        ("North Korea rejects Takaichi's summit offer", "Pyongyang dismissed the proposal on Tuesday, KCNA said.", "pyongyang_response"),
        ("北朝鮮、高市首相の首脳会談提案を拒否", "北朝鮮の朝鮮中央通信は火曜日、論評を発表した。", "pyongyang_response"),
        ("북한, 다카이치 정상회담 제안 거부", "조선중앙통신은 담화를 발표했다.", "pyongyang_response"),
        ("Takaichi renews summit call; Pyongyang has not responded", "Japan's prime minister again urged talks.", "japan_overture"),
        ("Pyongyang yet to reply to Takaichi's summit overture", "Officials in Tokyo said there was no word.", "no_change_status"),
        ("北朝鮮はまだ反応していない", "高市首相の提案に対し、北朝鮮は沈黙を続けている。", "no_change_status"),
        ("Families of abductees soften stance on North Korea", "The groups decided on Sunday to accept aid.", "families_position"),
        ("South Korea's Lee offers to mediate between Tokyo and Pyongyang on abductions", "He spoke in Nara.", "third_party_mediation"),
        ("Abductee returns to Japan after 48 years in North Korea", "She arrived at Haneda on Friday.", "repatriation"),
    ],
)
def test_kinds(title: str, text: str, kind: str) -> None:
    # the rules alone: the kind model's second opinion is tested in test_kindmodel.py
    assert decide(W, title, text, None).kind == kind


@pytest.mark.parametrize(
    "title",
    [
        "Whether North Korea will respond to Takaichi remains unclear",
        "North Korea is expected to respond to Takaichi's summit call soon",
        "Trump says Kim Jong Un wants to meet Takaichi over abductions",
        "US president claims North Korean leader is open to meeting Japan's prime minister",
        "North Korea has long insisted the abduction issue is resolved",
    ],
)
def test_not_a_pyongyang_response(title: str) -> None:
    assert classify(W, title, "Officials in Tokyo gave no details.").kind != "pyongyang_response"


def test_background_paragraphs_do_not_decide_the_kind() -> None:
    text = ("The prime minister spoke at a rally on Monday. Relatives attended.\n\nHer aides were upbeat.\n\n"
            "Pyongyang has said the abduction issue was resolved and rejected earlier offers.")
    res = classify(W, "Takaichi asks Kim Jong Un for a summit on abductions", text)
    assert res.kind == "japan_overture"
    assert res.explanation()["sentence_index"] == 0


def test_scope_flags() -> None:
    s = fold("North Korea has not responded to the offer")
    i = s.index("responded")
    assert analyse(s, 0, i, i + 9, False).negation
    s = fold("北朝鮮は回答していない")
    i = s.index("回答")
    assert analyse(s, 0, i, i + 2, False).negation
    s = fold("North Korea may respond next week")
    i = s.index("respond")
    assert analyse(s, 0, i, i + 7, False).speculative
    s = fold("North Korea rejected the offer on Tuesday")
    i = s.index("rejected")
    sc = analyse(s, 0, i, i + 8, False)
    assert not (sc.negation or sc.speculative or sc.future or sc.habitual)


@pytest.mark.parametrize(
    ("sentence", "cue", "denied"),
    [
        ("Tokyo denies report North Korea agreed to return the remains", "agreed", True),
        ("Le Japon dément qu'une réponse de Pyongyang soit arrivée", "réponse", True),
        ("北朝鮮が遺骨返還に合意したとの報道を否定", "合意", True),
        ("日本政府否认朝鲜同意移交遗骨的报道", "同意", True),
        ("북한이 유골 반환에 합의했다는 보도 부인", "합의", True),
        ("North Korea agreed to return the remains, Tokyo said", "agreed", False),
        ("North Korea denied the report and agreed to new talks", "agreed", False),
    ],
)
def test_an_act_inside_a_denied_report_is_negated(sentence: str, cue: str, denied: bool) -> None:
    s = fold(sentence)
    i = s.index(fold(cue))
    actor = next((s.index(a) for a in ("north korea", "北朝鮮", "朝鲜", "북한", "pyongyang") if a in s), None)
    assert (analyse(s, actor, i, i + len(cue), False).negation == "denied report") is denied


def test_a_denied_report_of_a_reply_is_not_a_reply() -> None:
    res = classify(W, "Tokyo denies report North Korea agreed to hand over abductee's remains",
                   "Japan's top government spokesman on Monday denied a weekly magazine's report.")
    assert res.kind != "pyongyang_response"


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        # a government the watch knows only as a possible go-between, in four languages
        ("Switzerland offers Geneva for Japan-North Korea talks on abductees", "third_party_mediation"),
        ("Schweiz bietet Japan und Nordkorea Genf als Verhandlungsort an", "third_party_mediation"),
        ("La Suisse propose Genève pour un dialogue entre Tokyo et Pyongyang", "third_party_mediation"),
        ("Vietnam's foreign minister carried Takaichi message to Pyongyang, Hanoi says", "third_party_mediation"),
    ],
)
def test_other_governments_mediate(title: str, kind: str) -> None:
    assert classify(W, title, "").kind == kind


@pytest.mark.parametrize(
    ("title", "not_kind"),
    [
        # the possessed act is the object of someone else's verb: referred to, not reported
        ("North Korea calls Takaichi's summit offer a 'cheap trick'", "japan_overture"),
        ("Japan welcomes Seoul's offer to mediate with North Korea", "third_party_mediation"),
        # a prospect named as a noun is no act
        ("Seoul reads Rodong Sinmun piece as green light for Tokyo-Pyongyang contact", "talks_or_contact"),
        # a third party reporting in a CJK headline what Kim thinks
        ("越南副外长称金正恩“不反对”与高市会面", "pyongyang_response"),
    ],
)
def test_acts_referred_to_or_reported_by_others(title: str, not_kind: str) -> None:
    assert classify(W, title, "").kind != not_kind


def test_the_possessor_as_subject_still_acts() -> None:
    assert decide(W, "Takaichi's summit offer draws silence from Pyongyang", "", None).kind == "japan_overture"
    assert decide(W, "North Korea rejects Takaichi's summit offer", "", None).kind == "pyongyang_response"
    assert decide(W, '김여정 "일본이 먼저 태도를 바꿔야"', "", None).kind == "pyongyang_response"


def test_a_headline_denying_the_act_outranks_the_body_stating_it() -> None:
    res = classify(W, "Tokyo denies report North Korea agreed to let families visit graves",
                   "Japan's government on Tuesday denied a magazine report that North Korea had agreed to let "
                   "relatives visit burial sites, saying no such agreement existed.")
    assert res.kind == "no_change_status"


def test_families_without_an_article() -> None:
    res = classify(W, "Families say remains are 'not an answer', demand DNA test", "")
    assert res.kind == "families_position" and res.hit is not None and res.hit.sentence_index == 0


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Japan to give $6 million through UNICEF for vaccines in North Korea", "sanctions_or_aid"),
        ("Disparu en 1979, un Japonais rentre de Corée du Nord", "repatriation"),
        ("KCNA: Japan must drop its hostile policy before any summit", "pyongyang_response"),
        ('북한 외무성, 일본 제재 연장 비난하면서도 "대화 문은 열려 있다"', "pyongyang_response"),
    ],
)
def test_decisions_returns_and_speakers(title: str, kind: str) -> None:
    assert decide(W, title, "", None).kind == kind


@pytest.mark.parametrize(
    "title",
    [
        "Japan considers giving aid to North Korea",  # speculation is no decision
        "Corée du Nord : l'ONU dénonce des enlèvements de Japonais",  # a place before a colon labels the topic
        'North Korean envoy: Kim "positively considering" a visit, Japan meeting not ruled out',
    ],
)
def test_not_a_decision_or_not_talks(title: str) -> None:
    res = decide(W, title, "", None)
    assert res.kind not in ("sanctions_or_aid", "talks_or_contact") and (res.kind != "pyongyang_response" or "envoy" in title)


def test_a_pronoun_far_from_the_last_actor_is_the_subject() -> None:
    res = decide(W, "Japan rejects magazine story on abductee 'grave visits'",
                 "Japan's government says a magazine report that North Korea offered to let families visit the "
                 "graves of abductees it says are dead is untrue.", None)
    assert res.kind not in ("japan_overture", "families_position")


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # a headline closing on the denial: the body tells what was denied
        ("Bericht: Nordkorea soll Gipfel mit Japan in Phnom Penh zugestimmt haben – Tokio dementiert",
         "Nordkorea hat nach Angaben zweier Diplomaten einem Gipfeltreffen mit Japan in Phnom Penh zugestimmt."),
        ("Doha summit report, Tokyo denies",
         "North Korea has agreed to hold a summit with Japan in Doha in the autumn, a Seoul daily reported."),
        # a second sentence in the headline denies; the body's act is a mediation, no act a rule negates
        ("Источник: Япония и КНДР готовят встречу в Каире. Токио опровергает",
         "Египет готов выступить посредником между Токио и Пхеньяном, сообщил дипломатический источник."),
    ],
)
def test_a_headline_closing_on_a_denial_denies_the_body(title: str, body: str) -> None:
    res = decide(W, title, body, None)
    assert res.kind == "no_change_status" and res.hit is not None and res.hit.cue == "denied report (headline)"


def test_a_subject_denying_is_no_denied_report() -> None:
    # North Korea denying something is its own statement, not a report denied by Tokyo
    assert decide(W, "North Korea denies Japan's claim on abductees, says issue closed", "", None).kind == "pyongyang_response"
    assert decide(W, "North Korea denies receiving Takaichi's letter", "", None).kind == "pyongyang_response"


@pytest.mark.parametrize(
    "title",
    ["Tokio niega una cumbre secreta pactada con Pionyang en Almaty",
     "Tokyo denies secret summit deal with Pyongyang in Almaty",
     "Токио отрицает тайную договорённость о саммите с Пхеньяном"],
)
def test_a_subject_denying_the_act_reports_no_act(title: str) -> None:
    # the headline's own verb is the denial: what follows did not happen, whoever the rules see acting
    res = decide(W, title, "", None)
    assert not W.kinds[res.kind].alert, res


@pytest.mark.parametrize(
    "title",
    ["КНДР не исключила контакты с Японией при посредничестве Катара",
     "North Korea did not rule out contacts with Japan in Doha"],
)
def test_not_ruling_out_is_no_negation(title: str) -> None:
    # litotes: "did not rule out contacts" keeps contacts possible; it is no report that nothing happened
    res = decide(W, title, "", None)
    assert res.kind != "no_change_status"
    assert any(str(r.get("blocked", "")).startswith("speculative") for r in res.rejected)


@pytest.mark.parametrize(
    "title",
    [
        "Депутат Госдумы: Ким Чен Ын «не против» встречи с японским премьером",
        "Selon l'envoyé Chhun Vireak, Kim Jong Un serait « prêt » à rencontrer Sanae Takaichi",
        "Russian lawmaker: Kim Jong Un ready to meet Takaichi",
    ],
)
def test_a_third_party_headline_claim_about_kim_is_no_act(title: str) -> None:
    body = "North Korea has not commented. Pyongyang's state media made no mention of Japan."
    res = classify(W, title, body)
    assert not W.kinds[res.kind].alert


def test_a_speaker_label_is_not_a_claim() -> None:
    # "KCNA:" is North Korea's own voice; "Analysis:" is a label, not a speaker
    assert classify(W, "KCNA: Kim Jong Un ready to meet Takaichi if Japan drops preconditions", "").kind == "pyongyang_response"


def test_years_since_is_no_explainer_in_japanese() -> None:
    # 49年ぶりの帰国: a return after 49 years is news, not a look-back piece
    res = decide(W, "畠山芳郎さんの遺骨 羽田に到着 北朝鮮から49年ぶりの帰国",
                 "北朝鮮から引き渡された畠山さんの遺骨が18日午後、羽田空港に到着しました。\n\n"
                 "畠山さんは1978年に酒田市で行方が分からなくなり、拉致の可能性が指摘されていました。", None)
    assert res.kind == "repatriation"
    assert not any(r.get("blocked") == "explainer headline" for r in res.rejected)


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Kazakhstan offers to host Japan-North Korea talks in Astana", "country_kz"),
        ("カザフスタンが日朝協議の開催地を提供", "country_kz"),
        ("Президент Казахстана передал послание Такаити", "country_kz"),
        ("Norway's foreign minister carried Takaichi's letter", "country_no"),
    ],
)
def test_every_other_country_is_a_third_country(text: str, entity: str) -> None:
    from detection.entities import entity_index
    found = {m.entity: m.side for m in entity_index(W.entities).mentions(fold(text))}
    assert found.get(entity) == "third_country"


@pytest.mark.parametrize(
    "text",
    ["인도적 지원을 결정했다", "自由で開かれたインド太平洋", "Chad Smith met Jordan in Georgia", "경제 제재 수단"],
)
def test_country_names_that_are_ordinary_words_are_left_out(text: str) -> None:
    from detection.entities import entity_index
    assert not [m for m in entity_index(W.entities).mentions(fold(text)) if m.entity.startswith("country_")]


def test_a_listed_country_keeps_its_own_entity() -> None:
    assert "country_vn" not in W.entities and "country_cn" not in W.entities and "vietnam" in W.entities


def test_a_third_country_mediator_nobody_listed() -> None:
    res = decide(W, "Kazakhstan offers to host Japan-North Korea talks, relays Takaichi's message", "", None)
    assert res.kind == "third_party_mediation"


@pytest.mark.parametrize(
    "title",
    ["Ким Чен Ын и Такаити могут встретиться в Каире весной",
     "Kim und Takaichi könnten sich im Frühjahr in Kairo treffen",
     "Kim y Takaichi podrían reunirse en El Cairo en primavera",
     "Kim et Takaichi pourraient se rencontrer au Caire au printemps"],
)
def test_a_plural_modal_is_a_prospect_not_talks(title: str) -> None:
    assert decide(W, title, "", None).kind != "talks_or_contact"


@pytest.mark.parametrize(
    ("title", "body"),
    [("조선민주주의인민공화국 외무성 대변인 조선중앙통신사 기자의 질문에 대답",
      "(평양 3월 2일발 조선중앙통신) 외무성 대변인은 일본수상의 회담제안과 관련하여 기자가 제기한 질문에 "
      "다음과 같이 대답하였다."),
     ("Foreign ministry statement",
      "The Democratic People's Republic of Korea rejected the Japanese prime minister's summit proposal on Monday, "
      "its foreign ministry said.")],
)
def test_state_media_name_their_state_in_full(title: str, body: str) -> None:
    assert decide(W, title, body, None).kind == "pyongyang_response"


def test_a_traveller_back_from_pyongyang_is_no_returned_abductee() -> None:
    back = decide(W, "Un émissaire, de retour de Pyongyang, parle d'un sommet",
                  "De retour de Pyongyang, l'émissaire a assuré que la Japonaise enlevée en 1978 était en vie.", None)
    assert back.kind != "repatriation"
    home = decide(W, "Enlevée en 1978, une Japonaise est de retour au Japon",
                  "La Japonaise enlevée par la Corée du Nord en 1978 est de retour au Japon depuis mardi.", None)
    assert home.kind == "repatriation"


@pytest.mark.parametrize("title", ["北朝鮮からの回答「現時点でない」　官房長官", "北朝鮮からの回答「ない」 官房長官"])
def test_a_quote_saying_there_is_none_negates_the_noun_before_it(title: str) -> None:
    assert decide(W, title, "", None).kind == "no_change_status"


def test_a_quote_with_a_negated_verb_is_still_the_statement() -> None:
    assert decide(W, "北朝鮮が談話「対話を拒否しない」 日本の提案に", "", None).kind == "pyongyang_response"
