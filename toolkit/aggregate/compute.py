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


def scopes(plan: Plan, roster: Roster) -> list[tuple[str, str, str, str | None]]:
    """(scope, code, name, level) for the area, each commune, each level."""
    found = [("district", "", plan.area.total_label, None)]
    for group in roster.of_kind(plan.area.group_kind) if plan.area.group_kind else []:
        found.append(("commune", group.code, group.name, None))
    # Every unit may count at a level: a school at the levels it teaches, a commune through the
    # rows of its survey grids (see `counts_at_level`).
    found += [("level", level, label, level) for level, label in plan.levels.items()]
    return found


def compute(plan: Plan, roster: Roster, returns: Mapping[str, UnitReturn]) -> list[Result]:
    """Every indicator for every scope it is reported in.

    Levels only for indicators with per-level targets (those levels) or shown in an annex broken
    down by level (every level).
    """
    by_level = {code for annex in plan.annexes if annex.kind == "breakdown" and annex.by == "level"
                for code in (annex.indicators or plan.indicator_by_code)}
    area = scopes(plan, roster)
    communes = {code for scope, code, _, _ in area if scope == "commune"}
    shapes = {unit.code: _shape(plan, unit) for unit in roster}
    results = []
    for indicator in plan.indicators:
        levels = [] if indicator.rule == "text" else [
            level for level in plan.levels if level in indicator.target_by_level or indicator.code in by_level]
        sums = _sums(plan, indicator, roster, returns, communes, levels, shapes)
        for scope, code, name, level in area:
            if scope == "level" and level not in levels:
                continue
            result = result_from_sums(plan, indicator, scope, code, name, level, *sums.get((scope, code), _NOTHING))
            if scope != "level" or result.expected:  # no level row where no unit reports at that level
                results.append(result)
    return results


_NOTHING = (0.0, 0.0, 0, 0, 0, ())


def _shape(plan: Plan, unit: Unit) -> tuple:
    """What decides which names a unit reads for any indicator: its template's shape (hence its fields
    and rows) and its tags (an indicator's eligible units). A province has thousands of alike schools;
    what they read is worked out once per shape."""
    return plan.template_shape(unit), unit.tags


@dataclass(frozen=True)
class _Reads:
    """The names one shape of unit reads for an indicator: for the whole unit, and for each level it
    counts at (a condition's fields, or a sum's numerator and denominator names)."""

    whole: tuple[tuple[str, ...], tuple[str, ...]]
    levels: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]


