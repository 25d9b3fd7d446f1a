"""Core commands: run, articles, developments, extract."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from storywatch.cli import CliContext, iso, json_default, parse_when, replay_if_enabled, table

if TYPE_CHECKING:
    from storywatch.pipeline import CycleResult


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add run, articles, developments and extract."""
    p = sub.add_parser("run", help="run one ingest cycle", description=(
        "Fetch every due source, store new articles, detect developments and deliver alerts. "
        "Exits 0 when the cycle completed, even if some sources failed (they are listed)."))
    p.add_argument("--as-of", type=parse_when, metavar="ISO-8601",
                   help="the run's 'now' for freshness (replays, backfills); default: the current time, "
                   "or the replay clock of the bundled offline story")
    p.add_argument("--source", action="append", metavar="NAME", dest="sources",
                   help="only this source (repeatable); fetched even while backing off")
    p.add_argument("--no-deliver", action="store_true", help="record alerts in the outbox but do not send them")
    p.add_argument("--no-report", action="store_true", help="do not write the timeline report")
    p.add_argument("--json", action="store_true", help="print the cycle's result as JSON")
    p.add_argument("--local", action="store_true",
                   help="run the pipeline in this process even when a Prefect API is configured")
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("articles", help="list stored articles", description="List stored articles, newest first.")
    p.add_argument("--json", action="store_true", help="JSON: [{id, url, canonical_url, source, title, published, "
                   "lang, relevant, development_id, duplicate_of}]")
    p.add_argument("--watch", metavar="NAME", help="whose relevance/development to show (default: first watch)")
    p.add_argument("--limit", type=int, default=0, help="at most this many (table default 50; JSON: all)")
    p.set_defaults(handler=cmd_articles)

    p = sub.add_parser("developments", help="list detected developments",
                       description="List the watch's developments, newest first, with why they were classified.")
    p.add_argument("--json", action="store_true",
                   help="JSON: [{id, kind, title, first_seen, first_published, article_ids, sources, ...}]")
    p.add_argument("--watch", metavar="NAME", help="which watch (default: first watch)")
    p.set_defaults(handler=cmd_developments)

    p = sub.add_parser("extract", help="show what the pipeline would store for pages",
                       description="Fetch (URLs, concurrently) or read (files) pages and print what the "
                       "pipeline would store, using the same parse code as ingest.")
    p.add_argument("inputs", nargs="+", metavar="URL_OR_FILE", help="http(s) URLs (fetched concurrently) or HTML files")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per line: {input, url, title, published, lang, canonical_url, text, ...}")
    p.add_argument("--url", metavar="URL", help="for files: the URL the page was served from")
    p.set_defaults(handler=cmd_extract)


def cmd_run(args: argparse.Namespace, ctx: CliContext) -> int:
    config = ctx.config
    if os.environ.get("PREFECT_API_URL") and not args.local:
        from flows.ingest import run_ingest_via_prefect  # Prefect is imported only on this path

        return int(run_ingest_via_prefect(ctx, args))
    from storywatch.pipeline import run_cycle

    with replay_if_enabled(config, args.as_of) as cfg:
        result = run_cycle(cfg, as_of=args.as_of, only_sources=args.sources, trigger="cli",
                           console=ctx.err if args.json else ctx.out, deliver_alerts=not args.no_deliver,
                           report=False if args.no_report else None, progress=ctx.progress)
    if args.json:
        ctx.print_json(result_json(result))
    else:
        ctx.out.write(result_text(result) + "\n")
    return 0


def result_json(result: CycleResult) -> dict[str, Any]:
    """The cycle's result as a JSON-able dict."""
    data = asdict(result)
    for source in data["sources"]:
        source.pop("validators", None)
    data["stats"] = result.stats()
    return json.loads(json.dumps(data, default=json_default))


