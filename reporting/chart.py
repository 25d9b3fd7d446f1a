"""Geometry of the coverage chart: articles per day stacked by kind, with alert marks (pure)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from reporting.data import AlertView, DayCount
from reporting.kinds import KindStyle, kind_label

WIDTH = 760
HEIGHT = 280
LEFT = 40
RIGHT = 12
TOP = 42
BOTTOM = 34
MAX_DAYS = 120
GAP_DAYS = 21  # coverage separated from the rest by a longer silence is archive material


@dataclass(frozen=True)
class Segment:
    """One kind's share of one day's bar."""

    kind: str
    label: str
    css_class: str
    count: int
    y: float
    height: float


@dataclass(frozen=True)
class DayBar:
    """One day with coverage: its stacked segments and whether an alert went out."""

    day: date
    x: float
    width: float
    total: int
    segments: tuple[Segment, ...]
    alerts: tuple[str, ...]
    top: float

    @property
    def summary(self) -> str:
        """The bar in words, for tooltips and screen readers."""
        parts = ", ".join(f"{s.count} {s.label}" for s in self.segments)
        text = f"{self.day.isoformat()}: {self.total} article{'s' if self.total != 1 else ''} ({parts})"
        if self.alerts:
            text += f"; {len(self.alerts)} alert{'s' if len(self.alerts) != 1 else ''}"
        return text


@dataclass(frozen=True)
class AlertOnlyDay:
    """An alert on a day with no coverage counted (still marked on the axis)."""

    day: date
    x: float
    titles: tuple[str, ...]


@dataclass(frozen=True)
class Tick:
    """An axis tick: its value/label and position."""

    label: str
    pos: float


@dataclass(frozen=True)
class Chart:
    """A ready-to-draw chart; empty when there is no coverage."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    bars: tuple[DayBar, ...]
    alert_only: tuple[AlertOnlyDay, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    first_day: date | None
    last_day: date | None
    truncated_days: int = 0

    @property
    def empty(self) -> bool:
        """True when there is nothing to draw."""
        return not self.bars

    @property
    def baseline(self) -> int:
        """The y coordinate of the x axis."""
        return self.height - self.bottom


def _nice_max(value: int) -> tuple[int, int]:
    """A rounded axis maximum and step for ``value``."""
    if value <= 5:
        return max(value, 1), 1
    raw = value / 4
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    return int(math.ceil(value / step) * step), int(step)


def chart_window(days: Iterable[date]) -> tuple[date, date]:
    """The latest run of coverage days: at most MAX_DAYS long, no silence longer than GAP_DAYS inside."""
    ordered = sorted(set(days), reverse=True)
    last = first = ordered[0]
    for d in ordered[1:]:
        if (first - d).days > GAP_DAYS or (last - d).days >= MAX_DAYS:
            break
        first = d
    return first, last


def build_chart(
    counts: Iterable[DayCount],
    alerts: Iterable[AlertView],
    styles: Mapping[str, KindStyle],
    development_days: Mapping[int, date] | None = None,
) -> Chart:
    """Lay out one bar per day with coverage, stacked by kind in legend order, alerts marked.

    An alert is marked on the day its development broke (``development_days``), else the day it was created.
    """
    per_day: dict[date, dict[str, int]] = defaultdict(dict)
    for c in counts:
        if c.count > 0:
            per_day[c.day][c.kind] = per_day[c.day].get(c.kind, 0) + c.count
    alert_days: dict[date, list[str]] = defaultdict(list)
    seen: set[tuple[int | None, int, str]] = set()
    for a in alerts:
        key = (a.development_id, a.revision, a.title) if a.development_id is not None else (None, a.id, "")
        if key in seen:  # one mark per development revision, not per channel
            continue
        seen.add(key)
        when = (development_days or {}).get(a.development_id or -1) or a.created_at.date()
        alert_days[when].append(a.title)
    if not per_day:
        return Chart(WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM, (), (), (), (), None, None)

    first, last = chart_window(per_day)
    truncated = sum(1 for d in per_day if d < first)
    alert_in_range = [d for d in alert_days if first <= d]
    if alert_in_range:
        last = max(last, max(alert_in_range))
    n_days = (last - first).days + 1
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / n_days
    bar_w = max(min(slot * 0.62, 44.0), 1.5)
    peak = max(sum(v.values()) for d, v in per_day.items() if d >= first)
    y_max, step = _nice_max(peak)
    scale = plot_h / y_max
    order = {k: s.index for k, s in styles.items()}

    bars: list[DayBar] = []
    for day in sorted(d for d in per_day if d >= first):
        kinds = sorted(per_day[day].items(), key=lambda kv: (order.get(kv[0], 999), kv[0]))
        x = LEFT + (day - first).days * slot + (slot - bar_w) / 2
        y = float(HEIGHT - BOTTOM)
        segs: list[Segment] = []
        for kind, n in kinds:
            h = n * scale
            y -= h
            style = styles.get(kind)
            segs.append(
                Segment(
                    kind=kind,
                    label=style.label if style else kind_label(kind),
                    css_class=style.css_class if style else "kother",
                    count=n,
                    y=round(y, 2),
                    height=round(h, 2),
                )
            )
        bars.append(
            DayBar(
                day=day,
                x=round(x, 2),
                width=round(bar_w, 2),
                total=sum(per_day[day].values()),
                segments=tuple(segs),
                alerts=tuple(alert_days.get(day, ())),
                top=round(y, 2),
            )
        )
    alert_only = tuple(
        AlertOnlyDay(day=d, x=round(LEFT + (d - first).days * slot + slot / 2, 2), titles=tuple(t))
        for d, t in sorted(alert_days.items())
        if first <= d <= last and d not in per_day
    )
    y_ticks = tuple(
        Tick(label=str(v), pos=round(HEIGHT - BOTTOM - v * scale, 2)) for v in range(0, y_max + 1, step)
    )
    every = max(1, math.ceil(n_days / 8))
    x_ticks = tuple(
        Tick(
            label=(first + timedelta(days=i)).strftime("%b %-d"),
            pos=round(LEFT + i * slot + slot / 2, 2),
        )
        for i in range(0, n_days, every)
    )
    return Chart(
        WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM, tuple(bars), alert_only, y_ticks, x_ticks, first, last, truncated
    )
