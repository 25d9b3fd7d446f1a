"""Insert-on-conflict that works on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, table: Table, values: dict[str, Any], *, returning: str | None = None) -> Any:
    """Insert a row unless it violates a unique constraint.

    Returns the ``returning`` column of the new row (or True without ``returning``),
    and None when a row with the same unique key already existed.
    """
    dialect = session.get_bind().dialect.name
    ins: Any
    if dialect == "postgresql":
        ins = postgresql.insert(table).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        ins = sqlite.insert(table).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported databases
        raise NotImplementedError(dialect)
    if returning is not None:
        row = session.execute(ins.returning(table.c[returning])).first()
        return None if row is None else row[0]
    result = session.execute(ins)
    return True if result.rowcount else None  # type: ignore[attr-defined]
