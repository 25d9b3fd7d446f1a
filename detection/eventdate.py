"""When a look-back piece says its event happened: the dates its lead names.

A magazine piece nine days after a meeting ("For two days in late April, that room held ..."), or
a profile a week after a return ("On January 28, the lamp was on ..."), reports an event older than
its own publication. Grouping compares event days, so such a piece is dated by the day its lead
names, provided that the lead names no recent day at all (a dateline, "on Tuesday", "yesterday",
today's date): a report of something new usually says when it happened, and says it is recent.

Pure functions over text; no dependency on a date-parsing library (the forms are few and fixed,
and the same lead is read for every article on the hot path).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTHS: dict[str, int] = {}
for _n, _names in enumerate((
    ("january", "jan", "januar", "janvier", "enero", "января"),
    ("february", "feb", "februar", "février", "fevrier", "febrero", "февраля"),
    ("march", "mar", "märz", "maerz", "mars", "marzo", "марта"),
    ("april", "apr", "avril", "abril", "апреля"),
    ("may", "mai", "mayo", "мая"),
    ("june", "jun", "juni", "juin", "junio", "июня"),
    ("july", "jul", "juli", "juillet", "julio", "июля"),
    ("august", "aug", "août", "aout", "agosto", "августа"),
    ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "сентября"),
    ("october", "oct", "oktober", "octobre", "octubre", "октября"),
    ("november", "nov", "novembre", "noviembre", "ноября"),
    ("december", "dec", "dezember", "décembre", "decembre", "diciembre", "декабря"),
), start=1):
    for _name in _names:
        _MONTHS[_name] = _n
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))

#: "April 23", "Apr. 23", "23 April", "23. April", "23 avril", "23 de abril", "23 апреля"
_LATIN_DATE = re.compile(
    rf"\b(?:(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?!\d)|(?P<d2>\d{{1,2}})(?:\.|er)?\s+(?:de\s+)?(?P<m2>{_MONTH})\b)"
    r"(?:,?\s+(?P<y>(?:19|20)\d\d))?",
    re.IGNORECASE,
)
#: "late April", "early May", "mid-June", "Ende April", "fin avril", "finales de abril", "в конце апреля"
_PART_OF_MONTH = re.compile(
    rf"\b(?P<part>late|early|mid|end of|ende|anfang|mitte|fin|début|debut|finales de|principios de|mediados de)"
    rf"[-\s]+(?:de\s+)?(?P<m>{_MONTH})\b",
    re.IGNORECASE,
)
_PART_DAY = {"late": 25, "end of": 28, "ende": 28, "fin": 28, "finales de": 28, "early": 5, "anfang": 5,
             "début": 5, "debut": 5, "principios de": 5, "mid": 15, "mitte": 15, "mediados de": 15}
#: 4月23日 (ja/zh), 4월 23일 (ko), with an optional year before it
_CJK_DATE = re.compile(r"(?:(?P<y>(?:19|20)\d\d)\s*[年년]\s*)?(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]")
#: A lead that says its news is recent: a weekday, yesterday, today, this morning.
_RECENT = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tonight|this morning"
    r"|this afternoon|this evening|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|gestern|heute"
    r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|hier|aujourd'hui|lunes|martes|miércoles|jueves"
    r"|viernes|sábado|domingo|ayer|hoy|понедельник|вторник|сред[ау]|четверг|пятниц[ау]|суббот[ау]"
    r"|воскресенье|вчера|сегодня|this week|week of|last night|diese woche|dieser woche|cette semaine"
    r"|esta semana|на этой неделе)\b"
    r"|昨日|今日|今朝|本日|きょう|きのう|曜日|今週|어제|오늘|요일|이번 주|昨天|今天|本周|周[一二三四五六日]|星期"
    # a bare day of the month ("29日の", "지난 29일"): Japanese, Korean and Chinese news name the day of
    # the act that way, which is this week's far more often than not
    r"|(?<![\d月월])(?<![月월]\s)\d{1,2}\s*[日일](?![間间本曜])",
    re.IGNORECASE,
)
#: How far back a look-back piece may date itself: older days are background, not its event.
LOOKBACK_DAYS = 45


def _resolve(month: int, day: int, year: int | None, published: date) -> date | None:
    """The day meant by ``month``/``day`` (and ``year``), or the latest such day not after ``published``."""
    try:
        if year is not None:
            return date(year, month, day)
        d = date(published.year, month, day)
        return d if d <= published + timedelta(days=1) else date(published.year - 1, month, day)
    except ValueError:
        return None


def mentioned_days(lead: str, published: date) -> list[date]:
    """The calendar days ``lead`` names (month and day, with or without a year; part of a month)."""
    out: list[date] = []
    for m in _LATIN_DATE.finditer(lead):
        name = (m["m1"] or m["m2"]).lower()
        d = _resolve(_MONTHS[name], int(m["d1"] or m["d2"]), int(m["y"]) if m["y"] else None, published)
        if d is not None:
            out.append(d)
    for m in _PART_OF_MONTH.finditer(lead):
        d = _resolve(_MONTHS[m["m"].lower()], _PART_DAY[m["part"].lower()], None, published)
        if d is not None:
            out.append(min(d, published))
    for m in _CJK_DATE.finditer(lead):
        d = _resolve(int(m["m"]), int(m["d"]), int(m["y"]) if m["y"] else None, published)
        if d is not None:
            out.append(d)
    return out


def event_day(lead: str, published: date, recent_days: float) -> date:
    """The day a lead's event happened: ``published``, or for a look-back piece the latest day it names.

    A lead that names a day within ``recent_days`` of publication, or says "on Tuesday",
    "yesterday", "today" (in any of the watch's languages), reports recent news: its day is its
    publication day. Otherwise the latest day it names within :data:`LOOKBACK_DAYS` is its event's.
    """
    if _RECENT.search(lead):
        return published
    days = mentioned_days(lead, published)
    if not days or any(abs((published - d).days) <= recent_days for d in days):
        return published
    old = [d for d in days if timedelta(0) < published - d <= timedelta(days=LOOKBACK_DAYS)]
    return max(old) if old else published
