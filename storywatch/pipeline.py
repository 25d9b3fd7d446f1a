"""One ingest cycle: sources -> fetch -> parse -> dedupe -> store -> detect -> alert -> report.

Plain Python, callable without Prefect. ``flows/`` wraps the same stage functions
in tasks; ``storywatch run`` calls :func:`run_cycle` directly.

Stages, in order:

1. :func:`fetch_feeds` -- conditional GET of every due source (feeds, news sitemaps,
   single pages); per-source health is recorded, a failing source never stops the run.
2. :func:`plan_articles` -- feed entries whose (canonical) URL is not yet stored.
3. :func:`fetch_and_parse` -- article pages fetched concurrently (I/O) while earlier
   pages are parsed in a process pool (CPU), so both cores work.
4. :func:`store_and_detect` -- one transaction per chunk of articles, each article in
   turn: exact/near-duplicate lookup, insert (unique URL and canonical URL), the
   watches' decisions, and the alerts' outbox rows. Two runs at once cannot store or
   enqueue anything twice; a transient database error retries the whole chunk.
5. :func:`deliver` -- the outbox is delivered (pending alerts from earlier runs too).
6. :func:`finish` -- the run's figures are recorded and the report written.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from alerting import outbox
from alerting.errors import AlertingError
from alerting.policy import resolve_channels
from dedupe.fingerprint import Fingerprint, fingerprint, to_json
from detection.engine import detect
from fetcher.aggregators import resolve_aggregator_link
from fetcher.client import Fetcher, FetchRequest, FetchResponse
from fetcher.errors import FetchError
from fetcher.loop import FetchLoop
from parsers.article import parse_article
from parsers.errors import ParseError
from parsers.feeds import parse_feed
from parsers.models import Article, FeedEntry
from parsers.urls import canonicalize_url
from storage import articles as article_store
from storage import runs as run_store
from storage import sources as source_store
from storage.db import make_engine, session_factory, transaction, upgrade, with_retry
from storage.dedupe_index import find_duplicate, index_article
from storage.models import Development as DevelopmentRow
from storywatch.config import Config, Watch
from storywatch.errors import ConfigError, RunError

log = logging.getLogger("storywatch.pipeline")

#: Below this many pages parsing stays in-process: a process pool costs more than it saves.
POOL_THRESHOLD = 24

_WARM_UP_PAGE = (
    "<html lang='en'><head><title>Warm-up page | Example</title>"
    "<meta property='article:published_time' content='2026-01-02T03:04:05Z'></head><body><article>"
    "<h1>Warm-up page</h1><p class='byline'>By A. Writer, 2 January 2026</p>"
    + "<p>This paragraph only loads the parser's models and caches before the pool forks, so that "
      "every worker starts warm and shares those pages with the main process.</p>" * 3
    + "</article></body></html>"
).encode()


def _new_pool() -> ProcessPoolExecutor:
    """A process pool of one worker per core, forked from a warmed-up parser.

    The first parse loads language models, date patterns and extractor state (~0.5 CPU-s):
    done once here instead of once in every worker, and the forked workers share those pages.
    """
    with suppress(ParseError):  # warming up is best effort
        _parse_fingerprint_job(_WARM_UP_PAGE, "https://warm-up.invalid/2026/01/02/page", datetime.now(UTC), "utf-8")
    return ProcessPoolExecutor(max_workers=max(1, os.cpu_count() or 2))


@dataclass(frozen=True)
class SourceOutcome:
    """What happened to one source in a cycle."""

    name: str
    url: str
    status: str  # ok | not_modified | failed | skipped
    error: str | None = None
    entries: int = 0
    new_articles: int = 0
    #: The feed's response (body dropped), whose validators are saved once its entries are stored.
    validators: FetchResponse | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class PlannedArticle:
    """A feed entry whose page is to be fetched and parsed."""

    source: str
    url: str
    entry: FeedEntry | None


@dataclass(frozen=True)
class ParsedArticle:
    """A parsed page, or the reason it could not be parsed."""

    source: str
    article: Article | None
    first_seen: datetime
    error: str | None = None
    #: The article's dedupe fingerprint when the parser already computed it (next to parsing,
    #: in the pool); the store stage computes it otherwise.
    fingerprint: Fingerprint | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class StoredArticle:
    """An article stored by this cycle and what the watches decided about it."""

    id: int
    source: str
    url: str
    title: str
    published: datetime | None
    duplicate_of: int | None
    relevant: bool
    development_id: int | None
    kind: str | None


@dataclass(frozen=True)
class DevelopmentChange:
    """A development created or updated by this cycle."""

    id: int
    watch: str
    kind: str
    title: str
    new: bool
    escalated: bool
    alerts: int


@dataclass
class CycleResult:
    """The outcome of one cycle, as shown by the CLI and the Prefect artifacts."""

    run_id: int | None
    as_of: datetime
    started_at: datetime
    finished_at: datetime | None = None
    sources: list[SourceOutcome] = field(default_factory=list)
    stored: list[StoredArticle] = field(default_factory=list)
    skipped_known: int = 0
    parse_failures: list[str] = field(default_factory=list)
    developments: list[DevelopmentChange] = field(default_factory=list)
    alerts_enqueued: int = 0
    alerts_delivered: int = 0
    alerts_failed: int = 0
    digests_sent: int = 0
    delivery_errors: list[str] = field(default_factory=list)
    report_path: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed_sources(self) -> list[SourceOutcome]:
        return [s for s in self.sources if s.status == "failed"]

    def stats(self) -> dict[str, Any]:
        """Counts for the runs table and artifacts."""
        return {
            "sources": len(self.sources),
            "sources_failed": len(self.failed_sources),
            "sources_not_modified": sum(1 for s in self.sources if s.status == "not_modified"),
            "articles_stored": len(self.stored),
            "duplicates": sum(1 for a in self.stored if a.duplicate_of is not None),
            "relevant": sum(1 for a in self.stored if a.relevant),
            "skipped_known": self.skipped_known,
            "parse_failures": len(self.parse_failures),
            "developments_new": sum(1 for d in self.developments if d.new),
            "developments_updated": sum(1 for d in self.developments if not d.new),
            "alerts_enqueued": self.alerts_enqueued,
            "alerts_delivered": self.alerts_delivered,
            "alerts_failed": self.alerts_failed,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


@dataclass
class Context:
    """What every stage needs: the config, the database, and the run's clock."""

    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    as_of: datetime
    console: TextIO | None = None
    #: Channels resolved from the config (secrets read from env / secrets file), by name.
    channels: dict[str, Any] = field(default_factory=dict)

    @property
    def channel_names(self) -> list[str]:
        """Names of the enabled channels; the console when none is configured."""
        return list(self.channels) or ["console"]

    def now(self) -> datetime:
        """Wall-clock time (delivery scheduling, health); ``as_of`` is the story's clock."""
        return datetime.now(UTC)


