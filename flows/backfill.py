"""The ``backfill`` flow (no schedule): catch up a watch over a date range, or once at a given ``as_of``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.states import State

from flows.artifacts import artifact_key, publish_run_artifacts
from flows.cycle import flow_config, trigger_name
from flows.ingest import guarded_cycle
from flows.notify import notify_failure
from storywatch.cli.prefect import day_range, end_of_day


@flow(name="backfill", persist_result=False, timeout_seconds=6 * 3600, on_failure=[notify_failure],
      on_crashed=[notify_failure])
def backfill(watch: str | None = None, sources: list[str] | None = None, start: date | None = None,
             end: date | None = None, as_of: datetime | None = None, config: str | None = None,
             deliver: bool = False) -> Any:
    """Run a cycle per day from ``start`` to ``end`` (each at the day's end), or one at ``as_of``.

    Args:
        watch: decide for this watch only (default: every watch).
        sources: only these sources, fetched even while backing off (default: every due source).
        start: first day to catch up (with ``end``: a day range; alone: that one day).
        end: last day (inclusive).
        as_of: without ``start``: one cycle at this time (default: now).
        config: path of the storywatch config.
        deliver: send the alerts (default False: recorded in the outbox, sent by the next ingest).
    """
    cfg = flow_config(config, watch)
    clocks = [end_of_day(d) for d in day_range(start, end)] if start else [as_of]
    rows: list[dict[str, Any]] = []
    log = get_run_logger()
    for clock in clocks:
        outcome = guarded_cycle(cfg, as_of=clock, sources=sources, deliver=deliver, report=False,
                                trigger=trigger_name("prefect:backfill"))
        if isinstance(outcome, State):
            return outcome
        s = outcome.stats()
        log.info("as of %s: %d stored, %d new developments", outcome.as_of, s["articles_stored"],
                 s["developments_new"])
        rows.append({"as_of": outcome.as_of.isoformat(), "run": outcome.run_id, "stored": s["articles_stored"],
                     "new_developments": s["developments_new"], "alerts": s["alerts_enqueued"],
                     "failing_sources": s["sources_failed"]})
        last = outcome
    publish_run_artifacts(last, prefix="backfill", watch=watch, title="storywatch backfill (last day)")
    create_table_artifact(key=artifact_key("backfill", watch, "days"), table=rows,
                          description=f"{len(rows)} cycle(s)")
    return rows
