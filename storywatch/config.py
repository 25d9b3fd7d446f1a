"""The configuration file: read and validated once at start, then passed down.

A config is YAML. Every stage owns the model of its own section (fetch settings,
watches, alert policy); this module composes them and turns any problem into one
:class:`ConfigError` line that names the key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from alerting.policy import AlertPolicy, ChannelSpec
from detection.watch import WatchSpec, load_default_watch
from fetcher.settings import FetchSettings
from storywatch.errors import ConfigError

ENV_CONFIG = "STORYWATCH_CONFIG"
SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class SourceSpec(BaseModel):
    """One configured source: a feed, a news sitemap, or a single HTML page."""

    model_config = ConfigDict(extra="forbid")

    name: str
    url: str
    kind: Literal["feed", "sitemap", "page"] = "feed"
    enabled: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not SOURCE_NAME.match(v):
            raise ValueError("use letters, digits, '.', '_' or '-' (at most 100)")
        return v

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.match(r"^(https?://|\{replay\})", v):
            raise ValueError(f"not an http(s) URL: {v!r}")
        return v


class ReplaySettings(BaseModel):
    """The bundled offline replay site, served on 127.0.0.1 by the command itself."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    clock: datetime | None = None
    #: A fixed port keeps the replay's URLs stable from run to run (they are the articles' identity).
    port: int = Field(default=8765, ge=1, le=65535)

    @field_validator("clock")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("needs a time zone, e.g. 2026-11-21T00:00:00Z")
        return v


class ReportSettings(BaseModel):
    """Where the timeline report is written after each run."""

    model_config = ConfigDict(extra="forbid")

    path: str | None = "var/story.html"
    write_after_run: bool = True


class WatchEntry(BaseModel):
    """A watch in the config: ``use`` a bundled one, load ``file``, or inline fields."""

    model_config = ConfigDict(extra="allow")

    use: str | None = None
    file: str | None = None
    alert_policy: dict[str, Any] | None = None


class RawConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    database: str = "sqlite:///var/storywatch.db"
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    sources: list[SourceSpec] = Field(default_factory=list)
    watches: list[WatchEntry] | None = None
    watch: WatchEntry | None = None
    channels: dict[str, ChannelSpec] = Field(default_factory=dict)
    alert_policy: dict[str, Any] | None = None
    secrets_file: str | None = None
    replay: ReplaySettings = Field(default_factory=ReplaySettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    prefect: dict[str, Any] = Field(default_factory=dict)

    @field_validator("database")
    @classmethod
    def _db(cls, v: str) -> str:
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", v):
            raise ValueError("expected sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")
        return v


class Watch(BaseModel):
    """A validated watch and the alert policy that routes its developments."""

    spec: WatchSpec
    policy: AlertPolicy

    @property
    def name(self) -> str:
        return self.spec.name


class Config(BaseModel):
    """The whole validated configuration."""

    path: str | None
    database: str
    fetch: FetchSettings
    sources: list[SourceSpec]
    watches: list[Watch]
    channels: dict[str, ChannelSpec]
    secrets_file: str | None
    replay: ReplaySettings
    report: ReportSettings
    prefect: dict[str, Any]

    def watch(self, name: str | None = None) -> Watch:
        """The named watch, or the first one."""
        if name is None:
            return self.watches[0]
        for w in self.watches:
            if w.name == name:
                return w
        raise ConfigError(f"watch {name!r} is not configured (have: {', '.join(w.name for w in self.watches)})")

    def with_replay_base(self, base_url: str) -> Config:
        """A copy whose ``{replay}`` source URLs point at a running replay server."""
        sources = [s.model_copy(update={"url": s.url.replace("{replay}", base_url.rstrip("/"))})
                   for s in self.sources]
        return self.model_copy(update={"sources": sources})


def bundled_config_path(name: str = "default") -> Path:
    """Path of a config shipped with the package (``default`` or ``live``)."""
    return Path(str(resources.files("storywatch") / "data" / "config" / f"{name}.yaml"))


def config_path(cli_value: str | None, env: Mapping[str, str] | None = None) -> Path:
    """``--config``, else ``$STORYWATCH_CONFIG``, else the bundled default."""
    env = os.environ if env is None else env
    if cli_value:
        return Path(cli_value)
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG])
    return bundled_config_path("default")


