"""The finer rules of kind classification and event grouping, one literal case each.

Who the subject is (prepositions, datelines, coordinated predicates, joint subjects, nominal
predicates), where a predicate's scope stops (clause boundaries), how reaction pieces join the
event they react to, wildcard terms inside phrases, and the stale-escalation guard.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from detection.engine import Decision
from detection.events import answers, extract, similarity
from detection.kinds import classify, decide
from detection.scope import analyse
from detection.terms import compiled, fold
from detection.watch import load_default_watch
from storage.db import make_engine, upgrade
from tests.detect_world import store_text

W = load_default_watch()
QUIET = "Officials gave no further details."


def _hit(title: str, text: str = QUIET) -> tuple[str, str | None]:
    res = decide(W, title, text, None)  # the rules alone (the kind model's part: test_kindmodel.py)
    return res.kind, res.hit.actor if res.hit else None


def test_prepositional_and_dateline_places_are_not_subjects() -> None:
    # "... by North Korea in Tokyo on Tuesday and pledged": the subject is Trump, not Tokyo/North Korea
    kind, actor = _hit("US leader meets relatives of abductees",
                       "TOKYO (Wire) — US President Donald Trump met families of Japanese abducted by North Korea "
                       "in Tokyo on Tuesday and pledged to support Japan in bringing them home.")
    assert (kind, actor) == ("third_party_mediation", "trump")


def test_headline_comma_coordination_keeps_the_first_subject() -> None:
    kind, actor = _hit("Trump meets families of abductees in Tokyo, pledges US support")
    assert (kind, actor) == ("third_party_mediation", "trump")


def test_body_appositive_comma_is_not_a_coordinated_predicate() -> None:
    kind, _ = _hit("Statement from Pyongyang",
                   "SEOUL (Wire) — Kim Yo Jong, the sister of North Korean leader Kim Jong Un, said on Thursday that "
                   "Tokyo must stop raising the abduction issue.")
    assert kind == "pyongyang_response"


def test_families_of_those_abducted_by_north_korea_are_the_subject() -> None:
    kind, actor = _hit("Families of those abducted by North Korea said on Sunday they would soften their stance")
    assert kind == "families_position" and actor == "families"


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Japan and North Korea agreed to hold talks in Mongolia", QUIET),
        ("日朝首脳会談、来月開催へ", "日本と北朝鮮の両政府は20日、首脳会談を来月平壌で開催することで合意したと発表した。"),
    ],
)
def test_a_joint_act_of_both_sides_is_talks_not_a_pyongyang_response(title: str, text: str) -> None:
    res = classify(W, title, text)
    assert res.kind == "talks_or_contact"
    assert any(r["blocked"].startswith("joint subject") for r in res.rejected) or is_cjk_only(title)


def is_cjk_only(title: str) -> bool:
    return not any(c.isascii() and c.isalpha() for c in title)


def test_a_nominal_predicate_names_its_parties_after_it() -> None:
    kind, actor = _hit("Shenyang talks between Japan and North Korea end without breakthrough",
                       "Talks between Japan and North Korea in Shenyang ended on Tuesday.")
    assert kind == "talks_or_contact" and actor in ("japan", "north_korea")


def test_scope_stops_at_a_clause_boundary_before_the_subject() -> None:
    s = fold("Relatives said they were cautiously hopeful after Japan and North Korea reached agreement")
    actor, cue = s.index("japan"), s.index("agreement")
    sc = analyse(s, actor, cue, cue + len("agreement"), False)
    assert not (sc.desire or sc.speculative or sc.negation)
    s = fold("Although Tokyo did not ask for it, North Korea responded on Tuesday")
    actor, cue = s.index("north korea"), s.index("responded")
    assert not analyse(s, actor, cue, cue + len("responded"), False).negation
    # inside the clause, negation still governs
    s = fold("Tokyo said on Tuesday that North Korea has not responded")
    actor, cue = s.index("north korea"), s.index("responded")
    assert analyse(s, actor, cue, cue + len("responded"), False).negation


def test_not_reacted_is_no_change() -> None:
    assert classify(W, "No word from Pyongyang", "So far Pyongyang has not reacted to the summit proposal.").kind \
        == "no_change_status"


def test_mid_word_wildcard_in_a_phrase() -> None:
    terms = compiled(("call* for", "pledg* to support"))
    assert terms.any(fold("The families calls for talks"))
    assert terms.any(fold("He pledged to support Japan"))
    assert not terms.any(fold("He called the offer cynical"))


def _feats(title: str, text: str, day: int):  # type: ignore[no-untyped-def]
    res = decide(W, title, text, None)  # the rules alone
    return extract(W, title, text, res.kind, datetime(2014, 5, day, 6, tzinfo=UTC), res.others,
                   strength=res.strength)


def test_a_reaction_piece_joins_the_event_it_reacts_to() -> None:
    talks = _feats("Japan and North Korea agree in Stockholm on abduction probe",
                   "Japan and North Korea agreed in Stockholm on Thursday that Pyongyang would reinvestigate the "
                   "abductions, officials said.", 29)
    assert talks.kind == "talks_or_contact"
    reaction = _feats("Families cautiously hopeful after Stockholm agreement",
                      "Relatives of the abductees said on Friday they were cautiously hopeful after Japan and North "
                      "Korea reached agreement in Stockholm.", 30)
    assert reaction.kind == "families_position" and "talks_or_contact" in reaction.also
    score, detail = similarity(W, reaction, talks)
    assert score >= W.join_threshold and detail.get("reaction_to") == "talks_or_contact"


def test_a_reaction_piece_joins_a_decisive_event_but_a_new_act_after_it_does_not() -> None:
    reply = _feats("North Korea rejects Japan's summit offer",
                   "North Korea's foreign ministry said in a statement on Monday it rejected Japan's summit offer "
                   "over the abductions.", 29)
    assert reply.kind == "pyongyang_response"
    reaction = _feats("Families dismayed a day after Pyongyang's rejection",
                      "Families of the abductees said on Tuesday they were dismayed that North Korea turned down "
                      "the summit.", 30)
    assert reaction.reaction
    assert similarity(W, reaction, reply)[0] >= W.join_threshold
    act = _feats("Families of abductees adopt new campaign policy",
                 "The families' association decided on Tuesday to press for the return of all victims within a year.",
                 30)
    assert not act.reaction
    assert similarity(W, act, reply)[0] < W.join_threshold


def test_a_headline_act_days_after_a_decisive_event_is_its_own_even_if_the_lead_recalls_it() -> None:
    ret = _feats("Japanese woman missing for 44 years returns from North Korea",
                 "A Japanese woman who vanished in 1982 returned to Japan from North Korea on Thursday, landing "
                 "at Haneda airport.", 18)
    assert ret.kind == "repatriation"
    # three days on, the families take a new position; their lead recalls the return as its occasion
    same_day = _feats("Abductees' families welcome return, demand answers on the 12",
                      "The families of Japanese abducted by North Korea demanded answers on the 12 on Thursday, "
                      "hours after a woman missing since 1982 returned to Japan.", 18)
    position = _feats("Abductees' families say they will oppose a summit without new answers on the 12",
                      "The families of Japanese abducted by North Korea decided on Sunday to oppose a summit "
                      "unless Pyongyang gives new answers on the 12. A woman missing since 1982 returned to Japan "
                      "on Thursday.",
                      21)
    assert position.kind == same_day.kind == "families_position" and "repatriation" in position.also
    assert similarity(W, same_day, ret)[0] >= W.join_threshold  # the same day: an angle of the return
    assert similarity(W, position, ret)[0] < W.join_threshold


def test_a_stale_development_does_not_alert_on_escalation(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'stale.db'}"
    upgrade(url)
    engine = make_engine(url)
    t0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
    late = t0 + timedelta(hours=W.freshness_hours + 24)
    with Session(engine) as s, s.begin():
        first = store_text(s, "https://a.example/1", "North Korea replies to Takaichi's summit offer, sources say",
                       "North Korea has replied to Prime Minister Sanae Takaichi's summit proposal through a channel "
                       "in Mongolia, people familiar with the matter said on Sunday.", t0, t0)
        assert first.is_new and first.kind == "pyongyang_response"
        official = store_text(s, "https://b.example/2", "North Korea replies to Takaichi's summit offer in KCNA statement",
                          "North Korea's foreign ministry said in a statement carried by KCNA on Sunday that it had "
                          "replied to Prime Minister Sanae Takaichi's summit proposal.", t0 + timedelta(hours=48), late)
        assert official.development_id == first.development_id
        assert official.updated and not official.escalated
    engine.dispose()


@pytest.mark.parametrize(
    ("title", "text", "kind"),
    [
        ("North Korea dismisses Takaichi summit offer as 'pipe dream'",
         "North Korea on Tuesday dismissed Japanese Prime Minister Sanae Takaichi's proposal for a summit, saying "
         "Tokyo's fixation on the abduction issue made talks impossible.", "pyongyang_response"),
        ("Kim's sister says North Korea has no interest in talks with Japan",
         "Kim Yo Jong, the influential sister of North Korean leader Kim Jong Un, said Pyongyang has no interest in "
         "any contact with Japan, state media reported on Wednesday.", "pyongyang_response"),
        ("Japan says still no answer from North Korea on summit",
         "Japan has received no response from North Korea to its summit proposal, the chief cabinet secretary said "
         "on Monday.", "no_change_status"),
        ("North Korea silent on Japan's summit overture",
         "Pyongyang did not comment on Takaichi's remarks, and its state media made no mention of Japan on Tuesday.",
         "no_change_status"),
        ("UPDATE 2-North Korea says abduction issue 'fully resolved', rejects Japan's talks push",
         "SEOUL, Nov 5 (Reuters) - North Korea said on Wednesday the issue of Japanese citizens abducted decades ago "
         "had been fully resolved, rejecting a fresh push by Japan's new prime minister for a summit.",
         "pyongyang_response"),
        ("Analysis: Can Takaichi succeed where Abe and Kishida failed on North Korea?",
         "Japan's new leader has staked political capital on a summit with Kim Jong Un. Experts say Pyongyang is "
         "unlikely to engage unless Tokyo drops its demands on the abductions.", "background"),
        ("Japan, North Korea held secret talks in Mongolia: report",
         "Japanese and North Korean officials met secretly in Ulaanbaatar last month to discuss the abductions, a "
         "news agency reported on Thursday, citing government sources.", "talks_or_contact"),
        ("北朝鮮、高市首相の首脳会談提案に反応せず",
         "北朝鮮は高市早苗首相による首脳会談の提案に対し、これまでのところ反応していない。", "no_change_status"),
        ("金与正氏「日本との対話に関心ない」　談話発表",
         "北朝鮮の金与正朝鮮労働党副部長は25日、日本との対話には関心がないとする談話を発表した。", "pyongyang_response"),
        ("Северная Корея отвергла предложение Такаити о саммите",
         "КНДР во вторник отвергла предложение премьер-министра Японии Санаэ Такаити о проведении саммита.",
         "pyongyang_response"),
    ],
)
def test_realistic_leads(title: str, text: str, kind: str) -> None:
    assert classify(W, title, text).kind == kind


def test_a_background_development_is_upgraded_by_the_act_and_alerts_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A first write-up whose kind is not recognised (background) is joined, not vetoed, by a
    clearer write-up of the same event, which raises the development's kind and alerts as new."""
    url = f"sqlite:///{tmp_path / 'upgrade.db'}"
    upgrade(url)
    engine = make_engine(url)
    t0 = datetime(2026, 6, 2, 3, tzinfo=UTC)
    with Session(engine) as s, s.begin():
        vague = store_text(s, "https://a.example/1", "Tokyo and Pyongyang: a new chapter on the abductions?",
                       "Japanese and North Korean diplomats were in Ulaanbaatar on Tuesday, officials in Tokyo "
                       "confirmed, in a development linked to the abduction issue.", t0, t0)
        assert vague.relevant and vague.created and vague.kind == "background"  # fresh, but not alert-worthy
        clear = store_text(s, "https://b.example/2", "Japan and North Korea hold talks in Ulaanbaatar on abductions",
                       "Japanese and North Korean officials held talks in Ulaanbaatar on Tuesday about the abduction "
                       "issue, Tokyo confirmed.", t0 + timedelta(hours=2), t0 + timedelta(hours=3))
        assert clear.development_id == vague.development_id
        assert clear.upgraded and clear.is_new and clear.kind == "talks_or_contact"
        assert "upgraded" in clear.explanation
        again = store_text(s, "https://c.example/3", "Japan, North Korea officials meet in Ulaanbaatar",
                       "Officials of Japan and North Korea met in Ulaanbaatar on Tuesday to discuss the abductions.",
                       t0 + timedelta(hours=4), t0 + timedelta(hours=5))
        assert again.development_id == vague.development_id and not again.is_new and not again.upgraded
    engine.dispose()


