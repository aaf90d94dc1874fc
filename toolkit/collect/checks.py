"""Check one unit's raw values against the spec: clean values, failed names, issues.

Values are taken as typed: a formula in an input cell is an error, never its cached result.
A name whose value is missing or fails a check is in `failed`; aggregation leaves the unit out
of exactly the indicators that use such a name, and everything else it sent still counts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from toolkit.spec.names import grid_name
from toolkit.collect.records import Issue
from toolkit.core.errors import render, severity
from toolkit.spec.expressions import Comparison, clause_holds, compare
from toolkit.spec.model import Field, TaskField
from toolkit.core.numbers import fmt_number
from toolkit.spec.plan import ComparedNames, Plan
from toolkit.collect.reader import RawWorkbook
from toolkit.spec.units import Unit
from toolkit.forms.rules import TEXT_LIMIT
from toolkit.core.text import UNWRITABLE, clean_text

RELATIONS = {
    "<=": "phải nhỏ hơn hoặc bằng",
    ">=": "phải lớn hơn hoặc bằng",
    "<": "phải nhỏ hơn",
    ">": "phải lớn hơn",
    "=": "phải bằng",
    "!=": "phải khác",
}
_THOUSANDS = re.compile(r"^-?\d{1,3}([. ]\d{3})+$")  # 1.234 and 1 234: how Vietnamese write thousands
_COMMA_GROUPS = re.compile(r"^-?\d{1,3}(,\d{3})+$")  # 12,000: twelve with a decimal comma, or English 12000?
_WHOLE = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?\d+[.,]\d+$")  # 1,5 (Vietnamese) or 1.5: a fraction, never a count
LARGEST_COUNT = 999_999_999  # no school or commune counts a billion of anything: more is a typing accident


@dataclass(frozen=True)
class CheckedUnit:
    """One unit's values after checking: clean values, names that failed, and why."""

    values: dict[str, object] = field(default_factory=dict)  # name -> int or str; blanks and failures absent
    failed: frozenset[str] = frozenset()
    issues: list[Issue] = field(default_factory=list)


def input_cells(plan: Plan, unit: Unit) -> list[tuple[str, Field, str]]:
    """(defined name, field, Vietnamese label) of every input of the unit's template, in order."""
    cells = []
    for spec_field in plan.fields_for(unit):
        if spec_field.kind == "grid":
            for row in plan.rows_for(spec_field, unit):
                for column in spec_field.columns:
                    label = f"{spec_field.label} – {row.label} – {column.label}"
                    cells.append((grid_name(spec_field.code, row.key, column.key), spec_field, label))
        elif isinstance(spec_field, TaskField):
            cells.append((spec_field.code, spec_field, f"Nhiệm vụ {spec_field.task_label} – {spec_field.label}"))
        else:
            cells.append((spec_field.code, spec_field, spec_field.label))
    return cells


@dataclass(frozen=True)
class _Form:
    """What every return of one template shape (`Plan.template_shape`) is checked against."""

    cells: list[tuple[str, Field, str]]  # input_cells
    labels: dict[str, str]  # defined name -> Vietnamese label
    position: dict[str, int]  # defined name -> its place in the form, for the order of the issues
    compared: list[ComparedNames]  # every cross-field check of the unit's fields


def _form(plan: Plan, unit: Unit) -> _Form:
    """The unit's form, made once per shape: every file of a plan is checked against one of a few."""
    key = ("checks", *plan.template_shape(unit))
    found = plan.shape_cache.get(key)
    if found is None:
        cells = input_cells(plan, unit)
        found = plan.shape_cache[key] = _Form(
            cells, {name: label for name, _, label in cells}, {name: index for index, (name, _, _) in enumerate(cells)},
            [compared for f in plan.fields_for(unit) for compared in plan.compared_names(f, unit)])
    return found


def check_unit(plan: Plan, unit: Unit, raw: RawWorkbook) -> CheckedUnit:
    """Required, type, range, choice and cross-field checks of every input of the unit."""
    form = _form(plan, unit)
    cells, labels = form.cells, form.labels
    values: dict[str, object] = {}
    failed: set[str] = set()
    issues: list[Issue] = []

    def report(code: str, name: str, **params) -> None:
        ref = raw.names.get(name)
        message = render(code, label=labels.get(name, name), **params)
        issues.append(Issue(code, severity(code), message, str(raw.path), unit.code,
                            ref.sheet if ref else "", ref.a1 if ref else "", name))

    blanks = []
    for name, spec_field, _ in cells:
        if name in raw.moved:
            report("moved-cell", name, field=name, expected=raw.moved[name].a1)
            failed.add(name)
        elif name not in raw.names:
            report("deleted-cell" if name in raw.deleted else "missing-name", name, field=name)
            failed.add(name)
        elif name in raw.formulas:
            report("formula", name)
            failed.add(name)
        elif _is_blank(raw.values.get(name)):
            blanks.append((name, spec_field))
        else:
            try:
                clean = _clean(plan, spec_field, name, raw.values[name], report)
            except (ValueError, OverflowError, TypeError):  # a value nothing foresaw is this cell's problem only
                report("unreadable-value", name, value=_shown(raw.values[name]))
                clean = None
            if clean is None:
                failed.add(name)
            else:
                values[name] = clean

    for name, spec_field in blanks:
        condition = spec_field.parsed_required_if
        needed = spec_field.required or (
            condition is not None and all(clause_holds(c, values.get(c.field), plan.plan_year) for c in condition.clauses)
        )
        if needed:
            report("required", name)
            failed.add(name)

    for check, left, right, at in form.compared:
        if all(name in values for name in left + right) and not _holds(check, left, right, values):
            _report_broken(check, left, right, at, values, labels, report)
            failed.update(left + right)  # which side is wrong is anyone's guess
    issues.sort(key=lambda issue: form.position.get(issue.field, len(form.cells)))  # in the order of the form
    return CheckedUnit(values, frozenset(failed), issues)


