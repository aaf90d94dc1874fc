"""Phụ lục I (targets vs results) and Phụ lục II (breakdown) as writer-neutral tables (pure)."""

from __future__ import annotations

from typing import Mapping

from toolkit.aggregate.compute import Result
from toolkit.collect.records import UnitReturn
from toolkit.annex.document import MERGE_LEFT, MERGE_UP, AnnexTable, Cell, Row, heading, mark_notes
from toolkit.core.text import place_name
from toolkit.spec.model import Annex, Field, Indicator
from toolkit.aggregate.judging import PERCENT_RULES, evaluation_period, judge, unit_word
from toolkit.core.numbers import (
    NO_DATA,
    NOT_APPLICABLE,
    fmt_count_share,
    fmt_number,
    fmt_percent,
    fmt_ratio,
    round_half_up,
)
from toolkit.spec.plan import Plan
from toolkit.spec.targets import Target

NO_LEVEL = "Chưa đạt chuẩn"  # a level figure of 0 ("0: chưa đạt; 1, 2 hoặc 3")


def fmt_result(plan: Plan, result: Result, short: bool = False) -> Cell:
    """A result as official tables write it, keeping the number for spreadsheets; rounded as judged
    (`toolkit.aggregate.judging.printed_result`)."""
    indicator, value = result.indicator, result.value
    if indicator.rule == "text":
        return Cell(_reported_texts(result) or NO_DATA, align="left" if result.texts else "center")
    if value is None:  # nobody could report, or somebody did with nothing to count: not applicable
        applicable = result.expected and not (result.reported and indicator.rule == "ratio")
        return Cell(NO_DATA if applicable else NOT_APPLICABLE, align="center")
    if indicator.rule == "ratio":
        return Cell(fmt_percent(value, indicator.decimals), "center", float(round_half_up(value, indicator.decimals)))
    if indicator.rule == "sum" and _level_targets(plan, indicator):  # "Mức độ 3", as its target reads
        return Cell(f"Mức độ {fmt_number(value, 0)}" if round_half_up(value, 0) > 0 else NO_LEVEL, "center")
    if indicator.rule == "sum":
        return Cell(fmt_number(value, 0), "center", float(round_half_up(value, 0)))
    word = "" if short else unit_word(plan, indicator)
    # Counts read "7/14 xã", shares "60/73 trường, đạt 82,2%": text, never a date or fraction.
    if indicator.rule == "count":
        return Cell(fmt_ratio(result.numerator, result.denominator, word), align="center")
    text = (f"{fmt_ratio(result.numerator, result.denominator)} ({fmt_percent(value, indicator.decimals)})" if short
            else fmt_count_share(result.numerator, result.denominator, word, value, indicator.decimals))
    return Cell(text, align="center")


def _level_targets(plan: Plan, indicator: Indicator) -> bool:
    """Whether the indicator's targets are levels ("mức độ 3"): its figure is a level too."""
    return any((target := indicator.target_for(period.code)) is not None and target.kind == "level"
               for period in plan.period.target_periods)


def _reported_texts(result: Result) -> str:
    """What the responsible units wrote: the text alone from one unit, each unit's named from several."""
    if len(result.texts) == 1 and result.expected == 1:
        return result.texts[0][1]
    return "\n".join(f"{name}: {text}" for name, text in result.texts)


def target_cell(plan: Plan, result: Result, period: str) -> Cell:
    """A result's target of one period as printed; the plan's own wording (`print`) is the area's."""
    wording = result.indicator.printed_target(period) if result.scope == "district" else ""
    return fmt_target(plan, result.indicator, result.targets.get(period), wording)


STRICT_WORDS = {">": "Trên ", "<": "Dưới "}  # "trên 99,7%", as plans write a strict target


def fmt_target(plan: Plan, indicator: Indicator, target: Target | None, wording: str = "") -> Cell:
    """The target as the plan prints it: `wording` (the plan's `print`), its own text, or the number."""
    if target is None:
        return Cell("", align="center")
    if wording or target.text:
        return Cell(wording or target.text, "center")
    if indicator.rule in PERCENT_RULES:
        text = fmt_percent(target.value, indicator.decimals)
    else:
        text = f"{fmt_number(target.value, 0)} {unit_word(plan, indicator) if indicator.rule == 'count' else ''}".strip()
    return Cell(STRICT_WORDS.get(target.direction, "") + text, "center")


def coverage(result: Result) -> str:
    text = f"{result.reported}/{result.expected} đơn vị báo cáo"
    return text + (f"; {result.excluded} đơn vị có số liệu lỗi, chưa tính" if result.excluded else "")


