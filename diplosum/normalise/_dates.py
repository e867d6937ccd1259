"""Date phrases resolved against the article's dateline (see :mod:`diplosum.normalise`).

``resolve_date("Thursday", date(2025, 5, 13))`` gives 2025-05-15 (day precision);
``resolve_date("next month", ...)`` the first of the next month (month precision); a range
("May 15-16") gives ``end``. Forward for talks still to come, backward for talks held; a phrase
naming no date, or an impossible one, gives ``None``. Never raises on arbitrary text.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Any, Literal

from . import _data as data

__all__ = [
    "Direction",
    "Precision",
    "ResolvedDate",
    "date_phrases",
    "direction_for_status",
    "resolve_date",
]

Direction = Literal["auto", "forward", "backward"]
Precision = Literal["day", "week", "month", "year"]

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


@dataclass(frozen=True, slots=True)
class ResolvedDate:
    """A date phrase as a day, or the first day of its month or year; ``end`` closes a range."""

    date: datetime.date
    end: datetime.date | None
    precision: Precision
    text: str


# --- dates -----------------------------------------------------------------------------------
# Patterns are strings: ``re`` compiles and caches them on first use, keeping the import cheap.

_DIRECTIONS = ("auto", "forward", "backward")
_MONTH = "|".join(sorted(data.MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(data.WEEKDAYS, key=len, reverse=True))
_POINT = (
    rf"(?:(?P<wd>{_WEEKDAY})\s+)?(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})"
    rf"|(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH})|(?P<m3>{_MONTH})|(?P<d3>\d{{1,2}}))(?:\s+(?P<y>\d{{4}}))?"
)
_ISO = r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?"
_NUMERIC = r"(\d{1,2})/(\d{1,2})/(\d{4})"
_SEPARATOR = r"\s*(?:-|\bto\b|\band\b|\bthrough\b|\bthru\b|\buntil\b|\btill\b)\s*"
_WEEKDAY_PHRASE = (
    rf"(?:(?P<mod>this|next|last|past|previous|coming)\s+)?(?P<wd>{_WEEKDAY})"
    r"(?:\s+(?P<week>this|next|last|past|previous)\s+week)?"
)
_PERIOD = (
    r"(?:(?P<part>early|mid|late|end|beginning|start|middle|later|earlier)\s+)?"
    r"(?P<which>this|next|last|past|previous|coming|current)?\s*(?P<unit>week|weekend|month|year)"
)
_OFFSET = (
    rf"(?P<n>\d{{1,3}}|{'|'.join(data.NUMBER_WORDS)})\s+(?P<unit>day|week|fortnight|month|year)s?"
    r"(?:\s+(?P<tail>ago|earlier|before|from now|later|hence|time))?"
)
_DAY = datetime.timedelta(days=1)
#: How far a dated event may lie on the "wrong" side of the dateline before a year is added.
_SLACK = datetime.timedelta(days=14)

_Point = tuple[int | None, int | None, int | None, int | None]  # year, month, day, weekday
_Found = tuple[datetime.date, datetime.date | None, Precision]


def _clean(text: str) -> tuple[str, bool]:
    """Lower-cased words without times, ordinals and fillers; whether it began with "in"."""
    cleaned = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    for pattern, replacement in data.CLEANUPS:
        cleaned = re.sub(pattern, replacement, cleaned)
    words = [word for word in cleaned.split() if word not in data.DROPPED]
    lead = bool(words) and words[0] == "in"
    while words and words[0] in data.LEADING:
        words.pop(0)
    return " ".join(words), lead


def _months_later(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return datetime.date(year, month + 1, 1)


def _weekday(weekday: int, published: datetime.date, mode: str) -> datetime.date:
    """Forward/backward include the published day itself; next/last do not."""
    ahead, behind = (weekday - published.weekday()) % 7, (published.weekday() - weekday) % 7
    if mode in ("next", "coming"):
        return published + (ahead or 7) * _DAY
    if mode in ("last", "past", "previous"):
        return published - (behind or 7) * _DAY
    return published - behind * _DAY if mode == "backward" else published + ahead * _DAY


def _nearest(
    options: list[datetime.date], published: datetime.date, direction: str
) -> datetime.date | None:
    """The option on/after (forward), on/before (backward) or nearest to (auto) the dateline.

    A date within :data:`_SLACK` on the other side of the dateline beats one a year away:
    "November 25" in an article of November 26 about talks labelled upcoming is almost
    surely last Tuesday (a mislabelled status), not next year.
    """
    after = min((day for day in options if day >= published), default=None)
    before = max((day for day in options if day <= published), default=None)
    if after is not None and before is not None:
        if direction == "forward" and published - before <= _SLACK < after - published:
            return before
        if direction == "backward" and after - published <= _SLACK < published - before:
            return after
    if direction != "auto" or after is None or before is None:
        return before if direction == "backward" or after is None else after
    return after if after - published <= published - before else before


def _point(text: str) -> _Point | None:
    """(year, month, day, weekday) of a single date, parts it leaves out None."""
    if match := re.fullmatch(_ISO, text):
        year, month, day = match.groups()
        return int(year), int(month), int(day) if day else None, None
    if match := re.fullmatch(_NUMERIC, text):
        first, second, year = map(int, match.groups())
        if first != second and first <= 12 and second <= 12:
            return None  # 05/06/2025: day-month or month-day, never guessed
        day, month = (first, second) if first > 12 or first == second else (second, first)
        return year, month, day, None
    if re.fullmatch(r"\d{4}", text):
        return int(text), None, None, None
    if text in data.WEEKDAYS:
        return None, None, None, data.WEEKDAYS[text]
    if match := re.fullmatch(_POINT, text):
        found = match.groupdict()
        month, day = (
            found["m1"] or found["m2"] or found["m3"],
            found["d1"] or found["d2"] or found["d3"],
        )
        return (
            int(found["y"]) if found["y"] else None,
            data.MONTHS[month] if month else None,
            int(day) if day else None,
            data.WEEKDAYS[found["wd"]] if found["wd"] else None,
        )
    return None


def _resolve_point(
    point: _Point, published: datetime.date | None, direction: str
) -> tuple[datetime.date, Precision] | None:
    """Raises ValueError for a day that does not exist ("February 30")."""
    year, month, day, weekday = point
    if month is None:
        if year is not None and day is None:
            return datetime.date(year, 1, 1), "year"
        if weekday is None or day is not None or published is None:
            return None
        return _weekday(weekday, published, direction), "day"
    if year is not None:
        return datetime.date(year, month, day or 1), "day" if day else "month"
    if published is None:
        return None
    if day is None:
        months = [datetime.date(published.year + step, month, 1) for step in (-1, 0, 1)]
        first = _nearest(months, published.replace(day=1), direction)
        return (first, "month") if first else None
    options = []
    for candidate in range(max(published.year - 8, 1), min(published.year + 9, 10_000)):
        try:  # eight years each way: February 29 always has one
            options.append(datetime.date(candidate, month, day))
        except ValueError:
            continue
    if not options:
        raise ValueError(f"no day {day} in month {month}")
    found = _nearest(options, published, direction)
    return (found, "day") if found else None


def _range(text: str, published: datetime.date | None, direction: str) -> _Found | None:
    """ "May 15-16", "15-16 May", "30 May to 2 June 2025", "Thursday-Friday"."""
    for separator in re.finditer(_SEPARATOR, text):
        left, right = _point(text[: separator.start()]), _point(text[separator.end() :])
        if left is None or right is None:
            continue
        (ly, lm, ld, lw), (ry, rm, rd, rw) = left, right
        if lw is not None and rw is not None and left[:3] == right[:3] == (None, None, None):
            first = _resolve_point(left, published, direction)
            return (first[0], first[0] + (rw - lw) % 7 * _DAY, "day") if first else None
        lm, rm = lm or rm, rm or lm
        if ld is None or rd is None or lm is None or rm is None:
            continue
        found = _resolve_point((ly or ry, lm, ld, None), published, direction)
        if found is None:
            return None
        start = found[0]
        if ry is not None and ly is None and start > datetime.date(ry, rm, rd):
            start = start.replace(year=start.year - 1)  # "December 30 - January 2 2026"
        end = datetime.date(ry or start.year, rm, rd)
        if ry is None and rm < lm:
            end = end.replace(year=end.year + 1)  # "December 30 - January 2"
        if end < start:
            raise ValueError(f"range ends before it starts: {text!r}")
        return start, end, "day"
    return None


def _relative(text: str, lead: bool, published: datetime.date) -> _Found | None:
    """Counted from the dateline: "tomorrow", "next week", "the week after next", "in two
    weeks", "last Friday"."""
    if text in data.RELATIVE_DAYS:
        return published + data.RELATIVE_DAYS[text] * _DAY, None, "day"
    monday = published - published.weekday() * _DAY
    if match := re.fullmatch(_WEEKDAY_PHRASE, text):
        weekday = data.WEEKDAYS[match["wd"]]
        if match["week"]:  # "Thursday next week"
            return monday + (7 * data.STEPS.get(match["week"], 0) + weekday) * _DAY, None, "day"
        if match["mod"] in (None, "this"):
            return None  # left to ``direction``
        return _weekday(weekday, published, match["mod"]), None, "day"
    period = re.fullmatch(_PERIOD, text)
    if after_next := re.fullmatch(r"(?:the\s+)?(?P<unit>week|month|year)\s+after\s+next", text):
        period, step = after_next, 2  # "the week after next"
    elif period and (period["which"] or period["part"]):
        step = data.STEPS.get(period["which"] or "", 0)
    else:
        period = None
    if (match := period) is not None:
        if match["unit"] == "year":
            return datetime.date(published.year + step, 1, 1), None, "year"
        if match["unit"] == "month":
            return _months_later(published, step), None, "month"
        monday += 7 * step * _DAY
        if match["unit"] == "weekend":
            return monday + 5 * _DAY, monday + 6 * _DAY, "day"
        return monday, monday + 6 * _DAY, "week"  # a week: Monday to Sunday, no day named
    if (match := re.fullmatch(_OFFSET, text)) and (lead or match["tail"]):
        count = int(match["n"]) if match["n"].isdigit() else data.NUMBER_WORDS[match["n"]]
        count *= -1 if match["tail"] in ("ago", "earlier", "before") else 1
        if match["unit"] == "year":
            return datetime.date(published.year + count, 1, 1), None, "year"
        if match["unit"] == "month":
            return _months_later(published, count), None, "month"
        days = {"day": 1, "week": 7, "fortnight": 14}[match["unit"]]
        return published + count * days * _DAY, None, "day"
    return None


