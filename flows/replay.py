"""The ``replay`` flow: re-run the bundled (or a stored) story day by day, for tuning watches.

One ReplayServer on 127.0.0.1 serves the story; for each day its clock is set to the
day's end and a cycle runs with that ``as_of``, so freshness, kinds and alerts come out
as they would have on that day. Use a fresh database to replay from scratch.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from flows.artifacts import artifact_key, publish_run_artifacts
from flows.cycle import flow_config, run_cycle_tasks, trigger_name
from flows.lease import watch_lease
from flows.notify import notify_failure
from storywatch.cli.prefect import day_range, end_of_day, replay_row, story_days
from storywatch.errors import ConfigError
from storywatch.pipeline import CycleResult


@flow(name="replay", persist_result=False, timeout_seconds=6 * 3600, on_failure=[notify_failure],
      on_crashed=[notify_failure])
def replay(start: date | None = None, end: date | None = None, config: str | None = None,
           watch: str | None = None, story: str | None = None, deliver: bool = False) -> list[dict[str, Any]]:
    """Replay the story day by day: the replay server's clock and the cycle's ``as_of`` are each day's end.

    Args:
        start: first day (default: a week before the story's default clock).
        end: last day, inclusive (default: the day before the story's default clock).
        config: a config whose sources use ``{replay}`` URLs (default: the bundled replay config).
        watch: decide for this watch only.
        story: path of a stored story manifest (default: the bundled story).
        deliver: send alerts (default False: recorded in the outbox only).
    """
    from storywatch.replay.server import ReplayServer
    from storywatch.replay.story import load_story

    cfg = flow_config(config, watch)
    if not cfg.replay.enabled:
        raise ConfigError("replay: the config must enable 'replay' and use '{replay}' source URLs")
    loaded = load_story(Path(story)) if story else load_story()
    first, last = story_days(loaded)
    days = list(day_range(start or first, end or last))
    log = get_run_logger()
    rows: list[dict[str, Any]] = []
    result: CycleResult | None = None
    with watch_lease(cfg.database, [w.name for w in cfg.watches]) as lease:
        if not lease.acquired:
            raise ConfigError(f"replay: another run is in progress for watch {lease.busy!r}")
        with ReplayServer(clock=end_of_day(days[0]), story=loaded) as server:
            served = cfg.with_replay_base(server.base_url)
            for day in days:
                server.set_clock(end_of_day(day))
                result = run_cycle_tasks(served, as_of=end_of_day(day), trigger=trigger_name("prefect:replay"),
                                         deliver_alerts=deliver, report=day == days[-1],
                                         runner="thread", report_watch=watch)
                rows.append(replay_row(day, result))
                log.info("%s: %d stored, %d new developments", day, rows[-1]["stored"],
                         rows[-1]["new_developments"])
    if result is not None:
        publish_run_artifacts(result, prefix="replay", watch=watch, title=f"storywatch replay of {days[-1]}")
    create_table_artifact(key=artifact_key("replay", watch, "days"), table=rows,
                          description=f"replay of {days[0]}..{days[-1]}")
    return rows
