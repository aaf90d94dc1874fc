"""Cross-reference checks of a plan: every code one part of the plan names must exist in another.

Each problem is a `Problem` at the key path of what points nowhere (`fields[3].reporter`), raised
together by the `Plan` validator once every part of the plan has its own shape.
"""

from __future__ import annotations

from toolkit.core.errors import Location, PlanError, Problem
from toolkit.spec.expressions import PLAN_YEAR, ExpressionError, Sum, parse_comparison, parse_condition
from toolkit.spec.model import Field, Indicator
from toolkit.spec.names import grid_name


def plan_error(problems: list[Problem], path: object) -> PlanError:
    """The one error of a plan file with problems, its heading naming the file."""
    return PlanError(problems, f"Tệp kế hoạch {path} không hợp lệ:")


def indicator_fields(indicator: Indicator) -> set[str]:
    """Field codes an indicator reads; empty when one of its expressions does not parse."""
    try:
        return indicator.input_fields()
    except ExpressionError:
        return set()


def reference_problems(plan, file: str) -> list[Problem]:
    """Every reference in `plan` (a `toolkit.spec.plan.Plan`, whose validator calls this) that points
    nowhere, located in `file`."""
    problems: list[Problem] = []
    kinds, levels = set(plan.unit_kinds), set(plan.levels)
    fields = {f.code: f for f in plan.fields}

    def add(code: str, key: str, item: str = "", /, **params: object) -> None:
        problems.append(Problem(code, Location(file=file, key=key, item=item), params))

    def seen_twice(codes: list[str]) -> list[str]:
        return sorted({c for c in codes if codes.count(c) > 1})

    for code in seen_twice([f.code for f in plan.fields]):
        add("plan-duplicate-field", "fields", code=code)
    for code in seen_twice([i.code for i in plan.indicators]):
        add("plan-duplicate-indicator", "indicators", code=code)
    all_names = [n for f in plan.fields for n in ([f.code] if f.kind != "grid" else [grid_name(f.code, r.key, c.key) for r in f.rows for c in f.columns])]
    for name in seen_twice(all_names):
        add("plan-duplicate-name", "fields", name=name)
    submission, report = plan.deadlines.submission, plan.deadlines.report
    if submission and report and report < submission:
        add("plan-deadline-order", "deadlines.report", report=f"{report:%d/%m/%Y}", submission=f"{submission:%d/%m/%Y}")
    if plan.area.group_kind and plan.area.group_kind not in kinds:
        add("plan-unknown-kind", "area.group_kind", kind=plan.area.group_kind)

    def check_sum(key: str, item: str, expression: Sum, grid: Field | None = None) -> None:
        for term in expression.terms:
            if grid is not None:  # inside a grid, checks compare its columns row by row
                if term.is_grid or term.field not in {c.key for c in grid.columns}:
                    add("plan-not-grid-column", key, item, name=term.field, grid=grid.code)
                continue
            field = fields.get(term.field)
            if field is None:
                add("plan-unknown-field", key, item, field=term.field)
            elif field.kind == "grid" and not term.is_grid:
                add("plan-grid-needs-cell", key, item, field=term.field, column=field.columns[0].key)
            elif field.kind != "grid" and term.is_grid:
                add("plan-not-a-grid", key, item, field=term.field)
            elif field.kind in ("choice", "text"):
                add("plan-not-numeric", key, item, field=term.field)
            elif term.is_grid:
                if term.column not in {c.key for c in field.columns}:
                    add("plan-unknown-grid-column", key, item, field=field.code, column=term.column)
                for row in term.rows or ():
                    if row not in {r.key for r in field.rows}:
                        add("plan-unknown-grid-row", key, item, field=field.code, row=row)

    def check_condition(key: str, item: str, text: str) -> None:
        try:
            condition = parse_condition(text)
        except ExpressionError as exc:
            add(exc.code, key, item, **exc.params)
            return
        for clause in condition.clauses:
            field = fields.get(clause.field)
            if field is None:
                add("plan-unknown-field", key, item, field=clause.field)
            elif field.kind == "choice":
                for value in clause.values:
                    if value not in field.choices:
                        add("plan-unknown-choice", key, item, value=value, field=field.code, choices="; ".join(field.choices))
            elif field.kind == "year" and any(v != PLAN_YEAR and not v.isdigit() for v in clause.values):
                add("plan-bad-year-value", key, item, field=field.code)

    for i, field in enumerate(plan.fields):
        where, item = f"fields[{i}]", field.code
        if field.reporter not in kinds:
            add("plan-unknown-kind", f"{where}.reporter", item, kind=field.reporter)
        for level in field.levels:
            if level not in levels:
                add("plan-unknown-level", f"{where}.levels", item, level=level)
        for j, row in enumerate(field.rows):
            if row.level and row.level not in levels:
                add("plan-unknown-level", f"{where}.rows[{j}].level", item, level=row.level)
        for j, text in enumerate(field.checks):
            key = f"{where}.checks[{j}]"
            try:
                comparison = parse_comparison(text)
            except ExpressionError as exc:
                add(exc.code, key, item, **exc.params)
                continue
            grid = field if field.kind == "grid" else None
            if comparison.left is None and grid is not None:
                add("plan-grid-check-one-side", key, item)
            for side in (comparison.left, comparison.right):
                if side is not None:
                    check_sum(key, item, side, grid)
        if field.required_if:
            check_condition(f"{where}.required_if", item, field.required_if)

    period_codes = {p.code for p in plan.period.target_periods}
    for i, indicator in enumerate(plan.indicators):
        where, item = f"indicators[{i}]", indicator.code
        if indicator.reporter not in kinds:
            add("plan-unknown-kind", f"{where}.reporter", item, kind=indicator.reporter)
        if indicator.rule == "text":
            field = fields.get(indicator.numerator)
            if field is None or field.kind not in ("text", "choice"):
                add("plan-text-needs-text-field", f"{where}.numerator", item, field=indicator.numerator)
            if indicator.denominator:
                add("plan-text-with-denominator", f"{where}.denominator", item)
        elif indicator.rule in ("count", "share"):
            check_condition(f"{where}.numerator", item, indicator.numerator)
            if indicator.denominator:
                add("plan-share-with-denominator", f"{where}.denominator", item, rule=indicator.rule)
            eligible = indicator.eligible
            if eligible and eligible.kind not in kinds:
                add("plan-unknown-kind", f"{where}.eligible.kind", item, kind=eligible.kind)
            elif eligible and eligible.kind != indicator.reporter:
                add("plan-eligible-other-kind", f"{where}.eligible.kind", item, kind=eligible.kind, reporter=indicator.reporter)
            for level in eligible.levels if eligible else ():
                if level not in levels:
                    add("plan-unknown-level", f"{where}.eligible.levels", item, level=level)
        else:
            for key in ("numerator", "denominator"):
                if not getattr(indicator, key):
                    continue
                try:
                    expression = getattr(indicator, f"{key}_sum")
                except ExpressionError as exc:
                    add(exc.code, f"{where}.{key}", item, **exc.params)
                    continue
                check_sum(f"{where}.{key}", item, expression)
        for code in sorted(indicator_fields(indicator) & set(fields)):
            if fields[code].reporter != indicator.reporter:
                add("plan-field-of-other-reporter", where, item, field=code, kind=fields[code].reporter, reporter=indicator.reporter)
        for level in indicator.target_by_level:
            if level not in levels:
                add("plan-unknown-level", f"{where}.target_by_level", item, level=level)
        for target in [indicator.target, *indicator.target_by_level.values(), indicator.print]:
            if isinstance(target, dict):
                for code in target:
                    if code not in period_codes:
                        add("plan-unknown-period", where, item, period=code, periods=", ".join(sorted(period_codes)))
        for period in plan.period.target_periods:
            for level in [None, *indicator.target_by_level]:
                target = indicator.target_for(period.code, level)
                if target is not None and target.kind == "count" and indicator.rule not in ("count", "share"):
                    add("plan-count-target-not-count", where, item, target=target.text, rule=indicator.rule)
        if indicator.part_of and indicator.part_of not in {i.code for i in plan.indicators}:
            add("plan-unknown-indicator", f"{where}.part_of", item, indicator=indicator.part_of)
    known = {i.code for i in plan.indicators}
    for stem in seen_twice([a.stem for a in plan.annexes]):
        add("plan-annex-same-file", "annexes", stem=stem)
    for i, annex in enumerate(plan.annexes):
        where, item = f"annexes[{i}]", annex.numeral
        if annex.signed and not plan.issuer.signature:
            add("plan-annex-needs-signature", f"{where}.signed", item)
        if annex.kind == "breakdown" and annex.by == "commune" and not plan.area.group_kind:
            add("plan-annex-needs-group-kind", f"{where}.by", item)
        for code in annex.fields:
            field = fields.get(code)
            if annex.kind != "breakdown" or annex.by != "commune":
                add("plan-annex-fields-not-breakdown", f"{where}.fields", item)
            elif field is None:
                add("plan-unknown-field", f"{where}.fields", item, field=code)
            elif field.kind == "grid" or field.reporter != plan.area.group_kind:
                add("plan-annex-field-not-own", f"{where}.fields", item, field=code, kind=plan.area.group_kind)
        for code in annex.indicators:
            if code not in known:
                add("plan-unknown-indicator", f"{where}.indicators", item, indicator=code)
    for i, group in enumerate(plan.agencies.groups):
        if group.kind not in kinds:
            add("plan-unknown-kind", f"agencies.groups[{i}].kind", kind=group.kind)
        for level in group.levels:
            if level not in levels:
                add("plan-unknown-level", f"agencies.groups[{i}].levels", level=level)
    return problems
