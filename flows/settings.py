"""The ``prefect:`` section of the storywatch config, validated once per flow run."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from storywatch.config import Config
from storywatch.errors import ConfigError


class FlowSettings(BaseModel):
    """How the flows run: retries of the fetch tasks, timeouts, task runner, batching."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fetch_retries: int = Field(2, ge=0, le=10)
    """Extra attempts of a fetch task when every source failed for a reason that may pass."""
    fetch_retry_delays: list[float] = Field(default_factory=lambda: [10.0, 60.0])
    """Seconds before each retry (the last value repeats); jittered by ``retry_jitter``."""
    retry_jitter: float = Field(0.2, ge=0, le=1)
    fetch_timeout: float = Field(300.0, gt=0)
    """Backstop per fetch task; the fetcher's own httpx timeouts are what interrupt I/O."""
    stage_timeout: float = Field(900.0, gt=0)
    parse_batches: int = Field(0, ge=0, le=64)
    """Page batches fetched+parsed as separate tasks. 0: one batch on the thread runner (the
    pipeline's own process pool parses), one per Dask worker on the Dask runner."""
    lease_seconds: float = Field(0.0, ge=0)
    """How long a run waits for another run of the same watch to finish (0: skip at once)."""


def flow_settings(config: Config) -> FlowSettings:
    """The validated ``prefect:`` section of ``config``; ConfigError names the bad key."""
    try:
        return FlowSettings.model_validate(config.prefect or {})
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        msg = "unknown key (typo?)" if err["type"] == "extra_forbidden" else err["msg"]
        raise ConfigError(f"config error: prefect.{key}: {msg}") from None
