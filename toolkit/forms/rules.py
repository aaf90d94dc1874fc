"""The rules a template enforces while a clerk types: data validation and the self-check formulas.

Pure: it maps a field to XlsxWriter validation dicts and Excel formula strings (no workbook), so it
is tested with `==`. These rules only guide the filler; the reader re-checks every value itself.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from toolkit.core.cells import cell_name
from toolkit.spec.expressions import PLAN_YEAR, Condition
from toolkit.spec.model import Field
from toolkit.spec.plan import Plan
from toolkit.spec.units import Unit

EXCEL_OPS = {"<=": "<=", ">=": ">=", "<": "<", ">": ">", "=": "=", "!=": "<>"}
TEXT_LIMIT = 4000  # characters in a free-text input; a task report fits, a pasted document does not
INLINE_LIST_LIMIT = 255  # Excel calls a file damaged when an inline dropdown list is longer
DONE = "Đã nhập đầy đủ, không phát hiện lỗi."
MISMATCH = "Không khớp số liệu khác"  # e.g. more qualified teachers than teachers


class CellMap:
    """Where each named input cell is on one sheet."""

    def __init__(self, sheet: str):
        self.sheet = sheet
        self._cells: dict[str, tuple[int, int]] = {}

    def add(self, name: str, row: int, col: int) -> None:
        self._cells[name] = (row, col)

    def __contains__(self, name: str) -> bool:
        return name in self._cells

    def __iter__(self):
        return iter(self._cells)

    def position(self, name: str) -> tuple[int, int]:
        return self._cells[name]

    def ref(self, name: str) -> str:
        """Absolute A1 reference on the same sheet, e.g. $E$7."""
        row, col = self._cells[name]
        return cell_name(row, col, absolute=True)

    def absolute(self, name: str) -> str:
        """Reference with the sheet, for a defined name: 'Số liệu'!$E$7."""
        return f"'{self.sheet}'!{self.ref(name)}"


# Data validation


def is_number(field: Field) -> bool:
    """Whether a field's inputs take numbers (every grid cell is a whole number)."""
    return field.kind in ("integer", "year", "grid")


def fits_inline(choices: list[str]) -> bool:
    """Whether a dropdown can list its choices inside the rule (else: a range on a hidden sheet)."""
    return len(",".join(choices)) <= INLINE_LIST_LIMIT and not any("," in c or '"' in c for c in choices)


def _number_words(field: Field, plan_year: int) -> str:
    low = field.min if field.min is not None else 0
    high = field.max_value(plan_year)
    if field.kind == "year":
        return f"năm (4 chữ số) từ {low} đến {high}" if high is not None else f"năm (4 chữ số) từ {low} trở đi"
    return f"số nguyên từ {low} đến {high}" if high is not None else f"số nguyên từ {low} trở lên"


def validation_rule(field: Field, plan_year: int, list_range: str | None = None) -> dict:
    """XlsxWriter data validation of one input, with Vietnamese prompt and error messages.

    `list_range` is the sheet range holding a choice field's labels when they cannot be inline.
    """
    messages = {"error_title": "Giá trị không hợp lệ", "error_type": "stop"}
    if is_number(field):
        low = field.min if field.min is not None else 0
        high = field.max_value(plan_year)
        what = _number_words(field, plan_year)
        unit = f" (đơn vị tính: {field.unit})" if field.unit else ""
        if high is None:
            bounds = {"criteria": ">=", "value": low}
        else:
            bounds = {"criteria": "between", "minimum": low, "maximum": high}
        return {"validate": "integer", **bounds, "input_title": "Nhập số", "input_message": f"Nhập {what}{unit}."[:255],
                **messages, "error_message": f"Ô này chỉ nhận {what}; không nhập chữ, dấu chấm hay dấu phẩy."[:255]}
    if field.kind == "choice":
        source = field.choices if list_range is None else list_range
        return {"validate": "list", "source": source, "input_title": "Chọn trong danh sách",
                "input_message": "Bấm vào mũi tên bên phải ô để chọn.", **messages,
                "error_message": ("Chỉ được chọn một trong: " + "; ".join(field.choices) + ".")[:255]}
    # Free text: any text, bounded so that a paste cannot bloat the file.
    return {"validate": "length", "criteria": "<=", "value": TEXT_LIMIT, "input_title": "Nhập nội dung",
            "input_message": f"Ghi ngắn gọn, tối đa {TEXT_LIMIT} ký tự.", **messages,
            "error_message": f"Nội dung dài quá {TEXT_LIMIT} ký tự."}


