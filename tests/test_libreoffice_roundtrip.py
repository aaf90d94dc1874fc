"""Templates in the real LibreOffice Calc: they open cleanly, LibreOffice's own self-check counts
are right, and after LibreOffice saves a filled template as .xlsx and .ods the names still point
at the values typed into them.

LibreOffice is driven through UNO (tests/lo_fill.py) by a Python that has the `uno` module
(Debian package python3-uno); the tests skip when LibreOffice or that Python is missing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree
from python_calamine import CalamineWorkbook

from toolkit.core.cells import column_index
from toolkit.forms.writer import write_template

pytestmark = pytest.mark.libreoffice

LO_FILL = Path(__file__).with_name("lo_fill.py")
UNIT = "MN_BAN_CAM_1"
STATUS = ["Số liệu!B4", "Hướng dẫn!E13"]  # the status on the data sheet and on the instructions

# A kindergarten filled completely and consistently (values chosen by hand against the spec's checks).
GOOD = {
    "GV__MN__TONG": 20, "GV__MN__DAT_CHUAN": 18, "GV__MN__TREN_CHUAN": 5,
    "CBQL_TONG": 3, "CBQL_LLCT": 2, "GV_THAC_SI_DANG_HOC": 1, "NS_TONG": 28, "DANG_VIEN": 15,
    "HS__NT__TONG": 30, "HS__NT__NU": 14, "HS__NT__DTTS": 20, "HS__MG3__TONG": 40, "HS__MG3__NU": 19,
    "HS__MG3__DTTS": 30, "HS__MG4__TONG": 42, "HS__MG4__NU": 20, "HS__MG4__DTTS": 31,
    "HS__MG5__TONG": 45, "HS__MG5__NU": 22, "HS__MG5__DTTS": 33, "MN_BAN_TRU": 150, "MN_LAM_QUEN_NN": 60,
    "PH_TONG": 10, "PH_KIEN_CO": 8, "PH_TAM": 1, "DIEM_TRUONG_LE": 2, "DIEM_TRUONG_XOA": 1,
    "CHUAN_QG": "Mức độ 1", "CHUAN_QG_NAM": 2019,
}
# Three inconsistent (more qualified teachers than teachers; more children at lunch than enrolled;
# text in a number cell) and three missing (two blanks, and the year now that the school is recognised).
BAD = {
    **{k: v for k, v in GOOD.items() if k not in ("PH_TAM", "DIEM_TRUONG_LE", "CHUAN_QG_NAM")},
    "GV__MN__DAT_CHUAN": 25, "MN_BAN_TRU": 500, "NS_TONG": "28 người",
}


def python_with_uno() -> str | None:
    for candidate in ("/usr/bin/python3", shutil.which("python3"), sys.executable):
        if candidate and subprocess.run([candidate, "-c", "import uno"], capture_output=True).returncode == 0:
            return candidate
    return None


@pytest.fixture(scope="module")
def filled(plan, roster, soffice, lo_profile, tmp_path_factory):
    """Fill one template twice in LibreOffice (good values, bad values) and save both as .xlsx and .ods."""
    python = python_with_uno()
    if python is None:
        pytest.skip("no Python with LibreOffice's uno module (install python3-uno)")
    folder = tmp_path_factory.mktemp("Số liệu trả về")
    template = write_template(plan, roster, roster.get(UNIT), folder / f"{UNIT}.xlsx")
    fills = [
        {"template": str(template), "values": values, "read": STATUS,
         "save": {"xlsx": str(folder / f"{label}.xlsx"), "ods": str(folder / f"{label}.ods")}}
        for label, values in (("good", GOOD), ("bad", BAD))
    ]
    job = folder / "job.json"
    job.write_text(json.dumps({"soffice": soffice, "profile": str(lo_profile), "fills": fills}, ensure_ascii=False),
                   encoding="utf-8")
    done = subprocess.run([python, str(LO_FILL), str(job)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    good, bad = report["fills"]
    return {"folder": folder, "template": template, "good": good, "bad": bad, "messages": report["messages"]}


def complaints(messages: list[str]) -> list[str]:
    # Debian's LibreOffice always warns that it cannot find Java; nothing here needs Java.
    return [line for line in messages if line.strip() and "javaldx" not in line]


def test_libreoffice_shows_the_empty_templates_status_on_opening(filled):
    assert complaints(filled["messages"]) == []
    assert filled["good"]["before"] == dict.fromkeys(STATUS, "Còn 28 ô chưa nhập, 0 ô chưa hợp lệ.")


def test_libreoffice_recounts_missing_and_invalid_while_typing(filled):
    assert filled["good"]["after"] == dict.fromkeys(STATUS, "Đã nhập đầy đủ, không phát hiện lỗi.")
    assert filled["bad"]["after"] == dict.fromkeys(STATUS, "Còn 3 ô chưa nhập, 3 ô chưa hợp lệ.")


def test_names_still_point_at_the_typed_values_in_libreoffices_xlsx(filled):
    book = openpyxl.load_workbook(filled["folder"] / "good.xlsx")
    typed = {}
    for name in [*GOOD, "MA_DON_VI"]:
        (sheet, cell), = book.defined_names[name].destinations
        typed[name] = book[sheet][cell.replace("$", "")].value
    assert typed == {**GOOD, "MA_DON_VI": UNIT}
    # Protection and validation survive a LibreOffice save.
    data = book["Số liệu"]
    assert data.protection.sheet and len(data.data_validations.dataValidation) >= 29
    assert book["_meta"].sheet_state == "hidden" and book["_meta"]["B3"].value == UNIT
    # LibreOffice saved the status it recomputed, not the template's cached text.
    cached = openpyxl.load_workbook(filled["folder"] / "bad.xlsx", data_only=True)["Số liệu"]["B4"].value
    assert cached == "Còn 3 ô chưa nhập, 3 ô chưa hợp lệ."


def ods_names(path: Path) -> dict[str, tuple[str, int, int]]:
    """Named ranges of an .ods file: name -> (sheet, 0-based row, 0-based column)."""
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    with zipfile.ZipFile(path) as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    found = {}
    for item in root.iter(f"{{{table}}}named-range"):
        address = item.get(f"{{{table}}}cell-range-address")  # e.g. $'Số liệu'.$E$8
        single_cell = re.fullmatch(r"\$?'?(.+?)'?\.\$?([A-Z]+)\$?(\d+)", address)
        if not single_cell:
            continue  # e.g. the print titles, a range of rows
        sheet, letters, digits = single_cell.groups()
        found[item.get(f"{{{table}}}name")] = (sheet, int(digits) - 1, column_index(letters))
    return found


def test_names_still_point_at_the_typed_values_in_libreoffices_ods(filled):
    path = filled["folder"] / "good.ods"
    book = CalamineWorkbook.from_path(str(path))
    grids = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}
    names = ods_names(path)
    typed = {name: grids[sheet][row][col] for name, (sheet, row, col) in names.items() if name in GOOD or name == "MA_DON_VI"}
    assert typed == {**GOOD, "MA_DON_VI": UNIT}  # calamine reads numbers as floats: 20.0 == 20


def test_template_converts_to_pdf_without_complaint(filled, soffice, lo_profile):
    out = filled["folder"] / "pdf"
    done = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation={lo_profile.resolve().as_uri()}",
         "--convert-to", "pdf", "--outdir", str(out), str(filled["template"])],
        capture_output=True, text=True, timeout=180)
    pdf = out / f"{UNIT}.pdf"
    assert (done.returncode, complaints(done.stderr.splitlines())) == (0, [])
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