def test_alert_events_for_upgrades() -> None:
    from alerting.outbox import classify as alert_event
    from alerting.policy import AlertPolicy

    policy = AlertPolicy()
    up_new = Decision(True, (), 1, False, True, True, False, "talks_or_contact", 2, upgraded=True)
    assert alert_event(up_new, policy, W.kinds["talks_or_contact"]) == "new"
    up_stale = Decision(True, (), 1, False, False, True, False, "talks_or_contact", 2, upgraded=True)
    assert alert_event(up_stale, policy, W.kinds["talks_or_contact"]) != "new"


# ----------------------------------------------------------------------------- grouping by event evidence

_TALKS = ("Japan and North Korea hold talks in Hanoi on abductions",
          "Japanese and North Korean officials held talks in Hanoi on Monday on the fate of the abductees, the "
          "foreign ministry in Tokyo said.")


def test_kind_strength_follows_the_sentence_that_decided_it() -> None:
    assert classify(W, *_TALKS).strength == 3  # headline
    body = classify(W, "Hanoi meeting ends", "Officials from Japan and North Korea met in Hanoi on Monday to "
                    "discuss the abductions, diplomats said.")
    assert body.kind == "talks_or_contact" and body.strength == 2  # first body sentence
    assert classify(W, "Abduction issue in the spotlight", QUIET).strength == 0  # no rule fired


