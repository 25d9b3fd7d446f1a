"""Retry timing: Retry-After (seconds or HTTP-date) and exponential backoff with full jitter."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """When the server asks us to come back (aware UTC), or ``None`` if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when.astimezone(UTC), now)


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based): uniform in [0, min(cap, base*2**(attempt-1))]."""
    ceiling = min(cap, base * (2 ** max(attempt - 1, 0)))
    return (rng or random).uniform(0, ceiling)
