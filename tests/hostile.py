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
    return collect(plan, roster, folder, progress=False, **options)
