"""``python -m storywatch.replay [--port N] [--clock ISO]``: serve the replay site until Ctrl-C."""

from __future__ import annotations

import argparse
import time
from datetime import datetime

from storywatch.replay.server import ReplayServer


def serve_forever_cli(argv: list[str] | None = None) -> int:
    """Serve the replay on 127.0.0.1 until interrupted; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m storywatch.replay", description=__doc__)
    parser.add_argument("--port", type=int, default=None, help="default: 8765 if free, else any")
    parser.add_argument("--clock", help="ISO time with zone, e.g. 2026-11-19T00:00:00Z (default: story end)")
    args = parser.parse_args(argv)
    clock = datetime.fromisoformat(args.clock.replace("Z", "+00:00")) if args.clock else None
    if clock is not None and clock.tzinfo is None:
        parser.error("--clock needs a time zone")
    with ReplayServer(clock, port=args.port) as server:
        print(f"replay at {server.base_url} (clock {server.clock.isoformat()}); feeds:")
        for o in server.story.outlets:
            print(f"  {server.base_url}{o.feed_path}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(serve_forever_cli())