def _reads(plan: Plan, indicator: Indicator, unit: Unit, levels: list[str]) -> _Reads | None:
    """What a unit of this shape reads; None when it is not in the indicator's scope."""
    if not plan.in_scope(indicator, unit):
        return None

    def names(level: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if indicator.rule == "text":
            return (), ()
        if indicator.condition is not None:
            return tuple(c.field for c in indicator.condition.clauses if plan.applies(plan.field_by_code[c.field], unit)), ()
        top = plan.sum_names(indicator.numerator_sum, unit, level) or []
        bottom = (plan.sum_names(indicator.denominator_sum, unit, level) or []) if indicator.denominator_sum else []
        return tuple(top), tuple(bottom)

    # A condition holds or not for the whole unit; a sum takes the rows of that level.
    return _Reads(names(None), {level: names(level if indicator.condition is None else None)
                                for level in levels if counts_at_level(plan, indicator, unit, level)})


def _sums(plan: Plan, indicator: Indicator, roster: Roster, returns: Mapping[str, UnitReturn], communes: set[str],
          levels: list[str], shapes: dict[str, tuple]) -> dict[tuple[str, str], list]:
    """(scope, code) -> [Σnumerator, Σdenominator, units expected, reported, excluded], in one pass
    over the roster: each unit is looked at once and added to the area, its commune and its levels,
    so the cost grows with the units, not with units × communes."""
    sums: dict[tuple[str, str], list] = {}
    reads_of: dict[tuple, _Reads | None] = {}

    def add(key: tuple[str, str], state: str, numerator: float, denominator: float, text: tuple[str, str] | None = None) -> None:
        total = sums.setdefault(key, [0.0, 0.0, 0, 0, 0, []])
        total[0] += numerator
        total[1] += denominator
        total[2] += 1
        total[3] += state == "reported"
        total[4] += state == "excluded"
        if text:
            total[5].append(text)

    for unit in roster:
        shape = shapes[unit.code]
        if shape not in reads_of:
            reads_of[shape] = _reads(plan, indicator, unit, levels)
        reads = reads_of[shape]
        if reads is None:
            continue
        sent = returns.get(unit.code)
        whole = _contribution(plan, indicator, reads.whole, sent)
        reported_text = sent.values.get(indicator.numerator) if indicator.rule == "text" and whole[0] == "reported" else None
        text = (unit.name, str(reported_text)) if reported_text else None
        add(("district", ""), *whole, text)
        if unit.commune in communes:
            add(("commune", unit.commune), *whole, text)
        for level, names in reads.levels.items():
            add(("level", level), *(whole if indicator.condition is not None else _contribution(plan, indicator, names, sent)))
    return sums


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


def _usable(values: UnitReturn, names: tuple[str, ...]) -> bool:
    return all(n in values.values and n not in values.failed for n in names)


def _contribution(plan: Plan, indicator: Indicator, names: tuple[tuple[str, ...], tuple[str, ...]],
                  sent: UnitReturn | None) -> tuple[str, float, float]:
    """What one unit in scope adds, given the names it reads (`_reads`): ('silent' | 'excluded' |
    'reported', numerator, denominator).

    For count and share the denominator is the unit itself (1): every unit in scope counts there,
    reported or not. A text indicator adds no figures; its texts are gathered by `_sums`.
    """
    if indicator.rule == "text":
        if sent is None:
            return "silent", 0.0, 0.0
        return ("excluded" if indicator.numerator in sent.failed else "reported"), 0.0, 0.0
    if indicator.condition is not None:
        if sent is None:
            return "silent", 0.0, 1.0
        if any(n in sent.failed for n in names[0]):
            return "excluded", 0.0, 1.0
        holds = all(clause_holds(c, sent.values.get(c.field), plan.plan_year) for c in indicator.condition.clauses)
        return "reported", 1.0 if holds else 0.0, 1.0
    if sent is None:
        return "silent", 0.0, 0.0
    top, bottom = names
    if not (_usable(sent, top) and _usable(sent, bottom)):
        return "excluded", 0.0, 0.0
    return "reported", sum(sent.values[n] for n in top), sum(sent.values[n] for n in bottom)


def result_from_sums(plan: Plan, indicator: Indicator, scope: str, code: str, name: str, level: str | None,
                     numerator: float, denominator: float, expected: int, reported: int, excluded: int,
                     texts: tuple[tuple[str, str], ...] = ()) -> Result:
    """The result of one scope from the sums over its units: Σnumerator, Σdenominator (for count and
    share: the units in scope), units expected, reported, excluded.

    A roll-up adds the parts' sums and comes here too, so that it equals one aggregation of all units.
    """
    if indicator.rule == "text":
        # One unit's own level ("Mức độ 2", the district's PCGD level) is judged against a level target.
        level_reported = level_of(texts[0][1]) if len(texts) == 1 else None
        value = float(level_reported) if level_reported is not None else None
    elif not reported:  # nobody in scope has reported: no data, not "0 of n"
        value = None
    elif indicator.rule == "share":
        value = 100 * numerator / denominator
    elif indicator.rule == "ratio":
        value = 100 * numerator / denominator if denominator else None
    else:
        value = numerator
    if indicator.rule == "ratio":
        denominator = denominator if reported else None  # nobody reported: no "0" to show either
    elif indicator.rule in ("sum", "text"):
        denominator = None
    # A rate target holds in every commune; a total (112 people, 7 communes) is the area's alone.
    # A count of units ("60/73 trường") is the area's too, even on a share indicator; so is a total.
    targets = {p.code: indicator.target_for(p.code, level) for p in plan.period.target_periods}
    if scope not in ("district", "level"):  # a commune, or a part of a roll-up
        targets = {code: target if indicator.rule in ("ratio", "share") and target is not None and target.kind != "count"
                   else None for code, target in targets.items()}
    return Result(indicator, scope, code, name, value, numerator if reported and indicator.rule != "text" else None,
                  denominator, expected, reported, excluded, targets, tuple(texts))