#: "the first working day of August": a day from Monday to Friday, counted like a weekday.
_WORKING_DAY = r"(?:working|business|week)\s*day"
#: "the first Tuesday of next month", "the last Friday in June": a weekday counted in a month.
_NTH_WEEKDAY = (
    rf"(?P<n>first|second|third|fourth|fifth|last|[1-5])\s+(?P<wd>{_WEEKDAY}|{_WORKING_DAY})\s+"
    r"(?:in\s+)?"
    # "of the month" (its "the" and "of" cleaned away): this month
    rf"(?:(?:(?P<which>this|next|coming|current)\s+)?month|(?P<month>{_MONTH})(?:\s+(?P<y>\d{{4}}))?)"
)
#: "the week beginning 13 July", "the week of 13 July" (cleaned: "week 13 july"): that week.
_WEEK_OF = r"week\s+(?:beginning|starting|commencing)?\s*(?P<rest>.+)"
_NTH = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
#: "on the 21st", "the 20th of next month": a day of the month with no month named.
_DAY_OF_MONTH = r"(?P<d>\d{1,2})(?:\s+(?P<which>this|next|coming|current)\s+month)?"
_ORDINAL = r"\b\d{1,2}(?:st|nd|rd|th)\b"


def _nth_weekday(match: re.Match[str], published: datetime.date) -> _Found | None:
    """The day "the first Tuesday of next month" names (None if that month has no fifth)."""
    if match["month"]:
        month = data.MONTHS[match["month"]]
        year = int(match["y"]) if match["y"] else published.year
        if not match["y"] and month < published.month:
            year += 1  # "the first Monday in March", written in November: next March
        first = datetime.date(year, month, 1)
    else:
        first = _months_later(published, 1 if match["which"] in ("next", "coming") else 0)
    n = _NTH[match["n"]] if match["n"] in _NTH else int(match["n"])
    if match["wd"] not in data.WEEKDAYS:  # a working day: Monday to Friday, counted
        days = (first + i * _DAY for i in range(31))
        working = [d for d in days if d.month == first.month and d.weekday() < 5]
        return (working[n - 1] if n > 0 else working[-1]), None, "day"
    weekday = data.WEEKDAYS[match["wd"]]
    if n == -1:
        last = _months_later(first, 1) - _DAY
        return last - ((last.weekday() - weekday) % 7) * _DAY, None, "day"
    day = first + ((weekday - first.weekday()) % 7 + 7 * (n - 1)) * _DAY
    return (day, None, "day") if day.month == first.month else None


