"""Dates as newsrooms write them -> aware UTC datetimes, with provenance.

``parse_date`` tries, in order: RFC 822 (feeds, HTTP), ISO-8601 (with or without
offset), CJK ``2026年2月16日 14時05分`` / ``2026년 2월 16일 오후 2:05``, year-first
``2026.02.16 14:05``, day-first ``16.02.2026``, English and other-language month
names (``Sunday, November 17, 2019``, ``Jan 13, 2026 (00:55 UTC)``, ``16 février
2026``, ``16 февраля 2026``), relative phrases (``2 hours ago``, ``yesterday``,
``3時間前``) against ``now``, and finally dateparser on short strings.

Naive values are taken as UTC unless ``assume_tz`` says otherwise (a bare date
keeps its calendar day at midnight UTC; a time of day is read in ``assume_tz``); explicit
offsets and zone abbreviations (JST, KST, CET, ET, ...) are honoured. Values
before 1990 or later than ``now`` + 1 day are rejected (``None``): a wrong date is
worse than no date for a story timeline.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

from parsers.models import DateValue

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SKEW = timedelta(days=1)
_MAX_INPUT = 400

_TZ_OFFSETS: dict[str, float] = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0, "WET": 0, "BST": 1, "CET": 1, "MEZ": 1, "CEST": 2, "MESZ": 2,
    "EET": 2, "EEST": 3, "MSK": 3, "TRT": 3, "AST": 3, "IST": 5.5, "PKT": 5, "ICT": 7, "WIB": 7,
    "HKT": 8, "SGT": 8, "PHT": 8, "AWST": 8, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "NZST": 12,
    "NZDT": 13, "EST": -5, "EDT": -4, "ET": -5, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8,
    "PDT": -7, "PT": -8, "HST": -10,
}
_TZ_RE = r"(?P<tz>Z|[+-]\d{2}:?\d{2}|(?:UTC|GMT)\s*[+-]\s*\d{1,2}(?::?\d{2})?|" + "|".join(
    sorted((k for k in _TZ_OFFSETS if k != "Z"), key=len, reverse=True)
) + r")"

_MONTHS: dict[str, int] = {}
# en, fr, de, es, it, pt, nl, tr, ru (genitive + nominative), ar (Egyptian and Levantine names)
for _month_no, _names in enumerate(
    (
        "jan january janv janvier januar enero ene gennaio janeiro januari ocak января январь يناير كانون_الثاني",
        "feb february fev fevr février fevrier februar febrero febbraio fevereiro februari şubat subat февраля февраль فبراير شباط",
        "mar march mars märz maerz marzo março maart mart марта март مارس آذار",
        "apr april avr avril abril aprile nisan апреля апрель أبريل ابريل نيسان",
        "may mai mayo maggio maio mei mayıs mayis мая май مايو أيار",
        "jun june juin juni junio giugno junho haziran июня июнь يونيو حزيران",
        "jul july juil juillet juli julio luglio julho temmuz июля июль يوليو تموز",
        "aug august aout août agosto augustus ağustos agustos августа август أغسطس آب",
        "sep sept september septembre septiembre setiembre settembre setembro eylül eylul сентября сентябрь سبتمبر أيلول",
        "oct october octobre oktober octubre ottobre outubro ekim октября октябрь أكتوبر تشرين_الأول",
        "nov november novembre noviembre novembro kasım kasim ноября ноябрь نوفمبر تشرين_الثاني",
        "dec december déc décembre decembre dezember diciembre dicembre dezembro aralık aralik декабря декабрь ديسمبر كانون_الأول",
    ),
    start=1,
):
    for _n in _names.split():
        _MONTHS[_n.replace("_", " ")] = _month_no
_MONTH_RE = "(?P<mon>" + "|".join(re.escape(m) for m in sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY_RE = (
    r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\.?,?\s+)?"
)
_TIME_RE = (
    r"(?:[,\s]*(?:at|à|um|a las|a la|saat|в|kl\.|,|-|–|\|)?\s*\(?\s*(?P<h>\d{1,2})\s*[:h.]\s*(?P<mi>\d{2})"
    r"(?:[:.](?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?\s?m\.?)?(?:\s*uhr)?\s*" + _TZ_RE.replace("(?P<tz>", "(?P<tz>") + r"?\)?)?"
)

_ISO = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T\s]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?\s*" + _TZ_RE + r"?)?(?!\d)",
    re.IGNORECASE,
)
_ISO_COMPACT = re.compile(r"^(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?:T(?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})?" + _TZ_RE + r"?)?$")
_CJK = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일号號]?"
    r"(?:\s*[（(]\s*\S{1,3}\s*[)）])?\s*(?:[月火水木金土日]曜日?|[월화수목금토일]요일|星期.|周.)?"
    r"(?:\s*(?P<ampm1>午前|午後|오전|오후|上午|下午|晚上|中午)?\s*(?P<h>\d{1,2})\s*(?:[:：時时点시])\s*(?P<mi>\d{1,2})?\s*[分분]?)?"
)
_YMD_DOTTED = re.compile(
    r"(?<![\d.])(?P<y>(?:19|20)\d{2})\s*[./]\s*(?P<m>\d{1,2})\s*[./]\s*(?P<d>\d{1,2})\.?(?![\d])"
    r"(?:\s*(?P<ampm1>오전|오후|午前|午後)?\s*(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*" + _TZ_RE + r"?)?"
)
_DMY_NUMERIC = re.compile(
    r"(?<![\d.])(?P<d>\d{1,2})(?P<sep>[./])(?P<m>\d{1,2})(?P=sep)(?P<y>(?:19|20)\d{2})(?![\d])"
    r"(?:[,\s\-–]*(?:saat|um|à|a las|в)?\s*(?P<h>\d{1,2})[:.h](?P<mi>\d{2})(?:\s*uhr)?\s*" + _TZ_RE + r"?)?",
    re.IGNORECASE,
)
_MDY_NAMED = re.compile(
    r"(?<![\w])" + _WEEKDAY_RE + _MONTH_RE + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{2})" + _TIME_RE,
    re.IGNORECASE,
)
_DMY_NAMED = re.compile(
    r"(?<![\w])(?:\w+,?\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th|er)?\.?\s+(?:de\s+)?" + _MONTH_RE
    + r",?\s+(?:de\s+)?(?P<y>(?:19|20)\d{2})(?:\s*(?:г\.|года|г))?" + _TIME_RE,
    re.IGNORECASE,
)
_RELATIVE_EN = re.compile(
    r"\b(?P<n>\d+|an?|one)\s+(?P<unit>sec(?:ond)?|min(?:ute)?|hr|hour|day|week|month|year)s?\s+ago\b",
    re.IGNORECASE,
)
_RELATIVE_CJK = re.compile(r"(?P<n>\d+)\s*(?P<unit>秒|分钟?|분|時間|小时|시간|日|天|일)\s*(?:前|전)")
_YESTERDAY = re.compile(r"\b(?:yesterday)\b|昨日|昨天|어제|вчера|gestern|hier\b|ayer\b|dün\b", re.IGNORECASE)
_TODAY = re.compile(r"\b(?:just now|today|moments ago)\b|たった今|今日|今天|방금|오늘", re.IGNORECASE)

_UNIT_SECONDS = {
    "sec": 1, "second": 1, "秒": 1, "min": 60, "minute": 60, "分": 60, "分钟": 60, "분": 60,
    "hr": 3600, "hour": 3600, "時間": 3600, "小时": 3600, "시간": 3600, "day": 86400, "日": 86400,
    "天": 86400, "일": 86400, "week": 604800, "month": 2592000, "year": 31536000,
}
_PM = {"pm", "p.m.", "p.m", "午後", "오후", "下午", "晚上"}
_AM = {"am", "a.m.", "a.m", "午前", "오전", "上午"}
_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _tz_from(token: str | None, default: tzinfo) -> tzinfo:
    if not token:
        return default
    tok = token.strip().upper().replace(" ", "")
    if tok in _TZ_OFFSETS:
        return timezone(timedelta(hours=_TZ_OFFSETS[tok]))
    m = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?", tok)
    if m:
        sign = 1 if m.group(1) == "+" else -1
        return timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0)))
    return default


def _build(
    y: int, m: int, d: int, h: int = 0, mi: int = 0, s: int = 0, tz: tzinfo = UTC, ampm: str | None = None
) -> datetime | None:
    if ampm:
        a = ampm.lower().replace(" ", "")
        if a in _PM or a.startswith("p"):
            h = h + 12 if h < 12 else h
        elif (a in _AM or a.startswith("a")) and h == 12:
            h = 0
    try:
        return datetime(y, m, d, h, mi, s, tzinfo=tz).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _gi(m: re.Match[str], name: str) -> int:
    try:
        v = m.group(name)
    except IndexError:
        return 0
    return int(v) if v else 0


def _gs(m: re.Match[str], name: str) -> str | None:
    try:
        return m.group(name)
    except IndexError:
        return None


def _from_match(m: re.Match[str], default_tz: tzinfo, *, month: int | None = None) -> datetime | None:
    mon = month if month is not None else _gi(m, "m")
    ampm = _gs(m, "ampm") or _gs(m, "ampm1")
    return _build(
        _gi(m, "y"), mon, _gi(m, "d"), _gi(m, "h"), _gi(m, "mi"), _gi(m, "s"),
        _tz_from(_gs(m, "tz"), default_tz), ampm,
    )


def _candidates(text: str, now: datetime, default_tz: tzinfo, languages: Iterable[str]) -> Iterator[datetime]:
    stripped = text.strip()
    if re.match(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}", stripped):
        try:
            rfc = parsedate_to_datetime(stripped)
            yield rfc.replace(tzinfo=rfc.tzinfo or default_tz).astimezone(UTC)
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    compact = _ISO_COMPACT.match(stripped)
    dt: datetime | None = _from_match(compact, default_tz) if compact else None
    if dt:
        yield dt
    found: list[tuple[int, int, datetime]] = []
    for rx in (_ISO, _CJK, _YMD_DOTTED):
        for m in rx.finditer(text):
            dt = _from_match(m, default_tz)
            if dt:
                found.append((m.start(), -len(m.group(0)), dt))
    for rx in (_MDY_NAMED, _DMY_NAMED):
        for m in rx.finditer(text):
            mon = _MONTHS.get(m.group("mon").lower().rstrip("."))
            dt = _from_match(m, default_tz, month=mon) if mon else None
            if dt:
                found.append((m.start("mon") if rx is _MDY_NAMED else m.start("d"), -len(m.group(0)), dt))
    month_first = "en" in languages and "en-gb" not in languages
    for m in _DMY_NUMERIC.finditer(text):
        d, mo = int(m.group("d")), int(m.group("m"))
        if m.group("sep") == "/" and month_first and d <= 12:
            d, mo = mo, d
        dt = _build(_gi(m, "y"), mo, d, _gi(m, "h"), _gi(m, "mi"), 0, _tz_from(_gs(m, "tz"), default_tz))
        if dt:
            found.append((m.start(), -len(m.group(0)), dt))
    found.sort(key=lambda x: (x[0], x[1]))
    for _pos, _neg_len, dt in found:
        yield dt
    for m in _RELATIVE_EN.finditer(text):
        n = m.group("n").lower()
        count = 1 if n in ("a", "an", "one") else int(n)
        unit = m.group("unit").lower()
        yield now - timedelta(seconds=count * _UNIT_SECONDS.get(unit, _UNIT_SECONDS.get(unit[:3], 0)))
    for m in _RELATIVE_CJK.finditer(text):
        yield now - timedelta(seconds=int(m.group("n")) * _UNIT_SECONDS[m.group("unit")])
    if len(stripped) <= 40:
        if _YESTERDAY.search(stripped):
            yield (now - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        elif _TODAY.search(stripped):
            yield now


def _dateparser(text: str, now: datetime, languages: Iterable[str]) -> datetime | None:
    if len(text) > 60 or not re.search(r"\d", text):
        return None
    try:
        import dateparser

        langs = [x for x in languages if re.fullmatch(r"[a-z]{2}", x)] or None
        dt = dateparser.parse(
            text,
            languages=langs,
            settings={
                "RELATIVE_BASE": now.astimezone(UTC).replace(tzinfo=None),
                "TIMEZONE": "UTC",
                "TO_TIMEZONE": "UTC",
                "RETURN_AS_TIMEZONE_AWARE": True,
                "PREFER_DAY_OF_MONTH": "first",
                "REQUIRE_PARTS": ["day", "month", "year"],
                "STRICT_PARSING": False,
            },
        )
    except Exception:  # dateparser raises a zoo of exceptions on odd input
        return None
    return dt.astimezone(UTC) if dt else None


def format_iso(value: datetime | None, *, timespec: str = "auto") -> str | None:
    """``2026-02-16T05:00:00Z``: ISO-8601 in UTC with ``Z`` (a naive value is read as UTC, None stays None)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def plausible(dt: datetime, now: datetime | None = None) -> bool:
    """True when ``dt`` is not before 1990 and not later than ``now`` + 1 day."""
    ref = (now or datetime.now(UTC)).astimezone(UTC) if (now is None or now.tzinfo) else now.replace(tzinfo=UTC)
    return EARLIEST <= dt <= ref + FUTURE_SKEW


