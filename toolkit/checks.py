"""Check one unit's raw values against the spec: clean values, failed names, issues.

Values are taken as typed: a formula in an input cell is an error, never its cached result.
A name whose value is missing or fails a check is in `failed`; aggregation leaves the unit out
of exactly the indicators that use such a name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from toolkit.contract import Issue
from toolkit.errors import render, severity
from toolkit.expressions import clause_holds, compare
from toolkit.plan import Plan
from toolkit.reader import RawWorkbook
from toolkit.roster import Unit

OP_WORDS = {"<=": "không được lớn hơn", ">=": "không được nhỏ hơn", "<": "phải nhỏ hơn", ">": "phải lớn hơn", "=": "phải bằng", "!=": "phải khác"}
_THOUSANDS = re.compile(r"^\d{1,3}([. ]\d{3})+$")  # 1.234 / 1 234, as Vietnamese write thousands


@dataclass
class CheckedUnit:
    values: dict[str, object] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)


def input_cells(plan: Plan, unit: Unit) -> list[tuple[str, object, str]]:
    """(defined name, field, Vietnamese label) of every input a unit's template has."""
    cells = []
    for f in plan.fields_for(unit):
        if f.kind == "grid":
            for row in plan.rows_for(f, unit):
                cells.extend((f"{f.code}__{row.key}__{c.key}", f, f"{f.label} – {row.label} – {c.label}") for c in f.columns)
        elif hasattr(f, "task"):
            cells.append((f.code, f, f"Nhiệm vụ {f.group.numeral}.{f.task.tt or '–'}: {f.label}"))
        else:
            cells.append((f.code, f, f.label))
    return cells


def check_unit(plan: Plan, unit: Unit, raw: RawWorkbook) -> CheckedUnit:
    """Type, range, choice, required and cross-field checks of every input of the unit."""
    result = CheckedUnit()
    cells = input_cells(plan, unit)
    labels = {name: label for name, _, label in cells}

    def report(code: str, name: str, **params) -> None:
        ref = raw.names.get(name)
        result.issues.append(
            Issue(code, severity(code), render(code, label=labels.get(name, name), **params), str(raw.path), unit.code,
                  ref.sheet if ref else "", ref.a1 if ref else "", name)
        )

    blank = []
    for name, spec_field, _ in cells:
        if name not in raw.names:
            report("missing-name", name, field=name)
            result.failed.add(name)
            continue
        if name in raw.formulas:
            report("formula", name, value="công thức")
            result.failed.add(name)
            continue
        value = raw.values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            blank.append((name, spec_field))
            continue
        clean = _typed(plan, spec_field, name, value, report)
        if clean is None:
            result.failed.add(name)
        else:
            result.values[name] = clean

    for name, spec_field in blank:
        condition = spec_field.parsed_required_if
        needed = spec_field.required or (
            condition is not None and all(clause_holds(c, result.values.get(c.field), plan.plan_year) for c in condition.clauses)
        )
        if needed:
            report("required", name)
            result.failed.add(name)
    _cross_checks(plan, unit, cells, labels, result, report)
    return result


def _typed(plan: Plan, spec_field, name: str, value: object, report):
    """The clean value of one cell, or None after reporting why it is not acceptable."""
    kind = spec_field.kind
    if kind == "text":
        return _text(value)
    if kind == "choice":
        text = _text(value)
        if text in spec_field.choices:
            return text
        folded = {" ".join(c.split()).casefold(): c for c in spec_field.choices}
        match = folded.get(" ".join(text.split()).casefold())
        if match:
            report("choice-as-typed", name, value=text, choice=match)
            return match
        report("bad-choice", name, value=text, choices="; ".join(spec_field.choices))
        return None
    number = _number(value)
    if number is None:
        report("not-a-number", name, value=_text(value))
        return None
    if isinstance(value, str):
        report("number-as-text", name, value=value, number=f"{number:g}")
    if number != int(number):
        report("not-integer", name, value=f"{number:g}")
        return None
    number = int(number)
    low = spec_field.min if spec_field.min is not None else 0
    high = spec_field.max_value(plan.plan_year)
    if number < 0 and low >= 0:
        report("negative", name, value=number)
        return None
    if number < low or (high is not None and number > high):
        report("bad-year" if kind == "year" else "out-of-range", name, value=number, low=low, high=high if high is not None else "∞")
        return None
    return number


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    text = value.strip().replace("\u00a0", " ")
    if _THOUSANDS.match(text):
        return float(re.sub(r"[. ]", "", text))
    if re.fullmatch(r"-?\d+", text):
        return float(text)
    return None


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _cross_checks(plan: Plan, unit: Unit, cells, labels: dict[str, str], result: CheckedUnit, report) -> None:
    """The spec's `checks`: each compares sums of this unit's values."""
    for spec_field in plan.fields_for(unit):
        for check in spec_field.parsed_checks:
            if spec_field.kind == "grid":
                for row in plan.rows_for(spec_field, unit):
                    names = lambda side: [f"{spec_field.code}__{row.key}__{t.field}" for t in side.terms]  # noqa: E731
                    _compare(check, names(check.left), names(check.right), names(check.left)[0], labels, result, report)
                continue
            left = [spec_field.code] if check.left is None else plan.sum_names(check.left, unit)
            right = plan.sum_names(check.right, unit)
            if left is not None and right is not None:
                _compare(check, left, right, spec_field.code, labels, result, report)


def _compare(check, left: list[str], right: list[str], at: str, labels, result: CheckedUnit, report) -> None:
    involved = left + right
    if any(name not in result.values for name in involved):
        return  # a missing or bad value was reported already
    left_value = sum(result.values[n] for n in left) + (check.left.constant if check.left else 0)
    right_value = sum(result.values[n] for n in right) + check.right.constant
    if compare(left_value, check.op, right_value):
        return
    def describe(names: list[str]) -> str:
        # Within the reported cell's own table row, the column label is enough.
        prefix = at.rsplit("__", 1)[0] + "__" if "__" in at else None
        parts = [labels.get(n, n).rsplit(" – ", 1)[-1] if prefix and n.startswith(prefix) else labels.get(n, n) for n in names]
        return parts[0] if len(parts) == 1 else "tổng " + " + ".join(parts)

    own = left == [at]
    detail = (f"{left_value}" if own else f"{describe(left)} = {left_value}") + f" {OP_WORDS[check.op]} {describe(right)} ({right_value})"
    report("check-failed", at, rule=check.text, detail=detail)
    result.failed.update(involved)


__all__ = ["CheckedUnit", "check_unit", "input_cells"]
