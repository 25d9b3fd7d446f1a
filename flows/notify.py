"""Flow failure and crash notices through the configured channels.

A state hook (``on_failure`` / ``on_crashed``) runs in the flow's own process, so it
works with or without a Prefect server (automations need one, and a temporary server's
are lost when the process exits). It sends straight through the alerts stage's
``send_message`` (Apprise, or the console channel), with every secret redacted.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

log = logging.getLogger("storywatch.flows")


def failure_text(flow_name: str, flow_run: Any, state: Any) -> tuple[str, str]:
    """(title, body) of a failure notice: the flow, the run, its state and the error's last line."""
    run_name = getattr(flow_run, "name", "?")
    kind = getattr(state, "type", None)
    kind_name = getattr(kind, "value", str(kind)).lower() if kind else "failed"
    message = (getattr(state, "message", None) or "").strip().splitlines()
    params = getattr(flow_run, "parameters", None) or {}
    shown = {k: v for k, v in params.items() if k in ("watch", "sources", "as_of", "start", "end")}
    title = f"storywatch: flow {flow_name} {kind_name}"
    lines = [f"Flow run {run_name!s} of {flow_name} ended {kind_name}."]
    lines += [f"Reason: {line}" for line in message[-3:]]
    if shown:
        lines.append(f"Parameters: {shown}")
    lines.append("See the run in the Prefect UI, or `storywatch sources` for per-source health.")
    body = "\n".join(lines)
    return title, body


def notify_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """State hook: tell every configured channel that a flow run failed or crashed; never raises."""
    try:
        _notify(flow, flow_run, state)
    except Exception as exc:  # a broken notice must not hide the original failure
        log.error("failure notice not sent: %s", type(exc).__name__)


def _notify(flow: Any, flow_run: Any, state: Any) -> None:
    from alerting.outbox import send_message
    from alerting.policy import all_secrets, console_channel, resolve_channels
    from alerting.redact import redact
    from storywatch.config import config_path, load_config

    title, body = failure_text(getattr(flow, "name", "flow"), flow_run, state)
    params = getattr(flow_run, "parameters", None) or {}
    try:
        config = load_config(config_path(params.get("config")))
        channels = resolve_channels(config.channels, dict(os.environ), config.secrets_file)
    except Exception as exc:  # no usable config: the notice still reaches the console
        body += f"\n(config not usable for notices: {type(exc).__name__})"
        channels = {}
    secrets = all_secrets(channels)
    title, body = redact(title, secrets), redact(body, secrets)
    targets = list(channels.values()) or [console_channel()]
    for channel in targets:
        ok, err = send_message(channel, title, body, fmt="text", severity="high", console=sys.stderr)
        if not ok:
            log.error("failure notice to %s not delivered: %s", channel.name, err)
