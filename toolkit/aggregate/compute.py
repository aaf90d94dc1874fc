"""Indicator results from the accepted returns: for the whole area, each commune, each level.

Definitions (../shared/domain/README.md): `ratio` = 100 × Σnumerator ÷ Σdenominator over the
reporting units in scope, never an average of unit percentages; `sum` = Σnumerator; `count` =
eligible reporting units meeting the condition; `share` = 100 × count ÷ eligible units in the
roster (non-reporting units count as not meeting it), and no result at all where none of them has
reported; `text` = what the responsible units wrote (no figure). A unit is left out of exactly those
indicators whose inputs include a value that failed a check. Verdicts: `toolkit.aggregate.judging`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from toolkit.collect.records import UnitReturn
from toolkit.spec.expressions import clause_holds
from toolkit.spec.model import Indicator
from toolkit.spec.plan import Plan
from toolkit.spec.targets import Target, level_of
from toolkit.spec.units import Roster, Unit


@dataclass(frozen=True)
class Result:
    indicator: Indicator
    scope: str  # 'district' | 'commune' | 'level'
    scope_code: str  # '' for the district
    scope_name: str
    value: float | None  # unrounded; percent for ratio and share; None without data
    numerator: float | None
    denominator: float | None
    expected: int  # units in scope
    reported: int  # units that contributed
    excluded: int  # units left out for a failed or missing value
    targets: dict[str, Target | None] = field(default_factory=dict)  # period code -> target
    texts: tuple[tuple[str, str], ...] = ()  # a text indicator: (unit name, what it reported)


def scopes(plan: Plan, roster: Roster) -> list[tuple[str, str, str, list[Unit], str | None]]:
    """(scope, code, name, member units, level) for the area, each commune, each level."""
    found = [("district", "", plan.area.total_label, list(roster), None)]
    for group in roster.of_kind(plan.area.group_kind) if plan.area.group_kind else []:
        found.append(("commune", group.code, group.name, [u for u in roster if u.commune == group.code], None))
    for level, label in plan.levels.items():
        # Every unit may count at a level: a school at the levels it teaches, a commune through the
        # rows of its survey grids (see `counts_at_level`).
        found.append(("level", level, label, list(roster), level))
    return found


def compute(plan: Plan, roster: Roster, returns: Mapping[str, UnitReturn]) -> list[Result]:
    """Every indicator for every scope it is reported in.

    Levels only for indicators with per-level targets (those levels) or shown in an annex broken
    down by level (every level).
    """
    by_level = {code for annex in plan.annexes if annex.kind == "breakdown" and annex.by == "level"
                for code in (annex.indicators or plan.indicator_by_code)}
    results = []
    for indicator in plan.indicators:
        for scope, code, name, members, level in scopes(plan, roster):
            if scope == "level" and level not in indicator.target_by_level and indicator.code not in by_level:
                continue
            result = _one(plan, indicator, scope, code, name, members, level, returns)
            if scope != "level" or result.expected:  # no level row where no unit reports at that level
                results.append(result)
    return results


def counts_at_level(plan: Plan, indicator: Indicator, unit: Unit, level: str) -> bool:
    """Whether a unit contributes to an indicator at one level.

    A grid counts by its rows of that level; a single value, and so a condition on one, counts
    at the unit's primary level (`Plan.primary_level`), so that the levels add up to the whole.
    """
    if indicator.condition is not None:
        fields = [plan.field_by_code[c.field] for c in indicator.condition.clauses]
        applicable = [f for f in fields if plan.applies(f, unit)]
        return bool(applicable) and plan.primary_level(applicable[0], unit) == level
    names = [*(plan.sum_names(indicator.numerator_sum, unit, level) or [])]
    if indicator.denominator_sum:
        names += plan.sum_names(indicator.denominator_sum, unit, level) or []
    return bool(names)


def _usable(values: UnitReturn, names: list[str]) -> bool:
    return all(n in values.values and n not in values.failed for n in names)


def _one(plan: Plan, indicator: Indicator, scope: str, code: str, name: str, members: list[Unit],
         level: str | None, returns: Mapping[str, UnitReturn]) -> Result:
    in_scope = [u for u in members if plan.in_scope(indicator, u)
                and (level is None or counts_at_level(plan, indicator, u, level))]
    reported = excluded = 0
    numerator = denominator = 0.0
    texts = []
    if indicator.rule == "text":
        for unit in in_scope:
            sent = returns.get(unit.code)
            if sent is None:
                continue
            if indicator.numerator in sent.failed:
                excluded += 1
                continue
            reported += 1
            if sent.values.get(indicator.numerator):
                texts.append((unit.name, str(sent.values[indicator.numerator])))
        # One unit's own level ("Mức độ 2", the district's PCGD level) is judged against a level target.
        value = float(level_of(texts[0][1])) if len(texts) == 1 and level_of(texts[0][1]) is not None else None
        denominator = None
    elif indicator.condition is not None:
        for unit in in_scope:
            sent = returns.get(unit.code)
            if sent is None:
                continue
            names = [c.field for c in indicator.condition.clauses if plan.applies(plan.field_by_code[c.field], unit)]
            if any(n in sent.failed for n in names):
                excluded += 1
                continue
            reported += 1
            if all(clause_holds(c, sent.values.get(c.field), plan.plan_year) for c in indicator.condition.clauses):
                numerator += 1
        denominator = float(len(in_scope))
        if not reported:  # nobody in scope has reported: no data, not "0 of n"
            value = None
        elif indicator.rule == "share":
            value = 100 * numerator / denominator
        else:
            value = numerator
    else:
        for unit in in_scope:
            sent = returns.get(unit.code)
            if sent is None:
                continue
            top = plan.sum_names(indicator.numerator_sum, unit, level) or []
            bottom = (plan.sum_names(indicator.denominator_sum, unit, level) or []) if indicator.denominator_sum else []
            if not _usable(sent, top + bottom):
                excluded += 1
                continue
            reported += 1
            numerator += sum(sent.values[n] for n in top)
            denominator += sum(sent.values[n] for n in bottom)
        if indicator.rule == "ratio":
            value = 100 * numerator / denominator if reported and denominator else None
            denominator = denominator if reported else None  # nobody reported: no "0" to show either
        else:
            value = numerator if reported else None
            denominator = None
    # A rate target holds in every commune; a total (112 people, 7 communes) is the area's alone.
    # A count of units ("60/73 trường") is the area's too, even on a share indicator.
    targets = {p.code: indicator.target_for(p.code, level) for p in plan.period.target_periods}
    if scope == "commune":
        targets = {code: target if indicator.rule in ("ratio", "share") and target is not None and target.kind != "count"
                   else None for code, target in targets.items()}
    return Result(indicator, scope, code, name, value, numerator if reported and indicator.rule != "text" else None,
                  denominator, len(in_scope), reported, excluded, targets, tuple(texts))