def test_a_kind_found_only_in_a_later_sentence_is_an_angle_not_a_new_act() -> None:
    talks = _feats(*_TALKS, 12)
    angle = _feats("Hanoi meeting on abductees ends after two days",
                   "The two days of meetings in Hanoi between Japan and North Korea about the abductees ended on "
                   "Monday. Diplomats described the mood as businesslike. North Korea's foreign ministry rejected Tokyo's demands in a statement late on Monday.", 12)
    assert angle.kind == "pyongyang_response" and angle.strength == 1
    score, detail = similarity(W, angle, talks)
    assert "veto" not in detail and score >= W.join_threshold
    firm = _feats("North Korea rejects Japan's demands on abductees",
                  "North Korea's foreign ministry said in a statement on Friday it rejected Tokyo's demands on the "
                  "abductees.", 15)
    assert firm.strength == 3
    assert similarity(W, firm, talks)[0] < W.join_threshold  # a firmly reported new act three days later


def test_a_reply_to_an_overture_is_a_new_act_but_a_statement_at_talks_is_the_talks() -> None:
    overture = _feats("Takaichi proposes summit to Kim Jong Un over abductions",
                      "Prime Minister Sanae Takaichi proposed on Monday a summit with Kim Jong Un to settle the "
                      "abduction issue.", 12)
    assert overture.kind == "japan_overture"
    reply = _feats("North Korea rejects Takaichi summit proposal",
                   "North Korea on Monday rejected a summit that Prime Minister Sanae Takaichi proposed hours "
                   "earlier to settle the abductions, state media said.", 12)
    assert reply.kind == "pyongyang_response" and "japan_overture" in reply.also
    assert answers(W.kinds["pyongyang_response"], W.kinds["japan_overture"])
    assert similarity(W, reply, overture)[0] == 0.0
    talks = _feats(*_TALKS, 12)
    at_talks = _feats("North Korea accepts new abductee probe at Hanoi talks",
                      "North Korea accepted on Monday a new investigation into the abductees during talks with Japan "
                      "in Hanoi, officials said.", 12)
    assert at_talks.kind == "pyongyang_response" and "talks_or_contact" in at_talks.also
    assert not answers(W.kinds["pyongyang_response"], W.kinds["talks_or_contact"])
    assert similarity(W, at_talks, talks)[0] >= W.join_threshold


