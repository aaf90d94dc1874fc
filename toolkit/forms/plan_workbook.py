"""Writing the plan workbook (ke_hoach.xlsx; layout in `toolkit.spec.plan_sheets`, read back by
`toolkit.spec.plan_workbook`): any plan as a workbook, or a blank one with one worked row per sheet.

House style of the templates: frozen header, input help on every column, dropdowns from a range on
a sheet, locked headers and labels (rows can be inserted, deleted and pasted into).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter
from toolkit.core.cells import column_name

from toolkit.core.files import atomic_write
from toolkit.forms.data_sheet import row_height
from toolkit.forms.writer import FONT, INPUT_FILL, Template
from toolkit.spec import plan_sheets as layout
from toolkit.spec.catalogue import inputs_of, standard_indicators
from toolkit.spec.plan import Plan
from toolkit.spec.units import Roster

DATA_ROWS = 500  # rows of each table sheet that carry input help and dropdowns
Rows = list[dict[str, object]]  # one dict per row: column key -> value as the user sees it


def _shown(column: layout.Column, value: object) -> object:
    """A plan value as the workbook shows it: labels for choices, lists joined, dates as dates."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if column.kind in ("choice", "bool"):
        stored = ("true" if value else "false") if isinstance(value, bool) else value
        return next((label for label, code in column.choices if code == stored), value)
    if column.kind == "lines" or column.key == "checks":
        return "\n".join(value)
    if column.kind == "codes":
        return "; ".join(value)
    if value == "plan year":
        return layout.PLAN_YEAR_WORDS[0]
    return value


def _dotted(data: dict, key: str) -> object:
    for part in key.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _row(sheet: layout.Sheet, data: dict) -> dict[str, object]:
    return {c.key: _shown(c, _dotted(data, c.key)) for c in sheet.columns}


def plan_rows(plan: Plan, roster: Roster | None = None) -> tuple[dict, dict[str, Rows], list[str]]:
    """What the workbook of a plan holds: Thông tin values, each table's rows, the target headers."""
    data = plan.model_dump(mode="python", exclude_defaults=True)
    data.setdefault("period", {})["kind"] = plan.period.kind
    data["roster"] = "" if roster is not None else plan.roster
    info = _row(layout.INFO, data)
    lists = [{"type": "Loại đơn vị", "code": code, "label": kind.label, "plural": kind.plural} for code, kind in plan.unit_kinds.items()]
    lists += [{"type": "Cấp học", "code": code, "label": label} for code, label in plan.levels.items()]
    lists += [{"type": "Giai đoạn chỉ tiêu", "code": p.code, "label": p.label} for p in plan.period.targets]

    periods = [p.code for p in plan.period.targets] or [None]
    levels = [lv for lv in plan.levels if any(lv in i.target_by_level for i in plan.indicators)]
    targets = [layout.target_header(level, period) for level in [None, *levels] for period in periods]
    indicators, section, number = [], None, 0
    for indicator in plan.indicators:
        entry = indicator.model_dump(mode="python", exclude_defaults=True)
        row = _row(layout.INDICATORS, entry)
        row["catalogue"] = indicator.code if _is_standard(plan, indicator) else None
        number = number + 1 if indicator.section == section else 1
        row["section"] = None if indicator.section == section else indicator.section
        row["stt"], section = number, indicator.section
        for level, target in [(None, indicator.target), *indicator.target_by_level.items()]:
            for period in periods:
                value = target.get(period) if isinstance(target, dict) else target
                row[layout.target_header(level, period)] = value
        indicators.append(row)

    fields, grids, section = [], [], None
    for field in plan.fields:
        row = _row(layout.FIELDS, field.model_dump(mode="python", exclude_defaults=True))
        row["section"], section = (None if field.section == section else field.section), field.section
        fields.append(row)
        for part, label in (("rows", "Dòng"), ("columns", "Cột")):
            for item in getattr(field, part):
                grids.append({"field": field.code, "part": label, "key": item.key, "label": item.label,
                              "level": getattr(item, "level", "") or None})
    tasks = []
    for group in plan.tasks.groups if plan.tasks else []:
        tasks.append({"tt": group.numeral, "content": group.title})
        tasks += [task.model_dump(mode="python") for task in group.tasks]
    agencies = [{"phrase": phrase, "unit": unit} for unit, phrases in plan.agencies.aliases.items() for phrase in phrases]
    agencies += [_row(layout.AGENCIES, group.model_dump(mode="python")) for group in plan.agencies.groups]
    annexes = [_row(layout.ANNEXES, annex.model_dump(mode="python", exclude_defaults=True)) for annex in plan.annexes]
    units = [_row(layout.ROSTER, {"code": u.code, "name": u.name, "kind": u.kind, "levels": list(u.levels),
                                  "commune": u.commune, "contact_name": u.contact_name, "phone": u.phone,
                                  "email": u.email, "tags": list(u.tags)}) for u in roster or []]
    tables = {layout.LISTS.name: lists, layout.ROSTER.name: units, layout.INDICATORS.name: indicators,
              layout.FIELDS.name: fields, layout.GRIDS.name: grids, layout.TASKS.name: tasks,
              layout.AGENCIES.name: agencies, layout.ANNEXES.name: annexes}
    return info, tables, targets


