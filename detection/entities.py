"""Find the watch's actors, places and concepts in text, in any of their languages."""

from __future__ import annotations

from dataclasses import dataclass

from detection.terms import TermSet
from detection.watch import EntitySpec


@dataclass(frozen=True)
class Mention:
    """One entity mention: canonical id, side, type and character span in the folded text."""

    entity: str
    side: str
    type: str
    start: int
    end: int


class EntityIndex:
    """All aliases of a watch compiled into one matcher (longest alias wins)."""

    def __init__(self, entities: dict[str, EntitySpec]) -> None:
        self.entities = entities
        self._owner: dict[str, str] = {}
        names: list[str] = []
        for eid, spec in entities.items():
            for n in spec.names:
                if n not in self._owner:
                    self._owner[n] = eid
                    names.append(n)
        self._terms = TermSet(names)

    def mentions(self, folded: str) -> list[Mention]:
        """Entity mentions in ``folded`` text, in order."""
        out = []
        for h in self._terms.find(folded):
            eid = self._owner[h.term]
            spec = self.entities[eid]
            out.append(Mention(eid, spec.side, spec.type, h.start, h.end))
        return out


_CACHE: dict[int, tuple[dict[str, EntitySpec], EntityIndex]] = {}


def entity_index(entities: dict[str, EntitySpec]) -> EntityIndex:
    """A cached :class:`EntityIndex` for a watch's entity table (keyed by the table's identity)."""
    hit = _CACHE.get(id(entities))
    if hit is not None and hit[0] is entities:
        return hit[1]
    idx = EntityIndex(entities)
    if len(_CACHE) > 32:
        _CACHE.clear()
    _CACHE[id(entities)] = (entities, idx)
    return idx
