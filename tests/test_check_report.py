"""Reports of a check: the CSV contract, the status board, feedback copies; originals never touched."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
from pathlib import Path

import openpyxl
import pytest

from toolkit.collect.report import write_check_reports
from toolkit.collect.folder import collect
from toolkit.forms.samples import fill_workbook, sample_values, set_saved_at
from toolkit.forms.writer import write_template

TODAY = dt.date(2022, 12, 15)  # five days after the example's deadline (10/12/2022)


def fingerprints(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def checked(plan, roster, tmp_path_factory):
    """A returns folder with one clean, one faulty and one late unit, checked, reports written."""
    templates, returns, output = (tmp_path_factory.mktemp(name) for name in ("templates", "returns", "output"))

    def send(code: str, name: str, saved: dt.datetime, **changes) -> Path:
        template = write_template(plan, roster, roster.get(code), templates / f"{code}.xlsx")
        values = {**sample_values(plan, roster.get(code), random.Random(3)), **changes}
        return set_saved_at(fill_workbook(template, values, returns / name), saved)

    # Excel records save times in UTC; the board shows them as the clerk's clock in Vietnam (UTC+7) did.
    send("XA_BAN_CAM", "XA_BAN_CAM.xlsx", dt.datetime(2022, 12, 9, 3, 0, tzinfo=dt.timezone.utc))
    send("XA_GIA_PHU", "Báo cáo Gia Phú.xlsx", dt.datetime(2022, 12, 10, 10, 0, tzinfo=dt.timezone.utc),
         RL_0_2=100000, XMC_SO_NGUOI=" 12 ")
    # Saved at midnight in Vietnam, still 12/12 in UTC: three days late, not two.
    send("THTHCS_BAN_CAM_1", "THTHCS_BAN_CAM_1.xlsx", dt.datetime(2022, 12, 12, 17, 0, tzinfo=dt.timezone.utc))
    openpyxl.Workbook().save(returns / "=HYPERLINK(1).xlsx")  # formula-looking name of a stray workbook
    (returns / "Thumbs.db").write_bytes(b"\0" * 16)
    before = fingerprints(returns)
    collection = collect(plan, roster, returns)
    paths = write_check_reports(plan, roster, collection, output, today=TODAY)
    return collection, paths, output, returns, before


def test_originals_are_never_modified(checked):
    _, _, _, returns, before = checked
    assert fingerprints(returns) == before


def test_the_reports_written(checked):
    _, paths, output, _, _ = checked
    assert [p.relative_to(output).as_posix() for p in paths] == ["kiem_tra.csv", "Kiem_tra.xlsx", "phan_hoi/XA_GIA_PHU.xlsx"]


def test_kiem_tra_csv_has_one_row_per_problem_in_utf8_with_bom(checked):
    collection, _, output, _, _ = checked
    raw = (output / "kiem_tra.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert {"file", "unit", "field", "severity", "message", "sheet", "cell", "code", "unit_name"} <= set(rows[0])
    assert len(rows) == len(collection.issues) + len(collection.skipped)
    by_unit = {(r["unit"], r["code"]): r for r in rows}
    assert by_unit[("XA_THAI_NIEN", "not-submitted")]["message"] == "Đơn vị chưa gửi báo cáo."
    assert by_unit[("XA_THAI_NIEN", "not-submitted")]["severity"] == "error"
    faulty = by_unit[("XA_GIA_PHU", "check-broken")]
    assert (faulty["field"], faulty["sheet"], faulty["unit_name"]) == ("RL_0_2", "Số liệu", "UBND xã Gia Phú")
    assert faulty["message"].startswith("Số trẻ 0-2 tuổi ra lớp nhà trẻ: 100000 phải nhỏ hơn hoặc bằng Số trẻ 0-2 tuổi trên địa bàn")
    assert Path(faulty["file"]).name == "Báo cáo Gia Phú.xlsx"
    assert by_unit[("XA_GIA_PHU", "number-as-text")]["severity"] == "warning"


def board_rows(output: Path) -> tuple:
    book = openpyxl.load_workbook(output / "Kiem_tra.xlsx")
    sheet = book["Tình trạng"]
    header = [c.value for c in sheet[4]]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=5)}
    return book, sheet, header, rows


def test_status_board_shows_who_sent_what_and_how_late(plan, roster, checked):
    _, _, output, _, _ = checked
    book, sheet, header, rows = board_rows(output)
    assert book.sheetnames == ["Tình trạng", "Chi tiết lỗi"]
    assert sheet["A2"].value == ("Hạn đơn vị nộp: 10/12/2022; tính đến ngày 15/12/2022. Nơi nhận: Phòng Giáo dục và Đào tạo "
                                 "huyện Bảo Thắng. Hạn tổng hợp, báo cáo cấp trên: 20/12/2022.")
    assert header == ["STT", "Mã đơn vị", "Tên đơn vị", "Thuộc", "Trạng thái", "Tệp", "Thời điểm lưu", "Số lỗi",
                      "Số cảnh báo", "Hạn nộp", "Số ngày trễ", "Người liên hệ", "Điện thoại", "Email"]

    def shown(code: str) -> tuple:
        row = rows[code]
        return row[4].value, row[4].fill.fgColor.rgb, row[5].value, row[6].value, row[7].value, row[8].value, row[10].value

    assert shown("XA_BAN_CAM") == ("Đã nộp", "FFC6EFCE", "XA_BAN_CAM.xlsx", "09/12/2022 10:00", 0, 0, None)
    assert shown("XA_GIA_PHU") == ("Nộp nhưng có lỗi", "FFFFEB9C", "Báo cáo Gia Phú.xlsx", "10/12/2022 17:00", 1, 1, None)
    assert shown("THTHCS_BAN_CAM_1") == ("Đã nộp", "FFC6EFCE", "THTHCS_BAN_CAM_1.xlsx", "13/12/2022 00:00", 0, 0, 3)
    assert shown("XA_THAI_NIEN") == ("Chưa nộp", "FFFFC7CE", None, None, 0, 0, 5)
    everyone = sum(1 for unit in checked[0].statuses)
    assert everyone == sum(1 for unit in roster if plan.input_names(unit))
    assert len(rows) == everyone and rows["XA_BAN_CAM"][9].value == "10/12/2022"
    assert rows["MN_BAN_CAM_1"][3].value == "UBND xã Bản Cầm"
    # For people: sortable, filterable, printable.
    assert sheet.auto_filter.ref == f"A4:N{4 + everyone}" and sheet.freeze_panes == "D5"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert rows["XA_BAN_CAM"][2].font.name == "Times New Roman"


def test_detail_sheet_lists_every_problem_in_vietnamese_and_keeps_text_as_text(checked):
    collection, _, output, _, _ = checked
    sheet = openpyxl.load_workbook(output / "Kiem_tra.xlsx")["Chi tiết lỗi"]
    assert [c.value for c in sheet[1]] == ["Tệp", "Mã đơn vị", "Tên đơn vị", "Trang", "Ô", "Mã ô", "Mức độ", "Nội dung"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert {r[6] for r in rows} == {"Lỗi", "Cảnh báo"}
    assert ["Thumbs.db", None, None, None, None, None, "Cảnh báo"] == rows[-1][:7]
    stray = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "=HYPERLINK(1).xlsx")
    assert stray[0].data_type == "s"  # shown as typed, never run as a formula
    assert sheet.auto_filter.ref == f"A1:H{len(rows) + 1}"


def test_feedback_copy_marks_each_bad_cell_with_its_message(checked):
    collection, _, output, returns, _ = checked
    issues = [i for i in collection.issues if i.unit == "XA_GIA_PHU"]
    book = openpyxl.load_workbook(output / "phan_hoi" / "XA_GIA_PHU.xlsx")
    for issue in issues:
        cell = book[issue.sheet][issue.cell]
        assert cell.comment.text == issue.message
        assert cell.fill.fgColor.rgb == ("FFFF7C80" if issue.severity == "error" else "FFFFEB9C")
    assert {i.code for i in issues} == {"check-broken", "number-as-text"}
    broken = next(i for i in issues if i.code == "check-broken")
    assert book["Số liệu"][broken.cell].value == 100000  # the unit's own data, unchanged
    assert not (output / "phan_hoi" / "XA_BAN_CAM.xlsx").exists()


def test_a_fixed_unit_loses_its_old_feedback(plan, roster, checked, tmp_path):
    collection, _, output, _, _ = checked
    (tmp_path / "phan_hoi").mkdir()
    (tmp_path / "phan_hoi" / "XA_BAN_CAM.xlsx").write_bytes(b"old")
    write_check_reports(plan, roster, collection, tmp_path, today=TODAY)
    assert sorted(p.name for p in (tmp_path / "phan_hoi").iterdir()) == ["XA_GIA_PHU.xlsx"]


def test_a_merged_input_cell_is_marked_on_the_form_s_own_cell(plan, roster, tmp_path):
    # The clerk merged the label and the input cell of a row: Excel keeps the label, the input is empty.
    template = write_template(plan, roster, roster.get("XA_GIA_PHU"), tmp_path / "XA_GIA_PHU.xlsx")
    filled = fill_workbook(template, sample_values(plan, roster.get("XA_GIA_PHU"), random.Random(3)),
                           tmp_path / "returns" / "XA_GIA_PHU.xlsx")
    book = openpyxl.load_workbook(filled)
    ((sheet_name, address),) = book.defined_names["DS_0_2"].destinations
    sheet = book[sheet_name]
    cell = sheet[address.replace("$", "")]
    sheet.merge_cells(start_row=cell.row, start_column=cell.column - 1, end_row=cell.row, end_column=cell.column)
    book.save(filled)

    collection = collect(plan, roster, tmp_path / "returns")
    write_check_reports(plan, roster, collection, tmp_path / "output", today=TODAY)
    (issue,) = [i for i in collection.issues if i.unit == "XA_GIA_PHU"]
    assert issue.code == "required" and issue.cell == address.replace("$", "")
    # The copy is the unit's own form again: the input cell stands alone, and is marked itself.
    marked = openpyxl.load_workbook(tmp_path / "output" / "phan_hoi" / "XA_GIA_PHU.xlsx")[sheet_name]
    assert all(cell.coordinate not in merged for merged in marked.merged_cells.ranges)
    assert marked[cell.coordinate].comment.text == issue.message and marked[cell.coordinate].fill.fgColor.rgb == "FFFF7C80"


def test_no_csv_cell_can_run_as_a_formula_in_excel(plan, roster, tmp_path):
    template = write_template(plan, roster, roster.get("XA_BAN_CAM"), tmp_path / "XA_BAN_CAM.xlsx")
    filled = fill_workbook(template, {}, tmp_path / "returns" / "x.xlsx")
    book = openpyxl.load_workbook(filled)
    book["_meta"]["B3"].value = '=HYPERLINK("http://example.invalid","Bấm vào đây")'
    book["_meta"]["B3"].data_type = "s"  # stored as text, as a hostile file would
    book.save(filled)
    collection = collect(plan, roster, tmp_path / "returns")
    write_check_reports(plan, roster, collection, tmp_path / "output", today=TODAY)
    rows = list(csv.DictReader((tmp_path / "output" / "kiem_tra.csv").read_text(encoding="utf-8-sig").splitlines()))
    (stranger,) = [r for r in rows if r["code"] == "unit-mismatch"]  # MA_DON_VI still says XA_BAN_CAM
    assert stranger["unit"] == """'=HYPERLINK("http://example.invalid","Bấm vào đây")"""
    assert not [value for row in rows for value in row.values() if value and value[0] in "=+-@"]