def load_config(path: Path) -> Config:
    """Read and validate the config at ``path``; raises ConfigError naming the key."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}: {problem}{where}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys")
    return parse_config(data, path=path)


def parse_config(data: dict[str, Any], *, path: Path | None = None) -> Config:
    """Validate an already-loaded config mapping."""
    raw = _validate(RawConfig, data, prefix="")
    base = path.parent if path else Path.cwd()
    if raw.watches is not None and raw.watch is not None:
        raise ConfigError("watch: give either 'watch' or 'watches', not both")
    entries = raw.watches if raw.watches is not None else ([raw.watch] if raw.watch else [WatchEntry()])
    if not entries:
        raise ConfigError("watches: at least one watch is needed")
    watches = [_load_watch(e, i, base, raw.alert_policy, single=raw.watches is None)
               for i, e in enumerate(entries)]
    names = [w.name for w in watches]
    if len(set(names)) != len(names):
        raise ConfigError(f"watches: duplicate watch name in {names}")
    source_names = [s.name for s in raw.sources]
    dupes = sorted({n for n in source_names if source_names.count(n) > 1})
    if dupes:
        raise ConfigError(f"sources: duplicate source name {dupes[0]!r}")
    if any("{replay}" in s.url for s in raw.sources) and not raw.replay.enabled:
        raise ConfigError("sources: '{replay}' URLs need 'replay: {enabled: true}'")
    return Config(
        path=str(path) if path else None,
        database=raw.database,
        fetch=raw.fetch,
        sources=raw.sources,
        watches=watches,
        channels=raw.channels,
        secrets_file=raw.secrets_file,
        replay=raw.replay,
        report=raw.report,
        prefect=raw.prefect,
    )


def _load_watch(entry: WatchEntry, index: int, base: Path, default_policy: dict[str, Any] | None,
                *, single: bool) -> Watch:
    prefix = "watch" if single else f"watches.{index}"
    fields = dict(entry.model_extra or {})
    if entry.file:
        wpath = (base / entry.file) if not Path(entry.file).is_absolute() else Path(entry.file)
        try:
            loaded = yaml.safe_load(wpath.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{prefix}.file: cannot load {wpath}: {exc}") from None
        if not isinstance(loaded, dict):
            raise ConfigError(f"{prefix}.file: {wpath} must hold a mapping")
        policy_in_file = loaded.pop("alert_policy", None)
        fields = {**loaded, **fields}
        if entry.alert_policy is None and policy_in_file is not None:
            entry = entry.model_copy(update={"alert_policy": policy_in_file})
    if entry.use or not fields:
        if entry.use not in (None, "default"):
            raise ConfigError(f"{prefix}.use: unknown bundled watch {entry.use!r} (have: default)")
        spec = load_default_watch()
        if fields:
            spec = _validate(WatchSpec, {**spec.model_dump(), **fields}, prefix=prefix)
    else:
        spec = _validate(WatchSpec, fields, prefix=prefix)
    policy_data = entry.alert_policy if entry.alert_policy is not None else (default_policy or {})
    policy = _validate(AlertPolicy, policy_data, prefix=f"{prefix}.alert_policy")
    return Watch(spec=spec, policy=policy)


def _validate(model: Any, data: Any, *, prefix: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        key = ".".join(p for p in (prefix, loc) if p)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (typo?)"
        elif "input" in err and not isinstance(err["input"], dict | list):
            shown = str(err["input"])
            if len(shown) <= 60 and "://" not in shown:
                msg += f" (got {shown!r})"
        more = f" (+{len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        raise ConfigError(f"config error: {key or '(top level)'}: {msg}{more}") from None
