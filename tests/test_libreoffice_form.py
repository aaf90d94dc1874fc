"""What a clerk does to a template in the real LibreOffice Calc: paste a block of numbers from another
spreadsheet, type a choice in lower case or in decomposed Unicode, write a long task report. The
row verdicts and the status still say what is wrong, the toolkit reads the file the way the sheet
judged it, and a long text grows its row.

LibreOffice is driven through UNO by tests/lo_fill.py (see tests/test_libreoffice_roundtrip.py).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from test_libreoffice_roundtrip import LO_FILL, complaints, python_with_uno
from toolkit.collect.checks import check_unit
from toolkit.collect.reader import read_workbook
from toolkit.forms.writer import write_template

pytestmark = pytest.mark.libreoffice

SCHOOL, AGENCY = "MN_BAN_CAM_1", "PHONG_GDDT"
# A week's worth of a task report: far more than the row's few lines.
LONG_REPORT = " ".join(f"Tháng {month}: đã tổ chức tập huấn cho cán bộ quản lý và giáo viên về chuyển đổi số."
                       for month in range(1, 13))


def cell_of(book, name: str) -> tuple[str, str]:
    (sheet, cell), = book.defined_names[name].destinations
    return sheet, cell.replace("$", "")


def verdict_cell(book, name: str) -> str:
    """'Sheet!K9': the 'Kiểm tra' cell on the row of a named input."""
    sheet, cell = cell_of(book, name)
    row = book[sheet][cell].row
    column = next(c.column_letter for c in book[sheet][5] if c.value == "Kiểm tra")
    return f"{sheet}!{column}{row}"


@pytest.fixture(scope="module")
def session(plan, roster, soffice, lo_profile, tmp_path_factory):
    python = python_with_uno()
    if python is None:
        pytest.skip("no Python with LibreOffice's uno module (install python3-uno)")
    folder = tmp_path_factory.mktemp("form")
    school = write_template(plan, roster, roster.get(SCHOOL), folder / f"{SCHOOL}.xlsx")
    agency = write_template(plan, roster, roster.get(AGENCY), folder / f"{AGENCY}.xlsx")
    school_book, agency_book = openpyxl.load_workbook(school), openpyxl.load_workbook(agency)
    sheet, first = cell_of(school_book, "CBQL_TONG")  # then CBQL_LLCT and GV_THAC_SI_DANG_HOC below it
    pasted = ["CBQL_TONG", "CBQL_LLCT", "GV_THAC_SI_DANG_HOC"]
    school_reads = ["Số liệu!B4", "Hướng dẫn!E13", *(verdict_cell(school_book, n) for n in pasted),
                    verdict_cell(school_book, "NS_TONG"), verdict_cell(school_book, "CHUAN_QG")]
    report_cell = "!".join(cell_of(agency_book, "NV01_01__KET_QUA"))
    untouched_cell = "!".join(cell_of(agency_book, "NV01_02__KET_QUA"))
    fills = [
        {"template": str(school), "values": {"CHUAN_QG": "mức ĐỘ 1", "NS_TONG": 28},
         "paste": [{"at": f"{sheet}!{first}", "rows": [["ba"], [2.5], [-1]]}],
         "read": school_reads, "save": {"xlsx": str(folder / "pasted.xlsx")}},
        {"template": str(school), "values": {"CHUAN_QG": unicodedata.normalize("NFD", "mức độ 2")},
         "read": [verdict_cell(school_book, "CHUAN_QG")], "save": {"xlsx": str(folder / "nfd.xlsx")}},
        {"template": str(agency), "values": {"NV01_01__KET_QUA": LONG_REPORT, "NV01_01__MUC_DO": "hoàn thành"},
         "read": [verdict_cell(agency_book, "NV01_01__KET_QUA")], "heights": [report_cell, untouched_cell],
         "save": {"xlsx": str(folder / "long.xlsx")}},
        {"template": str(folder / "long.xlsx"), "heights": [report_cell, untouched_cell]},
    ]
    job = folder / "job.json"
    job.write_text(json.dumps({"soffice": soffice, "profile": str(lo_profile), "fills": fills}, ensure_ascii=False),
                   encoding="utf-8")
    done = subprocess.run([python, str(LO_FILL), str(job)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert complaints(report["messages"]) == []
    return {"folder": folder, "fills": report["fills"], "school_reads": school_reads, "school": school_book,
            "agency": agency_book, "cells": (report_cell, untouched_cell)}


def test_a_pasted_block_of_bad_values_is_still_flagged_row_by_row(session):
    fill, reads = session["fills"][0], session["school_reads"]
    status, guide, *verdicts = reads
    # The three pasted (text, a fraction, a negative number), the typed number, the choice in lower case.
    expected = ["Cần số nguyên ≥ 0"] * 3 + ["Đã nhập", "Đã nhập"]
    for moment in ("after", "recalculated"):
        seen = fill[moment]
        # 29 inputs, 28 required: 3 now hold bad values, NS_TONG and the choice are filled, and the
        # choice makes the year of recognition required.
        assert seen[status] == seen[guide] == "Còn 24 ô chưa nhập, 3 ô chưa hợp lệ."
        assert [seen[v] for v in verdicts] == expected


def test_the_toolkit_judges_the_pasted_file_as_the_sheet_did(plan, roster, session):
    checked = check_unit(plan, roster.get(SCHOOL), read_workbook(session["folder"] / "pasted.xlsx"))
    assert {i.field for i in checked.issues if i.code != "required"} == {"CBQL_TONG", "CBQL_LLCT", "GV_THAC_SI_DANG_HOC"}
    assert checked.values["CHUAN_QG"] == "Mức độ 1" and checked.values["NS_TONG"] == 28


def test_a_choice_in_decomposed_unicode_and_lower_case_is_accepted_by_both(plan, roster, session):
    fill = session["fills"][1]
    assert list(fill["after"].values()) == ["Đã nhập"]
    checked = check_unit(plan, roster.get(SCHOOL), read_workbook(session["folder"] / "nfd.xlsx"))
    assert checked.values["CHUAN_QG"] == "Mức độ 2" and "CHUAN_QG" not in checked.failed


def test_a_long_task_report_grows_its_row_on_the_protected_sheet_and_after_saving(session):
    report_cell, untouched_cell = session["cells"]
    typed, reopened = session["fills"][2], session["fills"][3]
    sheet = session["agency"]["Nhiệm vụ"]
    template_mm = {cell: sheet.row_dimensions[sheet[cell.split("!")[1]].row].height * 25.4 / 72
                   for cell in (report_cell, untouched_cell)}
    assert list(typed["after"].values()) == ["Đã nhập"]  # "hoàn thành" is the choice "Hoàn thành"
    for fill in (typed, reopened):
        assert fill["heights"][report_cell] > 2.5 * template_mm[report_cell]
        assert fill["heights"][untouched_cell] == pytest.approx(template_mm[untouched_cell], abs=0.5)


def title_heights(pdf: Path) -> list[float]:
    """Per page that opens with a sheet's 13 pt title: the height of its first word, in points."""
    text = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    heights = []
    for page in text.split("<page ")[1:]:
        first = re.search(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', page)
        if first and first.group(3) in ("BI", "S", "TI"):  # BIỂU MẪU, SỐ LIỆU, TIẾN ĐỘ (split at diacritics)
            heights.append(float(first.group(2)) - float(first.group(1)))
    return heights


def to_pdf(soffice: str, profile: Path, path: Path) -> Path:
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.resolve().as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(path.parent), str(path)],
                   check=True, capture_output=True, timeout=180)
    return path.with_suffix(".pdf")


