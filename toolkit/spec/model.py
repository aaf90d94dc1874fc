"""The parts of a plan spec: frozen, validated pydantic models (the root is `toolkit.spec.plan.Plan`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from functools import cached_property
from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic_core import PydanticCustomError

from toolkit.core.cells import column_index
from toolkit.core.errors import CATALOGUE
from toolkit.spec.targets import Target, TargetError, parse_target
from toolkit.spec.expressions import (
    PLAN_YEAR,
    Comparison,
    Condition,
    Sum,
    parse_comparison,
    parse_condition,
    parse_sum,
)

# Excel defined names: ASCII letters, digits and '_', not starting with a digit, and not
# something Excel reads as a cell reference (TH1, GV2, XFD1048576) or R1C1 reference (R, C, R1C1).
_NAME_CHARS = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_A1_LIKE = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
_R1C1_LIKE = re.compile(r"^(R[0-9]*C?[0-9]*|C[0-9]*)$")


def invalid(code: str, /, **params: object) -> PydanticCustomError:
    """A validation error carrying a catalogue code (pydantic's error type) and its parameters (its ctx)."""
    return PydanticCustomError(code, CATALOGUE[code][1], params)


def check_key(code: str) -> str:
    """Raise a validation error unless `code` may be part of an Excel defined name."""
    if not _NAME_CHARS.match(code):
        raise invalid("plan-code-chars", code=code)
    return code


def check_excel_name(code: str) -> str:
    """Raise a validation error unless `code` can be an Excel defined name on its own."""
    check_key(code)
    a1 = _A1_LIKE.match(code)
    if (a1 and column_index(a1[1]) < 16384) or _R1C1_LIKE.match(code):
        raise invalid("plan-code-like-cell", code=code)
    if len(code) > 200:
        raise invalid("plan-code-too-long", code=code)
    return code


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, value):
        # Vietnamese typed on different keyboards mixes NFC and NFD; compare in NFC only.
        return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


# Document metadata


class Issuer(Strict):
    name: str  # full name used in "(Kèm theo … của <name>)"
    header: list[str]  # agency block of the main document, top to bottom (parent, then the issuing body);
    # annexes do not repeat it (Nghị định 30: an annex carries its heading and the "Kèm theo" line)
    signature: list[str] = []  # e.g. TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH
    signer: str = ""


class Document(Strict):
    type: str = "Kế hoạch"
    number: str = ""  # blank in drafts
    symbol: str  # ký hiệu, e.g. KH-UBND
    date: Union[dt.date, None] = None
    place: str
    title: str


class Report(Strict):
    """The round's report that the results annexes attach to: "(Kèm theo Báo cáo số …/BC-UBND ngày …
    của …)". Every key may stay blank until the report is signed."""

    type: str = "Báo cáo"
    number: str = ""
    symbol: str = ""  # blank: "BC-" and the plan symbol's issuer part (KH-UBND -> BC-UBND)
    date: Union[dt.date, None] = None
    issuer: str = ""  # blank: the plan's issuer


class TargetPeriod(Strict):
    code: str
    label: str


class Period(Strict):
    kind: Literal["year", "school_year", "multi"]
    year: int  # the plan's year; the round's when `round` is not given
    round: Union[int, None] = None  # the year the results are for (a round of a multi-year plan)
    targets: list[TargetPeriod] = []

    @property
    def round_year(self) -> int:
        """The year being reported on: "plan year" in conditions and checks, and the target it is judged by."""
        return self.round or self.year

    @property
    def label(self) -> str:
        """The round: "năm 2022", "năm học 2022-2023" (a multi-period plan reports on one year at a time)."""
        return self._label(self.round_year)

    @cached_property  # asked for every result judged and printed; a plan is never changed once read
    def target_periods(self) -> list[TargetPeriod]:
        return self.targets or [TargetPeriod(code=str(self.year), label=f"Kế hoạch {self._label(self.year)}")]

    def _label(self, year: int) -> str:
        return f"năm học {year}-{year + 1}" if self.kind == "school_year" else f"năm {year}"


class Deadlines(Strict):
    submission: Union[dt.date, None] = None  # units send their workbooks by this day ("15/12 hằng năm": in the round's year)
    report: Union[dt.date, None] = None  # the collector reports upwards by this day


class UnitKind(Strict):
    label: str  # "Trường", "Xã, thị trấn"
    plural: str  # counted as in "60/73 trường"


