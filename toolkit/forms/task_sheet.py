"""The task sheet of a template: one row per task the unit leads or coordinates.

Columns: A (hidden) the row's input names, `|`-separated, for the cells from column E on (E itself,
the timeframe, is not an input: its slot is empty) | TT | Nội dung | Vai trò | Thời gian | Kết quả
thực hiện | Mức độ | Khó khăn, vướng mắc | Đề xuất | Kiểm tra (locked: what is wrong with the row) |
two hidden helper columns counting, per row, the inputs still missing and those that are invalid.
"""

from __future__ import annotations

from toolkit.core.cells import cell_name
from toolkit.spec.names import FIRST_INPUT_COLUMN, KEY_COLUMN, TASK_COLUMNS
from toolkit.spec.model import TaskField
from toolkit.forms.rules import CellMap, row_flags, summary_formula
from toolkit.forms.data_sheet import (
    HEADER_ROW,
    STATUS_ROW,
    CheckColumns,
    Status,
    colour_verdicts,
    row_height,
    status_range,
    write_heading,
    write_inputs,
    write_signatures,
    write_status,
)

TASK_SHEET = "Nhiệm vụ"
TT_COL, CONTENT_COL, ROLE_COL, TIME_COL = 1, 2, 3, FIRST_INPUT_COLUMN
INPUT_COL = TIME_COL + 1  # Kết quả thực hiện, then Mức độ, Khó khăn, Đề xuất (TASK_COLUMNS order)
# Printed (all but the verdict): LANDSCAPE_WIDTH characters, so that the page is read at about 88%.
WIDTHS = {"tt": 4, "content": 32, "role": 9, "time": 9, "KET_QUA": 32, "MUC_DO": 13, "KHO_KHAN": 16, "DE_XUAT": 16,
          "verdict": 22}
MIN_ROW_HEIGHT = 66  # room to type a few lines of results without resizing the row


def takes(field) -> bool:
    """Task progress inputs go on this sheet."""
    return isinstance(field, TaskField)


def write_task_sheet(template, fields: list[TaskField]) -> Status:
    """Write the task sheet for a unit's task fields; define, validate and self-check its inputs."""
    unit, fmt = template.unit, template.formats
    sheet = template.book.add_worksheet(TASK_SHEET)
    by_task: dict[str, dict[str, TaskField]] = {}
    for field in fields:
        by_task.setdefault(field.task_id, {})[field.column] = field
    checks = CheckColumns.after(INPUT_COL + len(TASK_COLUMNS) - 1)
    last_col = checks.verdict

    # Rows: a group heading when the group changes (tasks come in plan order), then the task.
    rows: list[tuple[str, object]] = []
    group = None
    for columns in by_task.values():
        if columns["KET_QUA"].group.numeral != group:
            group = columns["KET_QUA"].group.numeral
            rows.append(("group", columns["KET_QUA"].group))
        rows.append(("task", columns))
    cells = CellMap(TASK_SHEET)
    for index, (kind, item) in enumerate(rows, start=HEADER_ROW + 1):
        if kind == "task":
            for offset, column in enumerate(TASK_COLUMNS):
                cells.add(item[column].code, index, INPUT_COL + offset)

    sheet.set_column(KEY_COLUMN, KEY_COLUMN, 30, None, {"hidden": True})
    for col, width in enumerate(WIDTHS.values(), start=TT_COL):
        sheet.set_column(col, col, width)
    sheet.set_column(checks.missing, checks.invalid, 8, None, {"hidden": True})
    printed_col = checks.verdict - 1  # the row verdicts help on screen, a signed report does without them
    page_width = sum(WIDTHS.values()) - WIDTHS["verdict"]
    write_heading(template, sheet, f"TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ – {unit.name.upper()}", printed_col, page_width)
    headers = ["TT", "Nội dung", "Vai trò", "Thời gian thực hiện"] + [label for label, _ in TASK_COLUMNS.values()] + ["Kiểm tra"]
    for offset, text in enumerate(headers):
        sheet.write_string(HEADER_ROW, TT_COL + offset, text, fmt["header"])
    sheet.set_row(HEADER_ROW, 33)

    initially_missing = 0
    for index, (kind, item) in enumerate(rows, start=HEADER_ROW + 1):
        if kind == "group":
            text = f"{item.numeral}. {item.title}"
            sheet.merge_range(index, TT_COL, index, printed_col, text, fmt["section"])
            sheet.write_blank(index, checks.verdict, None, fmt["section"])
            sheet.set_row(index, row_height(text, page_width))
            continue
        task = item["KET_QUA"].task
        names = [item[column].code for column in TASK_COLUMNS]
        sheet.write_string(index, KEY_COLUMN, "|".join(["", *names]))  # E (timeframe) holds no input
        sheet.write_string(index, TT_COL, task.tt, fmt["center"])
        sheet.write_string(index, CONTENT_COL, task.content, fmt["cell"])
        role = "Chủ trì" if item["KET_QUA"].task_id in unit.leads else "Phối hợp"
        sheet.write_string(index, ROLE_COL, role, fmt["center"])
        sheet.write_string(index, TIME_COL, task.timeframe, fmt["center"])
        sheet.set_row(index, max(MIN_ROW_HEIGHT, row_height(task.content, WIDTHS["content"])))
        initially_missing += _write_inputs(template, sheet, [item[c] for c in TASK_COLUMNS], cells, checks)

    last_row = HEADER_ROW + len(rows)
    formula, initial = summary_formula(status_range(checks.missing, last_row), status_range(checks.invalid, last_row),
                                       initially_missing)
    sheet.merge_range(STATUS_ROW, TT_COL, STATUS_ROW, last_col, "", fmt["status"])
    write_status(template, sheet, STATUS_ROW, TT_COL, formula, initial)
    colour_verdicts(template, sheet, checks, last_row)
    sheet.set_row(STATUS_ROW, 20)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    first_input = cells.position(next(iter(cells)))
    sheet.set_selection(*first_input, *first_input)  # the cursor waits where typing starts
    signed = write_signatures(template, sheet, last_row + 2, (TT_COL, ROLE_COL), (INPUT_COL, printed_col))
    groups = [i for i, (kind, _) in enumerate(rows, start=HEADER_ROW + 1) if kind == "group"]
    template.print_setup(sheet, width=page_width, last_row=signed, last_col=printed_col, header_row=HEADER_ROW,
                         headings=[*groups, *range(last_row + 1, signed)])  # the signature block stays whole
    template.protect(sheet, allow_resize=True)  # long answers: the clerk may heighten a row
    return Status(TASK_SHEET, cell_name(STATUS_ROW, TT_COL, absolute=True), initial)


def _write_inputs(template, sheet, fields: list[TaskField], cells: CellMap, checks: CheckColumns) -> int:
    """One task's four named, validated, self-checked inputs; return how many start out missing."""
    flags = {}
    for field in fields:  # each column is a field of its own
        flags.update(row_flags(template.plan, template.unit, field, [field.code], cells))
    return write_inputs(template, sheet, [(field, field.code) for field in fields], flags, cells, checks)
