"""One Prefect task per pipeline stage (or per batch of pages), never per article.

Each task takes the validated config and the run's clock, opens its own database
context (no engines, sessions or clients cross a task boundary) and calls the same
stage function ``storywatch run`` calls. Nothing is cached or persisted: a stage's
result lives only as long as the flow run that uses it.

Only the two fetch tasks retry, and only when trying again can help
(:func:`retry_if_transient`); a 404, a feed that does not parse or a config error
fails at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from storage.db import transaction
from storage.errors import StorageError
from storywatch import pipeline
from storywatch.config import Config
from storywatch.pipeline import (
    Context,
    CycleResult,
    ParsedArticle,
    PlannedArticle,
    SourceOutcome,
    open_context,
)

_TRANSIENT_STATUS = re.compile(r"\bHTTP (408|425|429|500|502|503|504)\b")
_PERMANENT = re.compile(r"\bHTTP [1-5]\d\d\b|ParseError|FeedError|InvalidURL|BlockedAddress|RobotsDisallowed|"
                        r"TooLarge|Decompression|NotAFeed|UnsafeXML|EmptyBody|Redirect|not an http", re.I)
_TRANSIENT_WORDS = re.compile(r"time(d)? ?out|refused|reset|unreachable|temporar|incomplete|closed|"
                              r"connect|network|DNS|name resolution", re.I)

STAGE_TASK_OPTIONS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}


class SourcesUnavailable(Exception):
    """Every source fetched this attempt failed, at least one for a reason that may pass."""

    def __init__(self, outcomes: Sequence[SourceOutcome], transient: bool) -> None:
        self.outcomes = list(outcomes)
        self.transient = transient
        names = ", ".join(o.name for o in outcomes[:5]) + (" …" if len(outcomes) > 5 else "")
        super().__init__(f"all {len(outcomes)} sources failed ({names}); first error: {outcomes[0].error}")


def failure_is_transient(error: str | None) -> bool:
    """True when a source's one-line error names something that may pass (timeouts, 5xx, refused)."""
    if not error:
        return False
    if _TRANSIENT_STATUS.search(error):
        return True
    if _PERMANENT.search(error):
        return False
    return bool(_TRANSIENT_WORDS.search(error))


def is_transient(exc: BaseException | None) -> bool:
    """True for failures a retry can cure: an outage of all sources, a locked or unreachable database."""
    if exc is None:
        return False
    if isinstance(exc, SourcesUnavailable):
        return exc.transient
    if isinstance(exc, StorageError | OSError | TimeoutError):
        return True
    try:
        import httpx
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, httpx.TransportError)


def retry_if_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry only what :func:`is_transient` says may succeed."""
    try:
        state.result()
    except BaseException as exc:
        return is_transient(exc)
    return False


@contextmanager
def stage_context(config: Config, as_of: datetime) -> Iterator[Context]:
    """A database context for one task (no migration: the flow migrated once)."""
    ctx = open_context(config, as_of=as_of, migrate=False)
    try:
        yield ctx
    finally:
        ctx.engine.dispose()


def due_source_names(config: Config, as_of: datetime, only: Sequence[str] | None) -> tuple[list[str], list[str]]:
    """(sources to fetch, sources backing off) -- the selection ``pipeline.fetch_feeds`` makes.

    Fixing the list up front lets a retried fetch task fetch the very same sources even
    though the failed attempt pushed their next-due time out.
    """
    from storage import sources as source_store

    specs = [s for s in config.sources if s.enabled and (not only or s.name in only)]
    with stage_context(config, as_of) as ctx, transaction(ctx.sessions) as session:
        source_store.sync_sources(session, [(s.name, s.url, s.kind) for s in config.sources])
        due = {s.name for s in source_store.due_sources(session, ctx.now())}
    due |= set(only or ())
    return [s.name for s in specs if s.name in due], [s.name for s in specs if s.name not in due]


@task(name="fetch-feeds", retries=2, retry_delay_seconds=[10, 60], retry_jitter_factor=0.2,
      retry_condition_fn=retry_if_transient, timeout_seconds=300, **STAGE_TASK_OPTIONS)
def fetch_feeds_task(config: Config, as_of: datetime,
                     names: list[str]) -> tuple[list[SourceOutcome], list[PlannedArticle]]:
    """Fetch the named sources; raises SourcesUnavailable when every one of them failed."""
    if not names:
        return [], []
    with stage_context(config, as_of) as ctx:
        outcomes, planned = pipeline.fetch_feeds(ctx, names)
    failed = [o for o in outcomes if o.status == "failed"]
    if failed and len(failed) == len(outcomes):
        raise SourcesUnavailable(failed, any(failure_is_transient(o.error) for o in failed))
    return outcomes, planned


@task(name="plan-articles", timeout_seconds=300, **STAGE_TASK_OPTIONS)
def plan_task(config: Config, as_of: datetime, planned: list[PlannedArticle]) -> tuple[list[PlannedArticle], int]:
    """Entries not stored yet, each once, and how many were already known."""
    with stage_context(config, as_of) as ctx:
        return pipeline.plan_articles(ctx, planned)


@task(name="fetch-parse-pages", retries=1, retry_delay_seconds=[10], retry_condition_fn=retry_if_transient,
      timeout_seconds=900, **STAGE_TASK_OPTIONS)
def fetch_parse_task(config: Config, as_of: datetime, batch: list[PlannedArticle],
                     in_process: bool = False) -> list[ParsedArticle]:
    """Fetch and parse a batch of pages; per-page failures come back as errors, not exceptions.

    ``in_process`` keeps parsing in this process (a Dask worker is already one per core).
    """
    with stage_context(config, as_of) as ctx:
        if in_process:
            with ThreadPoolExecutor(max_workers=1) as one:
                return pipeline.fetch_and_parse(ctx, batch, executor=one)
        return pipeline.fetch_and_parse(ctx, batch)


@task(name="store-detect", timeout_seconds=900, **STAGE_TASK_OPTIONS)
def store_detect_task(config: Config, as_of: datetime, parsed: list[ParsedArticle],
                      sources: list[SourceOutcome]) -> CycleResult:
    """Dedupe, store and decide the parsed articles, and count each source's new ones.

    Returns a partial result: what was stored, developments, alerts enqueued, sources.
    """
    with stage_context(config, as_of) as ctx:
        part = CycleResult(run_id=None, as_of=as_of, started_at=ctx.now(), sources=list(sources))
        pipeline.store_and_detect(ctx, parsed, part)
        pipeline.count_new_per_source(ctx, part)
        pipeline.commit_validators(ctx, part.sources, parsed)
        return part


@task(name="deliver-alerts", timeout_seconds=600, **STAGE_TASK_OPTIONS)
def deliver_task(config: Config, as_of: datetime) -> CycleResult:
    """Deliver pending alerts; a partial result with the delivery figures."""
    with stage_context(config, as_of) as ctx:
        part = CycleResult(run_id=None, as_of=as_of, started_at=ctx.now())
        pipeline.deliver(ctx, part)
        return part


@task(name="write-report", timeout_seconds=300, **STAGE_TASK_OPTIONS)
def report_task(config: Config, as_of: datetime, watch: str | None = None) -> str | None:
    """Write the timeline report; its path (None when the config disables it)."""
    with stage_context(config, as_of) as ctx:
        return pipeline.write_report(ctx, watch)
