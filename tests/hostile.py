"""Helpers of the hostile-returns tests: a folder of clean real returns, bad files made from them, and
the check that a bad file changed nobody else's figures."""

from __future__ import annotations

import random
import re
import shutil
import zipfile
from pathlib import Path

from toolkit.aggregate.compute import compute
from toolkit.collect.folder import collect
from toolkit.forms.samples import fill_workbook, sample_values
from toolkit.forms.writer import write_template

# A commune, schools of each level, a two-level school: the shapes a district's returns take.
UNITS = ("XA_BAN_CAM", "TH_PHO_LU_1", "THCS_PHO_LU_1", "THTHCS_PHO_LU_1", "MN_PHO_LU_1")


def make_clean_returns(plan, roster, folder: Path, units=UNITS) -> dict[str, Path]:
    """One real filled return per unit (sample values), as the units send them."""
    templates = folder / "templates"
    sent = {}
    for seed, code in enumerate(units, start=1):
        template = write_template(plan, roster, roster.get(code), templates / f"{code}.xlsx")
        values = sample_values(plan, roster.get(code), random.Random(seed))
        sent[code] = fill_workbook(template, values, folder / "returns" / f"{code}.xlsx")
    shutil.rmtree(templates)
    return sent


def rewrite(source: Path, target: Path, part: str, edit) -> Path:
    """A copy of a zip container with one member's bytes passed through `edit`."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        assert part in original.namelist()
        for item in original.infolist():
            data = original.read(item)
            copy.writestr(item, edit(data) if item.filename == part else data)
    return target


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member holding a sheet of an xlsx, through workbook.xml and its relationships."""
    with zipfile.ZipFile(path) as archive:
        workbook, rels = archive.read("xl/workbook.xml").decode(), archive.read("xl/_rels/workbook.xml.rels").decode()
    rel_id = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="([^"]+)"', workbook)[1]
    target = re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rel_id}"', rels)[1]
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def figures(plan, roster, returns: dict) -> list[tuple]:
    """Every indicator result computed from `returns`, as the annexes print them."""
    return [(r.indicator.code, r.scope, r.scope_code, r.value, r.numerator, r.denominator, r.reported, r.excluded)
            for r in compute(plan, roster, returns)]


def assert_others_unchanged(plan, roster, collection, baseline, spoiled: set[str]) -> None:
    """Every unit but `spoiled` has exactly its clean values, and the figures computed from them
    are those computed without the bad files in the folder."""
    others = {code: ret for code, ret in baseline.returns.items() if code not in spoiled}
    assert others, "the test needs units the bad file must not touch"
    for code, clean in others.items():
        got = collection.returns.get(code)
        assert got is not None and dict(got.values) == dict(clean.values) and got.failed == clean.failed, code
    mixed = {code: collection.returns[code] for code in others}
    assert figures(plan, roster, mixed) == figures(plan, roster, others)


def collect_quietly(plan, roster, folder: Path, **options):
    return collect(plan, roster, folder, **options)


def add_sheets(source: Path, target: Path, sheets: dict[str, bytes]) -> Path:
    """A copy of an xlsx with more worksheets (name -> sheet XML), listed as Excel lists them."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "xl/workbook.xml":
                listed = b"".join(b'<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
                                  b'name="%s" sheetId="%d" r:id="rIdX%d"/>' % (name.encode(), 900 + n, n)
                                  for n, name in enumerate(sheets))
                data = data.replace(b"</sheets>", listed + b"</sheets>")
            elif item.filename == "xl/_rels/workbook.xml.rels":
                rels = b"".join(b'<Relationship Id="rIdX%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                                b'relationships/worksheet" Target="worksheets/extra%d.xml"/>' % (n, n) for n in range(len(sheets)))
                data = data.replace(b"</Relationships>", rels + b"</Relationships>")
            elif item.filename == "[Content_Types].xml":
                types = b"".join(b'<Override PartName="/xl/worksheets/extra%d.xml" ContentType="application/'
                                 b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' % n for n in range(len(sheets)))
                data = data.replace(b"</Types>", types + b"</Types>")
            copy.writestr(item, data)
        for n, xml in enumerate(sheets.values()):
            copy.writestr(f"xl/worksheets/extra{n}.xml", xml)
    return target


def one_cell_sheet(address: str, value: int = 1) -> bytes:
    """A sheet holding one number at `address`."""
    row = re.sub(r"[A-Z]", "", address)
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="%s"><c r="%s"><v>%d</v></c></row></sheetData></worksheet>' % (row.encode(), address.encode(), value))

