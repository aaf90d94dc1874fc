"""Reports of a check: kiem_tra.csv (contract), Kiem_tra.xlsx (for people), feedback copies
(toolkit.collect.feedback)."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from toolkit.collect.feedback import PendingCopies, start_feedback
from toolkit.collect.folder import FEEDBACK_FOLDER, STATUS_LABELS, Collection
from toolkit.core.files import atomic_write
from toolkit.core.numbers import in_vietnam_time
from toolkit.spec.plan import Plan
from toolkit.spec.units import Roster
from toolkit.core.text import csv_cell, printable

CSV_COLUMNS = ("file", "unit", "unit_name", "sheet", "cell", "field", "severity", "code", "message")
SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo"}
STATUS_FILLS = {"da_nop": "#C6EFCE", "co_loi": "#FFEB9C", "chua_nop": "#FFC7CE"}


def write_check_reports(plan: Plan, roster: Roster, collection: Collection, output_dir: str | Path, *,
                        today: dt.date | None = None, workers: int = 1) -> list[Path]:
    """Write the three reports of a check into `output_dir`; return their paths."""
    with start_check_reports(plan, roster, collection, output_dir, today=today, workers=workers) as pending:
        return pending.wait()


@dataclass
class PendingReports:
    """The reports of a check, the feedback copies maybe still being written: `wait()` gives every path."""

    written: list[Path]
    copies: PendingCopies

    def wait(self) -> list[Path]:
        return self.written + self.copies.wait()

    def __enter__(self) -> "PendingReports":
        return self

    def __exit__(self, *exc) -> None:
        self.copies.__exit__(*exc)


def start_check_reports(plan: Plan, roster: Roster, collection: Collection, output_dir: str | Path, *,
                        today: dt.date | None = None, workers: int = 1) -> PendingReports:
    """The reports of `write_check_reports`, returning while `workers` processes still write the feedback
    copies, so that the caller's own work (the aggregate's results and annexes) runs meanwhile; `wait()`
    then writes what no worker has started. One worker by default: with this process busy, a second
    would only take turns with it on two cores."""
    output_dir = Path(output_dir)
    copies = start_feedback(plan, roster, collection, output_dir / FEEDBACK_FOLDER, workers=workers)
    try:
        return PendingReports(_write_lists(plan, roster, collection, output_dir, today), copies)
    except BaseException:
        copies.__exit__(None, None, None)
        raise


def _write_lists(plan: Plan, roster: Roster, collection: Collection, output_dir: Path, today: dt.date | None) -> list[Path]:
    """kiem_tra.csv and Kiem_tra.xlsx."""
    output_dir.mkdir(parents=True, exist_ok=True)
    issues = [*collection.issues, *collection.skipped]
    return [_write_csv(roster, issues, output_dir / "kiem_tra.csv"),
            _write_board(plan, roster, collection, issues, output_dir / "Kiem_tra.xlsx", today or dt.date.today())]


def _write_csv(roster: Roster, issues, path: Path) -> Path:
    def write(temporary: str) -> None:
        # UTF-8 with BOM: Excel on Windows then shows Vietnamese correctly.
        with open(temporary, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for i in issues:
                unit = roster.get(i.unit)
                row = [i.file, i.unit, unit.name if unit else "", i.sheet, i.cell, i.field, i.severity, i.code, i.message]
                writer.writerow([csv_cell(printable(value)) for value in row])

    return atomic_write(path, write)


def _days_late(deadline: dt.date | None, moment: dt.date | None) -> int | None:
    if deadline is None or moment is None or moment <= deadline:
        return None
    return (moment - deadline).days


def _write_board(plan: Plan, roster: Roster, collection: Collection, issues, path: Path, today: dt.date) -> Path:
    deadline = plan.deadlines.submission

    def write(temporary: str) -> None:
        book = xlsxwriter.Workbook(temporary, {"strings_to_formulas": False, "strings_to_urls": False,
                                               "default_format_properties": {"font_name": "Times New Roman", "font_size": 12}})
        header = book.add_format({"bold": True, "border": 1, "bg_color": "#D9E1F2", "text_wrap": True, "valign": "vcenter", "align": "center"})
        cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        title = book.add_format({"bold": True, "font_size": 14})
        fills = {k: book.add_format({"border": 1, "bg_color": v, "valign": "top"}) for k, v in STATUS_FILLS.items()}

        board = book.add_worksheet("Tình trạng")
        board.write_string(0, 0, f"TÌNH TRẠNG NỘP BÁO CÁO SỐ LIỆU {plan.period.label.upper()}", title)
        report = plan.deadlines.report
        board.write_string(1, 0, f"Hạn đơn vị nộp: {deadline.strftime('%d/%m/%Y') if deadline else 'không ghi'}; "
                                 f"tính đến ngày {today.strftime('%d/%m/%Y')}. Nơi nhận: {plan.collector}."
                                 + (f" Hạn tổng hợp, báo cáo cấp trên: {report.strftime('%d/%m/%Y')}." if report else ""))
        columns = [("STT", 5), ("Mã đơn vị", 18), ("Tên đơn vị", 36), ("Thuộc", 24), ("Trạng thái", 16), ("Tệp", 30),
                   ("Thời điểm lưu", 17), ("Số lỗi", 8), ("Số cảnh báo", 10), ("Hạn nộp", 11), ("Số ngày trễ", 9),
                   ("Người liên hệ", 20), ("Điện thoại", 14), ("Email", 24)]
        for col, (name, width) in enumerate(columns):
            board.write_string(3, col, name, header)
            board.set_column(col, col, width)
        for row, status in enumerate(collection.statuses, start=4):
            unit = status.unit
            commune = roster.get(unit.commune)
            saved = in_vietnam_time(status.saved_at) if status.saved_at else None
            sent = saved.date() if saved else None
            late = _days_late(deadline, sent if status.status != "chua_nop" else today)
            values = [row - 3, unit.code, unit.name, commune.name if commune and commune.code != unit.code else "",
                      STATUS_LABELS[status.status], Path(status.file).name if status.file else "",
                      saved.strftime("%d/%m/%Y %H:%M") if saved else "", status.errors, status.warnings,
                      deadline.strftime("%d/%m/%Y") if deadline else "", late if late is not None else "",
                      unit.contact_name, unit.phone, unit.email]
            for col, value in enumerate(values):
                style = fills[status.status] if col == 4 else cell
                _write(board, row, col, value, style)
        board.autofilter(3, 0, 3 + len(collection.statuses), len(columns) - 1)
        board.freeze_panes(4, 3)
        _landscape(board, 3)

        detail = book.add_worksheet("Chi tiết lỗi")
        columns = [("Tệp", 30), ("Mã đơn vị", 18), ("Tên đơn vị", 30), ("Trang", 12), ("Ô", 7), ("Mã ô", 24), ("Mức độ", 10), ("Nội dung", 80)]
        for col, (name, width) in enumerate(columns):
            detail.write_string(0, col, name, header)
            detail.set_column(col, col, width)
        for row, i in enumerate(issues, start=1):
            unit = roster.get(i.unit)
            values = [Path(i.file).name if i.file else "", i.unit, unit.name if unit else "", i.sheet, i.cell, i.field,
                      SEVERITY_LABELS[i.severity], i.message]
            for col, value in enumerate(values):
                _write(detail, row, col, value, cell)
        detail.autofilter(0, 0, len(issues), len(columns) - 1)
        detail.freeze_panes(1, 0)
        _landscape(detail, 0)
        book.close()

    return atomic_write(path, write)


def _write(sheet, row: int, col: int, value: object, style) -> None:
    """Numbers as numbers, text always as text (nothing a unit typed becomes a formula), blanks blank."""
    if isinstance(value, int):
        sheet.write_number(row, col, value, style)
    elif value in ("", None):
        sheet.write_blank(row, col, None, style)
    else:
        sheet.write_string(row, col, printable(str(value)), style)


def _landscape(sheet, header_row: int) -> None:
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
