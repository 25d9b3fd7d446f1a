"""The replay manifest (``site/story.yaml``): outlets, articles and their test labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from storywatch.errors import StorywatchError

SITE_DIR = Path(__file__).resolve().parent / "site"
STORY_FILE = SITE_DIR / "story.yaml"
PAGES_DIR = SITE_DIR / "pages"

FeedFormat = Literal["rss", "atom", "sitemap"]
KINDS = frozenset({
    "pyongyang_response", "japan_overture", "talks_or_contact", "repatriation", "families_position",
    "third_party_mediation", "sanctions_or_aid", "no_change_status", "background",
})


class ReplayError(StorywatchError):
    """The replay manifest is missing or invalid."""


@dataclass(frozen=True)
class Outlet:
    """One fictional outlet of the replay and the format of its feed (served at ``/feeds/<id>.xml``)."""

    id: str
    name: str
    feed: FeedFormat
    lang: str
    home: str
    description: str
    feed_query: str | None = None

    @property
    def feed_path(self) -> str:
        """URL path of this outlet's feed on the replay server."""
        return f"/feeds/{self.id}.xml"


@dataclass(frozen=True)
class StoryArticle:
    """One article page of the replay, with the labels tests check the pipeline against."""

    path: str
    outlet: str
    published: datetime
    title: str
    lang: str
    event: str
    kind: str | None
    relevant: bool
    alert_expected: bool
    summary: str = ""
    status: str | None = None
    syndicated_from: str | None = None
    feed_link: str | None = None
    feed_links: tuple[str, ...] = ()

    @property
    def file(self) -> Path:
        """The HTML file served for this article."""
        rel = self.path.lstrip("/")
        return PAGES_DIR / (rel + "index.html" if rel.endswith("/") else rel)


@dataclass(frozen=True)
class Story:
    """The whole manifest: the default clock, the outlets, and the articles oldest first."""

    default_clock: datetime
    freshness: timedelta
    outlets: tuple[Outlet, ...]
    articles: tuple[StoryArticle, ...]
    _paths: dict[str, StoryArticle] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_paths", {a.path: a for a in self.articles})

    def outlet(self, outlet_id: str) -> Outlet:
        """The outlet with this id; raises KeyError if there is none."""
        for o in self.outlets:
            if o.id == outlet_id:
                return o
        raise KeyError(outlet_id)

    def article_at(self, path: str) -> StoryArticle | None:
        """The article served at ``path`` (an ``/amp/`` segment after the outlet prefix is folded)."""
        found = self._paths.get(path)
        if found is None and "/amp/" in path:
            head, _, rest = path.lstrip("/").partition("/")
            if rest.startswith("amp/"):
                found = self._paths.get(f"/{head}/{rest[4:]}")
        return found

    def published_by(self, clock: datetime, outlet: str | None = None) -> list[StoryArticle]:
        """Articles published at or before ``clock`` (of one outlet if given), newest first."""
        seen = [a for a in self.articles if a.published <= clock and (outlet is None or a.outlet == outlet)]
        return sorted(seen, key=lambda a: a.published, reverse=True)


def _when(value: Any, key: str) -> datetime:
    if isinstance(value, datetime):
        when = value
    else:
        try:
            when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise ReplayError(f"story: {key}: not an ISO date: {value!r}") from None
    if when.tzinfo is None:
        raise ReplayError(f"story: {key}: needs a time zone: {value!r}")
    return when


def load_story(path: Path = STORY_FILE) -> Story:
    """Read and check the manifest at ``path``; raises ReplayError naming the bad entry."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ReplayError(f"story: cannot load {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ReplayError(f"story: {path} must hold a mapping")
    try:
        outlets = tuple(
            Outlet(id=o["id"], name=o["name"], feed=cast(FeedFormat, o["feed"]), lang=o["lang"],
                   home=o["home"], description=o.get("description", ""), feed_query=o.get("feed_query"))
            for o in data["outlets"]
        )
        ids = {o.id for o in outlets}
        articles = []
        for i, a in enumerate(data["articles"]):
            key = f"articles.{i}"
            art = StoryArticle(
                path=a["path"], outlet=a["outlet"], published=_when(a["published"], key), title=a["title"],
                lang=a.get("lang", "en"), event=a["event"], kind=a.get("kind"), relevant=bool(a["relevant"]),
                alert_expected=bool(a["alert_expected"]), summary=a.get("summary", ""), status=a.get("status"),
                syndicated_from=a.get("syndicated_from"), feed_link=a.get("feed_link"),
                feed_links=tuple(a.get("feed_links") or ()),
            )
            if art.outlet not in ids:
                raise ReplayError(f"story: {key}: unknown outlet {art.outlet!r}")
            if art.kind is not None and art.kind not in KINDS:
                raise ReplayError(f"story: {key}: unknown kind {art.kind!r}")
            if not art.path.startswith("/"):
                raise ReplayError(f"story: {key}: path must start with '/'")
            articles.append(art)
        story = Story(
            default_clock=_when(data["default_clock"], "default_clock"),
            freshness=timedelta(hours=float(data.get("freshness_hours", 72))),
            outlets=outlets,
            articles=tuple(sorted(articles, key=lambda a: a.published)),
        )
    except (KeyError, TypeError) as exc:
        raise ReplayError(f"story: {path}: missing or malformed key {exc}") from None
    if len({a.path for a in story.articles}) != len(story.articles):
        raise ReplayError("story: duplicate article path")
    return story