def test_a_firm_no_change_report_never_joins_an_act() -> None:
    offer = _feats("Mongolia offers to host Japan-North Korea talks on abductions",
                   "Mongolia offered on Monday to host talks between Japan and North Korea on the abductions.", 12)
    assert offer.kind == "third_party_mediation"
    silent = _feats("Pyongyang silent on Mongolia's offer to host talks with Japan on abductions",
                    "North Korea has made no comment on the offer, officials in Tokyo said on Wednesday.", 14)
    assert silent.kind == "no_change_status"
    assert similarity(W, silent, offer)[0] == 0.0


def test_a_weak_later_sentence_never_overrides_the_headline_kind(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'strength.db'}"
    upgrade(url)
    engine = make_engine(url)
    t0 = datetime(2026, 7, 6, 3, tzinfo=UTC)
    with Session(engine) as s, s.begin():
        first = store_text(s, "https://a.example/1", *_TALKS, t0, t0)
        assert first.created and first.kind == "talks_or_contact"
        angle = store_text(s, "https://b.example/2", "Hanoi meeting on abductees ends after two days",
                           "The two days of meetings in Hanoi between Japan and North Korea about the abductees "
                           "ended on Monday. Diplomats described the mood as businesslike. North Korea's foreign "
                           "ministry rejected Tokyo's demands in a "
                           "statement late on Monday.", t0 + timedelta(hours=2), t0 + timedelta(hours=3))
        assert angle.development_id == first.development_id
        assert angle.kind == "talks_or_contact" and not angle.upgraded and not angle.escalated
        assert not angle.is_new
    engine.dispose()


