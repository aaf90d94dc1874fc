"""The root of a plan spec, its cross-reference checks, and what applies to which unit."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Union

from pydantic import PrivateAttr, ValidationInfo, model_validator

from toolkit.spec.names import TASK_COLUMNS, TASK_STATUSES, grid_name, task_id
from toolkit.spec.units import Unit
from toolkit.spec.expressions import (
    PLAN_YEAR,
    ExpressionError,
    Sum,
    Term,
    parse_comparison,
    parse_condition,
)
from toolkit.spec.model import (
    Agencies,
    Annex,
    Area,
    Deadlines,
    Document,
    Field,
    Indicator,
    Issuer,
    Period,
    Strict,
    TaskField,
    TaskList,
    UnitKind,
    recurring_date,
    spec_hash,
)


SPEC_VERSION = 1


class Plan(Strict):
    spec_version: int = SPEC_VERSION
    code: str
    document: Document
    issuer: Issuer
    collector: str  # who collects the returns, e.g. "Phòng Giáo dục và Đào tạo huyện Bảo Thắng"
    period: Period
    deadlines: Deadlines = Deadlines()
    area: Area
    unit_kinds: dict[str, UnitKind]
    levels: dict[str, str]  # level code -> label, in display order
    roster: str = "units.csv"  # relative to the plan file
    fields: list[Field] = []
    indicators: list[Indicator] = []
    annexes: list[Annex] = []
    tasks: Union[TaskList, None] = None
    agencies: Agencies = Agencies()

    _path: Path = PrivateAttr(default=Path("plan.yaml"))

    @model_validator(mode="before")
    @classmethod
    def _recurring_deadlines(cls, data: object) -> object:
        """"10/12 hằng năm" falls due in the round's year (a school year's second half: the next year)."""
        deadlines, period = (data.get("deadlines"), data.get("period")) if isinstance(data, dict) else (None, None)
        if not isinstance(deadlines, dict) or not isinstance(period, dict):
            return data
        year = period.get("round") or period.get("year")
        resolved = {key: recurring_date(value, year, period.get("kind")) if isinstance(value, str) else value
                    for key, value in deadlines.items()}
        return {**data, "deadlines": resolved}

    @model_validator(mode="after")
    def _remember_path(self, info: ValidationInfo):
        if info.context and "path" in info.context:
            self._path = Path(info.context["path"])
        return self

    @model_validator(mode="after")
    def _cross_references(self):
        problems = _cross_reference_problems(self)
        if problems:
            raise ValueError("\n  - ".join(problems))
        return self

    # Lookups

    @property
    def path(self) -> Path:
        return self._path

    @property
    def roster_path(self) -> Path:
        return self._path.parent / self.roster

    @property
    def plan_year(self) -> int:
        """The year being reported on ("plan year" in conditions and checks)."""
        return self.period.round_year

    @cached_property
    def task_fields(self) -> list[TaskField]:
        """Progress inputs of every task: result, status, difficulties, proposals."""
        made = []
        for group_number, group in enumerate(self.tasks.groups if self.tasks else [], start=1):
            for task_number, task in enumerate(group.tasks, start=1):
                identifier = task_id(group_number, task_number)
                for column, (label, required) in TASK_COLUMNS.items():
                    made.append(
                        TaskField(
                            code=f"{identifier}__{column}",
                            label=label,
                            kind="choice" if column == "MUC_DO" else "text",
                            reporter="",
                            section=f"{group.numeral}. {group.title}",
                            choices=list(TASK_STATUSES) if column == "MUC_DO" else [],
                            required=required,
                            task_id=identifier,
                            column=column,
                            task=task,
                            group=group,
                        )
                    )
        return made

    @cached_property
    def field_by_code(self) -> dict[str, Field]:
        return {f.code: f for f in [*self.fields, *self.task_fields]}

    @cached_property
    def indicator_by_code(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators}

    @cached_property
    def version(self) -> str:
        """Template version: changes only when what a unit fills in changes.

        Document number, date or targets may be settled after templates went out; that must
        not turn every returned workbook into an outdated one. Keys left at their defaults are
        not part of it, so that a newer toolkit adding an optional key keeps the templates
        already sent out current.
        """
        payload = {
            "code": self.code,
            "fields": [f.model_dump(mode="json", exclude_defaults=True) for f in self.fields],
            "tasks": self.tasks.model_dump(mode="json", exclude_defaults=True) if self.tasks else None,
        }
        return spec_hash(payload)

    # What applies to a unit

    def applies(self, field: Field, unit: Unit) -> bool:
        """Whether a unit's template has this field."""
        return field.code in self._unit_fields(unit)[1]

    def fields_for(self, unit: Unit) -> list[Field]:
        """What a unit fills in: its indicator fields, then the progress of its tasks (do not modify)."""
        return self._unit_fields(unit)[0]

    @cached_property
    def unit_fields_cache(self) -> dict:
        return {}  # unit -> (its fields, their codes): asked for every value of every file read

    def _unit_fields(self, unit: Unit) -> tuple[list[Field], frozenset[str]]:
        found = self.unit_fields_cache.get(unit)
        if found is None:
            fields = [f for f in [*self.fields, *self.task_fields] if _field_applies(f, unit)]
            found = self.unit_fields_cache[unit] = (fields, frozenset(f.code for f in fields))
        return found

    def rows_for(self, field: Field, unit: Unit, level: str | None = None):
        """A grid's rows for a unit (of one level, if given).

        A school gets the rows of the levels it teaches. A unit teaching none of the grid's row
        levels (a commune's survey of children by level) gets every row; each still counts under
        its own level.
        """
        row_levels = {r.level for r in field.rows if r.level}
        surveys_all = not row_levels & set(unit.levels)
        return [
            r
            for r in field.rows
            if (not r.level or surveys_all or r.level in unit.levels) and (level is None or r.level == level)
        ]

    def primary_level(self, field: Field, unit: Unit) -> str | None:
        """The level a unit's single (non-grid) value counts under in per-level results.

        A combined TH;THCS school's grid rows split by level; a single value cannot, so it counts
        under the first level (in the plan's level order) that both the unit and the field have.
        """
        candidates = set(unit.levels) & set(field.levels or unit.levels)
        return next((level for level in self.levels if level in candidates), None)

    def input_names(self, unit: Unit) -> list[str]:
        """Every defined name a unit's template has, in template order."""
        names = []
        for field in self.fields_for(unit):
            if field.kind == "grid":
                for row in self.rows_for(field, unit):
                    names.extend(grid_name(field.code, row.key, col.key) for col in field.columns)
            else:
                names.append(field.code)
        return names

    def term_names(self, term: Term, unit: Unit, level: str | None = None) -> list[str] | None:
        """Defined names a term sums for a unit; None if the field does not apply to it."""
        field = self.field_by_code[term.field]
        if not self.applies(field, unit):
            return None
        if not term.is_grid:
            if level is not None and self.primary_level(field, unit) != level:
                return []
            return [field.code]
        rows = self.rows_for(field, unit, level)
        wanted = set(term.rows) if term.rows is not None else None
        return [grid_name(field.code, r.key, term.column) for r in rows if wanted is None or r.key in wanted]

    def sum_names(self, expression: Sum, unit: Unit, level: str | None = None) -> list[str] | None:
        """Defined names a sum adds up for a unit; None if any of its fields does not apply."""
        names: list[str] = []
        for term in expression.terms:
            found = self.term_names(term, unit, level)
            if found is None:
                return None
            names.extend(found)
        return names

    def in_scope(self, indicator: Indicator, unit: Unit) -> bool:
        """Whether a unit is expected to contribute to an indicator."""
        if unit.kind != indicator.reporter:
            return False
        if indicator.rule == "text":
            field = self.field_by_code.get(indicator.numerator)
            return field is not None and self.applies(field, unit)
        if indicator.eligible is not None:
            eligible = indicator.eligible
            return (unit.kind == eligible.kind and (not eligible.levels or bool(set(eligible.levels) & set(unit.levels)))
                    and (not eligible.tags or bool(set(eligible.tags) & set(unit.tags))))
        for expression in (indicator.numerator_sum, indicator.denominator_sum):
            if expression is None:
                continue
            names = self.sum_names(expression, unit)
            if names is None or (not names and expression.terms):
                return False
        return True


