"""Redraw docs/ke_hoach_chi_tieu.png, the README picture: the Chỉ tiêu sheet of a plan workbook.

The bundled chi-lang-2021-2030 plan (two target periods) written as `toolkit plan export` writes it,
its Chỉ tiêu sheet alone printed to PDF by LibreOffice (the first columns and rows, landscape A4)
and the table on page 1 drawn at 110 dpi by pdftoppm (poppler-utils).

Run: python tools/make_plan_picture.py
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl

from toolkit.jobs.pipeline import export_plan_workbook

TARGET = Path(__file__).resolve().parents[1] / "docs" / "ke_hoach_chi_tieu.png"
SHOWN = "A1:K11"  # Phần … Cách tính of the plan's ten indicators
CROP = ["-x", "40", "-y", "40", "-W", "1210", "-H", "440"]  # pixels at 110 dpi: the table, not the blank page


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        path = export_plan_workbook("chi-lang-2021-2030", folder / "ke_hoach.xlsx")
        book = openpyxl.load_workbook(path)
        for name in [n for n in book.sheetnames if n != "Chỉ tiêu"]:
            del book[name]
        sheet = book["Chỉ tiêu"]
        sheet.print_area = SHOWN
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.gridLines = True
        book.save(folder / "chi_tieu.xlsx")
        subprocess.run([shutil.which("soffice") or "soffice", "--headless", "--norestore",
                        f"-env:UserInstallation=file://{folder}/profile", "--convert-to", "pdf",
                        "--outdir", str(folder), str(folder / "chi_tieu.xlsx")], check=True, capture_output=True)
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", *CROP,
                        str(folder / "chi_tieu.pdf"), str(folder / "page")], check=True)
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / "page.png", TARGET)
    print(TARGET)


if __name__ == "__main__":
    main()