def _day_of_month(
    text: str, cleaned: str, published: datetime.date, direction: str
) -> _Found | None:
    """ "on the 21st": that day of this month, the next or the last (by ``direction``, the
    nearest for "auto"); "the 20th of next month": that day of next month. Only an ordinal is
    a day ("the 21st", not "21")."""
    match = re.fullmatch(_DAY_OF_MONTH, cleaned)
    if match is None or not re.search(_ORDINAL, text, re.IGNORECASE):
        return None
    day = int(match["d"])
    if match["which"]:
        month = _months_later(published, 1 if match["which"] in ("next", "coming") else 0)
        return month.replace(day=day), None, "day"  # ValueError for "the 31st" of a short one
    options = []
    for step in (-1, 0, 1):
        month = _months_later(published, step)
        try:
            options.append(month.replace(day=day))
        except ValueError:
            continue
    after = [d for d in options if d >= published]
    before = [d for d in options if d <= published]
    if direction == "forward" or (direction == "auto" and after and before):
        # "auto": the nearer of the two (a week ahead, not three weeks back)
        if direction == "auto" and published - before[-1] < after[0] - published:
            return before[-1], None, "day"
        return (after[0], None, "day") if after else None
    return (before[-1], None, "day") if before else None


def _parse(text: str, published: datetime.date | None, direction: str) -> _Found | None:
    """The explicit parser. None: not a shape it knows; ValueError: a date that cannot be."""
    cleaned, lead = _clean(text)
    if published is not None and (relative := _relative(cleaned, lead, published)):
        return relative
    if published is not None and (nth := re.fullmatch(_NTH_WEEKDAY, cleaned)):
        return _nth_weekday(nth, published)
    if published is not None and (day := _day_of_month(text, cleaned, published, direction)):
        return day
    if (week := re.fullmatch(_WEEK_OF, cleaned)) and (point := _point(week["rest"])):
        found = _resolve_point(point, published, direction) if point[2] is not None else None
        if found is None:
            return None
        monday = found[0] - found[0].weekday() * _DAY
        return monday, monday + 6 * _DAY, "week"  # the week of that day, no day named
    part, _, rest = cleaned.partition(" ")
    if part in data.PARTS and (point := _point(rest)) and point[2] is None:
        cleaned = rest  # "early June", "mid-2026": that month or year
    if (point := _point(cleaned)) is not None:
        found = _resolve_point(point, published, direction)
        return (found[0], None, found[1]) if found else None
    return _range(cleaned, published, direction)


