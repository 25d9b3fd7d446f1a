"""The artifacts every run leaves in Prefect: a Markdown summary, a table of new articles, a report link.

Keys are lowercase-with-dashes so the Artifacts page versions them run after run. They
are kept small (they live in Prefect's database): at most 200 table rows, short errors.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact

from storywatch.pipeline import CycleResult

MAX_ROWS = 200


def artifact_key(*parts: str | None) -> str:
    """A Prefect artifact key: lowercase letters, digits and dashes."""
    text = "-".join(p for p in parts if p)
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]+", "-", text.lower())).strip("-")[:100] or "storywatch"


def _cell(text: Any, limit: int = 120) -> str:
    flat = " ".join(str(text if text is not None else "").split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def summary_markdown(result: CycleResult, title: str = "storywatch ingest") -> str:
    """The run's summary: new developments, alerts, failing sources, counts (Markdown, not indented)."""
    s = result.stats()
    as_of = result.as_of.isoformat().replace("+00:00", "Z")
    lines = [f"# {_cell(title)}", "",
             f"Run {result.run_id} as of {as_of}: **{s['articles_stored']}** articles stored, "
             f"**{s['developments_new']}** new developments, **{s['alerts_delivered']}** alerts sent.", ""]
    news = [d for d in result.developments if d.new]
    lines.append("## New developments")
    lines.append("")
    if news:
        lines += [f"- **{_cell(d.kind)}** ({_cell(d.watch)}): {_cell(d.title)}"
                  + (f" (alerts: {d.alerts})" if d.alerts else "") for d in news]
    else:
        lines.append("None.")
    updated = [d for d in result.developments if not d.new]
    if updated:
        lines += ["", f"{len(updated)} known development(s) updated"
                  + (f", {sum(1 for d in updated if d.escalated)} escalated." if any(d.escalated for d in updated)
                     else ".")]
    lines += ["", "## Alerts", "",
              f"- recorded: {s['alerts_enqueued']}",
              f"- sent: {s['alerts_delivered']}",
              f"- failed: {s['alerts_failed']}"]
    lines += [f"- problem: {_cell(e, 200)}" for e in result.delivery_errors[:5]]
    lines += ["", "## Sources", ""]
    failed = result.failed_sources
    if failed:
        lines += ["| source | error |", "|---|---|"]
        lines += [f"| {_cell(o.name)} | {_cell(o.error, 200)} |" for o in failed]
        lines.append("")
    lines.append(f"{s['sources']} sources: {s['sources'] - s['sources_failed'] - s['sources_not_modified']} "
                 f"fetched, {s['sources_not_modified']} not modified, {s['sources_failed']} failing.")
    lines += ["", "## Counts", "", "| figure | value |", "|---|---|"]
    for key in ("articles_stored", "duplicates", "relevant", "skipped_known", "parse_failures",
                "developments_new", "developments_updated"):
        lines.append(f"| {key.replace('_', ' ')} | {s[key]} |")
    timings = ", ".join(f"{k} {v:.2f}s" for k, v in s["timings"].items())
    if timings:
        lines += ["", f"Stage times: {timings}."]
    return "\n".join(lines) + "\n"


def article_rows(result: CycleResult) -> list[dict[str, Any]]:
    """One table row per article stored by the run (at most MAX_ROWS)."""
    return [{"id": a.id, "source": a.source, "title": _cell(a.title),
             "published": a.published.isoformat().replace("+00:00", "Z") if a.published else "",
             "relevant": a.relevant, "kind": a.kind or "", "development": a.development_id or "",
             "duplicate_of": a.duplicate_of or "", "url": a.url} for a in result.stored[:MAX_ROWS]]


def report_link(path: str) -> str:
    """A file:// URL for a report path (absolute)."""
    return Path(path).resolve().as_uri()


def publish_run_artifacts(result: CycleResult, *, prefix: str = "ingest", watch: str | None = None,
                          title: str = "storywatch ingest") -> dict[str, str]:
    """Create the summary, table and (when a report was written) link artifacts; returns kind -> key."""
    keys = {"summary": artifact_key(prefix, watch, "summary"),
            "articles": artifact_key(prefix, watch, "new-articles")}
    create_markdown_artifact(key=keys["summary"], markdown=summary_markdown(result, title),
                             description=f"{title}: run {result.run_id}")
    rows = article_rows(result)
    more = len(result.stored) - len(rows)
    create_table_artifact(key=keys["articles"], table=rows or [{"id": "", "title": "no new articles"}],
                          description=f"{len(result.stored)} new articles" + (f" (first {len(rows)})" if more else ""))
    if result.report_path:
        keys["report"] = artifact_key(prefix, watch, "timeline-report")
        create_link_artifact(key=keys["report"], link=report_link(result.report_path),
                             link_text="Timeline report", description=f"written by run {result.run_id}")
    return keys
