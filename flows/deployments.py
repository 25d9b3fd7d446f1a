"""prefect.yaml -> deployments: what ``storywatch serve`` runs in one process (same file as ``prefect deploy``)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import yaml

from storywatch.errors import ConfigError

PROJECT_FILE = Path(__file__).resolve().parent.parent / "prefect.yaml"


def load_project(path: Path = PROJECT_FILE) -> dict[str, Any]:
    """The parsed prefect.yaml (anchors resolved); ConfigError when missing or malformed."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("deployments"), list):
        raise ConfigError(f"{path}: expected a 'deployments:' list")
    return data


def load_entrypoint(entrypoint: str) -> Any:
    """The flow object named by ``path/to/module.py:function`` (imported as a module of this package)."""
    file, _, attr = entrypoint.partition(":")
    module = file.removesuffix(".py").replace("/", ".")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"entrypoint {entrypoint}: {exc}") from None


def runner_deployments(path: Path = PROJECT_FILE, *, ingest_cron: str | None = None,
                       timezone: str | None = None, only: list[str] | None = None) -> list[Any]:
    """A RunnerDeployment per prefect.yaml deployment, with its parameters, schedules and limit.

    ``ingest_cron`` replaces the ingest schedule's cron; ``timezone`` every schedule's zone.
    """
    from prefect.client.schemas.objects import ConcurrencyLimitConfig
    from prefect.schedules import Cron, Interval

    out = []
    for spec in load_project(path)["deployments"]:
        name = spec["name"]
        if only and name not in only:
            continue
        schedules = []
        for sched in spec.get("schedules") or []:
            tz = timezone or sched.get("timezone") or "UTC"
            active = bool(sched.get("active", True))
            if "cron" in sched:
                cron = ingest_cron if (ingest_cron and name == "ingest") else sched["cron"]
                schedules.append(Cron(cron, timezone=tz, active=active))
            elif "interval" in sched:
                schedules.append(Interval(sched["interval"], timezone=tz, active=active))
        limit = spec.get("concurrency_limit")
        if isinstance(limit, dict):
            limit = ConcurrencyLimitConfig(**limit)
        flow = load_entrypoint(spec["entrypoint"])
        out.append(flow.to_deployment(name=name, description=spec.get("description"), tags=spec.get("tags"),
                                      version=spec.get("version"), parameters=spec.get("parameters") or {},
                                      schedules=schedules, concurrency_limit=limit))
    return out


def serve_project(path: Path = PROJECT_FILE, *, ingest_cron: str | None = None, timezone: str | None = None,
                  only: list[str] | None = None) -> None:
    """Serve prefect.yaml's deployments from this process until Ctrl-C/SIGTERM (schedules paused on exit)."""
    from prefect import serve

    deployments = runner_deployments(path, ingest_cron=ingest_cron, timezone=timezone, only=only)
    if not deployments:
        raise ConfigError(f"no deployment of {path} matches {only}")
    serve(*deployments, pause_on_shutdown=True)