def open_context(config: Config, *, as_of: datetime | None = None, console: TextIO | None = None,
                 migrate: bool = True) -> Context:
    """Connect to the configured database (migrating it) and fix the run's clock."""
    try:
        channels = resolve_channels(config.channels, dict(os.environ), config.secrets_file)
    except AlertingError as exc:
        raise ConfigError(f"config error: {exc}") from None
    try:
        if migrate:
            upgrade(config.database)
        engine = make_engine(config.database)
    except Exception as exc:
        raise RunError(f"database unavailable: {str(exc).splitlines()[0]}") from exc
    clock = as_of or (config.replay.clock if config.replay.enabled else None) or datetime.now(UTC)
    return Context(config=config, engine=engine, sessions=session_factory(engine), as_of=clock.astimezone(UTC),
                   console=console, channels=channels)


@contextmanager
def timed(result: CycleResult, name: str) -> Iterator[None]:
    """Add the wall time of a block to ``result.timings[name]``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        result.timings[name] = result.timings.get(name, 0.0) + (time.perf_counter() - start)


# --------------------------------------------------------------------------- fetch feeds


def fetch_feeds(ctx: Context, only: Sequence[str] | None = None) -> tuple[list[SourceOutcome], list[PlannedArticle]]:
    """Fetch every due source; returns each source's outcome and the entries found."""
    cfg = ctx.config
    now = ctx.now()
    specs = [s for s in cfg.sources if s.enabled and (not only or s.name in only)]
    with transaction(ctx.sessions) as session:
        source_store.sync_sources(session, [(s.name, s.url, s.kind) for s in cfg.sources])
        due = {s.name for s in source_store.due_sources(session, now)}
        cache = source_store.validators(session, [s.url for s in specs])
    if only:
        due |= set(only)  # asked for by name: fetch even when backing off
    todo = [s for s in specs if s.name in due]
    outcomes = [SourceOutcome(s.name, s.url, "skipped", "backing off after failures") for s in specs
                if s.name not in due]
    reqs = [FetchRequest(url=s.url, etag=cache.get(s.url, (None, None))[0],
                         last_modified=cache.get(s.url, (None, None))[1],
                         kind="page" if s.kind == "page" else "feed") for s in todo]
    responses = _run_async(_fetch_many(cfg, reqs))
    planned: list[PlannedArticle] = []
    for spec, resp in zip(todo, responses, strict=True):
        outcome, entries = _feed_outcome(ctx, spec.name, spec.url, spec.kind, resp)
        outcomes.append(outcome)
        planned.extend(entries)
    return outcomes, planned


