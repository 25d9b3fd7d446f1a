"""Prefect commands: ``serve`` (schedules in one process) and ``replay`` (the story day by day).

Nothing here imports prefect at module level: ``storywatch --help`` and the quick
commands stay quick. ``replay`` runs without Prefect unless PREFECT_API_URL is set.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from storywatch.cli import CliContext, table
from storywatch.errors import ConfigError

MAX_DAYS = 366


def end_of_day(day: date) -> datetime:
    """The clock a day is replayed at: ``day+1 00:00 UTC``, so everything published that day is visible."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=UTC)


def day_range(start: date, end: date | None = None) -> Iterator[date]:
    """Every day from ``start`` to ``end`` inclusive (default ``start``); ConfigError when reversed or > a year."""
    last = end or start
    if last < start:
        raise ConfigError(f"date range: end {last} is before start {start}")
    if (last - start).days + 1 > MAX_DAYS:
        raise ConfigError(f"date range: at most {MAX_DAYS} days at once (asked {start}..{last})")
    day = start
    while day <= last:
        yield day
        day += timedelta(days=1)


def story_days(story: Any, days: int = 7) -> tuple[date, date]:
    """The default replay range: the ``days`` days before the story's replay clock (not before its first article)."""
    first = min(a.published for a in story.articles).date()
    last = max(first, (story.default_clock - timedelta(microseconds=1)).date())
    return max(first, last - timedelta(days=days - 1)), last


def parse_day(text: str) -> date:
    """An ISO date (``2026-11-18``) for argparse."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date: {text!r} (e.g. 2026-11-18)") from None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add serve and replay."""
    p = sub.add_parser("serve", help="run the scheduled deployments in this process (needs a Prefect server)",
                       description=(
                           "Serve the deployments of prefect.yaml (ingest, digest, backfill, replay) from this "
                           "process: schedules fire, and runs can be started from the UI or with `prefect "
                           "deployment run`. Uses the server at $PREFECT_API_URL, else one on 127.0.0.1:PORT, "
                           "else starts one there (and stops it on exit). Ctrl-C stops cleanly."))
    p.add_argument("--port", type=int, default=4200, help="port of the local Prefect server (default 4200)")
    p.add_argument("--ingest-cron", metavar="CRON", help="ingest schedule (default from prefect.yaml: every 15 min)")
    p.add_argument("--timezone", metavar="TZ", help="time zone of every schedule (default from prefect.yaml: UTC)")
    p.add_argument("--only", action="append", metavar="DEPLOYMENT",
                   help="serve only this deployment (repeatable)")
    p.add_argument("--no-start", action="store_true", help="fail instead of starting a Prefect server")
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("replay", help="replay the bundled story day by day (for tuning watches)",
                       description=(
                           "For each day in the range, set the replay server's clock to the day's end and run one "
                           "cycle with that as-of time. Runs as the Prefect `replay` flow when PREFECT_API_URL is "
                           "set (recorded there), else directly. Use a fresh database to start from scratch."))
    p.add_argument("--from", dest="start", type=parse_day, metavar="DATE",
                   help="first day (default: a week before the story's replay clock)")
    p.add_argument("--to", dest="end", type=parse_day, metavar="DATE",
                   help="last day, inclusive (default: the day before the story's replay clock)")
    p.add_argument("--watch", metavar="NAME", help="decide for this watch only")
    p.add_argument("--deliver", action="store_true", help="send alerts (default: record them only)")
    p.add_argument("--json", action="store_true", help="JSON: [{day, run, stored, relevant, new_developments, "
                   "alerts, kinds}]")
    p.add_argument("--local", action="store_true", help="run directly even when a Prefect API is configured")
    p.set_defaults(handler=cmd_replay)