def _indicators(plan: Plan, annex: Annex) -> list[Indicator]:
    if annex.indicators:
        return [plan.indicator_by_code[c] for c in annex.indicators]
    return [] if annex.fields else list(plan.indicators)


def targets_table(plan: Plan, annex: Annex, results: list[Result]) -> AnnexTable:
    """Phụ lục I: STT | Chỉ tiêu | ĐVT | Kế hoạch (per period) | Thực hiện | Đánh giá | Ghi chú."""
    periods = plan.period.target_periods
    judged = evaluation_period(plan)
    done = f"Thực hiện {plan.period.label}"
    fixed = ["STT", "Chỉ tiêu", "Đơn vị tính"]
    if len(periods) == 1:
        header = [fixed + [periods[0].label, done, "Đánh giá", "Ghi chú"]]
    else:
        header = [fixed + ["Kế hoạch"] + [MERGE_LEFT] * (len(periods) - 1) + [done, "Đánh giá", "Ghi chú"],
                  [MERGE_UP] * 3 + [p.label for p in periods] + [MERGE_UP] * 3]
    by_key = {(r.indicator.code, r.scope, r.scope_code): r for r in results}
    table = AnnexTable(annex.stem, heading(plan, annex.numeral, annex.title), header,
                       [8, 46, 10] + [13] * len(periods) + [22, 20, 22])
    shown = _indicators(plan, annex)
    parts = {}  # parent code -> its "Trong đó" sub-targets shown in this annex
    for indicator in shown:
        if indicator.part_of in {i.code for i in shown}:
            parts.setdefault(indicator.part_of, []).append(indicator)

    def add_rows(indicator: Indicator, stt: str, name: str, kind: str) -> None:
        district = by_key[(indicator.code, "district", "")]
        table.rows.append(_target_row(plan, stt, name, district, periods, kind))
        for level in indicator.target_by_level:
            sub = by_key.get((indicator.code, "level", level))
            if sub:
                table.rows.append(_target_row(plan, "", f"- {plan.levels[level]}", sub, periods, "sub"))
        for part in parts.get(indicator.code, []):
            add_rows(part, "", f"Trong đó: {part.name}", "sub")

    section, number, chart = None, 0, None
    for indicator in shown:
        if indicator.code in {part.code for found in parts.values() for part in found}:
            continue  # printed under its parent
        if indicator.section != section:
            section, number = indicator.section, 0
            table.rows.append(Row([Cell(section)], "group"))
            chart = {"title": section, "categories": [], "series": {"Kế hoạch": [], "Thực hiện": []}}
            table.charts.append(chart)
        number += 1
        add_rows(indicator, str(number), indicator.name, "item")
        district = by_key[(indicator.code, "district", "")]
        target = district.targets.get(judged)
        if indicator.rule in PERCENT_RULES and target is not None and target.kind == "value" and district.value is not None:
            chart["categories"].append(f"{number}. {indicator.name}")
            chart["series"]["Kế hoạch"].append(round(target.value, 2))
            chart["series"]["Thực hiện"].append(round(district.value, 2))
    table.charts = [c for c in table.charts if c["categories"]]
    label = next(p.label for p in periods if p.code == judged)  # "Kế hoạch năm 2022", "Giai đoạn 2021-2025"
    table.notes.append(f"Đánh giá so với chỉ tiêu {label[:1].lower() + label[1:]}{_progress_note(plan, judged)}; "
                       "tỷ lệ tính bằng tổng tử số chia tổng mẫu số của các đơn vị báo cáo.")
    table.notes += mark_notes(table)
    return table


def _progress_note(plan: Plan, judged: str) -> str:
    """A round before the end of its period reads its targets as goals still ahead."""
    if judged.isdigit() and int(judged) > plan.plan_year:
        return f" (kết quả {plan.period.label} so với mục tiêu đến năm {judged}, chưa phải kỳ đánh giá)"
    return ""


def _target_row(plan: Plan, stt: str, name: str, result: Result, periods, kind: str) -> Row:
    indicator = result.indicator
    cells = [Cell(stt, align="center"), Cell(name), Cell(indicator.unit, align="center")]
    cells += [target_cell(plan, result, p.code) for p in periods]
    cells += [fmt_result(plan, result), Cell(judge(plan, result).text, align="center"), Cell(coverage(result))]
    return Row(cells, kind)


