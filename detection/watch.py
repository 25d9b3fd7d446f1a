"""Watch definitions (pydantic v2, extra='forbid'), validated once when loaded.

A watch holds everything story-specific: the topic query, the multilingual alias table of
actors/places/concepts, and per-kind classification rules. The engine is story-agnostic.
"""

from __future__ import annotations

from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from detection.countries import country_names
from detection.errors import QuerySyntaxError, WatchConfigError
from detection.query import Query, parse

Reject = Literal["negation", "speculative", "future", "desire", "habitual", "third_party_mental"]


def _default_reject() -> list[Reject]:
    return ["negation"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TopicSpec(_Strict):
    """Relevance: ``query`` over title+body; ``focus`` must be prominent (lead or repeated); ``exclude``
    must not be in the headline or the first ``exclude_sentences`` sentences (a keyword trap's subject;
    a mention further down is only that)."""

    query: str
    focus: str | None = None
    exclude: str | None = None
    lead_sentences: int = 6
    exclude_sentences: int = 3
    focus_min_sentences: int = 2

    @field_validator("query", "focus", "exclude")
    @classmethod
    def _parses(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                parse(v)
            except QuerySyntaxError as exc:
                raise ValueError(f"invalid query: {exc}") from exc
        return v

    @cached_property
    def parsed(self) -> Query:
        """The parsed topic query."""
        return parse(self.query)

    @cached_property
    def parsed_focus(self) -> Query | None:
        """The parsed focus query, if any."""
        return parse(self.focus) if self.focus else None

    @cached_property
    def parsed_exclude(self) -> Query | None:
        """The parsed exclude query, if any."""
        return parse(self.exclude) if self.exclude else None


class EntitySpec(_Strict):
    """One actor, place or concept with its names in every language."""

    type: Literal["person", "org", "place", "group", "concept", "event"]
    side: str = "other"
    names: list[str]
    distinct: bool = False  # two different distinct entities in two leads mean two different events


class RuleSpec(_Strict):
    """A kind rule: a cue in a lead sentence, optionally with an actor of given sides before it."""

    cues: list[str]
    actors: list[str] = Field(default_factory=list)  # sides; empty = no actor needed
    with_sides: list[str] = Field(default_factory=list)  # other sides that must also be mentioned
    about: list[str] = Field(default_factory=list)  # entity ids/sides one of which the lead must mention
    reject: list[Reject] = Field(default_factory=_default_reject)
    official_cues: list[str] = Field(default_factory=list)
    note: str = ""


class CountriesSpec(_Strict):
    """Every country the watch does not list itself, as an actor on ``side`` (see detection.countries)."""

    side: str = "third_country"
    languages: list[str] = Field(default_factory=lambda: ["en", "ja", "ko", "zh", "ru", "fr", "es", "de"])
    #: Country names that are also ordinary words somewhere (``Chad``, 인도 in 인도적, インド in インド太平洋).
    exclude: list[str] = Field(default_factory=list)


def _with_countries(data: Any) -> Any:
    """Raw watch data with ``countries:`` expanded into one ``country_xx`` entity per country it names."""
    if not isinstance(data, dict) or not data.get("countries"):
        return data
    spec = CountriesSpec.model_validate(data["countries"])
    entities = dict(data.get("entities") or {})
    owned: set[str] = set()
    for ent in entities.values():
        names = ent.names if isinstance(ent, EntitySpec) else (ent.get("names") or []) if isinstance(ent, dict) else []
        owned.update(str(n).casefold() for n in names)
    for code, names in country_names(tuple(spec.languages), frozenset(spec.exclude)).items():
        key = f"country_{code.lower()}"
        if key in entities or any(n.casefold() in owned for n in names):
            continue  # the watch names this country itself
        entities[key] = {"type": "place", "side": spec.side, "names": list(names)}
    return {**data, "entities": entities}


class KindSpec(_Strict):
    """A development kind: label, whether and how it alerts, and the rules that detect it."""

    label: str
    alert: bool
    severity: Literal["low", "normal", "high", "critical"] = "normal"
    priority: int = 0
    escalation_alerts: bool = False
    rules: list[RuleSpec] = Field(default_factory=list)
    negated_from: list[str] = Field(default_factory=list)  # kinds whose negated hits mean this kind

    def acting_sides(self) -> frozenset[str]:
        """The sides whose acts this kind's rules detect (empty when no rule names an actor)."""
        return frozenset(side for rule in self.rules for side in rule.actors)


class WatchSpec(_Strict):
    """A watched story: topic, aliases, kinds and time windows."""

    name: str
    title: str
    topic: TopicSpec
    kinds: dict[str, KindSpec]
    entities: dict[str, EntitySpec] = Field(default_factory=dict)
    default_kind: str = "background"
    freshness_hours: float = 72
    group_window_days: float = 4
    lead_sentences: int = 3
    join_threshold: float = 0.42
    #: A learned second opinion on kinds (``detection.kindmodel``): a file path or ``package:pkg/file``.
    kind_model: str | None = None
    #: Every other country as an actor (expanded into ``entities`` when the watch loads).
    countries: CountriesSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _expand_countries(cls, data: Any) -> Any:
        return _with_countries(data)

    @model_validator(mode="after")
    def _consistent(self) -> WatchSpec:
        if self.default_kind not in self.kinds:
            raise ValueError(f"default_kind {self.default_kind!r} is not among the kinds")
        for name, k in self.kinds.items():
            for other in k.negated_from:
                if other not in self.kinds:
                    raise ValueError(f"kind {name!r}: negated_from names unknown kind {other!r}")
        return self

    def ordered_kinds(self) -> list[tuple[str, KindSpec]]:
        """Kinds by descending priority (ties by name)."""
        return sorted(self.kinds.items(), key=lambda kv: (-kv[1].priority, kv[0]))


def load_watch(path: str | Path) -> WatchSpec:
    """Load and validate a watch YAML file; raises WatchConfigError with the reason."""
    try:
        data: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise WatchConfigError(f"cannot read watch {path}: {exc}") from exc
    return watch_from_dict(data, str(path))


def watch_from_dict(data: Any, origin: str = "<dict>") -> WatchSpec:
    """Validate a watch given as plain data; raises WatchConfigError with the reason."""
    try:
        return WatchSpec.model_validate(data)
    except ValidationError as exc:
        raise WatchConfigError(f"invalid watch {origin}: {exc}") from exc


def load_default_watch() -> WatchSpec:
    """The bundled default watch (storywatch/data/watches/default.yaml)."""
    try:
        text = resources.files("storywatch.data.watches").joinpath("default.yaml").read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        raise WatchConfigError(f"bundled watch missing: {exc}") from exc
    return watch_from_dict(yaml.safe_load(text), "default.yaml")
