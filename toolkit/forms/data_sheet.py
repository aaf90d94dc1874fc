"""The data sheet of a template: a unit's fields under their sections, one input row each.

Columns: A (hidden) the row's input names, `|`-separated (the reader's fallback when names are
lost) | STT | Nội dung | Đơn vị tính | Số liệu (one column, or one per grid column) | Ghi chú |
Kiểm tra (locked: what is wrong with the row) | two hidden helper columns counting, per row, the
inputs still missing and those breaking a check.

A paste in LibreOffice or Excel replaces the pasted cells' validation, conditional formats and fill,
so nothing the clerk must see lives on an input cell alone: the row verdicts, their colours and the
sheet's status are formulas and formats on locked cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from toolkit.core.cells import cell_name, column_name
from toolkit.spec.names import FIRST_INPUT_COLUMN, KEY_COLUMN, grid_name
from toolkit.spec.model import Field
from toolkit.forms.rules import DONE, CellMap, Flag, row_flags, row_verdict, summary_formula, validation_rule

DATA_SHEET = "Số liệu"
STT_COL, LABEL_COL, UNIT_COL = 1, 2, 3
WIDTHS = {"stt": 6, "unit": 12, "note": 20, "verdict": 22}  # and the label and inputs: column_widths
# Printed column characters that fit inside the margins of a portrait and a landscape A4 page at
# about 88% (LibreOffice, Times New Roman 12: a character of column width prints about 2.2 mm wide).
PORTRAIT_WIDTH, LANDSCAPE_WIDTH = 86, 131
NOTE_HEADER = "Ghi chú"  # the header of the notes column: what a clerk may type beside a row's inputs
IDENTITY_ROW, STATUS_ROW, HEADER_ROW = 2, 3, 4  # 0-based; above them: the title and the plan


@dataclass(frozen=True)
class Row:
    """One row of the data sheet below the header."""

    kind: str  # 'section' | 'field' | 'grid_head' | 'grid_row'
    text: str  # section heading, or the row's label
    stt: str = ""
    field: Field | None = None
    names: tuple[str, ...] = ()  # the row's inputs, left to right
    grid_row: str | None = None  # row key, for a grid row


@dataclass(frozen=True)
class CheckColumns:
    """Where a sheet's row checks go: the visible verdict and the hidden counts it is made of."""

    verdict: int
    missing: int
    invalid: int

    @classmethod
    def after(cls, col: int) -> "CheckColumns":
        """The verdict in the column right of `col`, the hidden counts right of it."""
        return cls(col + 1, col + 2, col + 3)


@dataclass(frozen=True)
class Status:
    """A sheet's self-check summary cell, for the instructions sheet to show."""

    sheet: str
    cell: str  # absolute A1
    initial: str  # its value in the empty template


def layout(plan, unit, fields: list[Field]) -> list[Row]:
    """The data sheet's rows: section headings, then each field (a grid: a head and its rows)."""
    rows, section, number = [], None, 0
    for field in fields:
        if field.section != section:
            section, number = field.section, 0
            rows.append(Row("section", section))
        number += 1
        if field.kind != "grid":
            rows.append(Row("field", field.label, str(number), field, (field.code,)))
            continue
        rows.append(Row("grid_head", field.label, str(number), field))
        for i, row in enumerate(plan.rows_for(field, unit), start=1):
            names = tuple(grid_name(field.code, row.key, column.key) for column in field.columns)
            rows.append(Row("grid_row", row.label, f"{number}.{i}", field, names, row.key))
    return rows


def row_height(text: str, width: float) -> float:
    """Row height (points) for text wrapped in a column `width` characters wide.

    Excel does not grow rows for wrapped text a library wrote; without this, labels are cut.
    """
    lines = sum(max(1, math.ceil(len(part) * 1.1 / width)) for part in str(text).split("\n"))
    return 16.5 * lines


