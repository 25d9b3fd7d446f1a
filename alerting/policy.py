"""Alert policy and channels: which kinds go where, when, and how urgently.

A watch's ``alert_policy`` section validates into :class:`AlertPolicy`; the config's
``channels`` section into ``dict[str, ChannelSpec]``, turned into usable
:class:`ResolvedChannel` objects (secrets pulled in) by :func:`resolve_channels`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from alerting.errors import ChannelConfigError
from alerting.redact import apprise_unpropagated, display_url, url_secrets

Severity = Literal["critical", "high", "normal", "low"]
Mode = Literal["immediate", "digest"]
Format = Literal["text", "markdown", "html"]
CONSOLE = "console"
SEVERITY_RANK: dict[str, int] = {"low": 0, "normal": 1, "high": 2, "critical": 3}
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _check_tz(v: str) -> str:
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {v!r} (use an IANA name like Asia/Tokyo)") from None
    return v


class ChannelSpec(BaseModel):
    """One delivery channel: an Apprise URL (or a reference to where the secret URL lives)."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(description='Apprise URL, "${ENV}", "env:NAME", "file:/path", or "console://"')
    format: Format | None = None  # None = the service's native format
    enabled: bool = True


class Route(BaseModel):
    """Send ``kinds`` (``*`` = every alert-worthy kind) to ``channels`` (``*`` = all)."""

    model_config = ConfigDict(extra="forbid")

    kinds: list[str] = Field(default_factory=lambda: ["*"])
    channels: list[str] = Field(default_factory=lambda: ["*"])
    mode: Mode | None = None  # None: digest for digest_kinds/updates, else immediate


class QuietHours(BaseModel):
    """Non-urgent alerts wait until ``end``; severities in ``bypass`` are sent anyway."""

    model_config = ConfigDict(extra="forbid")

    start: time
    end: time
    tz: str = "UTC"
    bypass: list[Severity] = Field(default_factory=lambda: ["critical", "high"])  # type: ignore[arg-type]

    _tz = field_validator("tz")(classmethod(lambda cls, v: _check_tz(v)))

    def end_if_quiet(self, now: datetime) -> datetime | None:
        """When the quiet period containing ``now`` ends (aware UTC), or None if not quiet."""
        zone = ZoneInfo(self.tz)
        local = now.astimezone(zone)
        t = local.time().replace(tzinfo=None)
        if self.start == self.end:
            return None
        if self.start < self.end:
            quiet = self.start <= t < self.end
            end_day = local.date()
        else:  # wraps midnight, e.g. 22:00-07:00
            quiet = t >= self.start or t < self.end
            end_day = local.date() + timedelta(days=1) if t >= self.start else local.date()
        if not quiet:
            return None
        return datetime.combine(end_day, self.end, tzinfo=zone).astimezone(now.tzinfo)


class DigestSchedule(BaseModel):
    """When the digest goes out: daily at ``at`` in ``tz``."""

    model_config = ConfigDict(extra="forbid")

    every: Literal["daily"] = "daily"
    at: time = time(8, 0)
    tz: str = "UTC"

    _tz = field_validator("tz")(classmethod(lambda cls, v: _check_tz(v)))

    def last_slot(self, now: datetime) -> datetime:
        """The most recent scheduled digest time at or before ``now``."""
        zone = ZoneInfo(self.tz)
        local = now.astimezone(zone)
        slot = datetime.combine(local.date(), self.at, tzinfo=zone)
        if slot > local:
            slot = datetime.combine(local.date() - timedelta(days=1), self.at, tzinfo=zone)
        return slot.astimezone(now.tzinfo)


