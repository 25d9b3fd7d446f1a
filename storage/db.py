"""Engine and sessions from a URL: SQLite by default, PostgreSQL in production."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import StorageError

T = TypeVar("T")
MIGRATIONS = Path(__file__).parent / "migrations"


def _wal(cur: Any) -> None:
    """Switch a SQLite file to WAL once (the mode is persistent). Switching needs a moment of
    exclusive access that the busy handler does not always wait for, so a second process
    opening a brand-new file while the first migrates it retries briefly instead of failing."""
    for attempt in range(100):
        try:
            if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                return
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if attempt == 99:
                raise
            time.sleep(0.05 + 0.05 * (attempt % 5))


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60}, future=True)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Take the write lock at BEGIN so concurrent writers queue on busy_timeout
            # instead of failing with "database is locked" on lock upgrade.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=60000")
            _wal(cur)
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, future=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory that keeps loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False, future=True)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error."""
    with factory() as session, session.begin():
        yield session


def with_retry(fn: Callable[[], T], attempts: int = 5) -> T:
    """Run ``fn`` again when the database reports a transient lock/serialisation error."""
    for i in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            msg = str(exc).lower()
            transient = "locked" in msg or "deadlock" in msg or "could not serialize" in msg
            if not transient or i == attempts - 1:
                raise StorageError(f"database error: {str(exc).splitlines()[0]}") from exc
            time.sleep(0.2 * (2**i))
    raise AssertionError("unreachable")


def upgrade(url: str) -> None:
    """Bring the schema at ``url`` to the newest migration (idempotent)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    try:
        command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise StorageError(f"cannot migrate {redact_url(url)}: {str(exc).splitlines()[0]}") from exc


def redact_url(url: str) -> str:
    """The database URL with any password replaced by ``***``."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"