def column_widths(grid_width: int) -> tuple[float, float]:
    """Widths of the label column and of each input column: as wide as reads well, and all the
    printed columns within a landscape page."""
    room = LANDSCAPE_WIDTH - (WIDTHS["stt"] + WIDTHS["unit"] + WIDTHS["note"])
    label = min(50, max(30, room - 14 * grid_width))
    return label, min(14, (room - label) / grid_width)


def write_data_sheet(template, fields: list[Field]) -> Status:
    """Write the data sheet for `fields`; define the names of its inputs and validate them."""
    plan, unit, fmt = template.plan, template.unit, template.formats
    sheet = template.book.add_worksheet(DATA_SHEET)
    rows = layout(plan, unit, fields)
    width = max([len(r.field.columns) for r in rows if r.kind == "grid_head"] + [1])
    note_col = FIRST_INPUT_COLUMN + width
    checks = CheckColumns.after(note_col)

    # Where every input is, first: a check on one row may read cells of rows below it.
    cells = CellMap(DATA_SHEET)
    for index, row in enumerate(rows, start=HEADER_ROW + 1):
        for offset, name in enumerate(row.names):
            cells.add(name, index, FIRST_INPUT_COLUMN + offset)

    sheet.set_column(KEY_COLUMN, KEY_COLUMN, 30, None, {"hidden": True})
    sheet.set_column(STT_COL, STT_COL, WIDTHS["stt"])
    label_width, input_width = column_widths(width)
    sheet.set_column(LABEL_COL, LABEL_COL, label_width)
    sheet.set_column(UNIT_COL, UNIT_COL, WIDTHS["unit"])
    sheet.set_column(FIRST_INPUT_COLUMN, FIRST_INPUT_COLUMN + width - 1, input_width)
    sheet.set_column(note_col, note_col, WIDTHS["note"])
    sheet.set_column(checks.verdict, checks.verdict, WIDTHS["verdict"])
    sheet.set_column(checks.missing, checks.invalid, 8, None, {"hidden": True})
    # Printed: up to Ghi chú; the row verdicts help on screen, a signed report does without them.
    page_width = WIDTHS["stt"] + label_width + WIDTHS["unit"] + input_width * width + WIDTHS["note"]

    write_heading(template, sheet, f"SỐ LIỆU BÁO CÁO – {template.unit.name.upper()}", note_col, page_width)
    headers = ["STT", "Nội dung", "Đơn vị tính", "Số liệu"] + [""] * (width - 1) + [NOTE_HEADER, "Kiểm tra"]
    for offset, text in enumerate(headers):
        sheet.write_string(HEADER_ROW, STT_COL + offset, text, fmt["header"])
    if width > 1:
        sheet.merge_range(HEADER_ROW, FIRST_INPUT_COLUMN, HEADER_ROW, note_col - 1, "Số liệu", fmt["header"])
    sheet.set_row(HEADER_ROW, 20)

    initially_missing = 0
    for index, row in enumerate(rows, start=HEADER_ROW + 1):
        if row.kind == "section":
            sheet.merge_range(index, STT_COL, index, note_col, row.text, fmt["section"])
            sheet.write_blank(index, checks.verdict, None, fmt["section"])
            continue
        sheet.write_string(index, STT_COL, row.stt, fmt["center"])
        sheet.write_string(index, UNIT_COL, row.field.unit, fmt["center"])
        if row.kind == "grid_head":
            _write_grid_head(sheet, fmt, index, row.field, (width, label_width, input_width), note_col)
            sheet.write_blank(index, checks.verdict, None, fmt["cell"])
            continue
        sheet.write_string(index, KEY_COLUMN, "|".join(row.names))
        sheet.write_string(index, LABEL_COL, row.text, fmt["cell"])
        sheet.set_row(index, row_height(row.text, label_width))
        for offset in range(len(row.names), width):
            sheet.write_blank(index, FIRST_INPUT_COLUMN + offset, None, fmt["cell"])
        template.write_note(sheet, index, note_col, "|".join(row.names))
        initially_missing += _write_inputs(template, sheet, row, cells, checks)
    last = HEADER_ROW + len(rows)

    status = status_range(checks.missing, last), status_range(checks.invalid, last)
    formula, initial = summary_formula(*status, initially_missing)
    sheet.merge_range(STATUS_ROW, STT_COL, STATUS_ROW, checks.verdict, "", fmt["status"])
    write_status(template, sheet, STATUS_ROW, STT_COL, formula, initial)
    colour_verdicts(template, sheet, checks, last)
    sheet.set_row(STATUS_ROW, 20)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    first_input = cells.position(next(iter(cells)))
    sheet.set_selection(*first_input, *first_input)  # the cursor waits where typing starts
    signed = write_signatures(template, sheet, last + 2, (STT_COL, UNIT_COL), (FIRST_INPUT_COLUMN, note_col))
    headings = [i for i, row in enumerate(rows, start=HEADER_ROW + 1) if row.kind in ("section", "grid_head")]
    template.print_setup(sheet, width=page_width, last_row=signed, last_col=note_col, header_row=HEADER_ROW,
                         headings=[*headings, *range(last + 1, signed)])  # the signature block stays whole
    template.protect(sheet, allow_resize=True)
    return Status(DATA_SHEET, cell_name(STATUS_ROW, STT_COL, absolute=True), initial)


