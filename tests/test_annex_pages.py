"""Printed annexes per Nghị định 30: page numbers in the header, except on page 1."""

from __future__ import annotations

import random
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from toolkit.aggregate.compute import compute
from toolkit.annex.write import write_annexes
from toolkit.collect.records import UnitReturn
from toolkit.forms.samples import sample_values


def test_xlsx_annex_numbers_pages_in_the_header_but_not_the_first(plan, roster, tmp_path):
    paths = {p.name: p for p in write_annexes(plan, roster, compute(plan, roster, {}), tmp_path)}
    for name in ("Phu_luc_I.xlsx", "Phu_luc_II.xlsx"):
        sheet = openpyxl.load_workbook(paths[name]).worksheets[0]
        assert "&P" in sheet.oddHeader.center.text, name
        assert sheet.HeaderFooter.differentFirst, name
        assert not sheet.firstHeader.center.text, name


@pytest.mark.libreoffice
def test_printed_pages_are_numbered_from_page_2_and_headers_do_not_break(plan, roster, soffice, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    paths = {p.name: p for p in write_annexes(plan, roster, compute(plan, roster, {}), tmp_path)}
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(paths["Phu_luc_I.xlsx"]),
                    str(paths["Phu_luc_II.docx"])], capture_output=True, timeout=240, check=True)

    def page(name: str, number: int) -> list[str]:
        text = subprocess.run(["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(tmp_path / "pdf" / name), "-"],
                              capture_output=True, text=True, check=True).stdout
        return [line.strip() for line in text.splitlines() if line.strip()]

    assert page("Phu_luc_I.pdf", 1)[0] == "Phụ lục I"  # no number above the heading on page 1
    assert page("Phu_luc_I.pdf", 2)[0] == "2"
    assert any(line.split()[0] == "STT" for line in page("Phu_luc_II.pdf", 1))  # not "ST" over "T"


def test_charts_print_one_per_landscape_page(plan, roster, tmp_path):
    rng = random.Random(2022)
    returns = {u.code: UnitReturn(u, Path(f"{u.code}.xlsx"), sample_values(plan, u, rng)) for u in roster if u.kind in ("truong", "xa")}
    paths = {p.name: p for p in write_annexes(plan, roster, compute(plan, roster, returns), tmp_path)}
    with zipfile.ZipFile(paths["Phu_luc_I.xlsx"]) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 4  # one per indicator section of the example, each with rate targets
    sheet = openpyxl.load_workbook(paths["Phu_luc_I.xlsx"])["Biểu đồ"]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert len(sheet.row_breaks.brk) == 3  # a chart never straddles two pages
