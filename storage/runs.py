"""The runs table: one row per ingest cycle with its figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Run


def start_run(session: Session, *, started_at: datetime, as_of: datetime, trigger: str) -> int:
    """Record a cycle as running and return its id."""
    run = Run(started_at=started_at, as_of=as_of, trigger=trigger, status="running", stats={})
    session.add(run)
    session.flush()
    return run.id


def finish_run(session: Session, run_id: int, *, finished_at: datetime, status: str, stats: dict[str, Any]) -> None:
    """Record how a cycle ended."""
    run = session.get(Run, run_id)
    if run is None:
        return
    run.finished_at = finished_at
    run.status = status
    run.stats = stats


def recent_runs(session: Session, limit: int = 20) -> list[Run]:
    """The newest runs first."""
    return list(session.scalars(select(Run).order_by(Run.started_at.desc()).limit(limit)))
