"""The ``storywatch`` command: parses arguments, calls the library, maps errors to exit codes.

Exit codes: 0 done; 1 the work could not be done (e.g. database unreachable, a
delivery test failed); 2 bad usage or bad config (nothing written); 130 interrupted.

Each command group lives in its own module exposing ``register(sub)``, which adds
subparsers whose ``handler(args, ctx) -> int`` does the work. Keep imports of heavy
libraries (Prefect above all) inside handlers so quick commands stay quick.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from parsers.dates import format_iso as iso
from storywatch import __version__
from storywatch.errors import ConfigError, StorywatchError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from storywatch.config import Config

Handler = Callable[[argparse.Namespace, "CliContext"], int]


@dataclass
class CliContext:
    """What a command handler gets: the validated config and lazy database access."""

    config_path: Path
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    _config: Config | None = None
    _sessions: sessionmaker[Session] | None = None

    @property
    def config(self) -> Config:
        """The config, loaded and validated on first use (ConfigError on problems)."""
        if self._config is None:
            from storywatch.config import load_config

            self._config = load_config(self.config_path)
        return self._config

    def session_factory(self) -> sessionmaker[Session]:
        """Sessions on the configured database, migrated to the newest schema."""
        if self._sessions is None:
            from storage.db import make_engine, session_factory, upgrade

            upgrade(self.config.database)
            self._sessions = session_factory(make_engine(self.config.database))
        return self._sessions

    @property
    def watch_names(self) -> list[str]:
        return [w.name for w in self.config.watches]

    def print_json(self, data: Any) -> None:
        """Write ``data`` as JSON (datetimes as ISO-8601 UTC)."""
        self.out.write(json.dumps(data, ensure_ascii=False, indent=2, default=json_default) + "\n")

    def progress(self, message: str) -> None:
        """Progress for long work, on stderr so --json output stays clean."""
        if self.err.isatty() or os.environ.get("STORYWATCH_PROGRESS"):
            self.err.write(f"… {message}\n")
            self.err.flush()


def json_default(value: Any) -> Any:
    """JSON for datetimes (ISO-8601 UTC with Z) and other simple objects."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def parse_when(text: str) -> datetime:
    """An ISO-8601 time (``Z`` or offset; a bare date means midnight UTC) as aware UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 time: {text!r} (e.g. 2026-02-20T00:00:00Z)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """A plain aligned text table."""
    cells = [[("" if c is None else str(c)) for c in r] for r in rows]
    widths = [len(h) for h in headers]
    for r in cells:
        for i, c in enumerate(r):
            widths[i] = min(max(widths[i], len(c)), 70)
    def fmt(r: Sequence[str]) -> str:
        return "  ".join((c if len(c) <= 70 else c[:69] + "…").ljust(widths[i]) for i, c in enumerate(r)).rstrip()
    lines = [fmt(list(headers)), fmt(["-" * w for w in widths])]
    lines += [fmt(r) for r in cells]
    return "\n".join(lines)


@contextmanager
def replay_if_enabled(config: Config, clock: datetime | None = None) -> Iterator[Config]:
    """Serve the bundled offline story on 127.0.0.1 when the config asks for it."""
    if not config.replay.enabled:
        yield config
        return
    from storywatch.errors import RunError
    from storywatch.replay.server import ReplayServer

    try:
        server = ReplayServer(clock=clock or config.replay.clock, port=config.replay.port)
    except OSError as exc:
        raise RunError(f"cannot serve the offline replay on 127.0.0.1:{config.replay.port} ({exc.strerror}); "
                       "is another storywatch running? set replay.port in the config") from None
    with server:
        yield config.with_replay_base(server.base_url)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="storywatch",
        description="Track a developing news story and alert on genuinely new developments.",
        epilog="Config: --config FILE, else $STORYWATCH_CONFIG, else the bundled offline replay. "
        "Exit codes: 0 ok, 1 failed, 2 bad usage/config, 130 interrupted.",
    )
    parser.add_argument("--config", metavar="FILE", help="YAML config file (default: $STORYWATCH_CONFIG or the "
                        "bundled offline replay config)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and details to stderr")
    parser.add_argument("--version", action="version", version=f"storywatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    from storywatch.cli import core

    core.register(sub)
    for module in ("sources", "alerts", "report", "prefect"):
        try:
            mod = __import__(f"storywatch.cli.{module}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != f"storywatch.cli.{module}":
                raise
            continue
        mod.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``storywatch`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    from storywatch.config import config_path

    ctx = CliContext(config_path=config_path(args.config))
    handler: Handler = args.handler
    try:
        return handler(args, ctx)
    except ConfigError as exc:
        print(f"storywatch: {exc}", file=sys.stderr)
        return 2
    except StorywatchError as exc:
        print(f"storywatch: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("storywatch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        from storage.errors import StorageError

        if isinstance(exc, StorageError):
            print(f"storywatch: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
