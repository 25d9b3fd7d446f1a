"""Shared fixtures: real databases (a SQLite file; PostgreSQL at 127.0.0.1:5432 db `test`)."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_URL = os.environ.get("STORYWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

# Tests must never wait for a temporary Prefect server or reach Prefect Cloud.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
if "STORYWATCH_KEEP_PREFECT_API" not in os.environ:
    os.environ.pop("PREFECT_API_URL", None)


def pg_available() -> bool:
    """True when the PostgreSQL test server answers on 127.0.0.1:5432."""
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def pg_schema_url(base_url: str = PG_URL) -> Iterator[str]:
    """A URL whose connections use a fresh private schema of the test database (dropped afterwards).

    Tests and test runs sharing the database never pull tables from under each other.
    """
    from sqlalchemy import create_engine, text

    schema = f"sw_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'storywatch.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The PostgreSQL test database, in a private schema of this test (dropped afterwards).

    A schema per test keeps concurrent test runs on the shared database out of each other's way.
    """
    if not pg_available():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is required under CI=true")
        pytest.skip("PostgreSQL at 127.0.0.1:5432 not answering")
    with pg_schema_url() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'storywatch.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is absent")
    return SEEDS
