"""Verdicts from the figures as printed, so that "Đánh giá" never contradicts the cells beside it.

A result is judged on its figure rounded the way the annex prints it, against the target as the
annex prints it: the gap is the printed result minus the printed target, and "Đạt" holds exactly
when those two printed figures meet the target's direction. A count target ("60/73 trường") is
judged on the count of units. The round's year picks the target: that of the period containing it;
a target of a period ending later is shown as progress toward it, never as a failure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from toolkit.aggregate.compute import Result
from toolkit.core.numbers import fmt_number, round_half_up
from toolkit.spec.expressions import compare
from toolkit.spec.model import Indicator
from toolkit.spec.plan import Plan
from toolkit.spec.targets import AT_LEAST, Target

PERCENT_RULES = ("ratio", "share")


@dataclass(frozen=True)
class Verdict:
    period: str  # code of the target period judged against ("" when the result has no target)
    achieved: bool | None  # None: nothing judged (no data, a text target, a later period's target not yet met)
    text: str  # "Đạt", "Chưa đạt (thiếu 0,01 điểm %)", "Đạt 92% mục tiêu năm 2030", ""


def evaluation_period(plan: Plan) -> str:
    """The target period containing the round's year: the first one ending in or after it.

    A 2022 result of a 2021-2025 / 2026-2030 plan is read against the 2025 target.
    """
    periods = plan.period.target_periods
    for period in periods:
        if not period.code.isdigit() or int(period.code) >= plan.plan_year:
            return period.code
    return periods[-1].code


def judged_period(plan: Plan, result: Result) -> str:
    """The period whose target a result is read against: the evaluation period, or the first later
    one for which the plan sets this result a target ("" when it has none)."""
    codes = [p.code for p in plan.period.target_periods]
    later = codes[codes.index(evaluation_period(plan)):]
    return next((code for code in later if result.targets.get(code) is not None), "")


def unit_word(plan: Plan, indicator: Indicator) -> str:
    """What a count is counted in: the plural of the units counted ("trường"), else the indicator's unit."""
    kind = indicator.eligible.kind if indicator.eligible else indicator.reporter
    return plan.unit_kinds[kind].plural if kind in plan.unit_kinds else indicator.unit


def result_decimals(indicator: Indicator) -> int:
    """Decimals a result is printed with: a rate at the indicator's decimals, a number or count whole."""
    return indicator.decimals if indicator.rule in PERCENT_RULES else 0


def printed_result(result: Result, target: Target | None = None) -> Decimal | None:
    """The figure judged, as printed: units counted for a count target, else the value rounded."""
    if result.value is None:
        return None
    if result.indicator.rule in ("count", "share") and target is not None and target.kind == "count":
        return Decimal(int(result.numerator))
    return round_half_up(result.value, result_decimals(result.indicator))


def printed_target(indicator: Indicator, target: Target) -> Decimal:
    """The target as printed: as written, or a plain number rounded as `fmt_target` prints it."""
    if target.text:
        return Decimal(str(target.value))
    return round_half_up(target.value, result_decimals(indicator))


def judge(plan: Plan, result: Result) -> Verdict:
    """The verdict of one result against the target of its round."""
    period = judged_period(plan, result)
    target = result.targets.get(period)
    shown = printed_result(result, target)
    if target is None or not target.judged or shown is None:
        return Verdict(period, None, "")
    low = printed_target(result.indicator, target)
    met = (low <= shown <= Decimal(str(target.upper))) if target.kind == "range" else \
        compare(shown, target.direction, low)
    if period.isdigit() and int(period) > plan.plan_year:
        return _progress(period, target, shown, low, met)
    if met:
        ahead = target.kind not in ("range", "level") and target.direction in AT_LEAST and shown > low
        return Verdict(period, True, f"Đạt (vượt {_amount(plan, result, target, shown - low)})" if ahead else "Đạt")
    if target.kind == "level":
        reached = f"mới đạt mức độ {fmt_number(float(shown), 0)}" if shown > 0 else "chưa đạt mức độ nào"
        return Verdict(period, False, f"Chưa đạt ({reached})")
    if shown == low:  # a strict target ("trên 99,7%") met only exactly
        return Verdict(period, False, "Chưa đạt (mới bằng chỉ tiêu)")
    if target.kind == "range":
        short = shown < low
        gap = low - shown if short else shown - Decimal(str(target.upper))
    else:
        short = target.direction in AT_LEAST
        gap = abs(shown - low)
    return Verdict(period, False, f"Chưa đạt ({'thiếu' if short else 'vượt'} {_amount(plan, result, target, gap)})")


def _progress(period: str, target: Target, shown: Decimal, low: Decimal, met: bool) -> Verdict:
    """A target of a later year: how far the round has come toward it."""
    goal = f"mục tiêu năm {period}"
    if met:
        return Verdict(period, True, f"Đã đạt {goal}")
    if target.kind in ("value", "count") and target.direction in AT_LEAST and low > 0:
        # Rounded down, so that "100%" is never printed for a target not yet reached.
        return Verdict(period, None, f"Đạt {math.floor(shown * 100 / low)}% {goal}")
    return Verdict(period, None, f"Chưa đến kỳ đánh giá {goal}")


def _amount(plan: Plan, result: Result, target: Target, gap: Decimal) -> str:
    """A gap in what it is counted in: '0,01 điểm %', '7 trường', '12 người'."""
    indicator = result.indicator
    if target.kind == "count" or indicator.rule == "count":
        return f"{fmt_number(float(gap), 0)} {unit_word(plan, indicator)}".strip()
    decimals = max(result_decimals(indicator), target.decimals)
    number = fmt_number(float(gap), decimals)
    return f"{number} điểm %" if indicator.rule in PERCENT_RULES else f"{number} {indicator.unit}".strip()
