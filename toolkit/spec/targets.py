"""Targets written the way plans print them: "≥ 98%", "trên 99,7%", "60/73 trường", "mức độ 3".

`parse_target(written, direction)` reads a number or a text into a frozen `Target`: the value(s)
judged, the direction, the kind, and the text to print. Pure; refusals are `TargetError`
(a `ValueError` whose message is the Vietnamese catalogue text, so pydantic reports it at the key).

Forms (case-insensitive, NFC, decimal comma or point, optional %, optional unit word after the number):

    98 / "98%" / "98,5"                  a value, in the indicator's direction
    "≥ 98%", "từ 98% trở lên", "ít nhất 98%", "tối thiểu 98%"     >=
    "trên 99,7%", "> 99,7%", "hơn 99,7%"                          >
    "≤ 5%", "không quá 5%", "tối đa 5%", "dưới hoặc bằng 5%"      <=
    "dưới 5%", "< 5%"                                             <
    "60/73 trường", "60/73 trường, đạt 82,1%"   a count of units (60 of 73)
    "đạt 100%", "duy trì 14/14 xã", "phấn đấu trên 90%"          leading words that change nothing
    "100% (10/10 xã)"                            a share, printed with its count
    "từ 10 đến 15 người", "10 - 15"              a range, both ends inclusive
    "mức độ 3"                                   a level (PCGD/XMC), judged on its number
    any text without a digit                     a text target: no verdict
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from toolkit.core.errors import render

TargetKind = Literal["value", "count", "range", "level", "text"]
AT_LEAST, AT_MOST = (">=", ">"), ("<=", "<")


class TargetError(ValueError):
    """A target that none of the accepted forms reads; `str()` is the Vietnamese message."""

    def __init__(self, code: str, **params: object):
        self.code, self.params = code, params
        super().__init__(render(code, **params))


@dataclass(frozen=True)
class Target:
    """One target, as read from the plan."""

    kind: TargetKind
    direction: str  # ">=", ">", "<=", "<"; "" for a range or a text
    value: float | None = None  # what is judged: the amount or percent, units counted, level; a range's low end
    upper: float | None = None  # a range's high end
    whole: int | None = None  # a count's total units ("60/73 trường": 73)
    decimals: int = 0  # decimals as written ("99,75%": 2); a plain number: 0, printed at the indicator's
    text: str = ""  # as the plan writes it, to print; "" for a plain number (printed from the indicator)

    @property
    def judged(self) -> bool:
        """Whether a verdict is computed against it (a text target has none)."""
        return self.kind != "text"


# One number: "98", "98,5", "98.5", "1.200" (thousands). A dot before exactly three digits
# groups thousands, as Vietnamese documents write "1.200 học sinh".
_NUMBER = r"\d{1,3}(?:\.\d{3})+(?![.,]?\d)|\d+(?:[.,]\d+)?"
_WORD = r"(?:\s*(?P<word>[^\W\d_][^\d]*?))?"  # an optional unit word: "trường", "người", "học sinh"
_PREFIXES = (  # longest first, so "dưới hoặc bằng" is not read as "dưới"
    ("dưới hoặc bằng", "<="), ("không quá", "<="), ("không vượt quá", "<="), ("tối đa", "<="), ("≤", "<="),
    ("<=", "<="), ("ít nhất", ">="), ("tối thiểu", ">="), ("từ", ">="), ("≥", ">="), (">=", ">="),
    ("trên", ">"), ("hơn", ">"), (">", ">"), ("dưới", "<"), ("<", "<"),
)
_SUFFIXES = (("trở lên", ">="), ("trở xuống", "<="))
_PREFIX = re.compile("^(?P<prefix>" + "|".join(re.escape(p) for p, _ in _PREFIXES) + r")\s*")
_VALUE = re.compile(rf"^(?P<n>{_NUMBER})\s*(?P<percent>%)?{_WORD}$")
_COUNT = re.compile(rf"^(?P<part>\d+)\s*/\s*(?P<whole>\d+){_WORD}(?:\s*,\s*(?:đạt\s*)?(?P<share>{_NUMBER})\s*%)?$")
_SHARE_COUNT = re.compile(rf"^(?P<n>{_NUMBER})\s*%\s*\(\s*(?P<part>\d+)\s*/\s*(?P<whole>\d+){_WORD}\s*\)$")
_RANGE = re.compile(rf"^(?:từ\s*)?(?P<low>{_NUMBER})\s*%?\s*(?:đến|-|–)\s*(?P<high>{_NUMBER})\s*(?P<percent>%)?{_WORD}$")
_LEVEL = re.compile(r"^(?:chuẩn\s+)?mức(?:\s+độ)?\s+(?P<n>\d+)$")
# Words plans put before a figure that do not change it: "đạt 100%", "duy trì 14/14 xã", "phấn đấu trên 90%".
_FILLER = re.compile(r"^(?:(?:phấn đấu|duy trì|giữ vững|đạt)\s+)+")


@functools.lru_cache(maxsize=4096)  # a plan's few target texts, read for every scope of every indicator
def parse_target(written: float | int | str, direction: str = ">=") -> Target:
    """Read one target; `direction` is the indicator's, used when the text names none."""
    if isinstance(written, bool):
        raise TargetError("target-unreadable", text=written)
    if isinstance(written, (int, float)):
        return Target("value", direction, float(written))
    text = " ".join(unicodedata.normalize("NFC", str(written)).split())
    shown = text[:1].upper() + text[1:]
    lowered = text.lower()
    if not lowered:
        raise TargetError("target-empty")
    if not re.search(r"\d", lowered):
        return Target("text", "", text=shown)
    lowered = _FILLER.sub("", lowered)
    if match := _LEVEL.match(lowered):
        return Target("level", direction if direction in AT_LEAST else ">=", float(match["n"]), text=shown)
    if match := _RANGE.match(lowered):
        low, high = _number(match["low"]), _number(match["high"])
        if low > high:
            raise TargetError("target-range-reversed", text=text, low=match["low"], high=match["high"])
        return Target("range", "", low, high, decimals=max(_decimals(match["low"]), _decimals(match["high"])), text=shown)
    if match := _SHARE_COUNT.match(lowered):
        _check_count(text, match)
        return Target("value", direction, _number(match["n"]), whole=int(match["whole"]),
                      decimals=_decimals(match["n"]), text=shown)
    if match := _COUNT.match(lowered):
        _check_count(text, match)
        return Target("count", direction, float(match["part"]), whole=int(match["whole"]), text=shown)
    stated, rest = "", lowered
    if match := _PREFIX.match(rest):
        stated, rest = dict(_PREFIXES)[match["prefix"]], rest[match.end():]
    for suffix, meaning in _SUFFIXES:
        if rest.endswith(suffix) and stated in ("", ">=" if meaning == ">=" else "<="):
            stated, rest = meaning, rest[: -len(suffix)].rstrip()
    if match := _VALUE.match(rest):
        if match["word"] and re.search(r"[<>≤≥]", match["word"]):
            raise TargetError("target-unreadable", text=text)
        return Target("value", stated or direction, _number(match["n"]), decimals=_decimals(match["n"]), text=shown)
    raise TargetError("target-unreadable", text=text)


def level_of(text: str) -> int | None:
    """The level a reported text names ("Mức độ 2", "Đạt chuẩn mức độ 3") -> 2, 3; None if it names none."""
    match = _LEVEL_IN_TEXT.search(unicodedata.normalize("NFC", text).lower())
    return int(match[1]) if match else None


_LEVEL_IN_TEXT = re.compile(r"\bmức(?:\s+độ)?\s+(\d+)\b")


def _number(written: str) -> float:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", written):
        return float(written.replace(".", ""))
    return float(written.replace(",", "."))


def _decimals(written: str) -> int:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", written):
        return 0
    return len(re.split(r"[.,]", written)[1]) if re.search(r"[.,]", written) else 0


def _check_count(text: str, match: re.Match) -> None:
    part, whole = int(match["part"]), int(match["whole"])
    if whole == 0 or part > whole:
        raise TargetError("target-count-too-large", text=text, part=part, whole=whole)