# ----------------------------------------------------------------------------- kind decisions

@pytest.mark.parametrize(
    ("title", "text", "kind"),
    [
        # "first ... since <year>" marks what the act ends, not backstory
        ("Japan ships food aid to North Korea, first such shipment since 2005", QUIET, "sanctions_or_aid"),
        # a duration up to now is a standing position ("for years", German "seit Jahren" fronted before the verb)
        ("Experten streiten über Japans Kurs",
         "Seit Jahren wirbt die japanische Regierung um Gespräche mit Nordkorea über die Entführten.", "background"),
        # a prediction is not the statement ("expects", Korean modality two words after the cue)
        ("Analysts expect Pyongyang statement on Japan soon",
         "Analysts in Seoul expect a North Korean statement on Japan's summit offer.", "background"),
        ("김여정, 조만간 일본 겨냥 담화 낼 가능성", "정보 당국은 김여정이 조만간 일본을 겨냥한 담화를 낼 가능성이 있다고 봤다.", "background"),
        # the object of a request verb is not the subject of the request
        ("Relatives of abductees press Takaichi for a summit with Kim Jong Un", QUIET, "background"),
        # kin of an abductee are the families' side
        ("Mother of abductee Yuki Tanabe dies aged 93",
         "The mother of a woman abducted by North Korea in 1978 died on Sunday, relatives said.", "families_position"),
    ],
)
def test_scope_and_subject_rules(title: str, text: str, kind: str) -> None:
    assert classify(W, title, text).kind == kind


def test_cjk_subject_skips_an_unknown_topic_and_oblique_mentions() -> None:
    # the topic (国連人権理事会は) is no actor of the watch: North Korea, the object's modifier, is not the subject
    res = classify(W, "国連で人権決議", "国連人権理事会は5日、北朝鮮の人権侵害を非難する決議を採択した。")
    assert res.kind != "pyongyang_response"
    # 北朝鮮に / 북한에 ("by North Korea") are adjuncts; the families are the subject
    ja = classify(W, "家族会が集会", "北朝鮮に拉致された被害者の家族会は10日、早期の首脳会談の実現を政府に求めた。")
    assert ja.kind == "families_position" and ja.hit is not None and ja.hit.actor == "families"
    ko = classify(W, "가족회 집회", "북한에 납치된 일본인 피해자 가족회가 10일 올해 안에 정상회담을 실현해 달라고 촉구했다.")
    assert ko.kind == "families_position"
    # 政府 in a Japanese lead is Japan's government; another state's 政府 is that state
    jp = classify(W, "独自制裁を延長", "政府は3日の閣議で、北朝鮮に対する独自制裁の2年間の延長を決定した。")
    assert jp.kind == "sanctions_or_aid" and jp.hit is not None and jp.hit.actor == "japan_gov"
    assert classify(W, "韓国政府、日朝対話を仲介", "韓国政府は3日、日本と北朝鮮の対話を仲介する考えを表明した。").kind \
        != "sanctions_or_aid"