def result_text(result: CycleResult) -> str:
    """The cycle's result as a short human summary."""
    s = result.stats()
    lines = [f"run {result.run_id} as of {iso(result.as_of)}: {s['articles_stored']} articles stored "
             f"({s['duplicates']} duplicates, {s['relevant']} relevant), {s['developments_new']} new developments, "
             f"{s['alerts_enqueued']} alerts recorded, {s['alerts_delivered']} delivered"]
    lines.append("")
    lines.append(table([(o.name, o.status, o.entries, o.new_articles, o.error or "") for o in result.sources],
                       ["source", "status", "entries", "new", "error"]))
    news = [d for d in result.developments if d.new]
    if news:
        lines.append("")
        lines.append(table([(d.id, d.kind, d.title, "yes" if d.alerts else "") for d in news],
                           ["development", "kind", "title", "alerted"]))
    if result.failed_sources:
        lines.append("")
        lines.append(f"{len(result.failed_sources)} source(s) failed; they are retried with backoff "
                     "(see `storywatch sources`).")
    if result.parse_failures:
        lines.append(f"{len(result.parse_failures)} page(s) not stored this run (retried next run):")
        lines.extend(f"  {e}" for e in result.parse_failures[:10])
    if result.delivery_errors:
        lines.append(f"{len(result.delivery_errors)} delivery problem(s); pending alerts are retried:")
        lines.extend(f"  {e}" for e in result.delivery_errors[:10])
    if result.report_path:
        lines.append(f"report: {result.report_path}")
    return "\n".join(lines)


def cmd_articles(args: argparse.Namespace, ctx: CliContext) -> int:
    from reporting.data import articles_json

    watch = ctx.config.watch(args.watch).name
    with ctx.session_factory()() as session:
        rows = articles_json(session, watch)
    if args.limit:
        rows = rows[: args.limit]
    if args.json:
        ctx.print_json(rows)
        return 0
    shown = rows if args.limit else rows[:50]
    ctx.out.write(table([(r["id"], (r["published"] or "")[:10], r["source"], "yes" if r["relevant"] else "",
                          r["development_id"] or "", r["duplicate_of"] or "", r["title"]) for r in shown],
                        ["id", "published", "source", "relevant", "dev", "dup of", "title"]) + "\n")
    if len(shown) < len(rows):
        ctx.out.write(f"… {len(rows) - len(shown)} more (use --limit or --json)\n")
    return 0


def cmd_developments(args: argparse.Namespace, ctx: CliContext) -> int:
    from reporting.data import developments_json

    watch = ctx.config.watch(args.watch).name
    with ctx.session_factory()() as session:
        rows = developments_json(session, watch)
    if args.json:
        ctx.print_json(rows)
        return 0
    ctx.out.write(table([(r["id"], (r.get("first_published") or r["first_seen"] or "")[:10], r["kind"],
                          len(r["article_ids"]), len(r["sources"]), r["title"]) for r in rows],
                        ["id", "published", "kind", "articles", "outlets", "title"]) + "\n")
    return 0


def cmd_extract(args: argparse.Namespace, ctx: CliContext) -> int:
    from storywatch.extract import extract_many

    results = extract_many(args.inputs, ctx.config.fetch, file_url=args.url)
    failures = 0
    for item in results:
        if item.get("error"):
            failures += 1
        if args.json:
            ctx.out.write(json.dumps(item, ensure_ascii=False, default=json_default) + "\n")
        elif item.get("error"):
            ctx.out.write(f"{item['input']}: error: {item['error']}\n\n")
        else:
            ctx.out.write(f"{item['input']}\n  title: {item['title']}\n  published: {item['published']} "
                          f"({item.get('published_source')})\n  lang: {item['lang']}\n  canonical: "
                          f"{item['canonical_url']}\n  byline: {item.get('byline')}\n  paywalled: "
                          f"{item.get('paywalled')}\n\n{item['text']}\n\n")
    if failures:
        print(f"storywatch: {failures} of {len(results)} input(s) failed", file=sys.stderr)
    return 1 if failures == len(results) else 0

