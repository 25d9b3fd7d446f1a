"""Insert-on-conflict that works on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.errors import StorageError


def dialect_insert(session: Session, table: Any) -> Any:
    """``INSERT`` for ``table`` in the session's dialect, which has ``on_conflict_do_*``."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise StorageError(f"unsupported database dialect {dialect} (use sqlite or postgresql)")


#: Built statements by (dialect, table, conflict columns, returning): a statement built once and
#: executed with parameters skips SQLAlchemy's per-call construction and cache-key work.
_IGNORE_STATEMENTS: dict[tuple[str, Table, tuple[str, ...] | None, str | None], Any] = {}


def _ignore_statement(session: Session, table: Table, conflict: Sequence[str] | None, returning: str | None) -> Any:
    key = (session.get_bind().dialect.name, table, tuple(conflict) if conflict is not None else None, returning)
    stmt = _IGNORE_STATEMENTS.get(key)
    if stmt is None:
        stmt = dialect_insert(session, table).on_conflict_do_nothing(index_elements=conflict)
        if returning is not None:
            stmt = stmt.returning(table.c[returning])
        _IGNORE_STATEMENTS[key] = stmt
    return stmt


def insert_ignore(session: Session, table: Table, values: dict[str, Any], *, returning: str | None = None,
                  conflict: Sequence[str] | None = None) -> Any:
    """Insert a row unless it violates a unique constraint (only ``conflict``'s, when given).

    Returns the ``returning`` column of the new row (or True without ``returning``),
    and None when a row with the same unique key already existed.
    """
    ins = _ignore_statement(session, table, conflict, returning)
    if returning is not None:
        row = session.execute(ins, values).first()
        return None if row is None else row[0]
    result = session.execute(ins, values)
    return True if result.rowcount else None  # type: ignore[attr-defined]


def upsert(session: Session, table: Any, values: dict[str, Any], *, key: Sequence[str],
           update: dict[str, Any]) -> None:
    """Insert ``values``, or set ``update`` on the row whose ``key`` columns match."""
    stmt = dialect_insert(session, table).values(**values)
    session.execute(stmt.on_conflict_do_update(index_elements=list(key), set_=update))
