"""Redraw docs/bieu_mau.png, the README picture of a template: the data sheet of a kindergarten of
bao-thang-2022 as LibreOffice shows it, half filled, with a few of a clerk's usual mistakes.

The template is written as `toolkit templates` writes it, filled with openpyxl (so LibreOffice
computes every self-check formula on opening), its print area widened to the on-screen "Kiểm tra"
column (which the printed report leaves off) and the whole sheet on one page, printed to PDF by LibreOffice and its data sheet
drawn at 70 dpi by pdftoppm (poppler-utils).

Run: python tools/make_form_picture.py
"""

import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl
from openpyxl.worksheet.pagebreak import RowBreak

from toolkit.forms.samples import fill_workbook, sample_values
from toolkit.forms.writer import write_template
from toolkit.jobs.pipeline import load_roster
from toolkit.spec.load import load_plan

TARGET = Path(__file__).resolve().parents[1] / "docs" / "bieu_mau.png"
UNIT = "MN_BAN_CAM_1"
DATA_PAGE = 2  # page 1: the instructions


def main() -> None:
    plan = load_plan("bao-thang-2022")
    roster = load_roster(plan.roster_path, plan)
    unit = roster.get(UNIT)
    values = sample_values(plan, unit, random.Random(2022))
    # Half filled: the staff and children so far, one of them wrong, and the choice typed in lower case.
    typed = {name: value for name, value in values.items() if name.startswith(("GV__", "CBQL", "HS__NT", "HS__MG3"))}
    typed.update({"GV__MN__DAT_CHUAN": values["GV__MN__TONG"] + 3, "HS__NT__NU": "mười", "CHUAN_QG": "mức độ 1"})
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        template = write_template(plan, roster, unit, folder / "template" / f"{UNIT}.xlsx")
        filled = fill_workbook(template, typed, folder / f"{UNIT}.xlsx")
        book = openpyxl.load_workbook(filled)
        sheet = book["Số liệu"]
        verdict = next(cell.column_letter for cell in sheet[5] if cell.value == "Kiểm tra")
        sheet.print_area = f"A1:{verdict}{sheet.max_row}"
        sheet.page_setup.fitToHeight, sheet.row_breaks = 1, RowBreak()  # the whole sheet on one page
        book.save(filled)
        subprocess.run([shutil.which("soffice") or "soffice", "--headless", "--norestore",
                        f"-env:UserInstallation=file://{folder}/profile", "--convert-to", "pdf",
                        "--outdir", str(folder), str(filled)], check=True, capture_output=True)
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(DATA_PAGE), "-l", str(DATA_PAGE), "-singlefile",
                        str(folder / f"{UNIT}.pdf"), str(folder / "page")], check=True)
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / "page.png", TARGET)
    print(TARGET)


if __name__ == "__main__":
    main()