def test_korean_look_ahead_crosses_word_spaces() -> None:
    s = fold("어머니는 딸의 귀국을 요구하는 운동을 이어왔다")
    cue = s.index("귀국")
    assert analyse(s, None, cue, cue + 2, False).desire


# ----------------------------------------------------------------------------- scope stops at constituents


def test_a_headline_predicate_keeps_its_negation_to_itself() -> None:
    # "X says A is not B, suspends C": the "not" belongs to what X says, not to the suspension
    kind, actor = _hit("Tokyo says bones are not the missing woman's, suspends food aid to North Korea")
    assert (kind, actor) == ("sanctions_or_aid", "japan_gov")
    # a negation inside the predicate's own clause still blocks it
    assert _hit("Tokyo will not suspend food aid to North Korea")[0] != "sanctions_or_aid"


def test_quoted_conditions_are_the_content_not_the_speech_act() -> None:
    # the condition quoted after the speaker, and the content clause before a quotative, are what was said
    assert _hit("北朝鮮外務省「日本が条件を受け入れれば会える」　首相の呼びかけに反応")[0] == "pyongyang_response"
    assert _hit("金与正发表谈话：若日本放弃前提条件　可以会面")[0] == "pyongyang_response"


def test_a_proposal_noun_before_a_dative_is_what_the_predicate_answers() -> None:
    # "no reaction to Takaichi's proposal": the proposal is old, the silence is the report
    assert _hit("北, 다카이치 회담 제안에 한 달째 '무반응'")[0] == "no_change_status"
    # an event noun before a dative is the aim of the predicate, not a backreference
    assert _hit("高市首相「首脳会談に臨む決意」　拉致問題で演説")[0] == "japan_overture"


def test_modifiers_of_the_subject_keep_their_modality() -> None:
    # "possibly" qualifies the son's abduction, not the mother's death
    assert _hit("Father of a teacher possibly seized by North Korea dies at 95")[0] == "families_position"


def test_a_question_or_conditional_headline_reports_no_act() -> None:
    assert _hit("Et si Pyongyang acceptait l'offre de Tokyo ?")[0] != "pyongyang_response"
    assert _hit("Was wäre, wenn Kim das Angebot aus Tokio akzeptierte?")[0] != "pyongyang_response"


def test_a_purpose_clause_is_the_aim_not_a_second_act() -> None:
    kind, _ = _hit("Japan relaxes port ban on North Korea to host a delegation for talks")
    assert kind == "sanctions_or_aid"


@pytest.mark.parametrize(("title", "kind"), [
    # relaying a message or letter between the sides is mediation, in any language
    ("Seoul says it relayed a message from Tokyo to North Korea on abductions", "third_party_mediation"),
    ("Moon Jae-in raised the abduction issue with Kim, Seoul says", "third_party_mediation"),
    ("Séoul a transmis à Pyongyang un message du Japon sur les enlèvements", "third_party_mediation"),
    # a relative of an abductee speaks for the families
    ("Abductee's brother asks Kim Jong Un to free his sister", "families_position"),
    ("Abductees' families accept phased lifting of North Korea sanctions", "families_position"),
])
def test_concepts_in_the_watch(title: str, kind: str) -> None:
    assert _hit(title)[0] == kind


# --- round 3 ---------------------------------------------------------------------------------