def _feed_outcome(ctx: Context, name: str, url: str, kind: str,
                  resp: FetchResponse | FetchError) -> tuple[SourceOutcome, list[PlannedArticle]]:
    now = ctx.now()
    if isinstance(resp, FetchError):
        with transaction(ctx.sessions) as session:
            source_store.record_failure(session, name, now, resp)
        return SourceOutcome(name, url, "failed", str(resp)), []
    if resp.not_modified:
        with transaction(ctx.sessions) as session:
            source_store.record_success(session, name, now, resp.status, 0)
        return SourceOutcome(name, url, "not_modified"), []
    if kind == "page":
        planned = [PlannedArticle(name, resp.final_url, None)]
        with transaction(ctx.sessions) as session:
            source_store.record_success(session, name, now, resp.status, 0)
        return SourceOutcome(name, url, "ok", entries=1, validators=replace(resp, content=b"")), planned
    try:
        feed = parse_feed(resp.content, resp.final_url)
    except ParseError as exc:
        with transaction(ctx.sessions) as session:
            source_store.record_failure(session, name, now, exc)
        return SourceOutcome(name, url, "failed", f"{type(exc).__name__}: {exc}"), []
    planned = []
    for entry in feed.entries:
        if not entry.url:
            continue
        link = resolve_aggregator_link(entry.url)
        planned.append(PlannedArticle(name, link, replace(entry, url=link)))
    with transaction(ctx.sessions) as session:
        source_store.record_success(session, name, now, resp.status, 0)
    return SourceOutcome(name, url, "ok", entries=len(planned), validators=replace(resp, content=b"")), planned


# --------------------------------------------------------------------------- plan


def plan_articles(ctx: Context, planned: Sequence[PlannedArticle]) -> tuple[list[PlannedArticle], int]:
    """Entries whose URL (raw or canonical) is not stored yet, each once; and how many were known."""
    seen: set[str] = set()
    unique: list[tuple[PlannedArticle, str]] = []  # with its canonical URL, computed once
    for p in planned:
        canon = canonicalize_url(p.url)
        if p.url in seen or canon in seen:
            continue
        seen.update((p.url, canon))
        unique.append((p, canon))
    with ctx.sessions() as session:
        known = article_store.known_urls(session, seen)
    todo = [p for p, canon in unique if p.url not in known and canon not in known]
    return todo, len(planned) - len(todo)


# --------------------------------------------------------------------------- fetch + parse