class RetryPolicy(BaseModel):
    """Exponential backoff between delivery attempts: base * factor**(n-1), capped."""

    model_config = ConfigDict(extra="forbid")

    base_seconds: Annotated[float, Field(gt=0)] = 60
    factor: Annotated[float, Field(ge=1)] = 2.0
    max_seconds: Annotated[float, Field(gt=0)] = 3600

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt."""
        return timedelta(seconds=min(self.max_seconds, self.base_seconds * self.factor ** max(0, attempts - 1)))


class AlertPolicy(BaseModel):
    """How a watch's developments become alerts.

    Default: every alert-worthy kind goes to all channels immediately; updates to known
    developments and ``digest_kinds`` go to the daily digest.
    """

    model_config = ConfigDict(extra="forbid")

    routes: list[Route] = Field(default_factory=list)
    digest_kinds: list[str] = Field(default_factory=list)
    updates_to_digest: bool = True
    digest: DigestSchedule = Field(default_factory=DigestSchedule)
    severity: dict[str, Severity] = Field(default_factory=dict)
    default_severity: Severity = "normal"
    alert_kinds: list[str] | None = None  # overrides the watch's per-kind ``alert`` flags
    quiet_hours: QuietHours | None = None
    escalation_alerts: bool = True
    update_alerts: bool = True
    expire_after_hours: Annotated[float, Field(gt=0)] = 72
    max_attempts: Annotated[int, Field(ge=1)] = 12
    retry: RetryPolicy = Field(default_factory=lambda: RetryPolicy())
    claim_seconds: Annotated[int, Field(ge=5)] = 300  # lease of a claimed alert; must exceed one send's timeout
    source_health: list[str] = Field(default_factory=lambda: ["*"])  # channels for source-health alerts

    def severity_of(self, kind: str, declared: str | None = None) -> str:
        """The severity of ``kind``: the policy's mapping, else the watch's, else the default."""
        if kind in self.severity:
            return self.severity[kind]
        if declared in SEVERITY_RANK:
            return str(declared)
        return self.default_severity

    def routes_for(self, kind: str, available: list[str], *, update: bool = False) -> list[tuple[str, str]]:
        """(channel, mode) pairs for an alert of ``kind`` among ``available`` channel names."""
        default_mode = "digest" if (kind in self.digest_kinds or (update and self.updates_to_digest)) \
            else "immediate"
        routes = self.routes or [Route()]
        out: dict[str, str] = {}
        for r in routes:
            if "*" not in r.kinds and kind not in r.kinds:
                continue
            names = available if "*" in r.channels else [c for c in r.channels if c in available]
            for name in names:
                mode = r.mode or default_mode
                # immediate wins when two routes name the same channel
                if out.get(name) != "immediate":
                    out[name] = mode
        return sorted(out.items())

    def health_channels(self, available: list[str]) -> list[str]:
        """Channel names that receive source-health alerts."""
        if "*" in self.source_health:
            return list(available)
        return [c for c in self.source_health if c in available]

    def bypasses_quiet(self, severity: str) -> bool:
        """True when an alert of ``severity`` is sent even during quiet hours."""
        return self.quiet_hours is None or severity in self.quiet_hours.bypass


@dataclass(frozen=True)
class ResolvedChannel:
    """A channel ready to send: the secret URL (never in repr) and what may be shown of it."""

    name: str
    url: str = field(repr=False)
    format: str
    display: str
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def is_console(self) -> bool:
        """True for the built-in console channel (prints instead of calling Apprise)."""
        return self.url.startswith("console:")


def console_channel() -> ResolvedChannel:
    """The built-in channel used when none is configured: a readable block on the console."""
    return ResolvedChannel(name=CONSOLE, url="console://", format="text", display="console://")


def read_secrets_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """``KEY=VALUE`` lines (``#`` comments, optional quotes, optional ``export``) as a mapping."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ChannelConfigError(f"secrets file {path}: cannot read ({exc.strerror})") from None
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        if not sep:
            raise ChannelConfigError(f"secrets file {path}: line {n} is not KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out[key.strip()] = value
    return out


def resolve_channels(
    channels: Mapping[str, ChannelSpec],
    env: Mapping[str, str] | None = None,
    secrets_file: str | os.PathLike[str] | None = None,
) -> dict[str, ResolvedChannel]:
    """Channels with secrets pulled in and URLs validated; errors name the key, never the secret."""
    import apprise

    env = os.environ if env is None else env
    secrets = read_secrets_file(secrets_file) if secrets_file else {}

    def lookup(key: str, name: str) -> str:
        if env.get(key):
            return env[key]
        if secrets.get(key):
            return secrets[key]
        where = " or the secrets file" if secrets_file else ""
        raise ChannelConfigError(f"channels.{name}.url: ${{{key}}} is not set in the environment{where}")

    out: dict[str, ResolvedChannel] = {}
    for name, spec in channels.items():
        if not spec.enabled:
            continue
        raw = spec.url.strip()
        if raw.startswith("env:"):
            url = lookup(raw[4:].strip(), name)
        elif raw.startswith("file:"):
            fpath = raw[5:].strip()
            try:
                url = Path(fpath).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ChannelConfigError(f"channels.{name}.url: cannot read {fpath} ({exc.strerror})") from None
        else:
            url = _ENV_REF.sub(lambda m, name=name: lookup(m.group(1), name), raw)  # type: ignore[misc]
        if not url:
            raise ChannelConfigError(f"channels.{name}.url: empty")
        if url.startswith("console:"):
            out[name] = ResolvedChannel(name=name, url="console://", format=spec.format or "text",
                                        display="console://")
            continue
        with apprise_unpropagated():
            plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
        if plugin is None:
            raise ChannelConfigError(
                f"channels.{name}.url: not a valid Apprise URL ({display_url(url)}); see "
                "https://github.com/caronc/apprise/wiki for the URL forms")
        native = str(getattr(plugin.notify_format, "value", plugin.notify_format) or "text")
        fmt = spec.format or (native if native in ("text", "markdown", "html") else "text")
        out[name] = ResolvedChannel(name=name, url=url, format=fmt, display=display_url(url),
                                    secrets=tuple(url_secrets(url)))
    return out


def all_secrets(channels: Mapping[str, ResolvedChannel]) -> list[str]:
    """Every secret of every channel, for :func:`alerting.redact.redact`."""
    return [s for c in channels.values() for s in c.secrets]
