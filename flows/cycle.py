"""One ingest cycle as a handful of Prefect tasks, bookkept exactly like ``pipeline.run_cycle_in``.

The same stage functions run as under ``storywatch run``; what Prefect adds is retries
of the fetch tasks, timeouts, per-stage timings in the UI and the run's artifacts.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime

from prefect import get_run_logger

from flows.settings import FlowSettings, flow_settings
from flows.tasks import (
    SourcesUnavailable,
    deliver_task,
    due_source_names,
    fetch_feeds_task,
    fetch_parse_task,
    plan_task,
    report_task,
    store_detect_task,
)
from storywatch.config import Config
from storywatch.pipeline import (
    CycleResult,
    PlannedArticle,
    SourceOutcome,
    begin_run,
    end_run,
    open_context,
    timed,
)


def batches(items: Sequence[PlannedArticle], n: int) -> list[list[PlannedArticle]]:
    """``items`` split into at most ``n`` contiguous, non-empty batches of near-equal size."""
    n = max(1, min(n, len(items)))
    size, extra = divmod(len(items), n)
    out, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        if end > start:
            out.append(list(items[start:end]))
        start = end
    return out


def parse_batch_count(settings: FlowSettings, runner: str) -> int:
    """How many fetch+parse tasks a cycle uses: one on threads, one per core on Dask."""
    if settings.parse_batches:
        return settings.parse_batches
    return (os.cpu_count() or 2) if runner == "dask" else 1


def run_cycle_tasks(config: Config, *, as_of: datetime | None, only_sources: Sequence[str] | None = None,
                    trigger: str = "prefect", deliver_alerts: bool = True, report: bool | None = None,
                    runner: str = "thread", report_watch: str | None = None) -> CycleResult:
    """Run one cycle inside a flow run and return what it did (the same figures as ``run_cycle``)."""
    log = get_run_logger()
    settings = flow_settings(config)
    ctx = open_context(config, as_of=as_of)  # migrates once; the tasks open their own connections
    clock = ctx.as_of
    result = begin_run(ctx, trigger)
    status = "failed"
    delays = settings.fetch_retry_delays or [0.0]
    fetch = fetch_feeds_task.with_options(retries=settings.fetch_retries, retry_delay_seconds=delays,
                                          retry_jitter_factor=settings.retry_jitter,
                                          timeout_seconds=settings.fetch_timeout)
    try:
        with timed(result, "fetch_feeds"):
            names, backing_off = due_source_names(config, clock, only_sources)
            skipped = [SourceOutcome(n, _url(config, n), "skipped", "backing off after failures")
                       for n in backing_off]
            state = fetch(config, clock, names, return_state=True)
            try:
                outcomes, planned = state.result()
            except SourcesUnavailable as exc:  # retries exhausted: record and carry on, like the pipeline
                log.warning("%s", exc)
                outcomes, planned = exc.outcomes, []
            result.sources = [*skipped, *outcomes]
        log.info("%d sources, %d entries", len(result.sources), len(planned))
        with timed(result, "plan"):
            todo, result.skipped_known = plan_task(config, clock, planned)
        with timed(result, "fetch_parse"):
            parsed = []
            if todo:
                work = batches(todo, parse_batch_count(settings, runner))
                in_process = runner == "dask"
                if len(work) == 1:  # in the flow's thread: the task's timeout can act
                    parsed = fetch_parse_task(config, clock, work[0], in_process)
                else:
                    futures = [fetch_parse_task.submit(config, clock, b, in_process) for b in work]
                    for f in futures:
                        parsed.extend(f.result())
        log.info("%d new pages fetched", len(parsed))
        with timed(result, "store_detect"):
            part = store_detect_task(config, clock, parsed, result.sources)
        result.sources = part.sources
        result.stored, result.developments = part.stored, part.developments
        result.parse_failures, result.alerts_enqueued = part.parse_failures, part.alerts_enqueued
        log.info("%d articles stored", len(result.stored))
        if deliver_alerts:
            with timed(result, "alert"):
                sent = deliver_task(config, clock)
            result.alerts_enqueued += sent.alerts_enqueued
            result.alerts_delivered, result.alerts_failed = sent.alerts_delivered, sent.alerts_failed
            result.delivery_errors = sent.delivery_errors
        status = "ok"
    finally:
        end_run(ctx, result, status)
        ctx.engine.dispose()
    if report if report is not None else config.report.write_after_run:
        with timed(result, "report"):
            written = report_task(config, clock, report_watch, return_state=True)
            if written.is_completed():
                result.report_path = written.result()
            else:  # the report is a view: never fail a completed cycle for it
                log.warning("report not written: %s", written.message)
    return result


def _url(config: Config, name: str) -> str:
    return next((s.url for s in config.sources if s.name == name), "")


def flow_config(config: str | None, watch: str | None = None) -> Config:
    """The config a flow run uses: ``config`` path, else ``$STORYWATCH_CONFIG``, else the bundled one.

    With ``watch``, only that watch is decided and alerted (ConfigError when unknown).
    """
    from storywatch.config import config_path, load_config

    cfg = load_config(config_path(config))
    if watch is not None:
        cfg = cfg.model_copy(update={"watches": [cfg.watch(watch)]})
    return cfg


def trigger_name(default: str = "prefect") -> str:
    """``prefect:<deployment>`` for deployment runs, else ``default`` (recorded in the runs table)."""
    from prefect.runtime import deployment

    name = deployment.name
    return f"prefect:{name}" if name else default