def fetch_and_parse(ctx: Context, planned: Sequence[PlannedArticle],
                    executor: Executor | None = None, fetch_loop: FetchLoop | None = None) -> list[ParsedArticle]:
    """Fetch the planned pages and parse them, overlapping I/O and CPU.

    ``fetch_loop``: fetch with that loop's Fetcher (its connections, robots rules and per-host
    pacing carry over between calls) instead of a Fetcher of this call's own.
    """
    if not planned:
        return []
    own_pool = executor is None and len(planned) >= POOL_THRESHOLD and (os.cpu_count() or 1) > 1
    pool = _new_pool() if own_pool else executor
    try:
        if fetch_loop is not None:
            return fetch_loop.run(lambda fetcher: _fetch_and_parse(ctx, planned, pool, fetcher))
        with FetchLoop(ctx.config.fetch) as own_loop:
            return own_loop.run(lambda fetcher: _fetch_and_parse(ctx, planned, pool, fetcher))
    finally:
        if own_pool and pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


async def _fetch_and_parse(ctx: Context, planned: Sequence[PlannedArticle],
                           pool: Executor | None, fetcher: Fetcher) -> list[ParsedArticle]:
    loop = asyncio.get_running_loop()
    out: list[ParsedArticle | None] = [None] * len(planned)

    async def one(i: int, p: PlannedArticle) -> None:
        try:
            resp = await fetcher.fetch(FetchRequest(url=p.url, kind="page", untrusted=p.entry is not None))
        except FetchError as exc:
            out[i] = _unparsed(p, ctx.now(), f"fetch failed: {exc}")
            return
        # dates are judged against the story's clock when it is ahead of the wall clock
        # (a replay or backfill run with a later --as-of), else against the fetch time
        args = (resp.content, resp.final_url, max(resp.fetched_at, ctx.as_of), resp.encoding)
        try:
            if pool is not None:
                article, fp = await loop.run_in_executor(pool, _parse_fingerprint_job, *args)
            else:
                article, fp = _parse_fingerprint_job(*args)
        except ParseError as exc:
            out[i] = _unparsed(p, resp.fetched_at, f"parse failed: {exc}")
            return
        except Exception as exc:  # a crashed worker must not end the run
            out[i] = _unparsed(p, resp.fetched_at, f"parse crashed: {type(exc).__name__}: {exc}")
            return
        merged = _merge_entry(article, p.entry)
        # the fingerprint covers title and text: a title taken from the feed entry needs a new one
        out[i] = ParsedArticle(p.source, merged, resp.fetched_at,
                               fingerprint=fp if merged.title == article.title else None)

    await asyncio.gather(*(one(i, p) for i, p in enumerate(planned)))
    return [o for o in out if o is not None]


def _parse_job(content: bytes, url: str, fetched_at: datetime, encoding: str | None) -> Article:
    return parse_article(content, url, fetched_at, encoding=encoding)


def _parse_fingerprint_job(content: bytes, url: str, fetched_at: datetime,
                           encoding: str | None) -> tuple[Article, Fingerprint]:
    """Parse a page and fingerprint it: both pure CPU work, done together in a pool worker."""
    article = _parse_job(content, url, fetched_at, encoding)
    return article, fingerprint(article.title, article.text)


def _merge_entry(article: Article, entry: FeedEntry | None) -> Article:
    """Fill what the page lacks from its feed entry (date, title)."""
    if entry is None:
        return article
    updates: dict[str, Any] = {}
    if article.published is None and entry.published is not None:
        updates.update(published=entry.published, published_source="feed")
    if not article.title and entry.title:
        updates["title"] = entry.title
    return replace(article, **updates) if updates else article


def _unparsed(p: PlannedArticle, when: datetime, error: str) -> ParsedArticle:
    """A page that could not be fetched or parsed: kept as an error, retried next run."""
    return ParsedArticle(p.source, None, when, error=f"{p.url}: {error}")


# --------------------------------------------------------------------------- store + detect


#: Articles per transaction of :func:`store_and_detect`: fewer commits (a round trip and a WAL
#: flush each on PostgreSQL), while the write lock and a retry's repeated work stay short.
STORE_CHUNK = 64


