"""Printed annexes per Nghị định 30: page numbers in the header, except on page 1."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from toolkit.aggregate import compute
from toolkit.annexes import write_annexes


def test_xlsx_annex_numbers_pages_in_the_header_but_not_the_first(plan, roster, tmp_path):
    paths = {p.name: p for p in write_annexes(plan, roster, compute(plan, roster, {}), tmp_path)}
    for name in ("Phu_luc_I.xlsx", "Phu_luc_II.xlsx"):
        sheet = openpyxl.load_workbook(paths[name]).worksheets[0]
        assert "&P" in sheet.oddHeader.center.text, name
        assert sheet.HeaderFooter.differentFirst, name
        assert not sheet.firstHeader.center.text, name
