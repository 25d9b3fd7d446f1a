"""Alert messages for a busy reader, in plain text, Markdown and HTML.

:func:`render` turns an alert payload (built by :mod:`alerting.outbox`, stored with the
alert) into ``(title, body)``. All article text is escaped for the target format, and
only http(s) links are ever emitted as links.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

PREFIX = "[storywatch]"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>&~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_EVENT_WORDS = {"update": "Update", "escalation": "Escalation", "source_health": "Source health",
                "test": "Test"}


def md_escape(text: str) -> str:
    """``text`` with every Markdown-significant character backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", _clean(text))


def html_escape(text: str) -> str:
    """``text`` HTML-escaped, quotes included."""
    return html.escape(_clean(text), quote=True)


def _clean(text: str) -> str:
    return _CONTROL.sub("", str(text))


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join(_clean(text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _safe_url(url: Any) -> str | None:
    u = str(url or "").strip()
    return u if re.match(r"^https?://[^\s<>\"']+$", u) else None


def _when(value: Any) -> str:
    if not value:
        return "unknown"
    try:
        dt = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return dt.strftime("%Y-%m-%d %H:%M %Z").strip() if dt.tzinfo else dt.strftime("%Y-%m-%d %H:%M")


def title_of(payload: Mapping[str, Any]) -> str:
    """The subject line: ``[storywatch] <Kind in words>: <headline>`` (plain text, one line)."""
    if payload.get("event") == "digest":
        n = len(payload.get("entries") or [])
        what = "development" if n == 1 else "developments"
        return _one_line(f"{PREFIX} Digest: {n} {what} — {payload.get('watch_title') or payload.get('watch', '')}")
    label = payload.get("kind_label") or payload.get("kind") or "Alert"
    event = _EVENT_WORDS.get(str(payload.get("event") or ""))
    lead = f"{event} — {label}" if event and event != label else str(label)
    return _one_line(f"{PREFIX} {lead}: {payload.get('headline') or ''}".rstrip(": "))


def render(payload: Mapping[str, Any], fmt: str) -> tuple[str, str]:
    """``(title, body)`` of an alert in ``fmt`` (``text``, ``markdown`` or ``html``)."""
    title = title_of(payload)
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown message format {fmt!r}")
    return title, _RENDERERS[fmt](payload)


# -- plain text ---------------------------------------------------------------------------

def _facts(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    if p.get("event") == "source_health":
        facts.append(("Source", str(p.get("source") or "")))
        facts.append(("Since", _when(p.get("when"))))
        if p.get("failures") is not None:
            facts.append(("Consecutive failures", str(p.get("failures"))))
        if p.get("error"):
            facts.append(("Last error", str(p.get("error"))))
        return facts
    facts.append(("When", _when(p.get("when"))))
    if p.get("first_reporter"):
        facts.append(("First reported by", str(p["first_reporter"])))
    outlets = int(p.get("outlets") or 0)
    if outlets:
        facts.append(("Carried by", f"{outlets} outlet{'s' if outlets != 1 else ''}"))
    if p.get("severity") and p.get("severity") != "normal":
        facts.append(("Severity", str(p["severity"])))
    return facts


def _links(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    out = []
    for link in p.get("links") or []:
        url = _safe_url(link.get("url") if isinstance(link, Mapping) else link)
        if url:
            label = (link.get("source") or link.get("title") or url) if isinstance(link, Mapping) else url
            out.append((str(label), url))
    return out


def _text(p: Mapping[str, Any]) -> str:
    if p.get("event") == "digest":
        return _digest(p, _text_entry, header=lambda s: s, sep="\n\n")
    return _text_entry(p)


def _text_entry(p: Mapping[str, Any]) -> str:
    lines = [_one_line(f"{p.get('kind_label') or p.get('kind', '')}: {p.get('headline', '')}", 400), ""]
    lines += [f"{k}: {_one_line(v, 300)}" for k, v in _facts(p)]
    sentences = [s for s in p.get("key_sentences") or [] if s]
    if sentences:
        lines += ["", *[f"- {_one_line(s, 400)}" for s in sentences]]
    links = _links(p)
    if links:
        lines += ["", *[f"{_one_line(label, 80)}: {url}" for label, url in links]]
    return "\n".join(lines).strip() + "\n"


# -- Markdown -----------------------------------------------------------------------------

def _markdown(p: Mapping[str, Any]) -> str:
    if p.get("event") == "digest":
        return _digest(p, _md_entry, header=lambda s: f"## {md_escape(s)}", sep="\n\n---\n\n")
    return _md_entry(p)


def _md_entry(p: Mapping[str, Any]) -> str:
    label = md_escape(str(p.get("kind_label") or p.get("kind") or ""))
    lines = [f"**{label}**: {md_escape(_one_line(str(p.get('headline', '')), 400))}", ""]
    lines += [f"- **{md_escape(k)}:** {md_escape(_one_line(v, 300))}" for k, v in _facts(p)]
    sentences = [s for s in p.get("key_sentences") or [] if s]
    if sentences:
        for s in sentences:
            lines += ["", f"> {md_escape(_one_line(s, 400))}"]
    links = _links(p)
    if links:
        lines += ["", *[f"- [{md_escape(_one_line(label, 80))}](<{url}>)" for label, url in links]]
    return "\n".join(lines).strip() + "\n"


# -- HTML ---------------------------------------------------------------------------------

def _html(p: Mapping[str, Any]) -> str:
    if p.get("event") == "digest":
        return _digest(p, _html_entry, header=lambda s: f"<h2>{html_escape(s)}</h2>", sep="\n<hr>\n")
    return _html_entry(p)


def _html_entry(p: Mapping[str, Any]) -> str:
    e = html_escape
    label = e(str(p.get("kind_label") or p.get("kind") or ""))
    parts = [f"<h3><span>{label}</span>: {e(_one_line(str(p.get('headline', '')), 400))}</h3>", "<ul>"]
    parts += [f"<li><b>{e(k)}:</b> {e(_one_line(v, 300))}</li>" for k, v in _facts(p)]
    parts.append("</ul>")
    sentences = [s for s in p.get("key_sentences") or [] if s]
    if sentences:
        parts.append("<blockquote>" + "".join(f"<p>{e(_one_line(s, 400))}</p>" for s in sentences)
                     + "</blockquote>")
    links = _links(p)
    if links:
        parts.append("<p>" + "<br>".join(
            f'<a href="{e(url)}">{e(_one_line(label, 80))}</a>' for label, url in links) + "</p>")
    return "\n".join(parts) + "\n"


# -- digest -------------------------------------------------------------------------------

def _digest(p: Mapping[str, Any], entry: Callable[[Mapping[str, Any]], str],
            header: Callable[[str], str], sep: str) -> str:
    entries = list(p.get("entries") or [])
    head = header(f"{len(entries)} item{'s' if len(entries) != 1 else ''} since the last digest"
                  f" ({_when(p.get('period_end'))})")
    return head + sep + sep.join(entry(x).strip() for x in entries) + "\n"


_RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "text": _text, "markdown": _markdown, "html": _html}