@dataclass
class _Chunk:
    """What one chunk's transaction did; added to the cycle's result once it has committed."""

    stored: list[StoredArticle] = field(default_factory=list)
    developments: list[DevelopmentChange] = field(default_factory=list)
    enqueued: int = 0
    known: int = 0

    def add_to(self, result: CycleResult) -> None:
        result.stored.extend(self.stored)
        result.developments.extend(self.developments)
        result.alerts_enqueued += self.enqueued
        result.skipped_known += self.known


def store_and_detect(ctx: Context, parsed: Sequence[ParsedArticle], result: CycleResult) -> None:
    """Dedupe, store and decide the articles in publication order, a chunk per transaction.

    Alerts are enqueued in the same transaction. An article whose URL or canonical URL is
    already stored (by a concurrent run, or another entry of this one) counts as known.
    """
    watches = ctx.config.watches
    channel_names = ctx.channel_names
    todo: list[ParsedArticle] = []
    for item in sorted(parsed, key=_publication_order):
        if item.article is None:
            if item.error:
                result.parse_failures.append(item.error)
            continue
        todo.append(item)
    for start in range(0, len(todo), STORE_CHUNK):
        chunk = todo[start : start + STORE_CHUNK]
        with_retry(partial(_ingest_chunk, ctx, chunk, watches, channel_names)).add_to(result)


def _ingest_chunk(ctx: Context, chunk: Sequence[ParsedArticle], watches: Sequence[Watch],
                  channels: list[str]) -> _Chunk:
    out = _Chunk()
    with transaction(ctx.sessions) as session:
        for item in chunk:
            _ingest_one(session, ctx, item, watches, channels, out)
            # each article starts from the database, as if in a transaction of its own
            session.flush()
            session.expunge_all()
    return out


def _publication_order(p: ParsedArticle) -> tuple[datetime, str]:
    a = p.article
    when = (a.published if a and a.published else None) or p.first_seen
    return when, a.url if a else ""


def _ingest_one(session: Session, ctx: Context, item: ParsedArticle, watches: Sequence[Watch],
                channels: list[str], out: _Chunk) -> None:
    article = item.article
    assert article is not None
    fp = item.fingerprint or fingerprint(article.title, article.text)
    dup = find_duplicate(session, fp, published=article.published)
    dup_id, dup_score = (dup if dup else (None, None))
    new_id = article_store.insert_article(
        session, article, source=item.source, first_seen=item.first_seen,
        content_hash=fp.content_hash, fingerprint=to_json(fp),
        duplicate_of=dup_id, duplicate_score=dup_score,
    )
    if new_id is None:  # its URL or canonical URL is stored already (a concurrent run, another entry)
        log.debug("already stored: %s", article.url)
        out.known += 1
        return
    index_article(session, new_id, fp, new=True)
    relevant = False
    development_id: int | None = None
    kind: str | None = None
    for watch in watches:
        decision = detect(session, watch.spec, new_id, article, as_of=ctx.as_of, duplicate_of=dup_id)
        if not decision.relevant or decision.development_id is None:
            continue
        relevant = True
        development_id = development_id or decision.development_id
        kind = kind or decision.kind
        if not (decision.created or decision.updated or decision.escalated):
            continue
        dev = session.get(DevelopmentRow, decision.development_id)
        assert dev is not None
        ids = outbox.enqueue(session, watch_name=watch.name, policy=watch.policy, channels=channels,
                             development=dev, decision=decision, now=ctx.now(), watch=watch.spec)
        out.enqueued += len(ids)
        out.developments.append(DevelopmentChange(dev.id, watch.name, dev.kind, dev.title, decision.created,
                                                  decision.escalated, len(ids)))
    out.stored.append(StoredArticle(new_id, item.source, article.url, article.title, article.published, dup_id,
                                    relevant, development_id, kind))


