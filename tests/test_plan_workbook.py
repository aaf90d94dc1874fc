"""The plan workbook (ke_hoach.xlsx): every bundled plan survives plan -> workbook -> plan, and a
workbook typed by hand is read the way its author meant it, or refused cell by cell."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import openpyxl
import pytest

from toolkit.core.errors import PlanError
from toolkit.forms.plan_workbook import export_plan
from toolkit.jobs.pipeline import load
from toolkit.spec.load import bundled_examples, load_plan
from toolkit.spec.plan_workbook import check_plan_workbook


@pytest.mark.parametrize("example", bundled_examples())
def test_every_bundled_plan_round_trips_through_the_workbook(example, tmp_path):
    plan, roster = load(example)
    path = export_plan(plan, tmp_path / "ke_hoach.xlsx", roster)

    again, units = load(path)

    # The roster moved into the workbook (its Đơn vị sheet); everything else is the same plan.
    assert again.model_dump(exclude={"roster"}) == plan.model_dump(exclude={"roster"})
    assert again.roster == "ke_hoach.xlsx"
    assert [(u, u.tasks) for u in units] == [(u, u.tasks) for u in roster]


def _edited(tmp_path, edit) -> Path:
    """The bundled example exported, then changed with openpyxl as a user would in Excel."""
    plan, roster = load("bao-thang-2022")
    path = export_plan(plan, tmp_path / "ke_hoach.xlsx", roster)
    book = openpyxl.load_workbook(path)
    edit(book)
    book.save(path)
    return path


def _item(book, label: str):
    """The value cell of a Thông tin item, found by its label."""
    sheet = book["Thông tin"]
    return next(sheet.cell(row=row, column=2) for row in range(1, sheet.max_row + 1) if sheet.cell(row, 1).value == label)


def _cell(book, sheet: str, header: str, row: int):
    """The cell of a column, found by its header as a user would."""
    headers = [c.value for c in book[sheet][1]]
    return book[sheet].cell(row=row, column=headers.index(header) + 1)


def test_every_problem_is_reported_at_once_with_sheet_row_and_column(tmp_path):
    def edit(book):
        _cell(book, "Chỉ tiêu", "Tử số", 3).value = "KHONG_CO_TRUONG_NAY"
        _cell(book, "Chỉ tiêu", "Cách tính", 4).value = "trung bình"
        _cell(book, "Số liệu", "Nhỏ nhất", 3).value = "không"
        _item(book, "Hạn đơn vị gửi").value = "31/02/2022"
        book["Chỉ tiêu"].cell(row=1, column=30).value = "Mẫu số liệu"  # a near miss of "Mẫu số", beside the table

    path = _edited(tmp_path, edit)
    plan, problems = check_plan_workbook(path)

    assert plan is None
    shown = [str(p) for p in problems]
    numerator = _header_letter(path, "Chỉ tiêu", "Tử số")
    assert any(f"trang Chỉ tiêu, dòng 3, cột {numerator} (Tử số)" in s and "KHONG_CO_TRUONG_NAY" in s for s in shown), shown
    assert any("trang Chỉ tiêu, dòng 4" in s and "“trung bình” không có trong danh sách" in s for s in shown), shown
    assert any("trang Số liệu, dòng 3" in s and "“không” không phải là số nguyên" in s for s in shown), shown
    assert any("trang Thông tin, dòng 20, cột B (Hạn đơn vị gửi)" in s and "10/12/2024" in s for s in shown), shown
    assert any("cột AD (Mẫu số liệu)" in s and "(có phải “Mẫu số”?)" in s for s in shown), shown
    with pytest.raises(PlanError) as raised:
        load_plan(path)
    assert "KHONG_CO_TRUONG_NAY" in str(raised.value) and "31/02/2022" in str(raised.value)


def _header_letter(path, sheet: str, header: str) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    headers = [c.value for c in next(book[sheet].iter_rows(max_row=1))]
    return openpyxl.utils.get_column_letter(headers.index(header) + 1)


def test_cells_are_read_as_people_type_them(tmp_path):
    def edit(book):
        _cell(book, "Chỉ tiêu", "Chỉ tiêu", 2).value = "98,5%"  # decimal comma and a percent sign
        _cell(book, "Chỉ tiêu", "Chỉ tiêu", 3).value = "trên 99,7%"  # as the plan writes it
        _cell(book, "Chỉ tiêu", "Số chữ số thập phân", 2).value = " 1\u00a0"  # a number stored as text, NBSP
        _cell(book, "Chỉ tiêu", "Mẫu số", 2).value = "DS_3_5\u00a0"
        _item(book, "Ngày ban hành").value = "29/4/2022"
        _item(book, "Hạn đơn vị gửi").value = dt.datetime(2022, 12, 10)  # a real date cell

    from toolkit.spec.plan_workbook import read_plan_dict

    data, _, problems, _ = read_plan_dict(_edited(tmp_path, edit))

    assert not [p for p in problems if p.severity == "error"], problems
    first, second = data["indicators"][:2]
    assert first["target"] == "98,5%" and first["decimals"] == 1 and first["denominator"] == "DS_3_5"  # as typed
    assert second["target"] == "trên 99,7%"  # for the target parser, unchanged
    assert data["document"]["date"] == dt.date(2022, 4, 29)
    assert data["deadlines"]["submission"] == dt.date(2022, 12, 10)


def test_a_deleted_item_and_a_file_that_is_no_workbook_are_named(tmp_path):
    def edit(book):
        book["Thông tin"].delete_rows(9)  # Cơ quan ban hành

    plan, problems = check_plan_workbook(_edited(tmp_path, edit))
    assert plan is None
    assert [str(p) for p in problems] == [
        "tệp ke_hoach.xlsx, trang Thông tin, cột “Cơ quan ban hành”: Chưa ghi “Cơ quan ban hành”; mục này bắt buộc."]

    fake = tmp_path / "ke_hoach_cu.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    plan, problems = check_plan_workbook(fake)
    assert plan is None and [p.code for p in problems] == ["workbook-file-unreadable"]
    assert "ke_hoach_cu.xlsx" in str(problems[0]) and "lưu lại dạng .xlsx" in str(problems[0])


@pytest.mark.libreoffice
def test_a_plan_workbook_saved_again_by_libreoffice_reads_the_same(soffice, lo_profile, tmp_path):
    plan, roster = load("chi-lang-2021-2030")  # two target periods, decimals, dates
    path = export_plan(plan, tmp_path / "ke_hoach.xlsx", roster)
    saved = tmp_path / "libreoffice"
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={lo_profile.resolve().as_uri()}",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(saved), str(path)],
                   check=True, capture_output=True, timeout=180)

    again, units = load(saved / "ke_hoach.xlsx")

    assert again.model_dump(exclude={"roster"}) == plan.model_dump(exclude={"roster"})
    assert list(units) == list(roster)


def test_every_column_helps_and_codes_kinds_and_directions_drop_down(tmp_path):
    plan, roster = load("bao-thang-2022")
    book = openpyxl.load_workbook(export_plan(plan, tmp_path / "ke_hoach.xlsx", roster))
    sheet = book["Chỉ tiêu"]
    headers = {c.value: c.column_letter for c in sheet[1]}
    validations = {str(v.sqref).split(":")[0][:-1]: v for v in sheet.data_validations.dataValidation}

    assert all(validations[letter].prompt for letter in headers.values())  # input help on every column
    assert validations[headers["Mã danh mục"]].formula1.startswith("'_danh_muc_chi_tieu'!$A$2")
    assert validations[headers["Đơn vị báo cáo"]].formula1 == "'Danh mục'!$B$2:$B$500"
    lists = book["_lists"]
    for header, first in (("Cách tính", "Tỷ lệ (tử số/mẫu số)"), ("So sánh", ">=")):
        column = validations[headers[header]].formula1.split("!")[1].split(":")[0].replace("$", "")
        assert lists[column].value == first
    assert sheet.protection.sheet and sheet.protection.insertRows is False  # False: inserting rows is allowed
    assert sheet["A1"].protection.locked and not sheet["A2"].protection.locked
    assert sheet.freeze_panes == "A2"