@functools.lru_cache(maxsize=32)
def _dateparser(base: datetime.date, direction: str) -> Any:
    from dateparser.date import DateDataParser

    settings = {
        "RELATIVE_BASE": datetime.datetime.combine(base, datetime.time()),
        "PREFER_DATES_FROM": {"forward": "future", "backward": "past"}.get(
            direction, "current_period"
        ),
        "PREFER_DAY_OF_MONTH": "first",
        "REQUIRE_PARTS": ["month"],
        "RETURN_AS_TIMEZONE_AWARE": False,
        "TIMEZONE": "UTC",  # never the machine's zone: same answer everywhere
    }
    return DateDataParser(languages=["en"], settings=settings)


def _fallback(text: str, published: datetime.date | None, direction: str) -> _Found | None:
    """dateparser, for wordings the explicit parser missed; its answer must match the text.

    Only for text naming a month, with every number a day or a four-digit year; without a
    publication date the text must also give the year.
    """
    months = {data.MONTHS[w] for w in re.findall(r"[a-z]+", text.casefold()) if w in data.MONTHS}
    numbers = re.findall(r"\d+", text)
    years = {int(n) for n in numbers if len(n) == 4}
    days_only = all(len(n) == 4 or int(n) <= 31 for n in numbers)
    if not months or not days_only or len(text) > 80 or (published is None and not years):
        return None
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", "Could not determine the local timezone", FutureWarning
            )
            base = published or datetime.date(min(years), 1, 1)
            found = _dateparser(base, direction).get_date_data(text)
    except Exception:  # a third-party parser on arbitrary text: any failure means "no date"
        return None
    day = found.date_obj.date() if found.date_obj else None
    if day is None or day.month not in months or (years and day.year not in years):
        return None
    if found.period == "month":
        return day.replace(day=1), None, "month"
    return (day, None, "day") if found.period in ("day", "time") else None


