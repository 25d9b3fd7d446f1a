"""Scope of negation, modality, habitual aspect and third-party attribution around a predicate.

Pure functions over one folded sentence and the character spans of the actor and the cue.
Alphabetic languages put negation/modals before the verb; Japanese and Korean put them after
it, so CJK gets a short look-ahead window as well.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from detection import lexicon
from detection.terms import compiled, is_cjk

_BEFORE_LATIN = 28
_BEFORE_CJK = 6
_AFTER_CJK = 14
_AFTER_LATIN = 16
_CLAUSE_BREAK = re.compile(r"(?:\b(?:" + "|".join(lexicon.CLAUSE_OPENERS) + r")\b|[;:,])\s*")
_DATED_PAST = re.compile(
    r"\b(?:in|since|by|until)\s+(?:(?:early|late|mid)[- ])?(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
    r"[a-z]*\.?\s+(?:\d{1,2},?\s+)?)?(?:19|20)\d\d\b"
)
# a colon ends a clause too: what follows it ("金与正发表谈话：若…") is the content, not the verb's scope
_CJK_BOUNDARY = frozenset(" \u3000、。,，!?！？…:：")
# a quotation: its negation or modality is what someone said, not the scope of a predicate outside
# it. Japanese brackets always quote; a Latin-script quotation only when it follows a colon (a
# partial quote inside a running sentence -- 'said Kim "would like" a meeting' -- is syntax) or
# quotes CJK words (Korean and Chinese headlines quote their speaker: 김여정 "…")
_QUOTE = re.compile(r"「[^」]*」|『[^』]*』|(?<=[:：])\s*(?:“[^”]*”|«[^»]*»|\"[^\"]*\")"
                    r"|[“\"](?=[^”\"]*[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af])[^”\"]*[”\"]")
# the end of a content clause before a verb of saying: ja と(する|の|して), ko -다고/-라고/-며 (the
# clause before it is what was said; its conditions are the content's, not the saying's)
_QUOTATIVE = re.compile(r"(?:[」』”\"]|(?<=[いたうるだすく]))と(?:する|の|して|し|述べ|表明|発表|強調)?"
                        r"|(?:[다라냐자]고|[다라]며|[”\"]\s?(?:라고|고|며))(?=\s)")
# a break between two predicates of a headline: a comma or semicolon, or a contrasting conjunction
# ("X says the remains are not hers, halts aid": the "not" is the first predicate's)
_INNER_BREAK = re.compile(r"[;,:]\s|\s-\s|\b(?:but|while|although|though)\b")
# the clause of the cue ends in a question mark
_QUESTION = re.compile(r"^[^.;!。！:：]*[?？]\s*[\"'”」』)]*\s*$")
# a denied report in CJK: ja/ko name the report, then deny it (…との報道を否定, … 보도 부인); zh denies,
# then names it (否认…的报道): a cue inside the reported clause is denied
_DENIED_AFTER = re.compile(r"(?:報道|報じ|보도)[^。.]{0,6}?(?:否定|否認|부인)")
_DENIED_AROUND = re.compile(r"否认[^。]{0,40}?报道")
#: A headline closing on a denial: "Report: North Korea agreed to a summit - Tokyo denies", 「…報道 政府は否定」
_DENIED_TAIL = re.compile(
    r"(?:\s[-–—]\s|[;,.]\s*)[^-–—;:,.]{0,30}?\b(?:denies|denied|dementiert|dementieren|dément|démenti|desmiente|desmintió"
    r"|опроверга\w*|опроверг\w*)\b[^-–—;:,]{0,20}$"
    r"|[、,，]\s*[^、,，。]{0,8}?(?:否定|否認|부인|否认)[^、,，。]{0,4}$"
)
#: A clause or a coordinated predicate starting between a denial and a later cue.
_NEXT_PREDICATE = re.compile(r"[,;:]|\b(?:and|but|while|then|und|aber|et|mais|y|pero|и|но)\b")
_FIRST_SINCE = re.compile(r"\bfirst\b[^.;]*$")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
#: Korean writes spaces between words: a predicate's endings and auxiliaries ("담화 낼 가능성",
#: "귀국을 요구하는") follow in the next words, so its look-ahead crosses this many spaces
_HANGUL_WORDS = 2
_AFTER_SPEECH_CUES = ("hoped", "hopes", "hope", "wished", "wish", "wants", "wanted")
_AFTER_LATIN_CUES = (
    "not ruled out", "not be ruled out", "cannot be ruled out", "not excluded",
    "is expected", "are expected", "is awaited", "remains unclear", "not yet", "is unlikely", "is likely",
    "would", "could", "might", "may", "hoped", "hopes", "hope",
)


@dataclass(frozen=True)
class Scope:
    """What governs a predicate: each flag names the cue that set it (empty = not set)."""

    negation: str = ""
    speculative: str = ""
    future: str = ""
    desire: str = ""
    habitual: str = ""
    third_party_mental: str = ""

    def blocked_by(self, reject: Sequence[str]) -> str:
        """The first rejected scope that is set, as ``name:cue`` (empty when none)."""
        for name in reject:
            cue = getattr(self, name)
            if cue:
                return f"{name}:{cue}"
        return ""


#: A quote right after a CJK cue noun that says there is none of it: 回答「現時点でない」 ("answer: none
#: for now"), 답변 "아직 없다"
_NONE_QUOTE = re.compile(r"[はも]?\s?[「\"“](?:現時点で|今のところ|現在|まだ|いまだ|아직|현재)?\s?(?:は|も)?\s?"
                         r"(?:ない|なし|無い|없다|없어|없음|没有)[」\"”]")


def _cjk_clause_end(after: str, spaces: int) -> int:
    """Where the clause after a CJK cue ends: the first boundary, skipping ``spaces`` word spaces."""
    for i, ch in enumerate(after):
        if ch in _CJK_BOUNDARY:
            if ch == " " and spaces > 0:
                spaces -= 1
                continue
            return i
    return len(after)


def _mask_quotes(sentence: str, cue_start: int, cue_end: int) -> str:
    """``sentence`` with every quotation not containing the cue blanked out (same length)."""
    def blank(m: re.Match[str]) -> str:
        inside = m.start() <= cue_start and cue_end <= m.end()
        return m.group(0) if inside else " " * len(m.group(0))
    return _QUOTE.sub(blank, sentence)


def _first(terms: tuple[str, ...], text: str) -> str:
    hits = compiled(terms).find(text)
    return hits[0].term if hits else ""


def _denied_report(sentence: str, actor_start: int | None, cue_start: int, cue_end: int, cjk: bool) -> str:
    """``denied report`` when the predicate is what a denied report told of ("Tokyo denies report X agreed")."""
    if not cjk:
        subject = actor_start if actor_start is not None and actor_start < cue_start else None
        head = sentence[: cue_start if subject is None else subject]
        if _first(lexicon.DENIED_REPORT, head) or _first(lexicon.DENIES, head):
            return "denied report"
        # the subject denies the act ("Tokio niega una cumbre secreta"); a cue that is itself the
        # denial ("North Korea denies ...") has nothing between
        own = "" if subject is None else sentence[subject:cue_start]
        hits = compiled(lexicon.DENIES).find(own)
        # ... unless a second predicate follows the denial ("denied the report and agreed to talks")
        return "denied report" if hits and not _NEXT_PREDICATE.search(own, hits[0].end) else ""
    if any(m.start() >= cue_end for m in _DENIED_AFTER.finditer(sentence)) or any(
            m.start() <= cue_start and cue_end <= m.end() for m in _DENIED_AROUND.finditer(sentence)):
        return "denied report"
    return ""


def headline_denies_report(headline: str) -> bool:
    """Whether a (folded) headline says the act it reports was denied ("Tokyo denies report ...", "... - Tokio dementiert")."""
    return bool(_first(lexicon.DENIED_REPORT, headline) or _DENIED_TAIL.search(headline)
                or _DENIED_AFTER.search(headline) or _DENIED_AROUND.search(headline))


def analyse(sentence: str, actor_start: int | None, cue_start: int, cue_end: int,
            third_party_speaker: bool, speech: bool = False, verb_second: bool = False,
            scope_start: int | None = None, headline: bool = False) -> Scope:
    """Scope flags for the predicate at [cue_start, cue_end) whose subject starts at ``actor_start``.

    ``sentence`` must be folded (see detection.terms.fold). ``third_party_speaker`` says an
    actor of another side is the one speaking/reporting in this sentence. ``speech`` says the
    cue is a speech act (``said``): what follows it is what was said, not its scope.
    ``verb_second`` says the sentence is German: what stands before its subject is in scope too.
    ``scope_start`` is where the subject's own words end (after its modifiers: "the mother of a man
    possibly taken by X dies": "possibly" is the modifier's, not the predicate's).

    ``headline`` says the sentence is a headline, whose predicates are chained with commas.

    Scope never crosses a constituent boundary: quoted words, a content clause closed by a
    quotative (と, -다고) or colon, and, in a headline, an earlier predicate of the same subject
    ("X says A is not B, halts aid") keep their negation and modality to themselves.
    """
    raw = sentence
    sentence = _mask_quotes(sentence, cue_start, cue_end)
    cjk = is_cjk(sentence[cue_start:cue_end]) or is_cjk(sentence[max(0, cue_start - 3):cue_start])
    lo = actor_start if actor_start is not None and actor_start < cue_start else cue_start
    lo = max(0, lo - (_BEFORE_CJK if cjk else _BEFORE_LATIN))
    if verb_second and actor_start is not None:
        lo = 0  # German fronts an adverbial before verb and subject ("Seit Monaten wirbt X um..."): all in scope
    if not cjk and actor_start is not None and lo < actor_start:
        # what precedes the subject's own clause does not govern its predicate
        # ("hopeful after Japan and North Korea agreed": the hope is not the agreement's)
        lo = max((m.end() for m in _CLAUSE_BREAK.finditer(sentence, lo, actor_start)), default=lo)
    if scope_start is not None and scope_start < cue_start:
        lo = max(lo, scope_start)
    if cjk:
        # what precedes a quotative (「…」とする談話, …다고 밝혔다) is the content said, not the cue's scope
        lo = max((m.end() for m in _QUOTATIVE.finditer(sentence, lo, cue_start)), default=lo)
    before = sentence[lo:cue_start]
    end = cue_end + (_AFTER_CJK if cjk else _AFTER_LATIN)
    if not cjk:
        while end < len(sentence) and sentence[end].isalnum():
            end += 1  # never cut a word in two ("north" is not "no")
    after = sentence[cue_end:end]
    if cjk:
        # post-verbal negation/modality attaches to the verb: stop at the clause boundary
        after = after[: _cjk_clause_end(after, _HANGUL_WORDS if _HANGUL.search(sentence[cue_start:cue_end]) else 0)]
        none = _NONE_QUOTE.match(raw, cue_end)  # the quote itself, before it was masked
        if none:
            after += " " + none.group(0)  # the quote is the noun's predicate
    cue = sentence[cue_start:cue_end]
    # CJK negation is post-verbal (or a prefix such as 未/不 right before the cue)
    local = sentence[max(0, cue_start - 2):cue_start] + cue + " " + after if cjk else before
    if headline and not cjk and not verb_second:
        # headlines chain predicates with commas ("X says A is not B, halts aid"): an earlier
        # predicate keeps its negation to itself
        cut = max((m.end() for m in _INNER_BREAK.finditer(sentence, lo, cue_start)), default=lo)
        local = sentence[cut:cue_start]
    litotes = _first(lexicon.LITOTES, before + " " + cue + " " + (after if cjk else ""))
    neg = "" if litotes else _first(lexicon.NEGATION, local) or (_first(lexicon.REFUSAL, before) if not cjk else "")
    neg = neg or _denied_report(sentence, actor_start, cue_start, cue_end, cjk)
    if not cjk and not neg and not speech:
        neg = _first(("not yet", "yet to", "no "), after)
    if not cjk and not neg and speech:
        # "said nothing", "n'a rien dit": a negative pronoun as the object negates the saying itself
        neg = _first(lexicon.SAID_NOTHING, after[:12])
    # after a speech verb comes what was said: its modality ("said it would...") is the
    # content, not the act's; only a wish ("said they hoped...") makes the act a non-event
    after_cues = _AFTER_SPEECH_CUES if speech else _AFTER_LATIN_CUES
    spec = litotes or _first(lexicon.SPECULATIVE, before + " " + cue) or (
        # Korean -면서 ("while doing") is no condition: 비난하면서도 is a criticism made
        _first(after_cues, after) if not cjk else _first(lexicon.SPECULATIVE, after.replace("면서", "  "))
    )
    # Sentence-level openers: "Whether Pyongyang will respond...", "It is unclear if..."
    head = sentence[: max(0, (actor_start if actor_start is not None else cue_start))]
    spec = spec or _first(("whether", "unclear", "if ", "expected to", "likely to", "any response", "any reply", "かどうか", "여부", "是否",
                           "si ", "wenn", "falls", "если", "如果", "假如"), head)
    if not spec and _QUESTION.search(sentence[cue_end:]):
        spec = "?"  # a question ("Et si Kim acceptait … ?", "Will Kim answer?") reports no act
    fut = _first(lexicon.FUTURE, before) or (_first(lexicon.FUTURE, after) if cjk else "")
    desire = _first(lexicon.DESIRE, before) or (_first(lexicon.DESIRE, after) if cjk else "")
    habitual = _first(lexicon.HABITUAL, before + " " + cue + " " + (after if cjk else ""))
    dated = _DATED_PAST.search(sentence) if not (habitual or cjk) else None
    if dated and _FIRST_SINCE.search(sentence[max(0, dated.start() - 40) : dated.start()]):
        dated = None  # "for the first time since 2004": the year dates what this act ends, not the act
    if (habitual or dated) and _first(lexicon.ANCHOR, sentence):
        habitual, dated = "", None  # "on Tuesday": a new act, told with its backstory
    if dated:
        habitual = f"dated:{dated.group(0).strip()}"  # "came home in October 2002": backstory
    mental = ""
    if third_party_speaker:
        mental = _first(lexicon.MENTAL, before + " " + cue + " " + after) or _first(lexicon.SPECULATIVE, sentence)
    return Scope(neg, spec, fut, desire, habitual, mental)