# One value


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(plan: Plan, spec_field: Field, name: str, value: object, report) -> object | None:
    """The clean value of one cell, or None after reporting why it is not acceptable."""
    if spec_field.kind == "text":
        text = clean_text(value)
        unwritable = len(UNWRITABLE.findall(str(value)))
        if unwritable:
            report("unwritable-text", name, count=unwritable)
        if len(text) > TEXT_LIMIT:  # pasted past the template's validation; kept whole all the same
            report("long-text", name, length=fmt_number(len(text), 0), limit=fmt_number(TEXT_LIMIT, 0))
        return text
    if spec_field.kind == "choice":
        # The spreadsheet's list validation lets "mức độ 1" pass for "Mức độ 1": read it as the label.
        text = " ".join(clean_text(value).split()).casefold()
        label = next((choice for choice in spec_field.choices if choice.casefold() == text), None)
        if label is not None:
            return label
        report("bad-choice", name, value=_shown(value), choices="; ".join(spec_field.choices))
        return None
    if isinstance(value, str) and _COMMA_GROUPS.match(text := clean_text(value)):
        report("ambiguous-number", name, value=value, decimal=text.replace(",", ".").rstrip("0").rstrip("."),
               thousands=text.replace(",", ""))
        return None
    number = _number(value)
    if number is None:
        report("not-a-number", name, value=_shown(value))
        return None
    if number != int(number):
        report("not-integer", name, value=_shown(value))
        return None
    number = int(number)
    low = spec_field.min if spec_field.min is not None else 0
    high = spec_field.max_value(plan.plan_year)
    if number < 0 and low >= 0:
        report("negative", name, value=number)
        return None
    if number < low or number > (LARGEST_COUNT if high is None else high):
        code = "bad-year" if spec_field.kind == "year" else "out-of-range"
        report(code, name, value=_shown(value), low=low, high=fmt_number(LARGEST_COUNT, 0) if high is None else high)
        return None
    if isinstance(value, str):
        report("number-as-text", name, value=value, number=number)
    return number


def _number(value: object) -> float | None:
    """A number as typed, including numbers typed as text ("1.234", " 56 ", "1 234", "1,5")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        # NaN, inf and 1e400 (read as inf) can be stored in a number cell, but are no count.
        return float(value) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None  # a date or time in a number cell
    text = clean_text(value.replace("\u00a0", " "))
    if _THOUSANDS.match(text):
        return float(re.sub(r"[. ]", "", text))
    if _WHOLE.match(text):
        return float(text)
    if _DECIMAL.match(text):
        return float(text.replace(",", "."))
    return None


def _shown(value: object) -> str:
    """A cell's value as a message quotes it: text as typed, 2.5 as '2,5'."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value).upper()  # NAN, INF, -INF: what the file stores, as Excel shows an error
    if isinstance(value, float) and abs(value) >= 1e15:
        return f"{value:.6g}"  # 1e+30, not thirty-one digits
    if isinstance(value, float) and not value.is_integer():
        return fmt_number(value, 6)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as the spreadsheet shows it
    return clean_text(value)


# Cross-field checks


def _side_value(names: list[str], constant: int, values: dict[str, object]) -> int:
    return sum(values[n] for n in names) + constant


def _holds(check: Comparison, left: list[str], right: list[str], values: dict[str, object]) -> bool:
    left_value = _side_value(left, check.left.constant if check.left else 0, values)
    return compare(left_value, check.op, _side_value(right, check.right.constant, values))


def _report_broken(check: Comparison, left, right, at: str, values, labels: dict[str, str], report) -> None:
    """`<label of at>: 130 phải nhỏ hơn hoặc bằng <label of the other side> (125)`."""
    row_prefix = at.rsplit("__", 1)[0] + "__" if "__" in at else None

    def describe(names: list[str]) -> str:
        # Within the reported cell's own grid row, the column label is enough.
        parts = [labels[n].rsplit(" – ", 1)[-1] if row_prefix and n.startswith(row_prefix) else labels.get(n, n) for n in names]
        return parts[0] if len(parts) == 1 else "tổng " + " + ".join(parts)

    left_value = _side_value(left, check.left.constant if check.left else 0, values)
    right_value = _side_value(right, check.right.constant, values)
    value = str(left_value) if left == [at] else f"{describe(left)} = {left_value}"
    report("check-broken", at, value=value, relation=RELATIONS[check.op], other=describe(right) or "0", other_value=right_value)


__all__ = ["CheckedUnit", "check_unit", "input_cells"]