def resolve_date(
    text: str, published: datetime.date | None, *, direction: Direction = "auto"
) -> ResolvedDate | None:
    """Resolve a date phrase against the publication date; None when it names no date.

    ``direction`` settles what the phrase leaves open (a bare weekday, a date without a year):
    "forward" takes the next occurrence on/after ``published``, "backward" the last one on/before
    it, "auto" the next weekday and the nearest dated occurrence. Words in the phrase ("last
    Friday", "next week") win over ``direction``. A week is a Monday-Sunday range at week
    precision (it names no day). Without ``published`` only phrases that carry their year resolve.
    """
    if direction not in _DIRECTIONS:
        raise ValueError(f"direction must be one of {_DIRECTIONS}, not {direction!r}")
    if isinstance(published, datetime.datetime):
        published = published.date()
    if len(text) > 200:
        return None
    try:
        found = _parse(text, published, direction) or _fallback(text, published, direction)
    except (ValueError, OverflowError):  # "February 30", or past the year 9999
        return None
    if found is None:
        return None
    start, end, precision = found
    return ResolvedDate(start, end if end and end > start else None, precision, text.strip())


#: A day named in running text: "Wednesday, 11 February", "on May 15", "21 November 2022",
#: "next Tuesday", "2026-03-10", "today". A month alone ("in May") or a bare number is not a
#: day, and the English month "May" needs its day number.
_IN_TEXT = (
    rf"\b(?:(?:(?:this|next|last|coming)\s+)?(?:{_WEEKDAY})(?:,?\s+(?:the\s+)?(?:{_MONTH})\.?\s+\d{{1,2}}"
    rf"(?:st|nd|rd|th)?|,?\s+\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH}))?"
    rf"|(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?!\d)|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH})"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}|today|tomorrow|yesterday"
    # "in ten days", "in two weeks": counted from the dateline
    rf"|in\s+(?:\d{{1,2}}|{'|'.join(w for w in data.NUMBER_WORDS if len(w) > 2)})\s+(?:days|weeks)"
    r"(?:['’]\s+time)?"
    # "the first Tuesday of next month", "on the 21st" (only after "on": not "the 21st century")
    rf"|(?:the\s+)?(?:first|second|third|fourth|fifth|last)\s+(?:{_WEEKDAY}|{_WORKING_DAY})\s+"
    r"(?:of|in)\s+"
    rf"(?:(?:this|next|the\s+coming|the)\s+month|(?:{_MONTH}))"
    rf"|(?<=\bon\s)the\s+\d{{1,2}}(?:st|nd|rd|th)(?:\s+of\s+(?:this|next)\s+month)?"
    rf"(?!\s+(?:century|anniversary|round|session|summit|meeting|edition|time)\b)"
    rf")(?:,?\s+\d{{4}})?\b"
)


def date_phrases(text: str) -> list[tuple[str, int, int]]:
    """Each phrase of ``text`` that names a day, with its span, in order (see ``_IN_TEXT``).

    Full weekday and month names only ("Sun" and "Mar" are words too); what each names is
    left to :func:`resolve_date`.
    """
    found: list[tuple[str, int, int]] = []
    for match in re.finditer(_IN_TEXT, text, re.IGNORECASE):
        phrase = match.group(0)
        words = {w.casefold().rstrip(".") for w in re.findall(r"[A-Za-z.]+", phrase)}
        short = {w for w in words if (w in data.WEEKDAYS or w in data.MONTHS) and len(w) <= 4}
        if short - {"may", "june", "july"} or ("may" in words and not re.search(r"\d", phrase)):
            continue
        found.append((phrase, match.start(), match.end()))
    return found


def direction_for_status(status: str) -> Direction:
    """Talks still to come resolve forward, talks already held backward, anything else auto."""
    direction = data.STATUS_DIRECTIONS.get(status.strip().casefold())
    return (
        "forward" if direction == "forward" else "backward" if direction == "backward" else "auto"
    )
