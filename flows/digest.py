"""The ``digest`` flow: batch pending digest-mode alerts into one message per watch and channel, and send it."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from flows.artifacts import artifact_key
from flows.cycle import flow_config
from flows.notify import notify_failure
from storywatch.pipeline import open_context


@flow(name="digest", persist_result=False, timeout_seconds=900, on_failure=[notify_failure],
      on_crashed=[notify_failure])
def digest(config: str | None = None, watch: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Send the digest of everything waiting for it (up to ``now``, default the current time).

    Args:
        config: path of the storywatch config (default: $STORYWATCH_CONFIG, else the bundled one).
        watch: only this watch's digest (default: every watch).
        now: the cut-off; alerts created after it wait for the next digest.
    """
    from alerting.outbox import send_digest
    from alerting.policy import resolve_channels

    cfg = flow_config(config, watch)
    ctx = open_context(cfg, as_of=now)
    try:
        channels = resolve_channels(cfg.channels, dict(os.environ), cfg.secrets_file)
        policies = {w.name: w.policy for w in cfg.watches}
        report = send_digest(ctx.sessions, policies, channels, now=now or ctx.now())
    finally:
        ctx.engine.dispose()
    figures = {"digests": len(report.digests), "entries": sum(d[3] for d in report.digests), "sent": report.sent,
               "failed": len(report.delivery.failed_ids), "retrying": len(report.delivery.retrying_ids)}
    get_run_logger().info("digest: %s", figures)
    lines = ["# storywatch digest", "", f"{figures['digests']} digest message(s) with {figures['entries']} "
             f"entries; {figures['sent']} sent, {figures['failed']} failed, {figures['retrying']} to retry.", ""]
    lines += [f"- {w} via {c}: {n} entries" for w, c, _id, n in report.digests]
    create_markdown_artifact(key=artifact_key("digest", watch, "summary"), markdown="\n".join(lines) + "\n",
                             description="what the digest run sent")
    return figures