def _is_standard(plan: Plan, indicator) -> bool:
    """Whether an indicator is the catalogue's of its code, with all the catalogue's inputs in the
    plan: its row then names the code (the reader adds nothing, the plan reads back the same)."""
    standard = standard_indicators().get(indicator.code)
    if standard is None:
        return False
    written = indicator.model_dump(exclude_defaults=True)
    same = all(written.get(key) == standard.get(key) for key in ("reporter", "rule", "numerator", "denominator", "eligible"))
    covered = all(key in written for key in standard)  # a key left blank would read back as the catalogue's
    return same and covered and {f["code"] for f in inputs_of(indicator.code)} <= set(plan.field_by_code)


GUIDE = [
    "KẾ HOẠCH THU THẬP SỐ LIỆU",
    "Tệp này là kế hoạch mà công cụ đọc để tạo biểu mẫu cho các đơn vị, kiểm tra báo cáo gửi về và in phụ lục. "
    "Ghi vào các ô nền vàng; dòng đầu của mỗi trang là tên cột, không đổi tên cột. "
    "Chọn một ô để xem hướng dẫn của cột. Có thể chèn, xóa dòng và dán bảng từ Word.",
    "Các trang:",
    *[f"• {sheet.name}: {sheet.purpose}." for sheet in (layout.INFO, *layout.TABLES)],
    f"• {layout.CATALOGUE_SHEET}: danh mục chỉ tiêu chuẩn; ghi mã ở cột “Mã danh mục” của trang Chỉ tiêu là có sẵn "
    "số liệu cần nhập, cách tính và điều kiện kiểm tra.",
    "Cách ghi:",
    "• Số: 98 hoặc 98,5 (dấu phẩy thập phân); ngày: 10/12/2024. Chỉ tiêu ghi như văn bản: 98%, trên 99,7%, 60/73 trường.",
    "• Nhiều mã trong một ô: cách nhau bằng dấu chấm phẩy, ví dụ TH; THCS.",
    "• Trang có tên bắt đầu bằng “_” không được đọc.",
    "Kiểm tra kế hoạch (báo mọi lỗi một lần, ghi rõ trang, dòng, cột): toolkit plan check --plan ke_hoach.xlsx",
    "Tạo biểu mẫu: toolkit templates --plan ke_hoach.xlsx --output output/bieu_mau",
]


def export_plan(plan: Plan, path: str | Path, roster: Roster | None = None) -> Path:
    """Write any plan as a workbook; with its roster, the units go on the Đơn vị sheet."""
    return write_plan_workbook(path, *plan_rows(plan, roster))


def write_plan_workbook(path: str | Path, info: dict, tables: dict[str, Rows], targets: list[str]) -> Path:
    """Write ke_hoach.xlsx from Thông tin values, table rows (as `plan_rows` gives them) and target headers."""
    def write(temporary: str) -> None:
        book = xlsxwriter.Workbook(temporary, {"strings_to_numbers": False, "strings_to_formulas": False})
        _Book(book).write(info, tables, targets)
        book.close()

    return atomic_write(path, write)