def status_range(col: int, last_row: int) -> str:
    """The helper column's rows below the header, for the status formula."""
    first = cell_name(HEADER_ROW + 1, col, absolute=True)
    return f"{first}:{cell_name(last_row, col, absolute=True)}"


def write_status(template, sheet, row: int, col: int, formula: str, initial: str) -> None:
    """A status cell: red while something is missing or wrong, green once the form is complete."""
    sheet.write_formula(row, col, formula, template.formats["status"], initial)
    sheet.conditional_format(row, col, row, col, {"type": "cell", "criteria": "==", "value": f'"{DONE}"',
                                                  "format": template.formats["done"]})


def colour_verdicts(template, sheet, checks: CheckColumns, last_row: int) -> None:
    """Row verdicts in red while their row has a problem, in green once it is filled."""
    first = HEADER_ROW + 1
    counts = f"${column_name(checks.missing)}{first + 1}+${column_name(checks.invalid)}{first + 1}"
    verdict = f"${column_name(checks.verdict)}{first + 1}"
    fmt = template.formats
    sheet.conditional_format(first, checks.verdict, last_row, checks.verdict,
                             {"type": "formula", "criteria": f"={counts}>0", "format": fmt["wrong"]})
    sheet.conditional_format(first, checks.verdict, last_row, checks.verdict,
                             {"type": "formula", "criteria": f"=AND({counts}=0,LEN({verdict})>0)", "format": fmt["done"]})


def write_signatures(template, sheet, row: int, left: tuple[int, int], right: tuple[int, int]) -> int:
    """The signature block of Nghị định 30/2020 below a sheet: the date, then who drew up the form
    (left) and the head of the unit (right); returns the block's last row."""
    fmt = template.formats
    lines = [(None, ("……………, ngày …… tháng …… năm 20……", "sign_note")),
             (("NGƯỜI LẬP BIỂU", "sign_title"), ("THỦ TRƯỞNG ĐƠN VỊ", "sign_title")),
             (("(Ký, ghi rõ họ tên)", "sign_note"), ("(Ký tên, đóng dấu)", "sign_note"))]
    for offset, texts in enumerate(lines):
        for columns, text in zip((left, right), texts):
            if text:
                sheet.merge_range(row + offset, columns[0], row + offset, columns[1], text[0], fmt[text[1]])
    last = row + len(lines) + 3  # room to sign
    sheet.set_row(last, 20)
    return last


