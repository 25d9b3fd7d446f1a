"""Report commands: ``report`` writes the timeline HTML file, ``web`` serves it with a JSON API."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storywatch.cli import CliContext
    from storywatch.config import Config


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report`` and ``web``."""
    p = sub.add_parser(
        "report",
        help="write the story timeline as one self-contained HTML file",
        description="Write the watch's developments (newest first), coverage per day, alerts and "
        "failing sources as one HTML file that works offline and as an email attachment. "
        "Prints the file's path.",
    )
    p.add_argument("--out", metavar="FILE", help="where to write (default: the config's report.path, else "
                   "story.html next to the SQLite database, else ./story.html)")
    p.add_argument("--watch", metavar="NAME", help="which watch (default: the first configured)")
    p.set_defaults(handler=cmd_report)

    p = sub.add_parser(
        "web",
        help="serve the latest report and a JSON API on 127.0.0.1",
        description="Serve the report (rendered fresh on every request) at / and JSON at "
        "/api/developments, /api/articles and /api/alerts. Ctrl-C stops it.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8780, help="port (default 8780; 0 picks a free one)")
    p.add_argument("--watch", metavar="NAME", help="which watch (default: the first configured)")
    p.set_defaults(handler=cmd_web)


def default_report_path(config: Config) -> Path:
    """The config's report path, else ``story.html`` next to a SQLite database, else ``./story.html``."""
    if config.report.path:
        return Path(config.report.path)
    db = config.database
    if db.startswith("sqlite") and "///" in db:
        file = db.split("///", 1)[1].split("?", 1)[0]
        if file and file != ":memory:":
            return Path(file).expanduser().parent / "story.html"
    return Path("story.html")


def cmd_report(args: argparse.Namespace, ctx: CliContext) -> int:
    """Write the report and print its path."""
    from reporting.data import load_report_data
    from reporting.errors import ReportError
    from reporting.render import write_report

    watch = ctx.config.watch(args.watch)
    out = Path(args.out) if args.out else default_report_path(ctx.config)
    with ctx.session_factory()() as session:
        data = load_report_data(session, watch.spec, now=datetime.now(UTC))
    try:
        path = write_report(data, out)
    except ReportError as exc:
        ctx.err.write(f"storywatch: {exc}\n")
        return 1
    ctx.out.write(f"{path}\n")
    return 0


def cmd_web(args: argparse.Namespace, ctx: CliContext) -> int:
    """Serve the report until Ctrl-C."""
    from reporting.web import serve

    watch = ctx.config.watch(args.watch)
    factory = ctx.session_factory()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        ctx.err.write(f"storywatch: warning: serving on {args.host}, reachable from other machines; "
                      "the report has no authentication\n")

    def ready(url: str) -> None:
        ctx.out.write(f"Serving the {watch.name!r} report at {url} (JSON under {url}api/); Ctrl-C stops.\n")
        ctx.out.flush()

    try:
        serve(factory, watch.spec, args.host, args.port, on_ready=ready)
    except OSError as exc:
        ctx.err.write(f"storywatch: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}\n")
        return 1
    return 0
