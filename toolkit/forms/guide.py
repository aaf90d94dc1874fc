"""The instructions sheet of a template: the unit's identity, the self-check status of each input
sheet, and how to fill this kind of workbook (numbers, choices, tasks), in the colours it shows."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from toolkit.core.text import place_name
from toolkit.forms.data_sheet import DATA_SHEET, Status, write_status
from toolkit.forms.rules import DONE, is_number
from toolkit.forms.task_sheet import TASK_SHEET, takes as is_task
from toolkit.spec.names import FIRST_INPUT_COLUMN, KEY_COLUMN, TASK_STATUSES, UNIT_CODE_NAME

GUIDE_SHEET = "Hướng dẫn"


def write_guide(template, sheet: Worksheet, statuses: list[Status]) -> None:
    """Instructions, the unit's identity and the self-check status; all locked.

    Labels span B:D so that values sit in column E, where a reader looks for the unit code
    named in column A when the workbook lost its defined names.
    """
    plan, unit, fmt = template.plan, template.unit, template.formats
    value_col = FIRST_INPUT_COLUMN
    sheet.set_column(KEY_COLUMN, KEY_COLUMN, 12, None, {"hidden": True})
    sheet.set_column(1, value_col - 1, 8)
    sheet.set_column(value_col, value_col, 58)
    line_width = 24 + 58

    def whole_line(row: int, text: str, style: str) -> None:
        sheet.merge_range(row, 1, row, value_col, text, fmt[style])
        sheet.fit_row(row, text, line_width)

    def pair(row: int, label: str, value: str, value_style: str = "value") -> None:
        sheet.merge_range(row, 1, row, value_col - 1, label, fmt["label"])
        sheet.write_string(row, value_col, value, fmt[value_style])
        sheet.fit_row(row, value, 58)

    whole_line(0, "BIỂU MẪU BÁO CÁO SỐ LIỆU", "title")
    whole_line(1, template.plan_line(), "italic")
    commune = template.roster.get(unit.commune) if unit.commune else None
    kind = plan.unit_kinds[unit.kind].label
    # A commune's pseudo-level ("Xã, thị trấn") repeats its kind; only schools have real levels.
    levels = [plan.levels.get(level, level) for level in unit.levels if plan.levels.get(level, level) != kind]
    identity = [
        ("Mã đơn vị", unit.code),
        ("Tên đơn vị", unit.name),
        ("Loại đơn vị", kind),
        *([("Cấp học", ", ".join(levels))] if levels else []),
        ("Địa bàn", f"{place_name(commune.name)}, {plan.area.name}" if commune and commune.code != unit.code else plan.area.name),
        ("Kỳ báo cáo", plan.period.label),
        ("Hạn gửi báo cáo", template.deadline_text()),
        ("Gửi về", plan.collector),
    ]
    for row, (label, value) in enumerate(identity, start=3):
        pair(row, label, value)
    sheet.write_string(3, KEY_COLUMN, UNIT_CODE_NAME)
    template.book.define_name(UNIT_CODE_NAME, f"='{GUIDE_SHEET}'!$E$4")

    row = 3 + len(identity) + 1
    for status in statuses:
        label = "Tình trạng biểu mẫu" if len(statuses) == 1 else f"Tình trạng trang “{status.sheet}”"
        sheet.merge_range(row, 1, row, value_col - 1, label, fmt["label"])
        write_status(template, sheet, row, value_col, f"='{status.sheet}'!{status.cell}", status.initial)
        row += 1
    steps = instructions(template, statuses)
    row += 1
    for number, text in enumerate(steps):
        whole_line(row + number, text, "label" if number == 0 else "value")
    template.print_setup(sheet, width=line_width, last_row=row + len(steps) - 1, last_col=value_col)
    template.protect(sheet)


def instructions(template, statuses: list[Status]) -> list[str]:
    """A heading and numbered steps that speak only of the cells this workbook has."""
    plan, unit = template.plan, template.unit
    fields = [f for f in plan.fields_for(unit) if not is_task(f)]
    sheets = {status.sheet for status in statuses}
    sheet_names = ", ".join(f"“{s.sheet}”" for s in statuses)
    steps = [f"Mở trang {sheet_names}; chỉ nhập vào các ô nền vàng (ô bắt buộc còn trống có nền cam). "
             "Các ô khác đã được khóa."]
    if any(is_number(f) for f in fields):
        steps.append("Ô số: nhập số nguyên (không âm), không gõ dấu chấm, dấu phẩy, khoảng trắng hay chữ.")
    if any(f.kind == "choice" for f in fields):
        steps.append("Ô có mũi tên: bấm mũi tên và chọn một giá trị trong danh sách.")
    if any(f.kind == "text" for f in fields):
        steps.append("Ô chữ: ghi ngắn gọn; dòng tự giãn theo nội dung.")
    if TASK_SHEET in sheets:
        steps.append(f"Trang “{TASK_SHEET}”: mỗi dòng là một nhiệm vụ đơn vị chủ trì hoặc phối hợp thực hiện. "
                     "Ghi kết quả thực hiện, chọn mức độ (" + ", ".join(TASK_STATUSES) + "), ghi khó khăn, "
                     "vướng mắc và đề xuất nếu có; dòng tự giãn theo nội dung.")
    wrong = ("ô nền đỏ là số liệu chưa hợp lý (ví dụ số đạt chuẩn lớn hơn tổng số)"
             if any(is_number(f) for f in fields) else "ô nền đỏ là giá trị chưa hợp lệ")
    steps.append(f"Ô nền cam là ô bắt buộc còn trống; {wrong}. Cột “Kiểm tra” cuối mỗi dòng ghi dòng đó "
                 "chưa nhập hay chưa hợp lệ (chữ đỏ) hoặc đã nhập (chữ xanh), kể cả khi số liệu được dán từ tệp khác."
                 + (" Có thể ghi giải thích ở cột “Ghi chú”." if DATA_SHEET in sheets else ""))
    steps.append("Dòng “Tình trạng” ở trên và ở đầu mỗi trang cho biết còn bao nhiêu ô chưa nhập, chưa hợp lệ; "
                 f"sửa đến khi báo “{DONE}” (chữ xanh).")
    steps.append("Không đổi tên trang, không chèn hay xóa dòng, cột; không sao chép số liệu sang biểu mẫu khác.")
    steps.append(f"Lưu tệp (giữ nguyên định dạng .xlsx và tên tệp {unit.code}.xlsx) và gửi về {plan.collector} "
                 + (f"trước ngày {template.deadline_text()}." if plan.deadlines.submission else "đúng hạn."))
    heading = "Cách nhập số liệu" if fields else "Cách báo cáo tiến độ nhiệm vụ"
    return [heading, *(f"{number}. {text}" for number, text in enumerate(steps, start=1))]
