"""One Prefect test server for the whole session (about 20 s to start), with its own PREFECT_HOME.

Only the flow tests in this folder use it; everything else in the suite runs without
Prefect. ``prefect_api`` yields the harness API URL.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

_HOME = tempfile.mkdtemp(prefix="storywatch-prefect-home-")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """A real Prefect API on 127.0.0.1 (prefect_test_harness), started once per session."""
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_HOME,
        PREFECT_SERVER_ANALYTICS_ENABLED,
        temporary_settings,
    )
    from prefect.testing.utilities import prefect_test_harness

    with temporary_settings({PREFECT_HOME: _HOME, PREFECT_SERVER_ANALYTICS_ENABLED: False}), \
            prefect_test_harness(server_startup_timeout=120):
        yield str(PREFECT_API_URL.value())