class Area(Strict):
    name: str  # "huyện Bảo Thắng", "xã Long Hồ"
    total_label: str  # "Toàn huyện"
    group_kind: str = ""  # unit kind that groups the others ("xa"); empty: no breakdown


# Fields


class GridRow(Strict):
    key: str
    label: str
    level: str = ""  # a school gets the row only if it teaches this level

    _key = field_validator("key")(lambda cls, v: check_key(v))


class GridColumn(Strict):
    key: str
    label: str

    _key = field_validator("key")(lambda cls, v: check_key(v))


class Field(Strict):
    code: str
    label: str
    kind: Literal["integer", "choice", "year", "text", "grid"]
    reporter: str  # unit kind that fills it
    levels: list[str] = []  # empty: every unit of the kind
    units: list[str] = []  # only these units (codes) of the kind, e.g. the one office keeping a survey
    section: str
    unit: str = ""  # unit of measure
    choices: list[str] = []
    rows: list[GridRow] = []
    columns: list[GridColumn] = []
    checks: list[str] = []
    required: bool = True
    required_if: str = ""  # a condition on other fields
    min: Union[int, None] = None
    max: Union[int, Literal["plan year"], None] = None
    note: str = ""

    _code = field_validator("code")(lambda cls, v: check_excel_name(v))

    @model_validator(mode="after")
    def _shape(self):
        if self.kind == "grid" and (not self.rows or not self.columns):
            raise invalid("plan-grid-without-cells", field=self.code)
        if self.kind != "grid" and (self.rows or self.columns):
            raise invalid("plan-cells-not-grid", field=self.code, kind=self.kind)
        if self.kind == "choice" and not self.choices:
            raise invalid("plan-choice-without-choices", field=self.code)
        if len("; ".join(self.choices)) > 255:
            raise invalid("plan-choices-too-long", field=self.code, length=len("; ".join(self.choices)))
        for part, keys in (("rows", [r.key for r in self.rows]), ("columns", [c.key for c in self.columns])):
            twice = sorted({k for k in keys if keys.count(k) > 1})
            if twice:
                raise invalid("plan-duplicate-cell-key", field=self.code, key=twice[0], part=part)
        return self

    @cached_property
    def parsed_checks(self) -> list[Comparison]:
        return [parse_comparison(text) for text in self.checks]

    @cached_property
    def parsed_required_if(self) -> Condition | None:
        return parse_condition(self.required_if) if self.required_if else None

    def max_value(self, plan_year: int) -> int | None:
        return plan_year if self.max == PLAN_YEAR else self.max


class TaskField(Field):
    """A progress input of one task, made from the plan's task list (not written in the spec)."""

    task_id: str  # toolkit.spec.names.task_id
    task_label: str  # toolkit.spec.names.task_label: "I.1"
    column: str  # a key of toolkit.spec.names.TASK_COLUMNS
    task: "Task"
    group: "TaskGroup"


# Indicators and annexes


class Eligible(Strict):
    kind: str
    levels: list[str] = []  # units teaching one of these levels; empty: all of the kind
    tags: list[str] = []  # units carrying one of these roster tags ("DBKK": xã đặc biệt khó khăn)


WrittenTarget = Union[float, str]  # a number, or a text as the plan writes it ("trên 99,7%"; toolkit.spec.targets)
TargetInput = Union[WrittenTarget, dict[str, WrittenTarget], None]  # one target, or one per target period code


def _check_targets(written: TargetInput, where: str = "") -> None:
    """Raise a validation error (its catalogue code; the message names the level and period) unless
    every target is in an accepted form."""
    for period, one in (written.items() if isinstance(written, dict) else [("", written)]):
        if one is None:
            continue
        try:
            parse_target(one)
        except TargetError as exc:
            place = ", ".join(p for p in (where, f"kỳ {period}" if period else "") if p)
            raise invalid("plan-bad-target", place=f"{place}: " if place else "", detail=str(exc)) from None


