"""The self-check of a template: the spec's checks as Excel formulas over the input cells.

Pure: it maps a field's checks to formula strings (no workbook), so it is tested with `==`.
These formulas only guide the filler while typing; the reader re-checks every value itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlsxwriter.utility import xl_rowcol_to_cell

from toolkit.expressions import Sum
from toolkit.plan import Plan
from toolkit.roster import Unit

EXCEL_OPS = {"<=": "<=", ">=": ">=", "<": "<", ">": ">", "=": "=", "!=": "<>"}


class CellMap:
    """Where each named input cell is on the data sheet."""

    def __init__(self, sheet: str):
        self.sheet = sheet
        self._cells: dict[str, tuple[int, int]] = {}

    def add(self, name: str, row: int, col: int) -> None:
        self._cells[name] = (row, col)

    def __contains__(self, name: str) -> bool:
        return name in self._cells

    def position(self, name: str) -> tuple[int, int]:
        return self._cells[name]

    def ref(self, name: str) -> str:
        """Absolute A1 reference on the same sheet, e.g. $E$7."""
        row, col = self._cells[name]
        return xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)

    def absolute(self, name: str) -> str:
        """Reference with the sheet, for a defined name: 'Số liệu'!$E$7."""
        return f"'{self.sheet}'!{self.ref(name)}"


@dataclass(frozen=True)
class Flag:
    formula: str  # Excel formula without '=', TRUE when the cell should be flagged
    initially: int  # its value (1/0) in the empty template


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _blank(ref: str) -> str:
    return f"LEN(TRIM({ref}))=0"


def _type_problem(field, ref: str, plan_year: int) -> str | None:
    if field.kind in ("integer", "year"):
        low = field.min if field.min is not None else 0
        high = field.max_value(plan_year)
        bounds = [f"{ref}<>INT({ref})", f"{ref}<{low}"] + ([f"{ref}>{high}"] if high is not None else [])
        return f"IF({_blank(ref)},FALSE,IF(ISNUMBER({ref}),OR({','.join(bounds)}),TRUE))"
    if field.kind == "choice":
        differs = ",".join(f"{ref}<>{_text(choice)}" for choice in field.choices)
        return f"AND(LEN({ref})>0,{differs})"
    return None


def _sum(names: list[str], constant: int, cells: CellMap) -> str:
    parts = [f"SUM({','.join(cells.ref(n) for n in names)})"] if names else []
    return "+".join(parts + ([str(constant)] if constant else [])) or "0"


def _comparison(left: list[str], left_const: int, op: str, right: list[str], right_const: int, cells: CellMap) -> str | None:
    """TRUE when every cell involved holds a number and the comparison fails."""
    involved = list(dict.fromkeys(left + right))
    if not involved or any(n not in cells for n in involved):
        return None  # a cell of another sheet or unit: the reader checks it
    refs = ",".join(cells.ref(n) for n in involved)
    holds = f"{_sum(left, left_const, cells)}{EXCEL_OPS[op]}{_sum(right, right_const, cells)}"
    return f"IF(COUNT({refs})={len(involved)},NOT({holds}),FALSE)"


def _condition(plan: Plan, unit: Unit, condition, cells: CellMap) -> str | None:
    clauses = []
    for clause in condition.clauses:
        if clause.field not in cells:
            return None
        ref = cells.ref(clause.field)
        values = [_text(v) for v in clause.values]
        if clause.op == "!=":
            clauses.append(f"AND(LEN({ref})>0,{','.join(f'{ref}<>{v}' for v in values)})")
        else:
            clauses.append(f"OR({','.join(f'{ref}={v}' for v in values)})")
    return clauses[0] if len(clauses) == 1 else f"AND({','.join(clauses)})"


def row_formulas(plan: Plan, unit: Unit, field, names: list[str], cells: CellMap, grid_row=None) -> dict[str, tuple[Flag | None, Flag | None]]:
    """For each input of one sheet row: (flag when still missing, flag when invalid)."""
    problems: dict[str, list[str]] = {name: [] for name in names}
    for name in names:
        problem = _type_problem(field, cells.ref(name), plan.plan_year)
        if problem:
            problems[name].append(problem)

    for check in field.parsed_checks:
        if grid_row is not None:  # grid checks compare this row's columns
            def row_names(side: Sum) -> list[str]:
                return [f"{field.code}__{grid_row.key}__{term.field}" for term in side.terms]

            left, right = row_names(check.left), row_names(check.right)
            formula = _comparison(left, check.left.constant, check.op, right, check.right.constant, cells)
            for name in left:
                if formula and name in problems:
                    problems[name].append(formula)
            continue
        left = [field.code] if check.left is None else plan.sum_names(check.left, unit)
        right = plan.sum_names(check.right, unit)
        if left is None or right is None:
            continue
        left_const = 0 if check.left is None else check.left.constant
        formula = _comparison(left, left_const, check.op, right, check.right.constant, cells)
        if formula:
            problems[field.code].append(formula)

    result = {}
    condition = field.parsed_required_if and _condition(plan, unit, field.parsed_required_if, cells)
    for name in names:
        ref = cells.ref(name)
        if field.required:
            missing = Flag(_blank(ref), 1)
        elif condition:
            missing = Flag(f"AND({condition},{_blank(ref)})", 0)
        else:
            missing = None
        checks = problems[name]
        invalid = Flag(checks[0] if len(checks) == 1 else f"OR({','.join(checks)})", 0) if checks else None
        result[name] = (missing, invalid)
    return result


def summary_formula(missing_refs, invalid_refs, missing_col: int, invalid_col: int, first_row: int, last_row: int) -> tuple[str, str]:
    """The one cell telling the filler how many inputs are missing or inconsistent."""
    missing = f"SUM({xl_rowcol_to_cell(first_row, missing_col)}:{xl_rowcol_to_cell(last_row, missing_col)})"
    invalid = f"SUM({xl_rowcol_to_cell(first_row, invalid_col)}:{xl_rowcol_to_cell(last_row, invalid_col)})"
    done = "Đã nhập đầy đủ, không phát hiện lỗi."
    formula = f'=IF(AND({missing}=0,{invalid}=0),"{done}","Còn "&{missing}&" ô chưa nhập, "&{invalid}&" ô chưa hợp lệ.")'
    initially_missing = sum(count for _, _, count in missing_refs)
    initial = done if initially_missing == 0 else f"Còn {initially_missing} ô chưa nhập, 0 ô chưa hợp lệ."
    return formula, initial