def breakdown_table(plan: Plan, annex: Annex, results: list[Result],
                    returns: Mapping[str, UnitReturn] | None = None) -> AnnexTable:
    """Phụ lục II: rows are communes (or levels), columns the annex's indicators and then the
    communes' own values of its fields (`returns`: unit code -> accepted return), then the total."""
    indicators = _indicators(plan, annex)
    fields = [plan.field_by_code[code] for code in annex.fields]
    scope = "commune" if annex.by == "commune" else "level"
    group_label = plan.unit_kinds[plan.area.group_kind].label if scope == "commune" and plan.area.group_kind else "Cấp học"
    header = [["STT", group_label] + [f"{i.name} ({i.unit})" if i.unit else i.name for i in indicators]
              + [f.label for f in fields]]
    columns = len(indicators) + len(fields)
    table = AnnexTable(annex.stem, heading(plan, annex.numeral, annex.title), header,
                       [10, 28] + [max(12.0, min(18.0, 150 / max(columns, 1)))] * columns)
    by_key = {(r.indicator.code, r.scope, r.scope_code): r for r in results}
    names, expected = {}, {}
    shown = {i.code for i in indicators}  # codes: comparing the models field by field costs more than the table
    for r in results:
        if r.scope == scope:
            names.setdefault(r.scope_code, place_name(r.scope_name) if scope == "commune" else r.scope_name)
            if r.indicator.code in shown:
                expected[r.scope_code] = expected.get(r.scope_code, 0) + r.expected
    if scope == "level":  # a level no unit reports at for these indicators (e.g. XA for schools)
        names = {code: name for code, name in names.items() if expected.get(code)}
    reported = {field.code: _reported(returns or {}, field.code, names) for field in fields}
    for number, (code, name) in enumerate(names.items(), start=1):
        cells = [Cell(str(number), align="center"), Cell(name)]
        cells += [fmt_result(plan, by_key[(i.code, scope, code)], short=True) if (i.code, scope, code) in by_key
                  else Cell(NOT_APPLICABLE, align="center") for i in indicators]
        cells += [_field_cell(field, reported[field.code].get(code)) for field in fields]
        table.rows.append(Row(cells))
    total = [Cell(""), Cell(plan.area.total_label)] + [fmt_result(plan, by_key[(i.code, "district", "")], short=True) for i in indicators]
    total += [_field_total(plan, field, reported[field.code]) for field in fields]
    table.rows.append(Row(total, "total"))
    table.notes += mark_notes(table)
    return table


def _reported(returns: Mapping[str, UnitReturn], field: str, communes) -> dict[str, object]:
    """Commune code -> the value it reported itself for `field` (absent when missing or failed)."""
    found = {}
    for code in communes:
        sent = returns.get(code)
        if sent is not None and field in sent.values and field not in sent.failed:
            found[code] = sent.values[field]
    return found


def _field_cell(field: Field, value: object) -> Cell:
    if value is None:
        return Cell(NO_DATA, align="center")
    if field.kind == "integer":
        return Cell(fmt_number(value, 0), "center", float(value))
    return Cell(str(value), align="center")


def _field_total(plan: Plan, field: Field, values: dict[str, object]) -> Cell:
    """A number column adds up; a choice column counts the communes at each choice ("Mức độ 3: 13 xã")."""
    if field.kind == "integer":
        return _field_cell(field, sum(values.values()) if values else None)
    if field.kind != "choice":
        return Cell("")
    word = plan.unit_kinds[plan.area.group_kind].plural
    counts = [(choice, sum(1 for v in values.values() if v == choice)) for choice in field.choices]
    return Cell("; ".join(f"{choice}: {count} {word}" for choice, count in counts if count) or NO_DATA, align="center")


def plan_targets_table(plan: Plan, annex: Annex) -> AnnexTable:
    """The plan's own annex of targets (attached to the plan, before any result):
    STT | Chỉ tiêu | Đơn vị tính | one column per target period | Ghi chú."""
    periods = plan.period.target_periods
    header = [["STT", "Chỉ tiêu", "Đơn vị tính"] + [p.label for p in periods] + ["Ghi chú"]]
    table = AnnexTable(annex.stem, heading(plan, annex.numeral, annex.title), header, [8, 60, 12] + [16] * len(periods) + [24])
    section, number = None, 0
    for indicator in _indicators(plan, annex):
        if indicator.section != section:
            section, number = indicator.section, 0
            table.rows.append(Row([Cell(section)], "group"))
        number += 1
        targets = [fmt_target(plan, indicator, indicator.target_for(p.code)) for p in periods]
        table.rows.append(Row([Cell(str(number), "center"), Cell(indicator.name), Cell(indicator.unit, "center"), *targets, Cell("")]))
        for level in indicator.target_by_level:
            targets = [fmt_target(plan, indicator, indicator.target_for(p.code, level)) for p in periods]
            table.rows.append(Row([Cell(""), Cell(f"- {plan.levels[level]}"), Cell(indicator.unit, "center"), *targets, Cell("")], "sub"))
    return table
