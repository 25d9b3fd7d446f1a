"""Topic query parser and evaluation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from detection.errors import QuerySyntaxError
from detection.query import And, Not, Or, Term, parse
from detection.relevance import relevance
from detection.terms import compiled, fold
from detection.watch import TopicSpec, load_default_watch

W = load_default_watch()


def test_precedence_and_implicit_and() -> None:
    q = parse('a OR b c AND NOT d')
    assert q.root == Or((Term("a"), And((Term("b"), Term("c"), Not(Term("d"))))))


def test_phrases_prefixes_and_multilingual_terms() -> None:
    q = parse('("North Korea" OR 北朝鮮 OR 북한 OR КНДР) AND (abduct* OR 拉致 OR 납치 OR похищ*) AND NOT (UFO OR alien*)')
    assert q.evaluate("North Korea abducted her in 1977")[0]
    assert q.evaluate("北朝鮮による拉致問題")[1] == ("北朝鮮", "拉致")
    assert q.evaluate("북한의 일본인 납치")[0]
    assert q.evaluate("КНДР: похищенные японцы")[0]
    assert not q.evaluate("North Korea abductees at a UFO convention")[0]
    assert not q.evaluate("Aliens abducted North Korea fans")[0]
    assert not q.evaluate("Korea abducted")[0]


def test_word_boundaries_and_hyphens() -> None:
    q = parse('"Kim Jong Un" AND Abe')
    assert q.evaluate("Kim Jong-un met Abe")[0]
    assert not q.evaluate("Kim Jong Un met Abel")[0]


@pytest.mark.parametrize("bad", ["", "(a OR b", "a OR", "a )", "NOT", '""', "*"])
def test_syntax_errors(bad: str) -> None:
    with pytest.raises(QuerySyntaxError):
        parse(bad)


_WORDS = ["kim", "kim jong un", "jong", "un", "korea", "north korea*", "abduct*", "say*", "said", "北朝鮮",
          "朝鮮", "납치", "no reply", "reply", "re-ply", "call* for"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8, unique=True),
       st.lists(st.sampled_from([*_WORDS, " ", ", ", "x", "s", "-", "\n", "A"]), max_size=30))
def test_termset_present_equals_one_search_per_term(terms: list[str], pieces: list[str]) -> None:
    """``present`` finds exactly the terms a separate search per term finds, hidden ones included."""
    folded = fold("".join(pieces))
    one_by_one = {t for t in terms if compiled((t,)).any(folded)}
    assert compiled(tuple(terms)).present(folded) == one_by_one
    assert {h.term for h in compiled(tuple(terms)).find(folded)} <= one_by_one


def test_hidden_terms_count_for_the_query() -> None:
    q = parse('"Kim Jong Un" AND Kim AND NOT Jong-il')
    assert q.evaluate("Kim Jong Un spoke")[0]
    assert not q.evaluate("Kim Jong-il spoke")[0]


def test_an_excluded_subject_in_the_lead_is_off_topic_but_a_passing_mention_is_not() -> None:
    body = ("Qatar is ready to host meetings between Japanese and North Korean officials in Doha and to carry "
            "messages to Pyongyang on the abductions, its prime minister said after talks with Sanae Takaichi.\n\n"
            "Officials in Tokyo said the offer would be studied.\n\n"
            "Doha has hosted talks on Afghanistan.\n\n"
            "It also mediated between Israel and Hamas and helped free hostages held in Gaza.")
    on = relevance(W.topic, "Qatar offers to carry messages between Japan and North Korea", body)
    assert on.relevant, on.reason
    trap = relevance(W.topic, "Israeli hostage families meet Japan's abductee families in Tokyo",
                     "Relatives of Israelis held by Hamas in Gaza met families of Japanese abducted by North Korea.")
    assert not trap.relevant and trap.reason.startswith("excluded subject in the lead")
    assert "Israel*" in trap.reason


def test_a_watch_with_a_broken_exclude_query_is_refused() -> None:
    with pytest.raises(ValidationError, match="invalid query"):
        TopicSpec(query="abduct*", exclude="(UFO OR")


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("能登さん帰国 めど立たず 北朝鮮側から連絡なし",
         "北朝鮮で暮らしていることが分かった能登正夫さんの帰国について、官房長官は10日、日程はまだ決まっていないと述べた。"
         "北朝鮮側からの連絡はないという。"),
        ("Evening news: Masao Noto comes home",
         "ANCHOR: After 47 years in North Korea, Masao Noto came home to Japan tonight. "
         "He landed at Haneda on a charter flight and was met by his brother."),
        ("Diputados japoneses y una delegación norcoreana se reúnen en Almaty",
         "Un grupo de diputados japoneses se reunió el jueves en Almaty con una delegación norcoreana, "
         "en las primeras conversaciones entre ambas partes en años."),
    ],
)
def test_a_homecoming_and_a_spanish_adjective_are_on_topic(title: str, text: str) -> None:
    # a returnee's homecoming names no abduction; "norcoreana" is North Korea's adjective. On topic
    # alone, or (a homecoming naming neither talks nor abductions) as part of a known event
    res = relevance(W.topic, title, text)
    assert res.relevant or res.passing, res


def test_the_1959_repatriation_programme_is_no_homecoming() -> None:
    # Koreans leaving Japan for North Korea (帰国事業) is another story, whatever words it shares
    res = relevance(W.topic, "帰国事業訴訟　原告が北朝鮮の資産差し押さえ検討",
                    "在日朝鮮人の帰国事業で北朝鮮に渡った原告らが、北朝鮮の資産の差し押さえを検討している。")
    assert not res.relevant and not res.passing
