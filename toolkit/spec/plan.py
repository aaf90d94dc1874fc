"""The root of a plan spec, and what applies to which unit (its cross-reference checks: `toolkit.spec.references`)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import NamedTuple, Union

from pydantic import PrivateAttr, ValidationInfo, model_validator

from toolkit.spec.names import TASK_COLUMNS, TASK_STATUSES, grid_name, task_id, task_label
from toolkit.spec.references import plan_error, reference_problems
from toolkit.spec.units import Unit
from toolkit.core.numbers import recurring_date
from toolkit.spec.expressions import Comparison, Sum, Term
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
    Report,
    Strict,
    TaskField,
    TaskList,
    UnitKind,
    spec_hash,
)


SPEC_VERSION = 1


class ComparedNames(NamedTuple):
    """One check of a field as the defined names its two sides add up, for one unit (and grid row)."""

    check: Comparison
    left: list[str]
    right: list[str]
    at: str  # the name a broken check is reported on: the field, or the row's first cell on the left


class Plan(Strict):
    """One validated, frozen plan: the document it is attached to and who issues it, the period and
    deadlines, the area and the kinds of unit that report, the fields each unit fills in, the
    indicators computed from them, the annexes to print and the task matrix.

    Its methods answer what the later stages ask of it: which fields, rows and defined names a unit's
    template has (`fields_for`, `rows_for`, `input_names`), which names a sum or a term adds up for a
    unit and level (`sum_names`, `term_names`), whether a unit counts towards an indicator
    (`in_scope`), and the template `version` returned workbooks are matched against. A plan whose
    parts point at each other wrongly never exists: validation raises `PlanError` with every problem.
    """

    spec_version: int = SPEC_VERSION
    code: str
    document: Document
    report: Report = Report()  # the round's report, for the results annexes
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
        # Raised as is (pydantic wraps only ValueError): each problem keeps its own key path.
        problems = reference_problems(self, str(self._path))
        if problems:
            raise plan_error(problems, self._path)
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
                            task_label=task_label(group.numeral, task.tt, task_number),
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

    def template_shape(self, unit: Unit) -> tuple:
        """What a unit's template depends on: units of the same shape get the same fields, rows, names
        and checks, so a lookup made for one holds for all (a province's 10,000 units have a few dozen)."""
        named = unit.code if unit.code in self._named_units else ""
        return unit.kind, unit.levels, unit.tasks, named

    @cached_property
    def shape_cache(self) -> dict:
        """Per-shape lookups (key: a name for the lookup, then `template_shape`), asked for every file read."""
        return {}

    @cached_property
    def _named_units(self) -> frozenset[str]:
        """Units some field names as the only ones to fill it in."""
        return frozenset(code for field in self.fields for code in field.units)

    def _unit_fields(self, unit: Unit) -> tuple[list[Field], frozenset[str]]:
        key = ("fields", *self.template_shape(unit))
        found = self.shape_cache.get(key)
        if found is None:
            fields = [f for f in [*self.fields, *self.task_fields] if _field_applies(f, unit)]
            found = self.shape_cache[key] = (fields, frozenset(f.code for f in fields))
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
        key = ("names", *self.template_shape(unit))
        names = self.shape_cache.get(key)
        if names is None:
            names = self.shape_cache[key] = []
            for field in self.fields_for(unit):
                if field.kind == "grid":
                    for row in self.rows_for(field, unit):
                        names.extend(grid_name(field.code, row.key, col.key) for col in field.columns)
                else:
                    names.append(field.code)
        return list(names)

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

    def compared_names(self, field: Field, unit: Unit, grid_row: str | None = None) -> list[ComparedNames]:
        """What each check of a field compares for a unit: the template's formulas, the reader's
        checks and the sample returns all ask here.

        A grid's checks compare its columns row by row (only `grid_row`, if given); a check that
        omits its left side compares the field itself; a check naming a field the unit does not
        have is left out.
        """
        found = []
        for check in field.parsed_checks:
            if field.kind == "grid":
                rows = [grid_row] if grid_row is not None else [r.key for r in self.rows_for(field, unit)]
                for row in rows:
                    left = [grid_name(field.code, row, t.field) for t in check.left.terms]
                    right = [grid_name(field.code, row, t.field) for t in check.right.terms]
                    found.append(ComparedNames(check, left, right, left[0]))
                continue
            left = [field.code] if check.left is None else self.sum_names(check.left, unit)
            right = self.sum_names(check.right, unit)
            if left is not None and right is not None:
                found.append(ComparedNames(check, left, right, field.code))
        return found

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