def test_every_sheet_prints_at_no_less_than_85_percent(session, soffice, lo_profile):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    folder = session["folder"]
    # The same title printed at 100%, as the reference: the instructions without fitting to the page.
    full = openpyxl.load_workbook(folder / f"{SCHOOL}.xlsx")
    for sheet in full.worksheets:
        sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.page_setup.scale = False, 100
    full.save(folder / "full_size.xlsx")
    reference = title_heights(to_pdf(soffice, lo_profile, folder / "full_size.xlsx"))[0]
    for unit in (SCHOOL, AGENCY):
        heights = title_heights(to_pdf(soffice, lo_profile, folder / f"{unit}.xlsx"))
        assert len(heights) >= 2  # the instructions and at least one input sheet
        assert min(heights) / reference >= 0.85, (unit, [round(h / reference, 2) for h in heights])


def test_no_page_ends_on_a_section_heading(session, soffice, lo_profile):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    for unit in (SCHOOL, AGENCY):
        pdf = to_pdf(soffice, lo_profile, session["folder"] / f"{unit}.xlsx")
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        pages = [[line.strip() for line in page.splitlines() if line.strip() and not line.strip().startswith("Trang ")]
                 for page in text.split("\f") if page.strip()]
        assert len(pages) >= 3, unit
        # "II. Học sinh", "IV. Phòng Tài nguyên và Môi trường": a section heading never ends a page.
        assert [page[-1] for page in pages if re.match(r"[IVX]+\. ", page[-1])] == [], unit
