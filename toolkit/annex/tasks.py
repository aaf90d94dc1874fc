"""Task annexes: the matrix of who does what, and the progress the agencies reported on it.

Pure table builders (`tasks_table`, `progress_table`) over `toolkit.annex.document.AnnexTable`, written by
the same xlsx / docx / html writers as the indicator annexes. The matrix prints the agency texts
as the plan wrote them, so a matrix imported from a signed plan comes out row for row the same.

A task's status comes from what its leads (cơ quan chủ trì) reported in "Mức độ":
- Hoàn thành: every lead reported "Hoàn thành";
- Chưa thực hiện: every lead that reported said "Chưa thực hiện" (others may not have reported);
- Chưa báo cáo: no lead has reported yet (or no unit of the roster leads it);
- Đang thực hiện: anything else, e.g. one lead done and another still working or silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from toolkit.spec.names import TASK_STATUSES, task_id
from toolkit.collect.records import UnitReturn
from toolkit.annex.document import AnnexTable, Cell, Heading, Row, annex_heading
from toolkit.spec.model import Annex, Task, TaskGroup
from toolkit.core.numbers import fmt_number, fmt_percent
from toolkit.spec.plan import Plan
from toolkit.spec.units import Roster, Unit

DONE, DOING, NOT_STARTED = TASK_STATUSES
NOT_REPORTED = "Chưa báo cáo"
SUMMARY_STATUSES = (DONE, DOING, NOT_STARTED, NOT_REPORTED)
MATRIX_HEADER = ["TT", "Nội dung", "Cơ quan chủ trì thực hiện", "Cơ quan phối hợp", "Thời gian thực hiện"]
MATRIX_WIDTHS = [6, 70, 32, 32, 16]
PROGRESS_HEADER = MATRIX_HEADER + ["Kết quả thực hiện của cơ quan chủ trì", "Khó khăn, vướng mắc", "Đề xuất", "Tình trạng"]
PROGRESS_WIDTHS = [8, 40, 18, 18, 13, 42, 22, 22, 13]  # TT 8: narrower prints "T/T" in Word
DETAIL_HEADER = ["TT", "Đơn vị", "Mức độ", "Kết quả thực hiện", "Khó khăn, vướng mắc", "Đề xuất"]
DETAIL_WIDTHS = [8, 36, 16, 50, 30, 30]
# A task led by more units than this shows a count per status; the units' own texts go to the detail table
# (seed 003 gives one task to every school: 42 schools' texts in one cell filled 41 pages).
MANY_LEADS = 4


# Reading the progress


@dataclass(frozen=True)
class Report:
    """What one unit reported on one task (blank strings when it wrote nothing)."""

    unit: Unit
    status: str  # one of TASK_STATUSES, or "" when not reported
    result: str = ""
    difficulties: str = ""
    proposals: str = ""


@dataclass(frozen=True)
class TaskProgress:
    task_id: str
    group: TaskGroup
    task: Task
    leads: tuple[Report, ...]  # one per lead unit, in the order the plan names them
    coordinators: tuple[Report, ...]

    @property
    def status(self) -> str:
        """The task's status from its leads' (see the module docstring)."""
        said = [r.status for r in self.leads if r.status]
        if not said:
            return NOT_REPORTED
        if len(said) == len(self.leads) and all(s == DONE for s in said):
            return DONE
        if all(s == NOT_STARTED for s in said):
            return NOT_STARTED
        return DOING


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _report(unit: Unit, identifier: str, unit_return: UnitReturn | None) -> Report:
    if unit_return is None:
        return Report(unit, "")
    values, failed = unit_return.values, unit_return.failed

    def value(column: str) -> str:
        name = f"{identifier}__{column}"
        return "" if name in failed else _text(values.get(name))

    status = value("MUC_DO")
    return Report(unit, status if status in TASK_STATUSES else "", value("KET_QUA"), value("KHO_KHAN"), value("DE_XUAT"))


def task_progress(plan: Plan, roster: Roster, returns: Mapping[str, UnitReturn] | None = None) -> list[TaskProgress]:
    """Every task of the plan with what its leads and coordinators reported, in plan order."""
    returns = returns or {}
    progress = []
    for group_number, group in enumerate(plan.tasks.groups if plan.tasks else [], start=1):
        for task_number, task in enumerate(group.tasks, start=1):
            identifier = task_id(group_number, task_number)
            leads, coordinators = roster.task_leads.get(identifier, ()), roster.task_coordinators.get(identifier, ())
            progress.append(TaskProgress(identifier, group, task,
                                         tuple(_report(roster.get(c), identifier, returns.get(c)) for c in leads),
                                         tuple(_report(roster.get(c), identifier, returns.get(c)) for c in coordinators)))
    return progress


def status_counts(progress: list[TaskProgress]) -> dict[str, int]:
    """Number of tasks in each status of SUMMARY_STATUSES."""
    counts = dict.fromkeys(SUMMARY_STATUSES, 0)
    for item in progress:
        counts[item.status] += 1
    return counts


# Tables


def _task_cells(task: Task) -> list[Cell]:
    # TT as written: a matrix may leave it blank or number its tasks across groups.
    return [Cell(task.tt, "center"), Cell(task.content), Cell(task.lead), Cell(task.coordinating), Cell(task.timeframe, "center")]


def _group_row(group: TaskGroup) -> Row:
    return Row([Cell(group.numeral, "center"), Cell(group.title)], "group")


def tasks_table(plan: Plan, annex: Annex) -> AnnexTable:
    """TT | Nội dung | Cơ quan chủ trì thực hiện | Cơ quan phối hợp | Thời gian thực hiện."""
    table = AnnexTable(annex.stem, annex_heading(plan, annex), [list(MATRIX_HEADER)], list(MATRIX_WIDTHS), number_row=False)
    for group in plan.tasks.groups if plan.tasks else []:
        table.rows.append(_group_row(group))
        table.rows.extend(Row(_task_cells(task)) for task in group.tasks)
    return table


def _lines(reports: tuple[Report, ...], attribute: str) -> str:
    return "\n".join(f"{r.unit.name}: {getattr(r, attribute)}" for r in reports if getattr(r, attribute))


def _lead_line(report: Report) -> str:
    """'Phòng Giáo dục và Đào tạo: Hoàn thành – <kết quả>', or '<tên>: chưa báo cáo'."""
    if not report.status:
        said = f" – {report.result}" if report.result else ""
        return f"{report.unit.name}: chưa báo cáo{' mức độ' if said else ''}{said}"
    return f"{report.unit.name}: {report.status}" + (f" – {report.result}" if report.result else "")


def progress_table(plan: Plan, roster: Roster, annex: Annex, returns: Mapping[str, UnitReturn] | None = None) -> AnnexTable:
    """The matrix, plus each lead's status and result, difficulties, proposals and the task's
    status; under it, the number of tasks by status, then the detail of the tasks led by many units."""
    progress = task_progress(plan, roster, returns)
    table = AnnexTable(annex.stem, annex_heading(plan, annex), [list(PROGRESS_HEADER)], list(PROGRESS_WIDTHS), number_row=False)
    items = iter(progress)  # in plan order, like the groups' tasks
    for group in plan.tasks.groups if plan.tasks else []:
        table.rows.append(_group_row(group))
        table.rows.extend(_progress_row(plan, next(items)) for _ in group.tasks)
    table.extra.append(summary_table(plan, annex, progress))
    many = [item for item in progress if len(item.leads) > MANY_LEADS]
    if many:
        table.extra.append(detail_table(annex, many))
    table.notes.append("Tình trạng của nhiệm vụ: Hoàn thành khi mọi cơ quan chủ trì báo cáo hoàn thành; Chưa thực hiện "
                       "khi mọi cơ quan chủ trì đã báo cáo đều chưa thực hiện; Chưa báo cáo khi chưa cơ quan chủ trì nào "
                       "báo cáo; còn lại là Đang thực hiện.")
    return table


def _progress_row(plan: Plan, item: TaskProgress) -> Row:
    everyone = item.leads + item.coordinators
    if len(item.leads) > MANY_LEADS:
        see = "Chi tiết từng đơn vị ở bảng cuối phụ lục."
        return Row(_task_cells(item.task) + [Cell(f"{lead_summary(plan, item.leads)}. {see}"),
                                             Cell(see if _lines(everyone, "difficulties") else ""),
                                             Cell(see if _lines(everyone, "proposals") else ""), Cell(item.status, "center")])
    results = "\n".join(_lead_line(r) for r in item.leads) or "(không có đơn vị chủ trì trong danh sách đơn vị)"
    return Row(_task_cells(item.task) + [Cell(results), Cell(_lines(everyone, "difficulties")),
                                         Cell(_lines(everyone, "proposals")), Cell(item.status, "center")])


def lead_summary(plan: Plan, leads: tuple[Report, ...]) -> str:
    """'38/42 trường hoàn thành; 3 đang thực hiện; 1 chưa báo cáo' (statuses no lead is at are left out)."""
    kinds = {report.unit.kind for report in leads}
    word = plan.unit_kinds[kinds.pop()].plural if len(kinds) == 1 and next(iter(kinds)) in plan.unit_kinds else "đơn vị"
    counts = {status: sum(1 for r in leads if (r.status or NOT_REPORTED) == status) for status in SUMMARY_STATUSES}
    parts = [f"{fmt_number(counts[DONE], 0)}/{fmt_number(len(leads), 0)} {word} {DONE.lower()}"]
    parts += [f"{fmt_number(counts[status], 0)} {status.lower()}" for status in SUMMARY_STATUSES[1:] if counts[status]]
    return "; ".join(parts)


def detail_table(annex: Annex, progress: list[TaskProgress]) -> AnnexTable:
    """What each unit reported on the tasks led by many units: a group row per task, a row per unit
    (its leads, then the coordinators that wrote something)."""
    table = AnnexTable(annex.stem + "_chi_tiet", Heading("", "Chi tiết kết quả thực hiện theo đơn vị", ""),
                       [list(DETAIL_HEADER)], list(DETAIL_WIDTHS), number_row=False)
    for item in progress:
        table.rows.append(Row([Cell(f"{item.group.numeral}.{item.task.tt}".rstrip("."), "center"), Cell(item.task.content)], "group"))
        rows = [(r, r.status or NOT_REPORTED) for r in item.leads]
        rows += [(r, "Phối hợp") for r in item.coordinators if r.result or r.difficulties or r.proposals]
        for number, (report, status) in enumerate(rows, start=1):
            table.rows.append(Row([Cell(str(number), "center"), Cell(report.unit.name), Cell(status, "center"),
                                   Cell(report.result), Cell(report.difficulties), Cell(report.proposals)]))
    return table


def summary_table(plan: Plan, annex: Annex, progress: list[TaskProgress]) -> AnnexTable:
    """STT | Tình trạng | Số nhiệm vụ | Tỷ lệ, and the total."""
    counts = status_counts(progress)
    total = len(progress)
    table = AnnexTable(annex.stem + "_tong_hop", Heading("", "Tổng hợp tình trạng thực hiện các nhiệm vụ", ""),
                       [["STT", "Tình trạng", "Số nhiệm vụ", "Tỷ lệ"]], [6, 40, 16, 16], number_row=False)
    for number, status in enumerate(SUMMARY_STATUSES, start=1):
        share = fmt_percent(100 * counts[status] / total, 1) if total else "–"
        table.rows.append(Row([Cell(str(number), "center"), Cell(status), Cell(fmt_number(counts[status], 0), "center"),
                               Cell(share, "center")]))
    table.rows.append(Row([Cell(""), Cell("Tổng số"), Cell(fmt_number(total, 0), "center"),
                           Cell("100%" if total else "–", "center")], "total"))
    return table
