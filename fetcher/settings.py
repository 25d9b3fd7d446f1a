"""Typed settings of the fetch stage, validated once at the edge and passed down."""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class FetchSettings(BaseModel):
    """Limits and manners of every HTTP fetch (all durations in seconds)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    connect_timeout: float = Field(default=5.0, gt=0)
    read_timeout: float = Field(default=10.0, gt=0)
    total_timeout: float = Field(default=30.0, gt=0)
    """Budget of one fetch from its first attempt: redirects, retries, Retry-After waits, slow drip."""
    max_bytes: int = Field(default=10_000_000, gt=0)
    """Largest body accepted, counted after Content-Encoding is decoded."""
    max_decompressed_ratio: float = Field(default=100.0, gt=1)
    """Decoded/encoded size ratio above which a body counts as a decompression bomb ..."""
    ratio_guard_min_bytes: int = Field(default=1_000_000, ge=0)
    """... once at least this many decoded bytes have been produced (small bodies compress well)."""
    max_redirects: int = Field(default=5, ge=0)
    global_concurrency: int = Field(default=32, gt=0)
    per_host_concurrency: int = Field(default=4, gt=0)
    per_host_delay: float = Field(default=0.0, ge=0)
    """Minimum seconds between the starts of two requests to one host."""
    max_crawl_delay: float = Field(default=10.0, ge=0)
    """robots.txt Crawl-delay is honoured (for article pages) up to this many seconds."""
    retries: int = Field(default=2, ge=0)
    backoff_base: float = Field(default=0.5, ge=0)
    backoff_max: float = Field(default=30.0, ge=0)
    user_agent: str = "storywatch/0.1 (+{contact_url})"
    contact_url: str = "https://example.invalid/storywatch"
    respect_robots: bool = True
    allow_private_addresses: bool = False
    allow_hosts: list[str] = Field(default_factory=list)
    """Hosts (``example.org``, ``*.example.org``) or IPs/CIDRs (``127.0.0.1``, ``10.0.0.0/8``) that
    untrusted links may reach even when they resolve to private addresses."""
    reject_html_feeds: bool = True
    """A feed request answered with an HTML page fails with NotAFeed instead of returning it."""

    @field_validator("allow_hosts")
    @classmethod
    def _check_allow_hosts(cls, value: list[str]) -> list[str]:
        out = []
        for raw in value:
            entry = raw.strip().lower()
            if not entry:
                raise ValueError("empty entry in allow_hosts")
            if "/" in entry:
                ipaddress.ip_network(entry, strict=False)  # raises ValueError with a clear message
            out.append(entry)
        return out

    @model_validator(mode="after")
    def _check_consistency(self) -> FetchSettings:
        if self.backoff_max < self.backoff_base:
            raise ValueError("backoff_max must be >= backoff_base")
        return self

    @property
    def effective_user_agent(self) -> str:
        """The User-Agent header: the template with ``{contact_url}`` filled in."""
        return self.user_agent.replace("{contact_url}", self.contact_url)

    @property
    def robots_token(self) -> str:
        """The product token robots.txt rules are matched against (``storywatch``)."""
        return self.effective_user_agent.split("/", 1)[0].split()[0] or "storywatch"
