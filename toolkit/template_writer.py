"""Data-collection templates: one protected, self-checking .xlsx per unit.

Contract (read back by `toolkit.reader`): every input cell has a workbook-scoped defined name
(`plan.input_names(unit)`), the unit code cell is `MA_DON_VI`, the hidden sheet `_meta` holds
the plan code, template version, unit and generation time, and column A of the data sheet
(hidden) holds the names of the input cells of its row, `|`-separated from column E on, so a
reader can still find values in a file whose names were lost.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import xlsxwriter
from tqdm import tqdm

from toolkit import __version__
from toolkit.contract import FIRST_INPUT_COLUMN, KEY_COLUMN, META_SHEET, UNIT_CODE_NAME, grid_name
from toolkit.roster import Roster, Unit, load_roster
from toolkit.spec import load_plan
from toolkit.template_checks import CellMap, row_formulas, summary_formula
from toolkit.plan import Plan

DATA_SHEET = "Số liệu"
GUIDE_SHEET = "Hướng dẫn"
LISTS_SHEET = "_lists"
KEY_COL, STT_COL, LABEL_COL, UNIT_COL, FIRST_INPUT_COL = KEY_COLUMN, 1, 2, 3, FIRST_INPUT_COLUMN
FONT = {"font_name": "Times New Roman", "font_size": 12}
INPUT_FILL = "#FFF2CC"  # light yellow: "type here"
MISSING_FILL = "#F8CBAD"  # orange: still empty
INVALID_FILL = "#FF7C80"  # red: breaks a check
MM = 1 / 25.4  # inches per millimetre (XlsxWriter margins are in inches)


def _formats(book: xlsxwriter.Workbook) -> dict:
    base = {"valign": "vcenter", "text_wrap": True, "border": 1}
    return {
        "title": book.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter", "text_wrap": True}),
        "italic": book.add_format({"italic": True, "align": "center", "text_wrap": True}),
        "header": book.add_format({**base, "bold": True, "align": "center", "bg_color": "#D9E1F2"}),
        "section": book.add_format({**base, "bold": True, "bg_color": "#EDEDED"}),
        "cell": book.add_format(base),
        "center": book.add_format({**base, "align": "center"}),
        "input": book.add_format({**base, "locked": False, "bg_color": INPUT_FILL}),
        "input_text": book.add_format({**base, "locked": False, "bg_color": INPUT_FILL, "num_format": "@"}),
        "note": book.add_format({**base, "locked": False}),
        "label": book.add_format({"bold": True, "valign": "top"}),
        "value": book.add_format({"valign": "top", "text_wrap": True}),
        "summary": book.add_format({"bold": True, "font_color": "#C00000", "text_wrap": True}),
        "missing": book.add_format({"bg_color": MISSING_FILL}),
        "invalid": book.add_format({"bg_color": INVALID_FILL, "bold": True}),
    }


def _height(text: str, width: float) -> float:
    """Row height (points) for text wrapped in a column `width` characters wide.

    Spreadsheet programs do not grow rows for wrapped text written by a library.
    """
    lines = sum(max(1, math.ceil(len(part) * 1.1 / width)) for part in str(text).split("\n"))
    return 16.5 * lines


def _validation(field, plan: Plan, lists: dict[str, str]) -> dict | None:
    """Data validation of one input, with Vietnamese prompts and errors."""
    if field.kind in ("integer", "year"):
        low = field.min if field.min is not None else 0
        high = field.max_value(plan.plan_year)
        rule = {"validate": "integer", "criteria": "between", "minimum": low, "maximum": high if high is not None else 10**9}
        what = f"năm từ {low} đến {high}" if field.kind == "year" else (f"số nguyên từ {low} đến {high}" if high is not None else f"số nguyên từ {low} trở lên")
        return {**rule, "input_title": "Nhập số", "input_message": f"Nhập {what}."[:255],
                "error_title": "Giá trị không hợp lệ", "error_message": f"Ô này chỉ nhận {what}."[:255], "error_type": "stop"}
    if field.kind == "choice":
        return {"validate": "list", "source": lists[field.code], "input_title": "Chọn trong danh sách",
                "input_message": "Bấm mũi tên để chọn một giá trị.", "error_title": "Giá trị không hợp lệ",
                "error_message": "Chỉ được chọn một giá trị trong danh sách: " + "; ".join(field.choices)[:200], "error_type": "stop"}
    return None


def _unit_rows(plan: Plan, unit: Unit) -> list[tuple]:
    """The data sheet's rows for a unit: ('section', text) | ('field', field, stt) | ('grid_head', field) | ('grid_row', field, row, stt)."""
    rows, section, number = [], None, 0
    for field in plan.fields_for(unit):
        if field.section != section:
            section, number = field.section, 0
            rows.append(("section", section))
        number += 1
        if field.kind == "grid":
            rows.append(("grid_head", field, str(number)))
            rows.extend(("grid_row", field, row, f"{number}.{i}") for i, row in enumerate(plan.rows_for(field, unit), start=1))
        else:
            rows.append(("field", field, str(number)))
    return rows