# Self-check formulas


@dataclass(frozen=True)
class Flag:
    formula: str  # Excel formula without '=', TRUE when the cell should be flagged
    initially: int  # its value (1/0) in the empty template
    reasons: tuple[tuple[str, str], ...] = ()  # (formula, what is wrong, in words) of each check it joins


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _blank(ref: str) -> str:
    # LibreOffice rewrites Excel's "blanks" rule to this; a space typed by mistake counts as blank.
    return f"LEN(TRIM({ref}))=0"


def _type_problem(field: Field, ref: str, plan_year: int) -> str | None:
    """TRUE when a typed value has the wrong type or range (pasted values skip validation)."""
    if is_number(field):
        low = field.min if field.min is not None else 0
        high = field.max_value(plan_year)
        bounds = [f"{ref}<>INT({ref})", f"{ref}<{low}"] + ([f"{ref}>{high}"] if high is not None else [])
        return f"IF({_blank(ref)},FALSE,IF(ISNUMBER({ref}),OR({','.join(bounds)}),TRUE))"
    if field.kind == "choice":
        # Excel's and LibreOffice's `<>` ignore case, as their list validation does; a label typed
        # on a keyboard that writes decomposed Unicode (NFD) is the same label.
        spellings = dict.fromkeys(form for choice in field.choices
                                  for form in (choice, unicodedata.normalize("NFD", choice)))
        differs = ",".join(f"{ref}<>{_text(spelling)}" for spelling in spellings)
        return f"AND(LEN({ref})>0,{differs})"
    return None


def _short_rule(field: Field, plan_year: int) -> str:
    """What a cell takes, short enough for the row verdict column: "Cần số nguyên ≥ 0"."""
    if field.kind == "choice":
        return "Chọn trong danh sách"
    low = field.min if field.min is not None else 0
    high = field.max_value(plan_year)
    return f"Cần số nguyên ≥ {low}" if high is None else f"Cần số từ {low} đến {high}"


def _sum(names: list[str], constant: int, cells: CellMap) -> str:
    parts = [f"SUM({','.join(cells.ref(n) for n in names)})"] if names else []
    return "+".join(parts + ([str(constant)] if constant else [])) or "0"


def _comparison(left: list[str], left_const: int, op: str, right: list[str], right_const: int, cells: CellMap) -> str | None:
    """TRUE when every cell involved holds a number and the comparison fails."""
    involved = list(dict.fromkeys(left + right))
    if not involved or any(n not in cells for n in involved):
        return None  # a cell of another sheet: the reader checks it
    refs = ",".join(cells.ref(n) for n in involved)
    holds = f"{_sum(left, left_const, cells)}{EXCEL_OPS[op]}{_sum(right, right_const, cells)}"
    return f"IF(COUNT({refs})={len(involved)},NOT({holds}),FALSE)"


def _condition(plan: Plan, condition: Condition, cells: CellMap) -> str | None:
    """TRUE when a required_if condition holds; never while the cells it reads are blank."""
    clauses = []
    for clause in condition.clauses:
        if clause.field not in cells:
            return None
        ref = cells.ref(clause.field)
        numeric = is_number(plan.field_by_code[clause.field])
        values = [str(plan.plan_year) if v == PLAN_YEAR else v for v in clause.values]
        literals = values if numeric and all(v.isdigit() for v in values) else [_text(v) for v in values]
        if clause.op == "!=":
            clauses.append(f"AND(LEN({ref})>0,{','.join(f'{ref}<>{v}' for v in literals)})")
        else:  # '=' or 'in'; a blank cell equals 0 in Excel, hence the LEN guard
            clauses.append(f"AND(LEN({ref})>0,OR({','.join(f'{ref}={v}' for v in literals)}))")
    return clauses[0] if len(clauses) == 1 else f"AND({','.join(clauses)})"