def commit_validators(ctx: Context, outcomes: Sequence[SourceOutcome], parsed: Sequence[ParsedArticle]) -> None:
    """Save the ETag/Last-Modified of feeds whose new entries are all stored.

    Saved only now, not at fetch time: a crash before storing, or a page that failed and
    must be retried, leaves the old validators so the next run gets the full feed again.
    """
    failed = {p.source for p in parsed if p.article is None}
    with transaction(ctx.sessions) as session:
        for o in outcomes:
            if o.validators is not None and o.name not in failed:
                source_store.save_validators(session, o.validators)


#: Pages per window of :func:`ingest_pages`: big enough to amortise a window's setup, small
#: enough that storing the last window on its own (not overlapped) stays short.
STORE_WINDOW = 256


def ingest_pages(ctx: Context, planned: Sequence[PlannedArticle], result: CycleResult,
                 window: int | None = None) -> list[ParsedArticle]:
    """Fetch, parse and store the planned pages; window k is stored while k+1 is fetched and parsed.

    Windows follow the feed entries' dates (oldest first) and each window is stored in
    publication order, so a cycle of at most one window behaves exactly like
    :func:`fetch_and_parse` then :func:`store_and_detect`. Returns everything parsed.
    """
    window = window or STORE_WINDOW
    if len(planned) <= window:
        with timed(result, "fetch_parse"):
            parsed = fetch_and_parse(ctx, planned)
        with timed(result, "store_detect"):
            store_and_detect(ctx, parsed, result)
        return parsed
    todo = sorted(planned, key=_entry_order)
    pool = _new_pool() if (os.cpu_count() or 1) > 1 else None
    parsed_all: list[ParsedArticle] = []

    def store(batch: list[ParsedArticle]) -> None:
        with timed(result, "store_detect"):  # overlaps fetch_parse: the two timings add up to more than wall
            store_and_detect(ctx, batch, result)

    try:
        # one Fetcher for every window: connections, robots rules and per-host pacing carry over
        with FetchLoop(ctx.config.fetch) as fetch_loop, \
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="storywatch-store") as storer:
            pending: Future[None] | None = None
            for start in range(0, len(todo), window):
                with timed(result, "fetch_parse"):
                    batch = fetch_and_parse(ctx, todo[start : start + window], executor=pool, fetch_loop=fetch_loop)
                # kept for the caller without fingerprints (~7 KB each): only the window being stored needs them
                parsed_all.extend(replace(item, fingerprint=None) if item.fingerprint else item for item in batch)
                if pending is not None:
                    pending.result()  # windows are stored in order, one at a time
                pending = storer.submit(store, batch)
            if pending is not None:
                pending.result()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return parsed_all


def _entry_order(p: PlannedArticle) -> tuple[int, datetime]:
    published = p.entry.published if p.entry is not None else None
    return (0, published) if published is not None else (1, datetime.max.replace(tzinfo=UTC))


# --------------------------------------------------------------------------- alert


def deliver(ctx: Context, result: CycleResult) -> None:
    """Deliver pending alerts (this run's and earlier ones') through the configured channels."""
    channels = ctx.channels
    now = ctx.now()
    with transaction(ctx.sessions) as session:
        for spec in source_store.health_alerts_due(session, now):
            for watch in ctx.config.watches:
                result.alerts_enqueued += len(outbox.enqueue_source_health(
                    session, watch_name=watch.name, policy=watch.policy,
                    channels=ctx.channel_names, source=spec, now=now))
    for watch in ctx.config.watches:
        report = outbox.deliver_pending(ctx.sessions, watch.policy, channels, now=now, console=ctx.console,
                                        watch=watch.name)
        result.alerts_delivered += report.delivered
        result.alerts_failed += report.failed
        result.delivery_errors.extend(report.errors)
    digests = outbox.send_scheduled_digests(ctx.sessions, {w.name: w.policy for w in ctx.config.watches}, channels,
                                            now=now, console=ctx.console)
    result.digests_sent += digests.sent


# --------------------------------------------------------------------------- finish


def write_report(ctx: Context, watch: str | None = None, path: str | None = None) -> str | None:
    """Write the timeline report; returns its path (None when disabled)."""
    target = path or ctx.config.report.path
    if not target:
        return None
    from reporting.data import load_report_data
    from reporting.render import write_report as write_html

    with ctx.sessions() as session:
        data = load_report_data(session, ctx.config.watch(watch).spec, now=ctx.as_of)
    return str(write_html(data, Path(target)))


