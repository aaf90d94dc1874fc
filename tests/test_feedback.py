"""Feedback copies as the sender opens them: their own form with the "Phản hồi" sheet first, their
values and notes where they belong, the bad cells marked, their own comments kept, nothing of theirs
that runs, and self-checks that agree with the values."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment

from test_libreoffice_roundtrip import LO_FILL, python_with_uno
from toolkit.collect.feedback import COMPUTED_NOTE, FEEDBACK_SHEET
from toolkit.collect.folder import collect
from toolkit.collect.reader import read_workbook
from toolkit.collect.report import write_check_reports
from toolkit.forms.samples import fill_workbook, sample_values
from toolkit.forms.data_sheet import NOTE_HEADER
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
    """The cover: first and open, who and what, one line per problem linking to its cell in this copy."""
    sheet = book[FEEDBACK_SHEET]
    assert book.sheetnames[0] == FEEDBACK_SHEET and book.active.title == FEEDBACK_SHEET
    assert [s.title for s in book.worksheets if s.sheet_view.tabSelected] == [FEEDBACK_SHEET]
    heading = "\n".join(str(row[0].value) for row in sheet.iter_rows(max_row=5))
    assert f"Đơn vị: {unit_name} (mã {UNIT})" in heading and "năm 2022" in heading and "trước ngày 10/12/2022" in heading
    assert f"Đây là biểu mẫu của đơn vị, đã điền sẵn số liệu trong tệp đơn vị đã gửi ({UNIT}." in heading
    places = [(cell_of(book, i.field).parent.title, cell_of(book, i.field).coordinate) for i in issues]
    lines = feedback_lines(book)
    assert [line[1:4] for line in lines[:len(issues)]] == [[*place, i.message] for place, i in zip(places, issues)]
    assert {line[4] for line in lines} <= {"Lỗi, phải sửa", "Cần xem lại"}
    assert not any("RL_0_2" in str(value) for line in lines for value in line)  # no technical codes
    header = next(r for r in sheet.iter_rows() if r[0].value == "STT")[0].row
    links = [sheet.cell(header + n, 3).hyperlink.location for n in range(1, len(issues) + 1)]
    assert links == [f"'{where}'!{address}" for where, address in places]


def note_cell(book, name: str):
    """The "Ghi chú" cell on the row of a named input."""
    cell = cell_of(book, name)
    column = next(c.column for c in cell.parent[5] if c.value == NOTE_HEADER)
    return cell.parent.cell(cell.row, column)


def into_returns(book, tmp_path: Path) -> Path:
    (tmp_path / "returns").mkdir()
    book.save(tmp_path / "returns" / f"{UNIT}.xlsx")
    return tmp_path / "returns"


def test_a_shifted_xlsx_return_gets_its_values_notes_and_comments_back_in_its_own_form(plan, roster, tmp_path):
    book = openpyxl.load_workbook(filled_return(plan, roster, tmp_path))
    cell_of(book, "RL_0_2").comment = Comment("Số liệu theo điều tra tháng 9", "Cô Lan")
    note_cell(book, "XMC_SO_NGUOI").value = "Theo danh sách của các thôn"
    note_cell(book, "XMC_SO_NGUOI").comment = Comment("Thôn 5 chưa gửi danh sách", "Cô Lan")
    looks_like_formula = cell_of(book, "NV01_01__KHO_KHAN")
    looks_like_formula.value, looks_like_formula.data_type = "=không có", "s"
    # What Excel does when two rows are inserted above the inputs: the names follow their cells.
    sheet = book["Số liệu"]
    sheet.insert_rows(7, amount=2)
    for name in book.defined_names.values():
        if name.attr_text.startswith("'Số liệu'!"):
            column, row = name.attr_text.split("$")[1], int(name.attr_text.split("$")[2])
            name.attr_text = f"'Số liệu'!${column}${row + 2 if row >= 7 else row}"
    issues, copy = check_folder(plan, roster, into_returns(book, tmp_path), tmp_path / "output")
    assert {i.code for i in issues} == {"check-broken", "number-as-text"}

    marked = openpyxl.load_workbook(copy)
    assert_feedback_sheet(marked, issues, "UBND xã Gia Phú")
    typed = {**sample_values(plan, roster.get(UNIT), random.Random(3)), **CHANGES, "NV01_01__KHO_KHAN": "=không có"}
    assert {name: cell_of(marked, name).value for name in typed} == typed
    assert cell_of(marked, "NV01_01__KHO_KHAN").data_type == "s" and cell_of(marked, "XMC_SO_NGUOI").data_type == "s"
    assert cell_of(marked, "RL_0_2").row == cell_of(openpyxl.load_workbook(tmp_path / "template" / f"{UNIT}.xlsx"),
                                                    "RL_0_2").row  # the form's own layout, not the shifted one
    broken = cell_of(marked, "RL_0_2")
    assert broken.fill.fgColor.rgb == "FFFF7C80"
    check_broken = next(i for i in issues if i.code == "check-broken")
    assert broken.comment.text == f"Số liệu theo điều tra tháng 9\n\n— Kiểm tra: {check_broken.message}"
    assert cell_of(marked, "XMC_SO_NGUOI").fill.fgColor.rgb == "FFFFEB9C"  # a warning, in yellow
    assert note_cell(marked, "XMC_SO_NGUOI").value == "Theo danh sách của các thôn"
    assert note_cell(marked, "XMC_SO_NGUOI").comment.text == "Thôn 5 chưa gửi danh sách"
    # Still a working form: protected, self-checking, and its rows grow with long answers.
    data = marked["Số liệu"]
    assert data.protection.sheet and data["B4"].data_type == "f"
    with zipfile.ZipFile(copy) as parts:
        assert not any(b"customHeight" in parts.read(n) for n in parts.namelist() if n.startswith("xl/worksheets/"))


def test_a_sorted_return_keeps_each_note_on_its_row_and_marks_the_values_that_moved(plan, roster, tmp_path):
    book = openpyxl.load_workbook(filled_return(plan, roster, tmp_path))
    note_cell(book, "DS_0_2").value, note_cell(book, "RL_0_2").value = "Trẻ 0–2 tuổi", "Trẻ ra lớp"
    # Sorting swaps the rows' contents, hidden key included; the names stay on their cells.
    sheet, first, second = book["Số liệu"], cell_of(book, "DS_0_2").row, cell_of(book, "RL_0_2").row
    for column in range(1, sheet.max_column + 1):
        upper, lower = sheet.cell(first, column), sheet.cell(second, column)
        upper.value, lower.value = lower.value, upper.value
    issues, copy = check_folder(plan, roster, into_returns(book, tmp_path), tmp_path / "output")
    assert {(i.code, i.field) for i in issues if i.code == "moved-cell"} == {("moved-cell", "DS_0_2"), ("moved-cell", "RL_0_2")}

    marked = openpyxl.load_workbook(copy)
    assert note_cell(marked, "DS_0_2").value == "Trẻ 0–2 tuổi" and note_cell(marked, "RL_0_2").value == "Trẻ ra lớp"
    # The values are those the names point at, as the check read them, marked as not to be trusted.
    assert (cell_of(marked, "DS_0_2").value, cell_of(marked, "RL_0_2").value) == (100000, 271)
    assert cell_of(marked, "DS_0_2").fill.fgColor.rgb == cell_of(marked, "RL_0_2").fill.fgColor.rgb == "FFFF7C80"


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_an_ods_or_xls_return_gets_its_values_and_a_formula_s_result_in_grey(soffice, lo_profile, plan, roster,
                                                                             tmp_path, kind):
    book = openpyxl.load_workbook(filled_return(plan, roster, tmp_path))
    cell_of(book, "RL_0_2").comment = Comment("Số liệu theo điều tra tháng 9", "Cô Lan")
    note_cell(book, "RL_0_2").value = "Trẻ ra lớp"
    note_cell(book, "RL_0_2").comment = Comment("Gồm cả trẻ ở nhờ", "Cô Lan")
    cell_of(book, "DS_15_60").value = "=DS_0_2*2"  # LibreOffice computes it when it converts the file
    book.save(tmp_path / "typed.xlsx")
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={lo_profile.as_uri()}",
                    "--convert-to", kind, "--outdir", str(tmp_path / "returns"), str(tmp_path / "typed.xlsx")],
                   check=True, capture_output=True, timeout=180)
    (tmp_path / "returns" / f"typed.{kind}").rename(tmp_path / "returns" / f"{UNIT}.{kind}")
    issues, copy = check_folder(plan, roster, tmp_path / "returns", tmp_path / "output")
    assert {i.code for i in issues} == {"check-broken", "number-as-text", "formula"}

    marked = openpyxl.load_workbook(copy)
    assert_feedback_sheet(marked, issues, "UBND xã Gia Phú")
    typed = {**sample_values(plan, roster.get(UNIT), random.Random(3)), **CHANGES, "DS_15_60": 271 * 2}
    assert {name: cell_of(marked, name).value for name in typed} == typed
    computed = cell_of(marked, "DS_15_60")
    assert computed.data_type == "n" and computed.fill.fgColor.rgb == "FFD9D9D9" and COMPUTED_NOTE in computed.comment.text
    check_broken = next(i for i in issues if i.code == "check-broken")
    assert cell_of(marked, "RL_0_2").comment.text == f"Số liệu theo điều tra tháng 9\n\n— Kiểm tra: {check_broken.message}"
    assert (note_cell(marked, "RL_0_2").value, note_cell(marked, "RL_0_2").comment.text) == ("Trẻ ra lớp", "Gồm cả trẻ ở nhờ")


@pytest.mark.libreoffice
def test_libreoffice_opens_a_feedback_copy_with_verdicts_that_agree_with_its_values(soffice, lo_profile, plan, roster,
                                                                                    tmp_path):
    python = python_with_uno()
    if python is None:
        pytest.skip("no Python with LibreOffice's uno module (install python3-uno)")
    returns = into_returns(openpyxl.load_workbook(filled_return(plan, roster, tmp_path)), tmp_path)
    _, copy = check_folder(plan, roster, returns, tmp_path / "output")
    marked = openpyxl.load_workbook(copy)
    verdict_column = next(c.column_letter for c in marked["Số liệu"][5] if c.value == "Kiểm tra")
    reads = [f"Số liệu!{verdict_column}{cell_of(marked, name).row}" for name in ("DS_0_2", "RL_0_2")] + ["Số liệu!B4"]
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"soffice": soffice, "profile": str(lo_profile),
                               "fills": [{"template": str(copy), "read": reads}]}), encoding="utf-8")
    done = subprocess.run([python, str(LO_FILL), str(job)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.strip().splitlines()[-1])["fills"][0]
    # As the copy opens, before anything is typed: what the values say, not the empty form's "Chưa nhập".
    assert shown["before"] == shown["recalculated"]
    assert [shown["before"][cell] for cell in reads[:2]] == ["Đã nhập", "Không khớp số liệu khác"]
    assert shown["before"][reads[2]] == "Còn 0 ô chưa nhập, 2 ô chưa hợp lệ."  # RL_0_2, and " 12 " typed as text


POOLED_UNITS = ["XA_GIA_PHU", "XA_BAN_CAM", "XA_SON_HA"]


def _returns_with_a_bad_cell(plan, roster, tmp_path) -> Path:
    for code in POOLED_UNITS:
        template = write_template(plan, roster, roster.get(code), tmp_path / "template" / f"{code}.xlsx")
        values = {**sample_values(plan, roster.get(code), random.Random(3)), "RL_0_2": 100000}
        fill_workbook(template, values, tmp_path / "returns" / f"{code}.xlsx")
    return tmp_path / "returns"


def _assert_marked_copies(paths, folder: Path) -> None:
    assert sorted(p.name for p in paths if p.parent.name == "phan_hoi") == sorted(f"{code}.xlsx" for code in POOLED_UNITS)
    for code in POOLED_UNITS:
        book = openpyxl.load_workbook(folder / "phan_hoi" / f"{code}.xlsx")
        assert book.active.title == FEEDBACK_SHEET and cell_of(book, "RL_0_2").fill.fgColor.rgb == "FFFF7C80"


def test_many_feedback_copies_are_written_by_the_worker_pool(plan, roster, tmp_path, monkeypatch):
    returns = _returns_with_a_bad_cell(plan, roster, tmp_path)
    monkeypatch.setattr("toolkit.collect.feedback.OVERLAP_BATCH", 2)
    collection = collect(plan, roster, returns)
    paths = write_check_reports(plan, roster, collection, tmp_path / "output", today=TODAY, workers=2)
    _assert_marked_copies(paths, tmp_path / "output")


def test_the_aggregate_has_its_feedback_copies_written_by_a_worker_meanwhile(plan, roster, tmp_path, monkeypatch):
    from toolkit.jobs.pipeline import aggregate

    returns = _returns_with_a_bad_cell(plan, roster, tmp_path)
    monkeypatch.setattr("toolkit.collect.feedback.OVERLAP_BATCH", 2)
    outcome = aggregate(plan, roster, returns, tmp_path / "output", today=TODAY)
    _assert_marked_copies(outcome.checked.reports, tmp_path / "output")
    assert (tmp_path / "output" / "Phu_luc_I.docx").exists()


def test_the_worker_that_read_the_returns_goes_on_to_write_their_copies(plan, roster, tmp_path, monkeypatch):
    returns = _returns_with_a_bad_cell(plan, roster, tmp_path)
    monkeypatch.setattr("toolkit.collect.folder.SMALL_BATCH", 0)  # read in workers, as a province's returns are
    monkeypatch.setattr("toolkit.collect.feedback.OVERLAP_BATCH", 2)  # enough copies for a worker of their own
    collection = collect(plan, roster, returns)

    def no_new_process(*_):
        raise AssertionError("a worker was started for the copies")

    monkeypatch.setattr("multiprocessing.process.BaseProcess.start", no_new_process)
    paths = write_check_reports(plan, roster, collection, tmp_path / "output", today=TODAY)
    _assert_marked_copies(paths, tmp_path / "output")


def test_a_value_with_control_characters_still_gets_a_copy_that_opens(plan, roster, tmp_path):
    book = openpyxl.load_workbook(filled_return(plan, roster, tmp_path))
    cell_of(book, "PCGD_THCS").value = "Mức độ 9 CONTROL"
    book.save(tmp_path / "typed.xlsx")
    (tmp_path / "returns").mkdir()
    # A control character, as a copy and paste from another program brings along (openpyxl refuses to write one).
    with zipfile.ZipFile(tmp_path / "typed.xlsx") as typed, \
            zipfile.ZipFile(tmp_path / "returns" / f"{UNIT}.xlsx", "w", zipfile.ZIP_DEFLATED) as sent:
        for item in typed.infolist():
            sent.writestr(item, typed.read(item).replace(b" CONTROL", b"_x0001_"))
    issues, copy = check_folder(plan, roster, tmp_path / "returns", tmp_path / "output")
    assert "bad-choice" in {i.code for i in issues}
    marked = openpyxl.load_workbook(copy)  # every part of the copy is well-formed XML
    assert read_workbook(copy).values["PCGD_THCS"] == "Mức độ 9\x01"  # as the return holds it
    assert cell_of(marked, "PCGD_THCS").fill.fgColor.rgb == "FFFF7C80"