def _field_applies(field: Field, unit: Unit) -> bool:
    if isinstance(field, TaskField):
        return field.task_id in unit.tasks
    return (field.reporter == unit.kind and (not field.levels or bool(set(field.levels) & set(unit.levels)))
            and (not field.units or unit.code in field.units))


def indicator_fields(indicator: Indicator) -> set[str]:
    """Field codes an indicator reads; empty when one of its expressions does not parse."""
    try:
        return indicator.input_fields()
    except ExpressionError:
        return set()


def _cross_reference_problems(plan: Plan) -> list[str]:
    """Every reference in the plan that points nowhere, as Vietnamese lines with their key."""
    problems: list[str] = []
    kinds, levels = set(plan.unit_kinds), set(plan.levels)
    fields = {f.code: f for f in plan.fields}

    def seen_twice(codes: list[str]) -> set[str]:
        return {c for c in codes if codes.count(c) > 1}

    for code in sorted(seen_twice([f.code for f in plan.fields])):
        problems.append(f"fields: mã trường '{code}' bị trùng")
    for code in sorted(seen_twice([i.code for i in plan.indicators])):
        problems.append(f"indicators: mã chỉ tiêu '{code}' bị trùng")
    all_names = [n for f in plan.fields for n in ([f.code] if f.kind != "grid" else [grid_name(f.code, r.key, c.key) for r in f.rows for c in f.columns])]
    for name in sorted(seen_twice(all_names)):
        problems.append(f"fields: tên ô '{name}' xuất hiện hai lần (trùng giữa một trường và một ô của bảng)")
    submission, report = plan.deadlines.submission, plan.deadlines.report
    if submission and report and report < submission:
        problems.append(f"deadlines.report: hạn báo cáo cấp trên ({report:%d/%m/%Y}) sớm hơn hạn đơn vị gửi "
                        f"báo cáo ({submission:%d/%m/%Y})")
    if plan.area.group_kind and plan.area.group_kind not in kinds:
        problems.append(f"area.group_kind: loại đơn vị '{plan.area.group_kind}' không có trong unit_kinds")

    def check_sum(where: str, expression: Sum, grid: Field | None = None) -> None:
        for term in expression.terms:
            if grid is not None:  # inside a grid, checks compare its columns row by row
                if term.is_grid or term.field not in {c.key for c in grid.columns}:
                    problems.append(f"{where}: '{term.field}' không phải cột của bảng '{grid.code}'")
                continue
            field = fields.get(term.field)
            if field is None:
                problems.append(f"{where}: trường '{term.field}' không có trong fields")
            elif field.kind == "grid" and not term.is_grid:
                problems.append(f"{where}: '{term.field}' là bảng, phải ghi rõ dòng và cột, ví dụ {term.field}[*].{field.columns[0].key}")
            elif field.kind != "grid" and term.is_grid:
                problems.append(f"{where}: '{term.field}' không phải bảng (grid)")
            elif field.kind in ("choice", "text"):
                problems.append(f"{where}: '{term.field}' không phải trường số, không cộng được")
            elif term.is_grid:
                if term.column not in {c.key for c in field.columns}:
                    problems.append(f"{where}: bảng '{field.code}' không có cột '{term.column}'")
                for row in term.rows or ():
                    if row not in {r.key for r in field.rows}:
                        problems.append(f"{where}: bảng '{field.code}' không có dòng '{row}'")

    def check_condition(where: str, text: str) -> None:
        try:
            condition = parse_condition(text)
        except ExpressionError as exc:
            problems.append(f"{where}: {exc}")
            return
        for clause in condition.clauses:
            field = fields.get(clause.field)
            if field is None:
                problems.append(f"{where}: trường '{clause.field}' không có trong fields")
            elif field.kind == "choice":
                for value in clause.values:
                    if value not in field.choices:
                        problems.append(f"{where}: '{value}' không phải lựa chọn của '{field.code}' ({'; '.join(field.choices)})")
            elif field.kind == "year" and any(v != PLAN_YEAR and not v.isdigit() for v in clause.values):
                problems.append(f"{where}: giá trị so với '{field.code}' phải là năm hoặc 'plan year'")

    for i, field in enumerate(plan.fields):
        where = f"fields[{i}] ({field.code})"
        if field.reporter not in kinds:
            problems.append(f"{where}.reporter: loại đơn vị '{field.reporter}' không có trong unit_kinds")
        for level in field.levels:
            if level not in levels:
                problems.append(f"{where}.levels: cấp học '{level}' không có trong levels")
        for j, row in enumerate(field.rows):
            if row.level and row.level not in levels:
                problems.append(f"{where}.rows[{j}].level: cấp học '{row.level}' không có trong levels")
        for j, text in enumerate(field.checks):
            try:
                comparison = parse_comparison(text)
            except ExpressionError as exc:
                problems.append(f"{where}.checks[{j}]: {exc}")
                continue
            grid = field if field.kind == "grid" else None
            if comparison.left is None and grid is not None:
                problems.append(f"{where}.checks[{j}]: điều kiện trong bảng phải ghi đủ hai vế, ví dụ 'DAT_CHUAN <= TONG'")
            for side in (comparison.left, comparison.right):
                if side is not None:
                    check_sum(f"{where}.checks[{j}]", side, grid)
        if field.required_if:
            check_condition(f"{where}.required_if", field.required_if)

    period_codes = {p.code for p in plan.period.target_periods}
    for i, indicator in enumerate(plan.indicators):
        where = f"indicators[{i}] ({indicator.code})"
        if indicator.reporter not in kinds:
            problems.append(f"{where}.reporter: loại đơn vị '{indicator.reporter}' không có trong unit_kinds")
        if indicator.rule == "text":
            field = fields.get(indicator.numerator)
            if field is None or field.kind not in ("text", "choice"):
                problems.append(f"{where}.numerator: chỉ tiêu text lấy nội dung đơn vị báo cáo từ một trường kiểu text "
                                f"hoặc choice; '{indicator.numerator}' không phải trường như vậy trong fields")
            if indicator.denominator:
                problems.append(f"{where}.denominator: chỉ tiêu text không có mẫu số; hãy bỏ khóa này")
        elif indicator.rule in ("count", "share"):
            check_condition(f"{where}.numerator", indicator.numerator)
            if indicator.denominator:
                problems.append(f"{where}.denominator: chỉ tiêu {indicator.rule} đếm đơn vị trong 'eligible', "
                                "không dùng 'denominator'; hãy bỏ khóa này")
            eligible = indicator.eligible
            if eligible and eligible.kind not in kinds:
                problems.append(f"{where}.eligible.kind: loại đơn vị '{eligible.kind}' không có trong unit_kinds")
            elif eligible and eligible.kind != indicator.reporter:
                problems.append(f"{where}.eligible.kind: '{eligible.kind}' khác reporter '{indicator.reporter}'; "
                                "chỉ đếm được các đơn vị tự báo cáo chỉ tiêu này")
            for level in eligible.levels if eligible else ():
                if level not in levels:
                    problems.append(f"{where}.eligible.levels: cấp học '{level}' không có trong levels")
        else:
            for key in ("numerator", "denominator"):
                text = getattr(indicator, key)
                if not text:
                    continue
                try:
                    expression = getattr(indicator, f"{key}_sum")
                except ExpressionError as exc:
                    problems.append(f"{where}.{key}: {exc}")
                    continue
                check_sum(f"{where}.{key}", expression)
        for code in sorted(indicator_fields(indicator) & set(fields)):
            if fields[code].reporter != indicator.reporter:
                problems.append(f"{where}: trường '{code}' do loại đơn vị '{fields[code].reporter}' nhập, "
                                f"không phải '{indicator.reporter}' (reporter của chỉ tiêu)")
        for level in indicator.target_by_level:
            if level not in levels:
                problems.append(f"{where}.target_by_level: cấp học '{level}' không có trong levels")
        for target in [indicator.target, *indicator.target_by_level.values(), indicator.print]:
            if isinstance(target, dict):
                for code in target:
                    if code not in period_codes:
                        problems.append(f"{where}: kỳ '{code}' không có trong period.targets ({', '.join(sorted(period_codes))})")
        for period in plan.period.target_periods:
            for level in [None, *indicator.target_by_level]:
                target = indicator.target_for(period.code, level)
                if target is not None and target.kind == "count" and indicator.rule not in ("count", "share"):
                    problems.append(f"{where}: chỉ tiêu “{target.text}” đếm số đơn vị, chỉ dùng được cho chỉ tiêu "
                                    f"count hoặc share (đếm đơn vị đạt điều kiện), không cho {indicator.rule}")
        if indicator.part_of and indicator.part_of not in {i.code for i in plan.indicators}:
            problems.append(f"{where}.part_of: chỉ tiêu '{indicator.part_of}' không có trong indicators")
    known = {i.code for i in plan.indicators}
    for stem in sorted(seen_twice([a.stem for a in plan.annexes])):
        problems.append(f"annexes: hai phụ lục cùng ghi ra tệp {stem}; hãy đặt số phụ lục (numeral) khác nhau")
    for i, annex in enumerate(plan.annexes):
        if annex.signed and not plan.issuer.signature:
            problems.append(f"annexes[{i}] ({annex.numeral}).signed: cần khai báo issuer.signature (khối chữ ký, "
                            "ví dụ [TM. ỦY BAN NHÂN DÂN, CHỦ TỊCH])")
        if annex.kind == "breakdown" and annex.by == "commune" and not plan.area.group_kind:
            problems.append(f"annexes[{i}] ({annex.numeral}).by: phụ lục theo xã cần khai báo area.group_kind "
                            "(loại đơn vị dùng để nhóm, ví dụ xa)")
        for code in annex.fields:
            field = fields.get(code)
            where = f"annexes[{i}] ({annex.numeral}).fields"
            if annex.kind != "breakdown" or annex.by != "commune":
                problems.append(f"{where}: chỉ phụ lục breakdown theo xã (by: commune) mới có cột trường số liệu")
            elif field is None:
                problems.append(f"{where}: trường '{code}' không có trong fields")
            elif field.kind == "grid" or field.reporter != plan.area.group_kind:
                problems.append(f"{where}: '{code}' phải là một ô do chính xã nhập (reporter '{plan.area.group_kind}'), "
                                "không phải bảng")
        for code in annex.indicators:
            if code not in known:
                problems.append(f"annexes[{i}] ({annex.numeral}).indicators: chỉ tiêu '{code}' không có trong indicators")
    for i, group in enumerate(plan.agencies.groups):
        if group.kind not in kinds:
            problems.append(f"agencies.groups[{i}].kind: loại đơn vị '{group.kind}' không có trong unit_kinds")
        for level in group.levels:
            if level not in levels:
                problems.append(f"agencies.groups[{i}].levels: cấp học '{level}' không có trong levels")
    return problems
