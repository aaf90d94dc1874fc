"""Vietnamese numbers and dates as official documents write them (Babel's CLDR data, locale vi).

Decimal comma, thousands dot ("1.234", "82,1%"); figures are rounded half-up first, as reports
round (63,345 -> 63,35), since Babel alone rounds half-to-even.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

LOCALE = Locale.parse("vi")
NO_DATA = "–"  # a figure not reported, or reported in error
NOT_APPLICABLE = "x"  # a figure with nothing to count: no unit in scope, or no denominator
VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7))  # UTC+7 all year: Vietnam has no daylight saving


def in_vietnam_time(moment: dt.datetime) -> dt.datetime:
    """A moment as a clock in Vietnam shows it; a naive moment is this computer's local time
    (as the reader gives save times), so a server running in UTC still shows the clerk's hour."""
    return moment.astimezone(VIETNAM_TIME)


def round_half_up(value: float, decimals: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def fmt_number(value: float | None, decimals: int = 2) -> str:
    """1234 -> '1.234'; 82.1 -> '82,1'; trailing zeros dropped; None -> '–'."""
    if value is None:
        return NO_DATA
    return _formatted(value, decimals)


@functools.lru_cache(maxsize=65536)  # a province's results repeat the same figures and gaps thousands of times
def _formatted(value: float, decimals: int) -> str:
    return _pattern(decimals).apply(round_half_up(value, decimals), LOCALE)


@functools.lru_cache(maxsize=None)  # a handful of patterns, applied to every figure of every annex
def _pattern(decimals: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "#" * decimals if decimals > 0 else ""))


def fmt_percent(value: float | None, decimals: int = 2) -> str:
    """82.1 -> '82,1%'; 100 -> '100%' (no space, as the seeds write)."""
    return NO_DATA if value is None else fmt_number(value, decimals) + "%"


def fmt_ratio(part: float, whole: float, unit_word: str = "") -> str:
    """'60/73 trường'."""
    text = f"{fmt_number(part, 0)}/{fmt_number(whole, 0)}"
    return f"{text} {unit_word}".strip()


def fmt_count_share(part: float, whole: float, unit_word: str, percent: float | None, decimals: int = 1) -> str:
    """'60/73 trường, đạt 82,2%'."""
    return f"{fmt_ratio(part, whole, unit_word)}, đạt {fmt_percent(percent, decimals)}"


def _two(number: int) -> str:
    return f"{number:02d}"


def fmt_date_long(date: dt.date | None, year: int | None = None) -> str:
    """'ngày 29 tháng 4 năm 2022'; days below 10 and months 1-2 get a leading zero (Nghị định 30).

    A missing date (an unsigned draft) is left as Nghị định 30 drafts leave it: 'ngày … tháng … năm 2022'.
    """
    if date is None:
        return f"ngày … tháng … năm {year or '…'}"
    month = _two(date.month) if date.month < 3 else str(date.month)
    return f"ngày {_two(date.day)} tháng {month} năm {date.year}"


_DAY_MONTH = re.compile(r"^(?:ngày\s*)?(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4})|\s+hằng\s+năm)$", re.IGNORECASE)


def recurring_date(text: str, year: object, kind: object = "year") -> object:
    """"10/12/2024" -> that day; "10/12 hằng năm" -> that day of the round's `year` (of a school year
    starting that year: from January on, the next year); any other text is left to the date parser."""
    match = _DAY_MONTH.match(unicodedata.normalize("NFC", text.strip()))
    if not match or not (match[3] or isinstance(year, int)):
        return text
    day, month = int(match[1]), int(match[2])
    when = int(match[3]) if match[3] else year + (1 if kind == "school_year" and month < 8 else 0)
    try:
        return dt.date(when, month, day)
    except ValueError:
        return text  # "31/02": the date parser names the key
