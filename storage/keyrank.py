"""Rank the owners of index keys (articles, developments) by how many of the given keys they share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import InstrumentedAttribute


def top_sharing(key: InstrumentedAttribute[Any], owner: InstrumentedAttribute[Any], *, raw_limit: int,
                limit: int) -> Select[Any]:
    """``(owner, shared)`` rows for the bound ``keys`` list, most shared keys first, at most ``limit``.

    The raw key rows read are bounded by ``raw_limit`` first, so a pathological key shared by
    thousands of owners (boilerplate-only pages) cannot make a lookup grow with the store.
    """
    hits = select(owner.label("owner")).where(key.in_(bindparam("keys", expanding=True))).limit(raw_limit).subquery()
    shared = func.count().label("shared")
    return (
        select(hits.c.owner, shared)
        .group_by(hits.c.owner)
        .order_by(shared.desc(), hits.c.owner)
        .limit(limit)
    )
