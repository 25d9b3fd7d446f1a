"""Which task runner a flow uses: Dask for CPU-heavy parsing when installed, else threads."""

from __future__ import annotations

import importlib.util
import logging
import os
from typing import Any

from prefect.task_runners import ThreadPoolTaskRunner

ENV_RUNNER = "STORYWATCH_TASK_RUNNER"
log = logging.getLogger("storywatch.flows")


def dask_available() -> bool:
    """True when the optional ``prefect-dask`` extra is installed."""
    return importlib.util.find_spec("prefect_dask") is not None


def choose_task_runner(kind: str | None = None, *, workers: int | None = None) -> Any:
    """A task runner for ``kind`` (thread|dask|auto; default ``$STORYWATCH_TASK_RUNNER`` or thread).

    ``dask`` (or ``auto``) with prefect-dask installed gives a local Dask cluster with one
    process per core, so page batches parse in parallel; anything else, or a missing
    prefect-dask, gives a bounded thread pool (the default runner's is unbounded).
    """
    kind = kind or os.environ.get(ENV_RUNNER, "thread")
    if kind == "dask" and not dask_available():
        log.warning("%s=dask but prefect-dask is not installed (pip install 'storywatch[dask]'); "
                    "using threads", ENV_RUNNER)
    if kind in ("dask", "auto") and dask_available():
        from prefect_dask import DaskTaskRunner  # type: ignore[import-not-found]

        n = workers or (os.cpu_count() or 2)
        return DaskTaskRunner(cluster_kwargs={"n_workers": n, "threads_per_worker": 1, "processes": True})
    return ThreadPoolTaskRunner(max_workers=workers or 8)


def runner_name(runner: Any) -> str:
    """``dask`` or ``thread``: what :func:`choose_task_runner` picked."""
    return "dask" if type(runner).__name__ == "DaskTaskRunner" else "thread"
