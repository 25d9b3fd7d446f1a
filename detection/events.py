"""Event features of an article and the similarity of an article to a development (pure).

An event is described by the actors and places named in its lead (as canonical ids, so
Japanese, Korean, Chinese or Russian write-ups line up with English ones), the concepts its
lead is about, its headline words, years it names, its kind and its date. Two descriptions
that name *different* distinct people (one family member vs another), or different years of
an event (2002 vs 2004 summit), are different events however alike they look otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from detection import lexicon
from detection.entities import entity_index
from detection.eventdate import event_day
from detection.terms import compiled, fold, is_cjk
from detection.text import clean_title, content_sentences
from detection.watch import KindSpec, WatchSpec

BUCKET_DAYS = 2
#: Kind strength of a headline hit; a lead that states its kind at least this firmly (headline or
#: first body sentence) reports that act, a later sentence may be background or another angle.
STRONGEST = 3
FIRM = 2
_YEAR = re.compile(r"(?<!\d)(19[7-9]\d|20[0-3]\d)(?!\d)")
#: Sentences of the body read for the day a look-back piece names (see detection.eventdate).
DATE_SENTENCES = 5
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "have",
        "has",
        "had",
        "was",
        "were",
        "will",
        "would",
        "could",
        "should",
        "about",
        "after",
        "before",
        "into",
        "over",
        "under",
        "than",
        "then",
        "them",
        "they",
        "their",
        "there",
        "these",
        "those",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "how",
        "said",
        "says",
        "say",
        "also",
        "been",
        "being",
        "its",
        "not",
        "but",
        "are",
        "our",
        "out",
        "more",
        "most",
        "some",
        "such",
        "only",
        "other",
        "very",
        "just",
        "over",
        "new",
        "amid",
        "again",
        "says",
        "told",
        "tells",
        "year",
        "years",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "since",
        "still",
        "yet",
        "per",
        "via",
        "upon",
        "japan",
        "japanese",
        "north",
        "korea",
        "korean",
        "pyongyang",
        "tokyo",
        "seoul",
        "kim",
        "jong",
        "prime",
        "minister",
        "president",
        "leader",
        "government",
        "issue",
        "issues",
        "news",
        "report",
        "reports",
        "reported",
        "official",
        "officials",
    ]
)


@dataclass(frozen=True)
class EventFeatures:
    """What identifies the event an article reports."""

    kind: str
    entities: frozenset[str]
    concepts: frozenset[str]
    distinct: frozenset[str]
    terms: frozenset[str]
    years: frozenset[int]
    day: date
    #: Other kinds reported in the lead: a families' reaction to talks also names the talks.
    also: frozenset[str] = frozenset()
    #: The headline or first sentence reacts to an earlier event ("a day after", "welcomed").
    reaction: bool = False
    #: How firmly the lead states the kind (see detection.kinds.KindResult.strength; 3 = headline).
    strength: int = STRONGEST
    #: The act the kind model reads in a lead where no rule found one (a hometown piece on a
    #: return, an analysis of a statement): never alerted, it only lines the piece up with its event.
    hint: str = ""

    def to_json(self) -> dict[str, Any]:
        """JSON-friendly form (stored in ``developments.features``)."""
        return {
            "kind": self.kind,
            "entities": sorted(self.entities),
            "concepts": sorted(self.concepts),
            "distinct": sorted(self.distinct),
            "terms": sorted(self.terms),
            "years": sorted(self.years),
            "day": self.day.isoformat(),
            **({"also": sorted(self.also)} if self.also else {}),
            **({"reaction": True} if self.reaction else {}),
            "strength": self.strength,
            **({"hint": self.hint} if self.hint else {}),
        }

    @staticmethod
    def from_json(d: dict[str, Any]) -> EventFeatures:
        """Inverse of :meth:`to_json`."""
        return EventFeatures(
            str(d.get("kind", "")),
            frozenset(d.get("entities", ())),
            frozenset(d.get("concepts", ())),
            frozenset(d.get("distinct", ())),
            frozenset(d.get("terms", ())),
            frozenset(int(y) for y in d.get("years", ())),
            date.fromisoformat(d["day"]),
            frozenset(d.get("also", ())),
            bool(d.get("reaction", False)),
            int(d.get("strength", STRONGEST)),
            str(d.get("hint", "")),
        )


def _stem(word: str) -> str:
    for suf in ("ings", "ing", "ied", "ies", "ed", "es", "s"):
        if word.endswith(suf) and len(word) - len(suf) >= 4:
            return word[: -len(suf)]
    return word


def headline_terms(text: str) -> set[str]:
    """Content words (crudely stemmed) of Latin/Cyrillic text; character bigrams of CJK runs."""
    f = fold(text)
    out = {_stem(w) for w in _WORD.findall(f) if w not in _STOP and not is_cjk(w)}
    for run in _CJK_RUN.findall(f):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def extract(watch: WatchSpec, title: str, text: str, kind: str, when: datetime,
            also: tuple[str, ...] | frozenset[str] = (), strength: int = STRONGEST, hint: str = "") -> EventFeatures:
    """Event features from the headline and the first sentences of the body."""
    title = clean_title(title)
    sents = content_sentences(title, text)
    lead = " \n ".join([title, *sents[:3]])
    head = " \n ".join([title, *sents[:1]])
    idx = entity_index(watch.entities)
    ments = idx.mentions(fold(lead))
    head_ments = idx.mentions(fold(head))
    entities = frozenset(m.entity for m in ments if m.type != "concept")
    concepts = frozenset(m.entity for m in ments if m.type == "concept")
    distinct = frozenset(m.entity for m in head_ments if watch.entities[m.entity].distinct)
    years = frozenset(int(y) for y in _YEAR.findall(head))
    # a look-back piece ("On January 28, the lamp was on ...") is dated by the day its lead names; a
    # report that nothing has happened (yet) is about the day it says so
    spec = watch.kinds.get(kind)
    day = when.date()
    if spec is None or spec.alert or kind == watch.default_kind:
        day = event_day(" \n ".join([title, *sents[:DATE_SENTENCES]]), day, watch.group_window_days)
    return EventFeatures(
        kind, entities, concepts, distinct, frozenset(headline_terms(head)), years, day, frozenset(also),
        compiled(lexicon.REACTION).any(fold(head)), strength, hint,
    )


def _overlap(a: frozenset[Any], b: frozenset[Any]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _jaccard(a: frozenset[Any], b: frozenset[Any]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _scripts(terms: frozenset[str]) -> frozenset[str]:
    """The script a headline is written in: a Japanese headline naming ``FAO`` or ``WHO`` is still Japanese."""
    if not terms:
        return frozenset()
    cjk = sum(1 for t in terms if is_cjk(t))
    if cjk * 4 >= len(terms) * 3:
        return frozenset({"cjk"})
    if cjk * 4 <= len(terms):
        return frozenset({"latin"})
    return frozenset({"cjk", "latin"})


def similarity(watch: WatchSpec, a: EventFeatures, b: EventFeatures) -> tuple[float, dict[str, Any]]:
    """Score in [0, 1] that ``a`` and ``b`` report the same event, with the parts and any veto."""
    detail: dict[str, Any] = {}
    gap = abs((a.day - b.day).days)
    if gap > watch.group_window_days:
        return 0.0, {"veto": f"{gap} days apart"}
    if a.distinct and b.distinct and not (a.distinct & b.distinct):
        return 0.0, {"veto": f"different people {sorted(a.distinct)} vs {sorted(b.distinct)}"}
    if a.years and b.years and not (a.years & b.years):
        return 0.0, {"veto": f"different years {sorted(a.years)} vs {sorted(b.years)}"}
    ka, kb = watch.kinds.get(a.kind), watch.kinds.get(b.kind)
    terms = _jaccard(a.terms, b.terms)
    terms_ov = _overlap(a.terms, b.terms)
    ents = _overlap(a.entities, b.entities)
    ents_j = _jaccard(a.entities, b.entities)
    concepts = _overlap(a.concepts, b.concepts)
    same_kind = a.kind == b.kind
    cross_script = bool(_scripts(a.terms) and _scripts(b.terms) and not (_scripts(a.terms) & _scripts(b.terms)))
    # Whether two write-ups report one event is decided by the event evidence (actors, concepts,
    # headline words, dates); the kind only vetoes where it shows a *new act*: an article that
    # firmly (headline or first sentence) reports an alert-worthy act that outranks the
    # development's kind, which the development never reported and whose lead does not report the
    # development's act as its own (a reply after an overture, talks after a mediation offer). A
    # kind found only in a later sentence is an angle or background, not the article's act: such a
    # write-up joins on the evidence alone (the development keeps its kind, see detection.engine).
    # ``a`` is the article, ``b`` the development; ``b.also`` holds every act its members reported.
    firm = a.strength >= FIRM
    known_a = a.kind in b.also and gap <= 1 and ents >= 0.5  # the development already reported a's act
    # a's lead also reports b's act, and a is not the other side's answer to it ("Pyongyang
    # rejects Takaichi's offer" answers an overture; "North Korea agrees at the talks" is the talks)
    shared_b = (b.kind in a.also and gap <= 1 and ents >= 0.5 and ka is not None and kb is not None
                and not answers(ka, kb))
    if (ka is not None and kb is not None and not same_kind and not ka.alert and kb.alert
            and a.kind != watch.default_kind and firm):
        # a firmly stated no-change report (silence, stalemate) is never the same event as an act
        return 0.0, {"veto": f"kind {a.kind} vs {b.kind}", "terms": round(terms, 3)}
    if ka is not None and ka.alert and not same_kind:
        veto = False
        if kb is None:
            veto = True
        elif not kb.alert:
            # a no-change development (silence, stalemate) is never the same event as an act, and a
            # preview or analysis days before is not the event it looked ahead to
            veto = b.kind != watch.default_kind or (firm and gap >= 2)
        elif ka.severity == "critical" or ka.priority > kb.priority:
            veto = firm and not (known_a or shared_b or (ka.severity != "critical" and (
                a.reaction or (cross_script and gap <= 1 and ents >= 0.6 and concepts >= 0.6))))
        elif kb.severity == "critical" and terms < 0.34 and not a.reaction:
            # a decisive event's aftermath (families react, sanctions eased) is an act of its own
            # unless the headline is shared, the article's lead reports the act itself, or its
            # kind is only an angle of a same-script write-up's later sentence. A lead recalling
            # the event counts only on its day: a headline act days later is news of its own
            recalls = b.kind in a.also and not (a.strength >= STRONGEST and gap >= 1)
            veto = firm and not (known_a or recalls or (cross_script and gap <= 1))
        if veto:
            return 0.0, {"veto": f"kind {a.kind} vs {b.kind}", "terms": round(terms, 3)}
    # a lesser-kind piece whose lead also reports the development's kind reacts to that event
    # ("families hopeful after Japan and North Korea agreed"): it counts as the same kind here
    reaction = (not same_kind and ka is not None and kb is not None and (
        (b.kind in a.also and ka.priority < kb.priority) or (a.reaction and ka.severity != "critical")))
    if reaction:
        detail["reaction_to"] = b.kind
    # the kind model reads the development's act in a lead where no rule found one
    hinted = not same_kind and bool(a.hint) and a.hint == b.kind
    if hinted:
        detail["hint"] = a.hint
    kindish = same_kind or reaction or known_a or shared_b or hinted
    # a firmly stated other kind counts against the join; an unsure one is neutral
    kind_term = 0.15 if kindish else (-0.05 if firm else 0.0)
    headline = 0.25 * max(terms, 0.6 * terms_ov)
    score = 0.3 * ents + 0.1 * ents_j + 0.2 * concepts + headline + kind_term
    if cross_script:
        # headlines in different scripts cannot share words: judge a write-up in another
        # language on its actors, concepts and kind alone
        score = (score - headline) / 0.75
        detail["cross_script"] = True
    score -= 0.03 * gap
    detail.update(
        entities=round(ents, 3),
        concepts=round(concepts, 3),
        terms=round(terms, 3),
        same_kind=same_kind,
        days=gap,
        score=round(score, 3),
    )
    return max(0.0, min(1.0, score)), detail


def answers(a: KindSpec, b: KindSpec) -> bool:
    """Whether an act of kind ``a`` is the other side's answer to an act of kind ``b``: both kinds name
    their actors and no side acts in both (a reply to an overture; not a statement at joint talks)."""
    sa, sb = a.acting_sides(), b.acting_sides()
    return bool(sa and sb and sa.isdisjoint(sb))


def index_keys(f: EventFeatures) -> set[str]:
    """DevelopmentKey values for ``f``: its entities, concepts and kind, each tagged with a day bucket."""
    bucket = f.day.toordinal() // BUCKET_DAYS
    keys = {f"e:{e}" for e in f.entities} | {f"c:{c}" for c in f.concepts} | {f"k:{f.kind}"}
    keys |= {f"d:{d}" for d in f.distinct}
    return {f"{k}@{bucket}"[:120] for k in keys}


def lookup_keys(f: EventFeatures, window_days: float) -> set[str]:
    """Keys to look up for ``f``: the same tags across every bucket of the time window."""
    lo = (f.day - timedelta(days=window_days)).toordinal() // BUCKET_DAYS
    hi = (f.day + timedelta(days=window_days)).toordinal() // BUCKET_DAYS
    base = {f"e:{e}" for e in f.entities} | {f"c:{c}" for c in f.concepts} | {f"k:{f.kind}"}
    base |= {f"d:{d}" for d in f.distinct}
    return {f"{k}@{b}"[:120] for k in base for b in range(lo, hi + 1)}
