"""Words and colours for development kinds (pure; no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Colours with at least 3:1 contrast against white (WCAG 1.4.11) and distinct hues.
PALETTE: tuple[str, ...] = (
    "#1f5fa8",  # blue
    "#b5400b",  # burnt orange
    "#0f7457",  # green
    "#8e2c7a",  # magenta
    "#7a5c00",  # ochre
    "#5b3fb8",  # violet
    "#0e6c85",  # teal
    "#a3243b",  # crimson
)
OTHER_COLOUR = "#5f6673"

# Human words for the kinds the detection stage is expected to emit; anything else is
# turned into words from its identifier.
KNOWN_LABELS: dict[str, str] = {
    "summit_request": "Summit request",
    "summit_bid": "Summit bid",
    "summit": "Summit",
    "families_stance": "Families' stance",
    "families": "Families' stance",
    "family_stance": "Families' stance",
    "seoul_mediation": "Seoul mediation",
    "mediation": "Mediation",
    "pyongyang_reply": "Pyongyang reply",
    "north_korea_reply": "Pyongyang reply",
    "reply": "Reply",
    "statement": "Statement",
    "meeting": "Meeting",
    "other": "Other",
    "update": "Update",
}


@dataclass(frozen=True)
class KindStyle:
    """How one kind is shown: its identifier, words, colour and CSS class index."""

    kind: str
    label: str
    colour: str
    index: int

    @property
    def css_class(self) -> str:
        """The CSS class carrying this kind's colour."""
        return f"k{self.index}"


def kind_label(kind: str, labels: Mapping[str, str] | None = None) -> str:
    """Human words for a kind identifier, e.g. ``seoul_mediation`` -> ``Seoul mediation``."""
    if labels and labels.get(kind):
        return labels[kind]
    key = (kind or "").strip()
    if not key:
        return "Unclassified"
    if key.lower() in KNOWN_LABELS:
        return KNOWN_LABELS[key.lower()]
    words = key.replace("_", " ").replace("-", " ").replace(".", " ").split()
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else "Unclassified"


def kind_styles(kinds: Iterable[str], labels: Mapping[str, str] | None = None) -> dict[str, KindStyle]:
    """A stable style per kind: the watch's kind order (``labels``) first, then by name."""
    rank = {k: i for i, k in enumerate(labels or {})}
    ordered = sorted(set(kinds), key=lambda k: (k in ("other", ""), rank.get(k, len(rank)), k))
    styles: dict[str, KindStyle] = {}
    for i, kind in enumerate(ordered):
        colour = OTHER_COLOUR if kind in ("other", "") else PALETTE[i % len(PALETTE)]
        styles[kind] = KindStyle(kind=kind, label=kind_label(kind, labels), colour=colour, index=i)
    return styles