def run_cycle(config: Config, *, as_of: datetime | None = None, only_sources: Sequence[str] | None = None,
              trigger: str = "cli", console: TextIO | None = None, deliver_alerts: bool = True,
              report: bool | None = None, progress: Callable[[str], None] | None = None) -> CycleResult:
    """Run one whole cycle and return what it did. Failing sources are recorded, not raised."""
    say = progress or (lambda _msg: None)
    ctx = open_context(config, as_of=as_of, console=console)
    try:
        return run_cycle_in(ctx, only_sources=only_sources, trigger=trigger, deliver_alerts=deliver_alerts,
                            report=report, say=say)
    finally:
        ctx.engine.dispose()


def begin_run(ctx: Context, trigger: str) -> CycleResult:
    """Record a cycle as running and return its (empty) result with the run's id."""
    started = ctx.now()
    result = CycleResult(run_id=None, as_of=ctx.as_of, started_at=started)
    with transaction(ctx.sessions) as session:
        result.run_id = run_store.start_run(session, started_at=started, as_of=ctx.as_of, trigger=trigger)
    return result


def end_run(ctx: Context, result: CycleResult, status: str) -> None:
    """Stamp the cycle's end and record its status and figures."""
    assert result.run_id is not None, "end_run needs the result of begin_run"
    result.finished_at = ctx.now()
    with transaction(ctx.sessions) as session:
        run_store.finish_run(session, result.run_id, finished_at=result.finished_at, status=status,
                             stats=result.stats())


def run_cycle_in(ctx: Context, *, only_sources: Sequence[str] | None = None, trigger: str = "cli",
                 deliver_alerts: bool = True, report: bool | None = None,
                 say: Callable[[str], None] = lambda _m: None) -> CycleResult:
    """:func:`run_cycle` on an open context."""
    result = begin_run(ctx, trigger)
    status = "failed"
    try:
        with timed(result, "fetch_feeds"):
            result.sources, planned = fetch_feeds(ctx, only_sources)
        say(f"{len(result.sources)} sources, {len(planned)} entries")
        with timed(result, "plan"):
            todo, result.skipped_known = plan_articles(ctx, planned)
        say(f"{len(todo)} new pages to fetch")
        with timed(result, "ingest"):
            parsed = ingest_pages(ctx, todo, result)
        commit_validators(ctx, result.sources, parsed)
        count_new_per_source(ctx, result)
        say(f"{len(result.stored)} articles stored")
        if deliver_alerts:
            with timed(result, "alert"):
                deliver(ctx, result)
        status = "ok"
    finally:
        end_run(ctx, result, status)
    if report if report is not None else ctx.config.report.write_after_run:
        try:
            with timed(result, "report"):
                result.report_path = write_report(ctx)
        except Exception as exc:  # the report is a view: never fail a completed cycle for it
            log.warning("report not written: %s", exc)
    return result


def count_new_per_source(ctx: Context, result: CycleResult) -> None:
    per: dict[str, int] = {}
    for a in result.stored:
        per[a.source] = per.get(a.source, 0) + 1
    result.sources = [replace(s, new_articles=per.get(s.name, 0)) for s in result.sources]
    if per:
        def record() -> None:
            with transaction(ctx.sessions) as session:
                for name, n in sorted(per.items()):  # one order in every run: no deadlock between runs
                    source_store.record_new_articles(session, name, ctx.now(), n)

        with_retry(record)


# --------------------------------------------------------------------------- async plumbing


async def _fetch_many(cfg: Config, reqs: Sequence[FetchRequest]) -> list[FetchResponse | FetchError]:
    async with Fetcher(cfg.fetch) as fetcher:
        return await fetcher.fetch_many(reqs)


def _run_async(coro: Any) -> Any:
    """Run a coroutine from sync code, also when called inside a running loop (e.g. Prefect)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as ex:
        return ex.submit(asyncio.run, coro).result()


