"""``storywatch sources``: each configured source's health (a table, or JSON with ``--json``)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storywatch.cli import CliContext


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``sources`` subcommand."""
    p = sub.add_parser(
        "sources",
        help="list each source's health (failures, last error, next try)",
        description="List each source's health: state, consecutive failures, last success, "
        "next scheduled try and the last error. Failing sources back off exponentially "
        "(capped) and keep being retried.",
    )
    p.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    p.add_argument("--failing", action="store_true", help="only sources whose last attempt failed")
    p.add_argument(
        "--all", action="store_true", help="include sources stored earlier but no longer in the config"
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the health rows; 0 on success."""
    from storage.sources import health_rows

    configured = {s.name: s for s in ctx.config.sources}
    with ctx.session_factory()() as session:
        rows = health_rows(session, None if args.all else list(configured))
    known = {r["name"] for r in rows}
    for name, spec in configured.items():  # configured but never synced: not tried yet
        if name not in known:
            rows.append(_never_row(name, spec.url, spec.kind))
    for r in rows:
        r["configured"] = r["name"] in configured
        found = configured.get(r["name"])
        r["enabled"] = bool(getattr(found, "enabled", True)) if found is not None else False
    rows.sort(key=lambda r: r["name"])
    if args.failing:
        rows = [r for r in rows if r["state"] == "failing"]
    if args.json:
        ctx.print_json(rows)
        return 0
    if not rows:
        ctx.out.write("no sources\n")
        return 0
    from storywatch.cli import table

    now = datetime.now(UTC)
    body = [
        (
            r["name"],
            r["state"] if r["enabled"] else f"{r['state']} (disabled)",
            r["consecutive_failures"],
            r["last_status"] if r["last_status"] is not None else "",
            _ago(r["last_success_at"], now),
            _ago(r["next_due_at"], now) if r["next_due_at"] else "now",
            r["last_error"] or "",
        )
        for r in rows
    ]
    ctx.out.write(table(body, ["SOURCE", "STATE", "FAILS", "HTTP", "LAST SUCCESS", "NEXT TRY", "LAST ERROR"]))
    ctx.out.write("\n")
    failing = sum(1 for r in rows if r["state"] == "failing")
    ctx.out.write(f"{len(rows)} sources, {failing} failing\n")
    return 0


def _never_row(name: str, url: str, kind: str) -> dict[str, Any]:
    return {
        "name": name, "url": url, "kind": kind, "state": "never", "consecutive_failures": 0,
        "last_status": None, "last_error": None, "last_attempt_at": None, "last_success_at": None,
        "last_new_article_at": None, "next_due_at": None, "health_alerted_at": None,
    }


def _ago(stamp: str | None, now: datetime) -> str:
    """``2026-02-16T05:00Z (3h ago)`` / ``(in 20m)`` for an ISO stamp; ``-`` for None."""
    if not stamp:
        return "-"
    when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    seconds = (now - when).total_seconds()
    span = abs(seconds)
    if span < 90:
        rel = f"{span:.0f}s"
    elif span < 5400:
        rel = f"{span / 60:.0f}m"
    elif span < 172800:
        rel = f"{span / 3600:.0f}h"
    else:
        rel = f"{span / 86400:.0f}d"
    short = when.strftime("%Y-%m-%dT%H:%MZ")
    return f"{short} ({rel} ago)" if seconds >= 0 else f"{short} (in {rel})"
