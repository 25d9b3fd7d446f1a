"""One ingest run per watch at a time, enforced where storywatch's data lives.

Why not Prefect's ``concurrency()``: global concurrency limits need a server and must be
created first (missing ones only warn), so a run started with ``storywatch run --local``,
a flow under a temporary server, or a worker on another deployment would not see them.
The deployment's ``concurrency_limit`` (CANCEL_NEW in prefect.yaml) stops a second run
of the *same deployment* before it starts; this lease covers everything else.

The lease is held by the process itself, so a crashed run can never leave it stuck:

* PostgreSQL (several workers, several hosts): a session-level advisory lock
  (``pg_try_advisory_lock``) on a dedicated connection, released on unlock or when the
  connection drops.
* SQLite (one host by nature): ``flock`` on ``<database file>.lease-<watch>``, released
  on close or process exit. flock locks belong to the open file, so two runs in one
  process exclude each other too.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

_MEMORY_LOCKS: dict[str, threading.Lock] = {}
_MEMORY_GUARD = threading.Lock()


@dataclass(frozen=True)
class Lease:
    """The outcome of asking for the leases of some watches."""

    acquired: bool
    names: tuple[str, ...]
    busy: str | None = None  # the first watch another run holds


def lease_key(name: str, scope: str = "") -> int:
    """A stable signed 64-bit key for ``name`` within ``scope`` (PostgreSQL advisory lock ids are bigint).

    The scope is the database URL, so storywatch instances in different schemas of one
    PostgreSQL database (advisory locks are per database) do not block each other.
    """
    digest = hashlib.blake2b(f"storywatch:ingest:{scope}:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "watch"


def _sqlite_path(url: str) -> str | None:
    path = url.split("///", 1)[-1] if "///" in url else ""
    return None if not path or path == ":memory:" else str(Path(path).expanduser())


@contextlib.contextmanager
def watch_lease(database: str, names: Sequence[str], *, wait_seconds: float = 0.0) -> Iterator[Lease]:
    """Hold the ingest lease of every watch in ``names`` for the block; ``acquired`` False when busy.

    With ``wait_seconds`` > 0 the lease is asked for again every half second until then.
    """
    ordered = tuple(sorted(set(names)))
    deadline = time.monotonic() + wait_seconds
    with contextlib.ExitStack() as stack:
        while True:
            busy = _try_all(stack, database, ordered)
            if busy is None or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
        yield Lease(acquired=busy is None, names=ordered, busy=busy)


def _try_all(stack: contextlib.ExitStack, database: str, names: tuple[str, ...]) -> str | None:
    """Take every lease or none; returns the first busy name (None when all are held by us)."""
    attempt = contextlib.ExitStack()
    for name in names:
        if not attempt.enter_context(_one(database, name)):
            attempt.close()
            return name
    stack.enter_context(attempt)
    return None


@contextlib.contextmanager
def _one(database: str, name: str) -> Iterator[bool]:
    if database.startswith("postgresql"):
        with _pg_lock(database, name) as ok:
            yield ok
        return
    path = _sqlite_path(database)
    if path is None:
        with _memory_lock(f"{database}:{name}") as ok:
            yield ok
        return
    with _file_lock(f"{path}.lease-{_slug(name)}") as ok:
        yield ok


@contextlib.contextmanager
def _file_lock(path: str) -> Iterator[bool]:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _memory_lock(key: str) -> Iterator[bool]:
    with _MEMORY_GUARD:
        lock = _MEMORY_LOCKS.setdefault(key, threading.Lock())
    if not lock.acquire(blocking=False):
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


@contextlib.contextmanager
def _pg_lock(database: str, name: str) -> Iterator[bool]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    own = create_engine(database, poolclass=NullPool, future=True)  # a connection of its own
    try:
        with own.connect() as conn:
            key = lease_key(name, own.url.render_as_string(hide_password=True))
            ok = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            conn.commit()
            try:
                yield ok
            finally:
                if ok:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
    finally:
        own.dispose()
