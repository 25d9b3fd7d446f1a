"""The ``ingest`` flow: one cycle over all due sources, for every watch or one.

Scheduled (prefect.yaml, ``storywatch serve``), triggered (``prefect deployment run
'ingest/ingest' --param watch=…``, the UI's Run button) or run by ``storywatch run`` with
``PREFECT_API_URL`` set (:func:`run_ingest_via_prefect`): all call the same pipeline
stages. A second run for a watch that is already being ingested ends Cancelled at once
(see :mod:`flows.lease`), so nothing is fetched, stored or alerted twice.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prefect import flow, get_run_logger
from prefect.states import Cancelled, State

from flows.artifacts import publish_run_artifacts
from flows.cycle import flow_config, run_cycle_tasks, trigger_name
from flows.lease import watch_lease
from flows.notify import notify_failure
from flows.runners import choose_task_runner, runner_name
from flows.settings import flow_settings
from storywatch.cli import replay_if_enabled
from storywatch.config import Config
from storywatch.pipeline import CycleResult

if TYPE_CHECKING:
    from storywatch.cli import CliContext

FLOW_TIMEOUT = 3600
TASK_RUNNER = choose_task_runner()


def guarded_cycle(cfg: Config, *, as_of: datetime | None, sources: Sequence[str] | None, deliver: bool,
                  report: bool | None, trigger: str, report_watch: str | None = None) -> CycleResult | State:
    """One cycle under the watches' lease; a Cancelled state when another run holds it."""
    names = [w.name for w in cfg.watches]
    with watch_lease(cfg.database, names, wait_seconds=flow_settings(cfg).lease_seconds) as lease:
        if not lease.acquired:
            msg = (f"skipped: another ingest run is in progress for watch {lease.busy!r} "
                   "(nothing fetched or stored by this run)")
            get_run_logger().warning(msg)
            return Cancelled(message=msg)
        with replay_if_enabled(cfg, as_of) as served:
            return run_cycle_tasks(served, as_of=as_of, only_sources=sources, trigger=trigger,
                                   deliver_alerts=deliver, report=report, runner=runner_name(TASK_RUNNER),
                                   report_watch=report_watch)


@flow(name="ingest", persist_result=False, timeout_seconds=FLOW_TIMEOUT, task_runner=TASK_RUNNER,
      on_failure=[notify_failure], on_crashed=[notify_failure])
def ingest(config: str | None = None, watch: str | None = None, sources: list[str] | None = None,
           as_of: datetime | None = None, deliver: bool = True, report: bool = True) -> Any:
    """One ingest cycle: fetch due sources, store new articles, detect developments, send alerts.

    Args:
        config: path of the storywatch config (default: $STORYWATCH_CONFIG, else the bundled replay).
        watch: decide and alert for this watch only (default: every configured watch).
        sources: only these sources, fetched even while backing off (default: every due source).
        as_of: the story's "now" (default: the current time, or the replay clock).
        deliver: send alerts (False: record them in the outbox only).
        report: write the timeline report when the config enables it.
    """
    cfg = flow_config(config, watch)
    outcome = guarded_cycle(cfg, as_of=as_of, sources=sources, deliver=deliver, report=None if report else False,
                            trigger=trigger_name(), report_watch=watch)
    if isinstance(outcome, State):
        return outcome
    publish_run_artifacts(outcome, prefix="ingest", watch=watch)
    return outcome


def run_ingest_via_prefect(ctx: CliContext, args: argparse.Namespace) -> int:
    """``storywatch run`` with PREFECT_API_URL set: the ingest flow in this process, recorded by that API.

    Prints what ``storywatch run`` prints without Prefect; exit 0 also when the run was
    skipped because another run of the watch is in progress (said on stderr).
    """
    from storywatch.cli.core import result_json, result_text

    params: dict[str, Any] = {"config": str(ctx.config_path), "sources": args.sources, "as_of": args.as_of,
                              "deliver": not args.no_deliver, "report": not args.no_report}
    ctx.config  # validate before Prefect starts: a bad config exits 2 with one line  # noqa: B018
    quiet = contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext()
    with quiet:
        state: State = ingest(**params, return_state=True)  # type: ignore[assignment]
    if state.is_cancelled():
        ctx.err.write(f"storywatch: {state.message}\n")
        return 0
    result = state.result()
    if args.json:
        ctx.print_json(result_json(result))
    else:
        ctx.out.write(result_text(result) + "\n")
    return 0