def write_heading(template, sheet, title: str, last_col: int, page_width: int) -> None:
    """Title, plan, and the unit's identity line, all locked (shared by the input sheets)."""
    unit, fmt = template.unit, template.formats
    sheet.merge_range(0, STT_COL, 0, last_col, title, fmt["title"])
    sheet.fit_row(0, title, page_width / 1.3)
    subtitle = template.plan_line()
    sheet.merge_range(1, STT_COL, 1, last_col, subtitle, fmt["italic"])
    sheet.fit_row(1, subtitle, page_width)
    identity = f"Mã đơn vị: {unit.code}   –   Hạn gửi báo cáo: {template.deadline_text()}"
    sheet.merge_range(IDENTITY_ROW, STT_COL, IDENTITY_ROW, last_col, identity, fmt["identity"])


def _write_grid_head(sheet, fmt, index: int, field: Field, widths: tuple[int, float, float], note_col: int) -> None:
    width, label_width, input_width = widths
    sheet.write_string(index, LABEL_COL, field.label, fmt["grid_label"])
    for offset in range(width):
        label = field.columns[offset].label if offset < len(field.columns) else ""
        sheet.write_string(index, FIRST_INPUT_COLUMN + offset, label, fmt["header"])
    sheet.write_blank(index, note_col, None, fmt["cell"])
    heights = [row_height(field.label, label_width)] + [row_height(c.label, input_width) for c in field.columns]
    sheet.set_row(index, max(heights))


def _write_inputs(template, sheet, row: Row, cells: CellMap, checks: CheckColumns) -> int:
    """Write one row's named, validated, self-checked inputs; return how many start out missing."""
    flags = row_flags(template.plan, template.unit, row.field, list(row.names), cells, row.grid_row)
    return write_inputs(template, sheet, [(row.field, name) for name in row.names], flags, cells, checks)


def write_inputs(template, sheet, inputs: list[tuple[Field, str]], flags: dict[str, tuple[Flag | None, Flag | None]],
                 cells: CellMap, checks: CheckColumns) -> int:
    """Write the named, validated, self-checked input cells of one sheet row.

    `flags` holds, per name, the formulas flagging it as missing or invalid (`row_flags`); the
    row's two hidden helper cells count them for the row's verdict and the sheet's status cell.
    Returns how many inputs start out missing.
    """
    fmt = template.formats
    missing, invalid = [], []
    for field, name in inputs:
        at_row, at_col = cells.position(name)
        template.write_input(sheet, at_row, at_col, name, "input_text" if field.kind in ("text", "choice") else "input")
        template.book.define_name(name, f"={cells.absolute(name)}")
        rule = validation_rule(field, template.plan.plan_year, template.choice_range(field))
        sheet.data_validation(at_row, at_col, at_row, at_col, rule)
        is_missing, is_invalid = flags[name]
        for flag, look, found in ((is_missing, "missing", missing), (is_invalid, "invalid", invalid)):
            if flag:
                found.append(flag)
                sheet.conditional_format(at_row, at_col, at_row, at_col,
                                         {"type": "formula", "criteria": f"={flag.formula}", "format": fmt[look]})
    # Per-row counts and verdict, cached as in the empty template (see summary_formula).
    index = cells.position(inputs[0][1])[0]
    initially = sum(flag.initially for flag in missing)
    for col, found, cached in ((checks.missing, missing, initially), (checks.invalid, invalid, 0)):
        formula = "+".join(f"IF({flag.formula},1,0)" for flag in found) or "0"
        sheet.write_formula(index, col, f"={formula}", None, cached)
    first, last = (cell_name(*cells.position(name)) for name in (inputs[0][1], inputs[-1][1]))
    reasons = invalid[0].reasons if len(inputs) == 1 and invalid else ()
    formula, cached = row_verdict(cell_name(index, checks.missing), cell_name(index, checks.invalid),
                                  f"{first}:{last}", len(inputs), initially, reasons)
    sheet.write_formula(index, checks.verdict, formula, fmt["verdict"], cached)
    return initially