def write_template(plan: Plan, roster: Roster, unit: Unit, path: str | Path, *, password: str | None = None,
                   generated_at: dt.datetime | None = None) -> Path:
    """Write one unit's template to `path` (atomically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    generated_at = (generated_at or dt.datetime.now()).replace(microsecond=0)
    handle, temporary = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(handle)
    book = xlsxwriter.Workbook(temporary, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                           "default_format_properties": FONT})
    try:
        _write_book(book, plan, roster, unit, password or "", generated_at)
        book.close()
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


def _write_book(book, plan: Plan, roster: Roster, unit: Unit, password: str, generated_at: dt.datetime) -> None:
    fmt = _formats(book)
    guide = book.add_worksheet(GUIDE_SHEET)
    data = book.add_worksheet(DATA_SHEET)
    lists_sheet = book.add_worksheet(LISTS_SHEET)
    meta = book.add_worksheet(META_SHEET)

    # Dropdown sources live on a hidden sheet: inline lists over 255 characters break Excel.
    lists = {}
    for column, field in enumerate(f for f in plan.fields_for(unit) if f.kind == "choice"):
        if field.code in lists:
            continue
        for row, choice in enumerate(field.choices):
            lists_sheet.write_string(row, column, choice)
        letter = xlsxwriter.utility.xl_col_to_name(column)
        lists[field.code] = f"='{LISTS_SHEET}'!${letter}$1:${letter}${len(field.choices)}"

    rows = _unit_rows(plan, unit)
    width = max([len(r[1].columns) for r in rows if r[0] == "grid_head"] + [1])
    note_col = FIRST_INPUT_COL + width
    missing_col, invalid_col = note_col + 1, note_col + 2
    top = 4  # 0-based row of the table header

    # Pass 1: where every named cell is, so checks can refer to cells on this sheet.
    cells = CellMap(DATA_SHEET)
    r = top + 1
    for kind, field, *rest in rows:
        if kind == "field":
            cells.add(field.code, r, FIRST_INPUT_COL)
        elif kind == "grid_row":
            for i, column in enumerate(field.columns):
                cells.add(grid_name(field.code, rest[0].key, column.key), r, FIRST_INPUT_COL + i)
        r += 1

    # Data sheet
    data.set_column(KEY_COL, KEY_COL, 30, None, {"hidden": True})
    data.set_column(STT_COL, STT_COL, 6)
    data.set_column(LABEL_COL, LABEL_COL, 48)
    data.set_column(UNIT_COL, UNIT_COL, 10)
    data.set_column(FIRST_INPUT_COL, FIRST_INPUT_COL + width - 1, 14)
    data.set_column(note_col, note_col, 22)
    data.set_column(missing_col, invalid_col, 6, None, {"hidden": True})
    table_width = 6 + 48 + 10 + 14 * width + 22
    data.merge_range(0, STT_COL, 0, note_col, f"SỐ LIỆU BÁO CÁO – {unit.name.upper()}", fmt["title"])
    subtitle = f"{plan.document.type} {plan.document.title} – {plan.period.label}"
    data.merge_range(1, STT_COL, 1, note_col, subtitle, fmt["italic"])
    data.set_row(0, _height(unit.name, table_width / 1.3))
    data.set_row(1, _height(subtitle, table_width))
    data.set_row(2, 20)
    summary_cell = (2, STT_COL)
    headers = ["STT", "Nội dung", "Đơn vị tính", "Số liệu"] + [""] * (width - 1) + ["Ghi chú"]
    for offset, text in enumerate(headers):
        data.write_string(top, STT_COL + offset, text, fmt["header"])
    if width > 1:
        data.merge_range(top, FIRST_INPUT_COL, top, FIRST_INPUT_COL + width - 1, "Số liệu", fmt["header"])
    data.write_string(top, KEY_COL, "MA_O")

    missing_refs, invalid_refs = [], []
    r = top + 1
    for kind, field, *rest in rows:
        if kind == "section":
            data.merge_range(r, STT_COL, r, note_col, field, fmt["section"])
        elif kind == "grid_head":
            data.write_string(r, STT_COL, rest[0], fmt["center"])
            data.write_string(r, LABEL_COL, field.label, fmt["section"])
            data.set_row(r, max(_height(field.label, 48), *(_height(c.label, 14) for c in field.columns)))
            data.write_string(r, UNIT_COL, field.unit, fmt["center"])
            for i in range(width):
                label = field.columns[i].label if i < len(field.columns) else ""
                data.write_string(r, FIRST_INPUT_COL + i, label, fmt["header"])
            data.write_blank(r, note_col, None, fmt["cell"])
        else:
            names = [field.code] if kind == "field" else [grid_name(field.code, rest[0].key, c.key) for c in field.columns]
            fields = [field] * len(names)
            data.write_string(r, KEY_COL, "|".join(names))
            data.write_string(r, STT_COL, rest[-1], fmt["center"])
            label = field.label if kind == "field" else f"{rest[0].label}"
            data.write_string(r, LABEL_COL, label, fmt["cell"])
            data.set_row(r, _height(label, 48))
            data.write_string(r, UNIT_COL, field.unit, fmt["center"])
            for i in range(width):
                if i >= len(names):
                    data.write_blank(r, FIRST_INPUT_COL + i, None, fmt["cell"])
                    continue
                name = names[i]
                cell_format = fmt["input_text"] if field.kind == "text" else fmt["input"]
                data.write_blank(r, FIRST_INPUT_COL + i, None, cell_format)
                book.define_name(name, f"={cells.absolute(name)}")
                validation = _validation(fields[i], plan, lists)
                if validation:
                    data.data_validation(r, FIRST_INPUT_COL + i, r, FIRST_INPUT_COL + i, validation)
            data.write_blank(r, note_col, None, fmt["note"])
            checks = row_formulas(plan, unit, field, names, cells, grid_row=rest[0] if kind == "grid_row" else None)
            for name, (missing, invalid) in checks.items():
                row, col = cells.position(name)
                if missing:
                    data.conditional_format(row, col, row, col, {"type": "formula", "criteria": f"={missing.formula}", "format": fmt["missing"]})
                if invalid:
                    data.conditional_format(row, col, row, col, {"type": "formula", "criteria": f"={invalid.formula}", "format": fmt["invalid"]})
            # Per-row counts for the summary; cached values are those of the empty template
            # (LibreOffice shows cached values until a cell changes).
            missing_terms = [m for m, _ in checks.values() if m]
            invalid_terms = [i for _, i in checks.values() if i]
            data.write_formula(r, missing_col, "=" + ("+".join(f"IF({m.formula},1,0)" for m in missing_terms) or "0"),
                               None, sum(m.initially for m in missing_terms))
            data.write_formula(r, invalid_col, "=" + ("+".join(f"IF({i.formula},1,0)" for i in invalid_terms) or "0"), None, 0)
            missing_refs.append((r, missing_col, sum(m.initially for m in missing_terms)))
            invalid_refs.append((r, invalid_col))
        r += 1
    last = r - 1
    formula, initial = summary_formula(missing_refs, invalid_refs, missing_col, invalid_col, top + 1, last)
    data.merge_range(summary_cell[0], STT_COL, summary_cell[0], note_col, "", fmt["summary"])
    data.write_formula(summary_cell[0], STT_COL, formula, fmt["summary"], initial)
    data.freeze_panes(top + 1, 0)
    _print_setup(data, top, portrait=width <= 3)
    data.protect(password, {"autofilter": False})

    _write_guide(book, guide, fmt, plan, roster, unit, initial, summary_cell, password)
    for sheet in (lists_sheet, meta):
        sheet.hide()
    lists_sheet.protect(password)
    values = {"plan_code": plan.code, "plan_version": plan.version, "unit_code": unit.code,
              "generated_at": generated_at.isoformat(), "toolkit_version": __version__}
    for row, (key, value) in enumerate(values.items()):
        meta.write_string(row, 0, key)
        meta.write_string(row, 1, value)
        book.set_custom_property(key, value)
    meta.protect(password)
    book.set_properties({"title": f"Biểu mẫu báo cáo – {unit.name}", "subject": plan.document.title,
                         "author": plan.collector, "comments": f"{plan.code} {plan.version}"})
    guide.activate()


def _write_guide(book, sheet, fmt, plan: Plan, roster: Roster, unit: Unit, initial: str, summary_cell, password: str) -> None:
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 70)
    sheet.merge_range(0, 0, 0, 1, "BIỂU MẪU BÁO CÁO SỐ LIỆU", fmt["title"])
    subtitle = f"{plan.document.type} {plan.document.title} – {plan.period.label}"
    sheet.merge_range(1, 0, 1, 1, subtitle, fmt["italic"])
    sheet.set_row(1, _height(subtitle, 96))
    commune = roster.get(unit.commune)
    deadline = plan.deadlines.submission
    identity = [
        ("Mã đơn vị", unit.code),
        ("Tên đơn vị", unit.name),
        ("Thuộc", commune.name if commune and commune.code != unit.code else ""),
        ("Cấp học", ", ".join(plan.levels.get(level, level) for level in unit.levels if level in plan.levels)),
        ("Hạn gửi báo cáo", deadline.strftime("%d/%m/%Y") if deadline else "Theo hướng dẫn của cơ quan nhận"),
        ("Gửi về", plan.collector),
    ]
    for row, (label, value) in enumerate(identity, start=3):
        sheet.write_string(row, 0, label, fmt["label"])
        sheet.write_string(row, 1, value, fmt["value"])
        sheet.set_row(row, _height(value, 70))
    book.define_name(UNIT_CODE_NAME, f"='{GUIDE_SHEET}'!$B$4")
    sheet.write_string(10, 0, "Tình trạng biểu mẫu", fmt["label"])
    cell = xlsxwriter.utility.xl_rowcol_to_cell(summary_cell[0], summary_cell[1], row_abs=True, col_abs=True)
    sheet.write_formula(10, 1, f"='{DATA_SHEET}'!{cell}", fmt["summary"], initial)
    steps = [
        "Cách nhập số liệu:",
        f"1. Mở trang \"{DATA_SHEET}\"; chỉ nhập vào các ô màu vàng. Các ô khác đã được khóa.",
        "2. Ô số: nhập số nguyên, không nhập dấu chấm, dấu phẩy hay chữ. Ô có mũi tên: chọn trong danh sách.",
        "3. Ô tô màu cam là ô còn trống; ô tô màu đỏ là số liệu chưa hợp lý (ví dụ số đạt chuẩn lớn hơn tổng số).",
        "4. Dòng tình trạng ở trên cho biết còn bao nhiêu ô chưa nhập, chưa hợp lệ; sửa đến khi báo \"Đã nhập đầy đủ\".",
        "5. Không đổi tên trang, không xóa dòng; có thể ghi chú ở cột \"Ghi chú\".",
        f"6. Lưu tệp (giữ định dạng .xlsx) và gửi về {plan.collector} trước hạn.",
    ]
    for row, text in enumerate(steps, start=12):
        sheet.merge_range(row, 0, row, 1, text, fmt["label"] if row == 12 else fmt["value"])
        sheet.set_row(row, _height(text, 96))
    _print_setup(sheet, None, portrait=True)
    sheet.protect(password)


def _print_setup(sheet, header_row: int | None, *, portrait: bool) -> None:
    """A4, fits one page wide, margins of Nghị định 30/2020, page numbers, repeated header."""
    sheet.set_paper(9)
    sheet.set_portrait() if portrait else sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=30 * MM, right=15 * MM, top=20 * MM, bottom=20 * MM)
    sheet.set_footer("&C&\"Times New Roman\"Trang &P/&N")
    if header_row is not None:
        sheet.repeat_rows(header_row)


# Many templates


def write_templates(plan: Plan, roster: Roster, output_dir: str | Path, *, password: str | None = None,
                    units=None, progress: bool = True, workers: int | None = None) -> list[Path]:
    """Write `<unit code>.xlsx` for every unit that has anything to fill, using both cores."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    todo = [u for u in (units or roster) if plan.input_names(u)]
    generated_at = dt.datetime.now().replace(microsecond=0)
    workers = workers or min(2, os.cpu_count() or 1)
    bar = tqdm(total=len(todo), desc="Tạo biểu mẫu", unit=" tệp", disable=not progress)
    paths: list[Path] = []
    if workers <= 1 or len(todo) < 50:
        for unit in todo:
            paths.append(write_template(plan, roster, unit, output_dir / f"{unit.code}.xlsx", password=password, generated_at=generated_at))
            bar.update()
    else:
        # Workers load the plan and roster themselves: cheaper than pickling them per task.
        chunks = [todo[i::workers * 4] for i in range(workers * 4)]
        with ProcessPoolExecutor(workers, initializer=_worker_init, initargs=(str(plan.path), str(roster.path))) as pool:
            jobs = [pool.submit(_worker_write, [u.code for u in chunk], str(output_dir), password, generated_at) for chunk in chunks if chunk]
            for job in jobs:
                written = job.result()
                paths.extend(Path(p) for p in written)
                bar.update(len(written))
    bar.close()
    return sorted(paths)


_worker_state: dict = {}


def _worker_init(plan_path: str, roster_path: str) -> None:
    plan = load_plan(plan_path)
    _worker_state.update(plan=plan, roster=load_roster(roster_path, plan))


def _worker_write(codes: list[str], output_dir: str, password, generated_at) -> list[str]:
    plan, roster = _worker_state["plan"], _worker_state["roster"]
    return [str(write_template(plan, roster, roster.get(code), Path(output_dir) / f"{code}.xlsx", password=password, generated_at=generated_at)) for code in codes]
