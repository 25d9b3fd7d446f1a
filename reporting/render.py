"""The report as one self-contained HTML document (inline CSS/JS/SVG, no external requests)."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from reporting.chart import MAX_DAYS, build_chart
from reporting.data import AlertView, ReportData, iso
from reporting.errors import ReportWriteError
from reporting.kinds import kind_label, kind_styles

TEMPLATES = Path(__file__).parent / "templates"
ALERT_LIMIT = 50


def content_security_policy(nonce: str) -> str:
    """The CSP the report runs under: nothing external, only its own inline script."""
    return (
        "default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src 'nonce-{nonce}'; img-src data:; base-uri 'none'; form-action 'none'"
    )


def _when(value: datetime | None) -> str:
    if value is None:
        return "unknown date"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%-d %b %Y, %H:%M UTC")


def _day(value: date | None) -> str:
    return value.strftime("%a %-d %b %Y") if value else ""


def _href(url: str | None) -> str | None:
    """``url`` when it is a plain http(s) link, else ``None`` (no javascript:/data: links)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters["iso"] = iso
    env.filters["when"] = _when
    env.filters["day"] = _day
    env.filters["href"] = _href
    env.filters["kindlabel"] = kind_label
    return env


@dataclass(frozen=True)
class AlertGroup:
    """One development revision's alert and how each channel fared."""

    development_id: int | None
    revision: int
    kind: str
    title: str
    created_at: datetime
    channels: tuple[tuple[str, str], ...]


def group_alerts(alerts: Sequence[AlertView]) -> list[AlertGroup]:
    """Alerts grouped per (development, revision), newest first; channels listed with their status."""
    groups: dict[tuple[int | None, int, int], list[AlertView]] = {}
    for a in alerts:
        key = (a.development_id, a.revision, 0) if a.development_id is not None else (None, 0, a.id)
        groups.setdefault(key, []).append(a)
    out = [
        AlertGroup(
            development_id=rows[0].development_id,
            revision=rows[0].revision,
            kind=rows[0].kind,
            title=rows[0].title,
            created_at=min(r.created_at for r in rows),
            channels=tuple(sorted((r.channel, r.status) for r in rows)),
        )
        for rows in groups.values()
    ]
    out.sort(key=lambda g: g.created_at, reverse=True)
    return out


def render_report(data: ReportData, *, nonce: str | None = None) -> str:
    """One self-contained HTML document for ``data``; every text from articles is escaped."""
    nonce = nonce or secrets.token_urlsafe(16)
    styles = kind_styles(data.kinds, data.kind_labels)
    dev_days = {d.id: d.when.astimezone(UTC).date() for d in data.developments}
    chart = build_chart(data.articles_per_day, data.alerts, styles, dev_days)
    bar_counts: dict[date, dict[str, int]] = {}
    for c in data.articles_per_day:
        bar_counts.setdefault(c.day, {})
        bar_counts[c.day][c.kind] = bar_counts[c.day].get(c.kind, 0) + c.count
    bar_alerts = {b.day: b.alerts for b in chart.bars}
    table_rows = [
        (day, counts, sum(counts.values()), bar_alerts.get(day, ()))
        for day, counts in sorted(bar_counts.items(), reverse=True)
    ]
    busiest = max(chart.bars, key=lambda b: (b.total, b.day)) if chart.bars else None
    dev_kinds = Counter(d.kind for d in data.developments)
    alert_groups = group_alerts(data.alerts)
    alert_days = {b.day for b in chart.bars if b.alerts}
    template = _environment().get_template("report.html.j2")
    labels = dict(data.kind_labels)
    return template.render(
        data=data,
        styles=styles,
        chart=chart,
        table_rows=table_rows,
        busiest=busiest,
        dev_kinds=dev_kinds,
        alert_count=len(alert_groups),
        alert_groups=alert_groups,
        alert_days=alert_days,
        alert_limit=ALERT_LIMIT,
        max_days=MAX_DAYS,
        nonce=nonce,
        kindlabel=lambda k: kind_label(k, labels),
        csp=content_security_policy(nonce),
    )


def write_report(data: ReportData, path: Path) -> Path:
    """Render ``data`` and write it to ``path`` atomically (temp file + rename); returns the path."""
    path = Path(path).expanduser()
    html = render_report(data)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(html)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ReportWriteError(f"cannot write report to {path}: {exc.strerror or exc}") from exc
    return path.resolve()
