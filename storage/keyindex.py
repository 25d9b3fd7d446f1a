"""Inverted key indexes (an article's LSH band keys, a development's event keys): one table of
(key, owner) rows each, looked up by the owners sharing most of a set of keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, select
from sqlalchemy.orm import Session


class KeyIndex:
    """The (key, owner) table ``model`` with owner column ``owner``; statements built once, bound per call."""

    def __init__(self, model: Any, owner: str) -> None:
        # the table's columns, not the mapped attributes: plain Core statements skip the ORM's
        # per-execution compile and row loading
        table = model.__table__
        self.key = table.c.key
        self.owner = table.c[owner]
        self._owner_name = owner
        self._have = select(self.key).where(
            self.owner == bindparam("owner"), self.key.in_(bindparam("keys", expanding=True))
        )
        self._insert = insert(model.__table__)

    def top_sharing(self, *, raw_limit: int, limit: int) -> Select[Any]:
        """``(owner, shared)`` rows for the bound ``keys`` list, most shared keys first, at most ``limit``.

        The raw key rows read are bounded by ``raw_limit`` first, so a pathological key shared by
        thousands of owners (boilerplate-only pages) cannot make a lookup grow with the store.
        """
        hits = (
            select(self.owner.label("owner")).where(self.key.in_(bindparam("keys", expanding=True)))
            .limit(raw_limit).subquery()
        )
        shared = func.count().label("shared")
        return select(hits.c.owner, shared).group_by(hits.c.owner).order_by(shared.desc(), hits.c.owner).limit(limit)

    def add(self, session: Session, owner_id: int, keys: Iterable[Any], *, new: bool = False) -> None:
        """Store ``keys`` for ``owner_id`` (idempotent: keys it already has are left alone).

        ``new``: the owner row was inserted by this very transaction, so it cannot have keys yet.
        """
        keys = sorted(set(keys))
        if not keys:
            return
        have: set[Any] = set()
        if not new:
            if session.autoflush:  # as the ORM query this was: pending rows count
                session.flush()
            have = set(session.execute(self._have, {"owner": owner_id, "keys": keys}).scalars())
        rows = [{"key": k, self._owner_name: owner_id} for k in keys if k not in have]
        if rows:
            session.execute(self._insert, rows)