class _Book:
    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        box = {**FONT, "valign": "top", "text_wrap": True, "border": 1}
        self.header = book.add_format({**box, "bold": True, "bg_color": "#D9E1F2", "align": "center"})
        self.label = book.add_format({**box, "bold": True})
        self.help = book.add_format({**box, "italic": True, "font_color": "#595959"})
        self.input = book.add_format({**box, "locked": False, "bg_color": INPUT_FILL})
        self.date = book.add_format({**box, "locked": False, "bg_color": INPUT_FILL, "num_format": "dd/mm/yyyy"})
        self.text = book.add_format({**FONT, "text_wrap": True, "valign": "top"})
        self.title = book.add_format({**FONT, "bold": True, "font_size": 14})
        self.choices = None  # the hidden sheet of dropdown lists, made when first needed
        self._ranges: dict[tuple, str] = {}

    def write(self, info: dict, tables: dict[str, Rows], targets: list[str]) -> None:
        guide = self.book.add_worksheet(layout.GUIDE_SHEET)
        self._info(info)
        for sheet in layout.TABLES:
            columns = list(sheet.columns)
            if sheet is layout.INDICATORS:  # the target columns follow the unit of measure
                at = columns.index(sheet.column("unit")) + 1
                columns[at:at] = [layout.Column(header, header, layout.TARGET_HELP, "target", width=12) for header in targets]
            self._table(sheet, columns, tables.get(sheet.name, []))
        self._catalogue()
        self._guide(guide)
        guide.activate()

    def _guide(self, sheet) -> None:
        sheet.set_column(0, 0, 68, self.text)
        for row, line in enumerate(GUIDE):
            sheet.write_string(row, 0, line, self.title if row == 0 else self.text)
            sheet.set_row(row, row_height(line, 68) + (6 if row == 0 else 0))
        Template.print_setup(sheet, width=68, last_row=len(GUIDE) - 1, last_col=0)
        sheet.protect("", {})

    def _list_range(self, column: layout.Column) -> str:
        """A dropdown's source: the choice labels, on the hidden lists sheet."""
        key = column.choices
        if key not in self._ranges:
            if self.choices is None:
                self.choices = self.book.add_worksheet(layout.CHOICES_SHEET)
                self.choices.hide()
            col = len(self._ranges)
            for row, (label, _) in enumerate(column.choices):
                self.choices.write_string(row, col, label)
            letter = column_name(col)
            self._ranges[key] = f"='{layout.CHOICES_SHEET}'!${letter}$1:${letter}${len(column.choices)}"
        return self._ranges[key]

    def _validation(self, sheet, first_row: int, last_row: int, col: int, column: layout.Column) -> None:
        rule: dict = {"validate": "any"}
        if column.key == "catalogue":
            rule = {"validate": "list", "source": f"='{layout.CATALOGUE_SHEET}'!$A$2:$A${len(standard_indicators()) + 1}",
                    "error_type": "warning"}
        elif column.kind == "code":  # a code of the Danh mục sheet; another one only earns a warning
            rule = {"validate": "list", "source": f"='{layout.LISTS.name}'!$B$2:$B${DATA_ROWS}", "error_type": "information"}
        elif column.choices:
            rule = {"validate": "list", "source": self._list_range(column), "error_type": "warning",
                    "error_message": "Hãy chọn một giá trị trong danh sách: " + "; ".join(label for label, _ in column.choices)}
        rule.update({"input_title": column.header[:32], "input_message": column.help[:255]})
        sheet.data_validation(first_row, col, last_row, col, rule)

    def _cell(self, sheet, row: int, col: int, value: object, column: layout.Column) -> None:
        if value is None:
            return
        if isinstance(value, dt.date):
            sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), self.date)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            sheet.write_number(row, col, value, self.input)
        else:
            sheet.write_string(row, col, str(value), self.input)

    def _info(self, values: dict) -> None:
        sheet = self.book.add_worksheet(layout.INFO.name)
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 1, 70, self.input)
        sheet.set_column(2, 2, 60)
        for col, text in enumerate(("Mục", "Nội dung", "Hướng dẫn")):
            sheet.write_string(0, col, text, self.header)
        for row, column in enumerate(layout.INFO.columns, start=1):
            sheet.write_string(row, 0, column.header, self.label)
            self._cell(sheet, row, 1, values.get(column.key), column)
            sheet.write_string(row, 2, column.help, self.help)
            sheet.set_row(row, max(row_height(values.get(column.key) or "", 70), row_height(column.help, 60)))
            self._validation(sheet, row, row, 1, column)
        sheet.freeze_panes(1, 1)
        Template.print_setup(sheet, width=34 + 70 + 60, last_row=len(layout.INFO.columns), last_col=2, header_row=0)
        sheet.protect("", {"insert_rows": False, "format_columns": True, "format_rows": True})

    def _table(self, spec: layout.Sheet, columns: list[layout.Column], rows: Rows) -> None:
        sheet = self.book.add_worksheet(spec.name)
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column.width, self.input)
            sheet.write_string(0, col, column.header, self.header)
            sheet.write_comment(0, col, column.help, {"x_scale": 2, "y_scale": 1.5})
            self._validation(sheet, 1, max(DATA_ROWS, len(rows) + 50), col, column)
        for row, values in enumerate(rows, start=1):
            for col, column in enumerate(columns):
                self._cell(sheet, row, col, values.get(column.key), column)
            sheet.set_row(row, max(row_height(values.get(c.key) or "", c.width) for c in columns))
        sheet.freeze_panes(1, 0)
        sheet.set_row(0, 32)
        sheet.autofilter(0, 0, 0, len(columns) - 1)
        Template.print_setup(sheet, width=sum(c.width for c in columns), last_row=max(len(rows), 1),
                             last_col=len(columns) - 1, header_row=0)
        sheet.protect("", {"insert_rows": True, "delete_rows": True, "format_columns": True, "format_rows": True,
                           "sort": True, "autofilter": True})

    def _catalogue(self) -> None:
        """The standard indicators, for the dropdown of "Mã danh mục" and for reading."""
        sheet = self.book.add_worksheet(layout.CATALOGUE_SHEET)
        headers = (("Mã danh mục", "code", 22), ("Tên chỉ tiêu", "name", 60), ("Đơn vị tính", "unit", 10),
                   ("Đơn vị báo cáo", "reporter", 12), ("Tử số", "numerator", 36), ("Mẫu số", "denominator", 30),
                   ("Nguồn định nghĩa", "source", 50))
        for col, (header, _, width) in enumerate(headers):
            sheet.set_column(col, col, width, self.text)
            sheet.write_string(0, col, header, self.header)
        for row, entry in enumerate(standard_indicators().values(), start=1):
            for col, (_, key, _) in enumerate(headers):
                sheet.write_string(row, col, str(entry.get(key, "")), self.text)
        sheet.freeze_panes(1, 1)
        sheet.protect("", {"autofilter": True, "sort": True})