def _any(formulas: list[str]) -> str:
    return formulas[0] if len(formulas) == 1 else f"OR({','.join(formulas)})"


def row_flags(plan: Plan, unit: Unit, field: Field, names: list[str], cells: CellMap,
              grid_row: str | None = None) -> dict[str, tuple[Flag | None, Flag | None]]:
    """For each input of one sheet row: (flag when still missing, flag when invalid).

    `grid_row` is the row key when the inputs are one row of a grid (its checks compare columns).
    """
    problems: dict[str, list[tuple[str, str]]] = {name: [] for name in names}
    for name in names:
        problem = _type_problem(field, cells.ref(name), plan.plan_year)
        if problem:
            words = _short_rule(field, plan.plan_year)
            problems[name].append((problem, words))

    for check, left, right, at in plan.compared_names(field, unit, grid_row):
        left_const = 0 if check.left is None else check.left.constant
        formula = _comparison(left, left_const, check.op, right, check.right.constant, cells)
        # In a grid row every cell on the left is flagged; a field's own check flags the field.
        for name in (left if grid_row is not None else [at]) if formula else ():
            if name in problems:
                problems[name].append((formula, MISMATCH))

    condition = field.parsed_required_if and _condition(plan, field.parsed_required_if, cells)
    flags = {}
    for name in names:
        ref = cells.ref(name)
        if field.required:
            missing = Flag(_blank(ref), 1)
        elif condition:
            missing = Flag(f"AND({condition},{_blank(ref)})", 0)
        else:
            missing = None
        found = tuple(problems[name])
        invalid = Flag(_any([formula for formula, _ in found]), 0, found) if found else None
        flags[name] = (missing, invalid)
    return flags


def row_verdict(missing: str, invalid: str, inputs: str, count: int, initially_missing: int,
                reasons: tuple[tuple[str, str], ...] = ()) -> tuple[str, str]:
    """What is wrong with one row, from its hidden counts, and its value in the empty template.

    `inputs` is the row's range of input cells and `count` how many there are: a row of one names
    the first of its `reasons` (formula, words) that holds, a row of several counts ("2 ô chưa
    hợp lệ", "Còn 2 ô chưa nhập"); a row with nothing required and nothing typed says nothing.
    """
    if count == 1:
        wrong = '"Chưa hợp lệ"'
        for formula, words in reversed(reasons):
            wrong = f"IF({formula},{_text(words)},{wrong})"
        formula = (f'=IF({invalid}>0,{wrong},IF({missing}>0,"Chưa nhập",'
                   f'IF(COUNTA({inputs})=0,"","Đã nhập")))')
        initial = "Chưa nhập" if initially_missing else ""
    else:
        formula = (f'=IF({invalid}>0,{invalid}&" ô chưa hợp lệ"&IF({missing}>0,"; còn "&{missing}&" ô chưa nhập",""),'
                   f'IF({missing}>0,"Còn "&{missing}&" ô chưa nhập",IF(COUNTA({inputs})=0,"","Đã nhập")))')
        initial = f"Còn {initially_missing} ô chưa nhập" if initially_missing else ""
    return formula, initial


def summary_formula(missing_range: str, invalid_range: str, initially_missing: int) -> tuple[str, str]:
    """The one cell telling the filler how many inputs are missing or inconsistent, and its
    value in the empty template (LibreOffice shows a cached value until an input changes)."""
    missing, invalid = f"SUM({missing_range})", f"SUM({invalid_range})"
    formula = (f'=IF(AND({missing}=0,{invalid}=0),{_text(DONE)},'
               f'"Còn "&{missing}&" ô chưa nhập, "&{invalid}&" ô chưa hợp lệ.")')
    initial = DONE if initially_missing == 0 else f"Còn {initially_missing} ô chưa nhập, 0 ô chưa hợp lệ."
    return formula, initial