def cmd_serve(args: argparse.Namespace, ctx: CliContext) -> int:
    config = ctx.config  # a bad config fails here with one line, before any server starts
    from flows.server import find_or_start_server

    log_path = Path(os.environ.get("PREFECT_HOME", str(Path.home() / ".prefect"))) / "storywatch-server.log"
    server = find_or_start_server(args.port, log_path=log_path, start=not args.no_start)
    if server.started_here:
        assert server.process is not None
        ctx.err.write(f"storywatch: started a Prefect server at {server.api_url} (pid {server.process.pid}, "
                      f"log {log_path}); it stops when serve stops\n")
    else:
        ctx.err.write(f"storywatch: using the Prefect server at {server.api_url}\n")
    os.environ["PREFECT_API_URL"] = server.api_url
    os.environ["STORYWATCH_CONFIG"] = str(ctx.config_path.resolve())  # the served runs use this config
    ctx.err.write(f"storywatch: config {ctx.config_path} ({len(config.sources)} sources, "
                  f"{len(config.watches)} watch(es)); UI at {server.api_url.removesuffix('/api')}; Ctrl-C stops\n")
    ctx.err.flush()
    try:
        from flows.deployments import serve_project

        serve_project(ingest_cron=args.ingest_cron, timezone=args.timezone, only=args.only)
    except KeyboardInterrupt:
        pass
    finally:
        if server.started_here:
            ctx.err.write("storywatch: stopping the Prefect server we started\n")
            server.stop()
        ctx.err.write("storywatch: serve stopped\n")
        ctx.err.flush()
    return 0


def cmd_replay(args: argparse.Namespace, ctx: CliContext) -> int:
    if os.environ.get("PREFECT_API_URL") and not args.local:
        from flows.replay import replay

        ctx.config  # noqa: B018  -- validate before Prefect starts
        rows = replay(start=args.start, end=args.end, config=str(ctx.config_path), watch=args.watch,
                      deliver=args.deliver)
    else:
        rows = replay_locally(ctx, args.start, args.end, args.watch, args.deliver)
    if args.json:
        ctx.print_json(rows)
    else:
        ctx.out.write(table([(r["day"], r["run"], r["stored"], r["relevant"], r["new_developments"], r["alerts"],
                              r["kinds"]) for r in rows],
                            ["day", "run", "stored", "relevant", "new devs", "alerts", "kinds"]) + "\n")
    return 0


def replay_locally(ctx: CliContext, start: date | None, end: date | None, watch: str | None,
                   deliver: bool) -> list[dict[str, Any]]:
    """The replay without Prefect: one ReplayServer, one ``run_cycle`` per day at the day's end."""
    from storywatch.pipeline import run_cycle
    from storywatch.replay.server import ReplayServer
    from storywatch.replay.story import load_story

    config = ctx.config
    if watch is not None:
        config = config.model_copy(update={"watches": [config.watch(watch)]})
    if not config.replay.enabled:
        raise ConfigError("replay: the config must enable 'replay' and use '{replay}' source URLs")
    story = load_story()
    first, last = story_days(story)
    days = list(day_range(start or first, end or last))
    rows: list[dict[str, Any]] = []
    with ReplayServer(clock=end_of_day(days[0]), story=story) as server:
        served = config.with_replay_base(server.base_url)
        for day in days:
            server.set_clock(end_of_day(day))
            ctx.progress(f"replaying {day}")
            result = run_cycle(served, as_of=end_of_day(day), trigger="replay", console=ctx.err,
                               deliver_alerts=deliver, report=day == days[-1])
            rows.append(replay_row(day, result))
    return rows


def replay_row(day: date, result: Any) -> dict[str, Any]:
    """One day of a replay as a row: run id, counts and the kinds of the new developments."""
    s = result.stats()
    return {"day": day.isoformat(), "run": result.run_id, "stored": s["articles_stored"], "relevant": s["relevant"],
            "new_developments": s["developments_new"], "alerts": s["alerts_enqueued"],
            "kinds": ", ".join(sorted({d.kind for d in result.developments if d.new}))}