def blank_rows(year: int) -> tuple[dict, dict[str, Rows], list[str]]:
    """A new plan: every item of Thông tin, one worked row per sheet (a commune after the 2025
    reform, one school, one standard indicator), ready to overwrite."""
    info = {
        "code": f"ke-hoach-{year}", "document.type": "Kế hoạch", "document.symbol": "KH-UBND", "document.place": "Long Hồ",
        "document.title": f"Phát triển giáo dục trên địa bàn xã năm {year}",
        "issuer.name": "Ủy ban nhân dân xã Long Hồ", "issuer.header": "ỦY BAN NHÂN DÂN\nXÃ LONG HỒ",
        "issuer.signature": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", "collector": "Phòng Văn hóa - Xã hội xã Long Hồ",
        "area.name": "xã Long Hồ", "area.total_label": "Toàn xã", "period.kind": "Năm", "period.year": year,
        "deadlines.submission": dt.date(year, 12, 10), "deadlines.report": dt.date(year, 12, 20),
        "tasks.title": "PHÂN CÔNG NHIỆM VỤ THỰC HIỆN KẾ HOẠCH",
    }
    section = "I. Cơ sở vật chất"
    tables = {
        layout.LISTS.name: [{"type": "Loại đơn vị", "code": "truong", "label": "Trường", "plural": "trường"},
                            *({"type": "Cấp học", "code": code, "label": label}
                              for code, label in (("MN", "Mầm non"), ("TH", "Tiểu học"), ("THCS", "Trung học cơ sở")))],
        layout.ROSTER.name: [{"code": "MN_HOA_SEN", "name": "Trường Mầm non Hoa Sen", "kind": "truong", "levels": "MN"}],
        layout.INDICATORS.name: [{"section": section, "stt": 1, "name": "Tỷ lệ phòng học kiên cố", "catalogue": "PH_KIEN_CO",
                                  "unit": "%", layout.target_header(): 100, "source": "Mục II.1 của kế hoạch"}],
        layout.FIELDS.name: [{"section": section, "code": "PH_XAY_MOI", "label": "Số phòng học xây mới trong năm",
                              "kind": "Số nguyên", "reporter": "truong", "unit": "phòng", "min": 0}],
        layout.GRIDS.name: [],
        layout.TASKS.name: [{"tt": "I", "content": "Cơ sở vật chất"},
                            {"tt": "1", "content": "Rà soát, đề xuất xây mới phòng học thay phòng học tạm",
                             "lead": "Trường Mầm non Hoa Sen", "timeframe": f"Năm {year}"}],
        layout.AGENCIES.name: [{"phrase": "Trường Hoa Sen", "unit": "MN_HOA_SEN"}],
        layout.ANNEXES.name: [{"numeral": "I", "kind": "Kết quả chỉ tiêu", "title": f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU NĂM {year}"},
                              {"numeral": "II", "kind": "Tiến độ nhiệm vụ", "title": f"TIẾN ĐỘ THỰC HIỆN CÁC NHIỆM VỤ NĂM {year}"}],
    }
    return info, tables, [layout.target_header()]