def test_an_act_found_only_deep_in_the_body_opens_no_alerting_development(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'weak.db'}"
    upgrade(url)
    engine = make_engine(url)
    t0 = datetime(2026, 5, 4, 9, tzinfo=UTC)
    body = ("Relatives of people taken by North Korea gathered in a Niigata hall on Sunday for a memorial. "
            "About two hundred people attended the ceremony. "
            "Later in the day Prime Minister Takaichi proposed a summit with Kim Jong Un.")
    with Session(engine) as s, s.begin():
        weak = store_text(s, "https://a.example/1", "Niigata memorial remembers the abducted", body, t0, t0)
        # the overture is only in the third body sentence: stored, explained, not an alerting development
        assert weak.created and weak.kind == "background"
        assert "weak" in weak.explanation["kind"]
    engine.dispose()


def test_a_cjk_relative_clause_refers_to_an_earlier_act() -> None:
    # "the committee Japan and North Korea agreed to set up has not met": the agreement is backstory
    kind, _ = _hit("調査委の初会合めど立たず",
                   "日本と北朝鮮が先月設置で合意した調査委員会は、まだ一度も開かれていない。")
    assert kind != "talks_or_contact"
    kind, _ = _hit("북일 위원회 두 달째 공전",
                   "일본과 북한이 지난달 설치에 합의한 위원회는 아직 한 번도 열리지 않았다.")
    assert kind != "talks_or_contact"


def test_a_quoted_act_no_one_is_named_doing_is_what_someone_said() -> None:
    kind, _ = _hit("元官僚「帰国実現まで制裁維持を」　都内で講演",
                   "元外務官僚の男性が都内で講演した。")
    assert kind != "repatriation"


def test_a_cjk_headline_quote_after_an_actor_is_its_statement() -> None:
    kind, actor = _hit("家族会「合意の前に全員の安否確認を」", "家族会は都内で会合を開いた。")
    assert (kind, actor) == ("families_position", "families")
    # the quote's own negation or condition is its content, not a denial of the statement
    kind, actor = _hit("김여정 \"일본이 먼저 태도 바꾸지 않으면 대화 없다\"", "김여정 부부장이 담화를 냈다.")
    assert (kind, actor) == ("pyongyang_response", "kim_yo_jong")


def test_a_why_clause_after_a_colon_is_an_explainer() -> None:
    kind, _ = _hit("Three summits, no deal: why Japan-North Korea talks stall", QUIET)
    assert kind == "background"


def test_a_negated_main_predicate_governs_a_later_cue_in_its_sentence() -> None:
    kind, _ = _hit("Tokyo still without timetable for abductees",
                   "TOKYO (Wire) - Japan has not agreed with North Korea on when the three people Pyongyang says "
                   "survived will fly home, a government spokesman said on Monday.")
    assert kind == "no_change_status"


def test_refusing_an_act_is_an_act_not_a_stalemate() -> None:
    # "refuses talks" negates the talks, but a refusal is not a report that nothing happened
    kind, _ = _hit("Pyongyang refuses talks with Tokyo over abductions", QUIET)
    assert kind != "no_change_status"


def test_notifying_the_other_side_is_a_response() -> None:
    kind, actor = _hit("Pyongyang informs Tokyo a missing Japanese engineer is alive",
                       "TOKYO (Wire) - North Korea told Japan through diplomatic channels that an engineer "
                       "who vanished in 1979 is alive, the government said on Friday.")
    assert (kind, actor) == ("pyongyang_response", "north_korea")


def test_barring_a_north_korean_ship_is_a_sanction() -> None:
    kind, actor = _hit("Japan bars North Korean cargo ship from its ports after nuclear test", QUIET)
    assert (kind, actor) == ("sanctions_or_aid", "japan")


def test_saying_nothing_is_no_statement() -> None:
    kind, _ = _hit("Abductee families wait in Tokyo",
                   "TOKYO (Wire) - Relatives gathered on Monday while Pyongyang said nothing about the abductees "
                   "or Japan's summit proposal.")
    assert kind != "pyongyang_response"


@pytest.mark.parametrize("title", [
    "Análisis: lo que Japón busca en una cumbre con Corea del Norte",
    "Décryptage : le retour des enlevés japonais de Corée du Nord",
    "Hintergrund: Japans Entführungsopfer und Nordkorea",
])
def test_a_labelled_explainer_in_any_language_reports_no_act(title: str) -> None:
    kind, _ = _hit(title, "Japan says North Korea abducted 17 citizens in the 1970s and 1980s.")
    assert kind == "background"