class Indicator(Strict):
    code: str
    name: str
    section: str
    unit: str = ""
    reporter: str
    rule: Literal["ratio", "sum", "count", "share", "text"]  # text: a text field the reporter fills ("Đảm bảo …")
    numerator: str
    denominator: str = ""
    eligible: Union[Eligible, None] = None
    target: TargetInput = None
    direction: Literal[">=", "<=", ">", "<"] = ">="  # ">": strictly above ("trên 99,7%"), "<": strictly below;
    # the direction of a target written without one ("98%")
    target_by_level: dict[str, TargetInput] = {}
    print: Union[str, dict[str, str]] = ""  # the target's wording in the plan (one per period code, or for all)
    part_of: str = ""  # the parent indicator of a "Trong đó" sub-target
    decimals: int = 2
    source: str = ""

    _code = field_validator("code")(lambda cls, v: check_excel_name(v))

    @field_validator("target")
    @classmethod
    def _target(cls, value: TargetInput) -> TargetInput:
        _check_targets(value)
        return value

    @field_validator("target_by_level")
    @classmethod
    def _target_by_level(cls, value: dict[str, TargetInput]) -> dict[str, TargetInput]:
        for level, written in value.items():
            _check_targets(written, f"cấp {level}")
        return value

    @model_validator(mode="after")
    def _shape(self):
        if self.rule == "ratio" and not self.denominator:
            raise invalid("plan-ratio-without-denominator", indicator=self.code)
        if self.rule in ("count", "share") and self.eligible is None:
            raise invalid("plan-without-eligible", indicator=self.code, rule=self.rule)
        if self.part_of == self.code:
            raise invalid("plan-part-of-itself", indicator=self.code)
        return self

    @cached_property
    def numerator_sum(self) -> Sum | None:
        return None if self.rule in ("count", "share", "text") else parse_sum(self.numerator)

    @cached_property
    def condition(self) -> Condition | None:
        return parse_condition(self.numerator) if self.rule in ("count", "share") else None

    @cached_property
    def denominator_sum(self) -> Sum | None:
        return parse_sum(self.denominator) if self.denominator else None

    def input_fields(self) -> set[str]:
        if self.condition:
            return self.condition.fields()
        if self.rule == "text":
            return {self.numerator}
        fields = self.numerator_sum.fields()
        return fields | (self.denominator_sum.fields() if self.denominator_sum else set())

    def target_for(self, period: str, level: str | None = None) -> Target | None:
        """The target of one period (code), for the area or one level; None where the plan sets none."""
        written = self.target_by_level.get(level) if level else self.target
        written = written.get(period) if isinstance(written, dict) else written
        return None if written is None else parse_target(written, self.direction)

    def printed_target(self, period: str) -> str:
        """The plan's own wording of the area's target (`print`), '' when the parsed form is printed."""
        return self.print.get(period, "") if isinstance(self.print, dict) else self.print


class Annex(Strict):
    numeral: str  # I, II, III
    kind: Literal["targets", "breakdown", "tasks", "progress", "plan_targets"]  # plan_targets: the plan's own, no results
    title: str
    indicators: list[str] = []  # empty: all, in spec order (none when `fields` are given)
    by: Literal["commune", "level"] = "commune"
    fields: list[str] = []  # breakdown by commune: each commune's own value of these fields ("Mức độ 3")
    signed: bool = False  # end with the place, date and the issuer's signature block (an annex sent on its own)

    @property
    def stem(self) -> str:
        """Output file name without extension, ASCII: 'Phu_luc_II'; an annex without a numeral
        (a plan's only appendix) is named for its kind."""
        return f"Phu_luc_{self.numeral or _UNNUMBERED_STEMS[self.kind]}"


_UNNUMBERED_STEMS = {"targets": "chi_tieu", "breakdown": "chi_tiet", "tasks": "nhiem_vu", "progress": "tien_do",
                     "plan_targets": "chi_tieu_ke_hoach"}


# Tasks (task matrices)


class Task(Strict):
    tt: str = ""
    content: str
    lead: str = ""
    coordinating: str = ""
    timeframe: str = ""


class TaskGroup(Strict):
    numeral: str
    title: str
    tasks: list[Task] = []


class TaskList(Strict):
    title: str = ""
    attached_to: str = ""
    numbering: Literal["per_group", "continuous"] = "per_group"
    groups: list[TaskGroup] = []


class AgencyGroup(Strict):
    phrase: str  # e.g. "UBND các xã, phường": expands to every unit of `kind`
    kind: str
    levels: list[str] = []  # only units teaching one of these ("các trường mầm non": [MN])


class Agencies(Strict):
    aliases: dict[str, list[str]] = {}  # unit code -> other ways people write its name
    groups: list[AgencyGroup] = []



def spec_hash(payload: object) -> str:
    """A short, stable hash of JSON-able content (the template version)."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


TaskField.model_rebuild()
