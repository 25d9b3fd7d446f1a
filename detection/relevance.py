"""Topic relevance: the watch query over title+body, with the focus terms prominent (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from detection.text import clean_title, content_sentences
from detection.watch import TopicSpec


@dataclass(frozen=True)
class Relevance:
    """Whether an article is on topic, the terms that matched and why."""

    relevant: bool
    matched_terms: tuple[str, ...]
    reason: str
    #: The query matches but the focus terms are only in passing: on topic only as part of a known event.
    passing: bool = False


def relevance(topic: TopicSpec, title: str, text: str) -> Relevance:
    """On topic when the query matches title+body, the focus terms are in the lead or repeated and no
    excluded subject is in the lead."""
    title = clean_title(title)
    ok, terms = topic.parsed.evaluate(f"{title}\n{text}")
    if not ok:
        return Relevance(False, (), "topic query does not match")
    sents = content_sentences(title, text)
    if topic.parsed_exclude is not None:
        hit, excluded = topic.parsed_exclude.evaluate("\n".join([title, *sents[: topic.exclude_sentences]]))
        if hit:
            return Relevance(False, (), f"excluded subject in the lead: {', '.join(excluded)}")
    focus = topic.parsed_focus
    if focus is None:
        return Relevance(True, terms, "topic query matches")
    lead = "\n".join([title, *sents[: topic.lead_sentences]])
    if focus.evaluate(lead)[0]:
        return Relevance(True, terms, "topic query matches; focus terms in the lead")
    count = sum(1 for s in sents if focus.evaluate(s)[0])
    if count >= topic.focus_min_sentences:
        return Relevance(True, terms, f"topic query matches; focus terms in {count} sentences")
    return Relevance(False, terms, f"focus terms only in passing ({count} sentence)", passing=True)