def normalize_text(text: str) -> str:
    """Fold full-width and Eastern Arabic digits and odd spaces so date patterns see ASCII digits."""
    text = unicodedata.normalize("NFKC", text).translate(_EASTERN_DIGITS)
    return re.sub(r"\s+", " ", text)


def parse_date(
    text: str,
    *,
    now: datetime | None = None,
    languages: Iterable[str] | None = None,
    assume_tz: tzinfo | None = None,
) -> datetime | None:
    """Return the first plausible date in ``text`` as an aware UTC datetime, or None when there is none."""
    if not text or not isinstance(text, str):
        return None
    ref = now or datetime.now(UTC)
    if ref.tzinfo is None:
        ref = ref.replace(tzinfo=UTC)
    ref = ref.astimezone(UTC)
    langs = [x.lower() for x in (languages or ())]
    cleaned = normalize_text(text[:_MAX_INPUT])
    found = _first_plausible(cleaned, ref, UTC, langs)
    if assume_tz is None or found is None or (found.hour, found.minute, found.second) == (0, 0, 0):
        # a bare date keeps its calendar day (midnight UTC); only a time of day moves with the zone
        return found
    return _first_plausible(cleaned, ref, assume_tz, langs)


def _first_plausible(cleaned: str, ref: datetime, default_tz: tzinfo, langs: list[str]) -> datetime | None:
    for cand in _candidates(cleaned, ref, default_tz, langs):
        if plausible(cand, ref):
            return cand
    fallback = _dateparser(cleaned.strip(), ref, langs)
    if fallback is not None and plausible(fallback, ref):
        return fallback
    return None


#: Where a language's newsrooms sit, for dates printed without a zone: a Japanese or Korean page's
#: ``2026年11月21日 10:30`` is Tokyo/Seoul time, a Chinese one Beijing/Taipei time. Languages spoken
#: across many zones (English, Spanish, French...) get none and stay UTC.
_NEWSROOM_ZONES: dict[str, tzinfo] = {
    "ja": timezone(timedelta(hours=9)),
    "ko": timezone(timedelta(hours=9)),
    "zh": timezone(timedelta(hours=8)),
}


def newsroom_zone(lang: str | None) -> tzinfo | None:
    """The zone a page in ``lang`` prints its naive times in, or None when the language spans many zones."""
    return _NEWSROOM_ZONES.get((lang or "").split("-")[0].lower())


def date_value(
    text: str,
    source: str,
    *,
    now: datetime | None = None,
    languages: Iterable[str] | None = None,
) -> DateValue | None:
    """Parse ``text`` like ``parse_date`` and tag the result with where it came from (``source``)."""
    dt = parse_date(text, now=now, languages=languages)
    return DateValue(dt, source) if dt is not None else None
