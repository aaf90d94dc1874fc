"""Templates stamped from a master (toolkit.forms.stamp) are the workbooks `write_template` writes."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import DOMAIN_PLAN
from toolkit.collect.reader import read_workbook
from toolkit.forms.writer import stamper_for, write_template, write_templates
from toolkit.jobs.pipeline import load_roster
from toolkit.spec.load import load_plan

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from commands import province  # noqa: E402

BUNDLED = sorted((Path(__file__).resolve().parents[1] / "toolkit" / "bundled").glob("*/plan.yaml"))
GENERATED_AT = dt.datetime(2026, 12, 1, 8, 30)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {info.filename: book.read(info) for info in book.infolist()}


def awkward_district(folder: Path) -> Path:
    """The test district whose first schools have names XlsxWriter escapes, a name equal to the unit's
    code (the writer keeps one copy of equal strings), a name long enough to wrap its headings, and a
    one-letter name."""
    shutil.copytree(DOMAIN_PLAN.parent, folder, dirs_exist_ok=True)
    with (folder / "units.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    schools = [row for row in rows if row["kind"] == "truong"]
    schools[1]["name"] = "Trường Mầm non Hoa & Nắng <cơ sở 2> \"Bé ngoan\""
    schools[2]["name"] = schools[2]["code"]
    schools[4]["name"] = "Trường Tiểu học và Trung học cơ sở số 2 xã Xuân Quang, điểm trường thôn Làng Mới, Bản Phiệt"
    schools[6]["name"] = "A"
    with (folder / "units.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder / "plan.yaml"


def stamped_and_direct(plan_path: Path, folder: Path, first: int | None = None) -> tuple[int, list[str]]:
    """Write the template of every unit (of the `first` ones) stamped and directly; return how many,
    and the units whose differ."""
    plan = load_plan(plan_path)
    roster = load_roster(plan.roster_path, plan)
    stamper = stamper_for(plan, roster, None, GENERATED_AT)
    units = [unit for unit in roster if plan.input_names(unit)][:first]
    differ = []
    for unit in units:
        stamped = stamper.write(unit, folder / "stamped" / f"{unit.code}.xlsx")
        direct = write_template(plan, roster, unit, folder / "direct" / f"{unit.code}.xlsx", generated_at=GENERATED_AT)
        if parts(stamped) != parts(direct):
            differ.append(unit.code)
    return len(units), differ


@pytest.mark.parametrize("plan_path", BUNDLED, ids=[path.parent.name for path in BUNDLED])
def test_every_stamped_template_of_the_bundled_examples_is_the_written_one(plan_path, tmp_path):
    count, differ = stamped_and_direct(plan_path, tmp_path)
    assert count > 0 and differ == []


def test_every_stamped_template_of_the_test_district_is_the_written_one(tmp_path):
    count, differ = stamped_and_direct(DOMAIN_PLAN, tmp_path)
    assert count == 98 and differ == []


def test_awkward_names_are_stamped_or_written_exactly(tmp_path):
    count, differ = stamped_and_direct(awkward_district(tmp_path / "plan"), tmp_path, first=12)
    assert count == 12 and differ == []


def test_a_province_written_by_two_workers_is_the_written_one(tmp_path, monkeypatch):
    """Three copies of the example district (281 units), through `write_templates` and its workers."""
    monkeypatch.setattr("toolkit.forms.writer.SMALL_BATCH", 0)
    plan = load_plan(province(tmp_path / "plan", 3))
    roster = load_roster(plan.roster_path, plan)
    paths = write_templates(plan, roster, tmp_path / "stamped", workers=2)
    assert len(paths) == 281
    for path in paths:
        unit = roster.get(path.stem)
        generated_at = dt.datetime.fromisoformat(read_workbook(path).meta["generated_at"])
        direct = write_template(plan, roster, unit, tmp_path / "direct" / path.name, generated_at=generated_at)
        assert parts(path) == parts(direct), unit.code


def test_the_reader_reads_a_stamped_template(plan, roster, tmp_path):
    unit = roster.get("TH_XUAN_QUANG_1")
    stamper = stamper_for(plan, roster, None, GENERATED_AT)
    stamper.write(roster.get("TH_PHO_LU_1"), tmp_path / "master_first.xlsx")  # the master is another unit's
    book = read_workbook(stamper.write(unit, tmp_path / f"{unit.code}.xlsx"))
    assert book.ok
    assert book.meta["unit_code"] == "TH_XUAN_QUANG_1" and book.meta["generated_at"] == "2026-12-01T08:30:00"
    assert set(book.names) == {*plan.input_names(unit), "MA_DON_VI"}
    assert book.values["MA_DON_VI"] == "TH_XUAN_QUANG_1"


@pytest.mark.libreoffice
def test_libreoffice_prints_a_stamped_template_with_the_units_own_texts(plan, roster, soffice, lo_profile, tmp_path):
    unit = roster.get("TH_XUAN_QUANG_1")
    stamper = stamper_for(plan, roster, None, GENERATED_AT)
    stamper.write(roster.get("TH_PHO_LU_1"), tmp_path / "master_first.xlsx")
    path = stamper.write(unit, tmp_path / f"{unit.code}.xlsx")
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={lo_profile.resolve().as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", str(path.with_suffix(".pdf")), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert f"SỐ LIỆU BÁO CÁO – {unit.name.upper()}" in " ".join(text.split())
    assert unit.name in text and "Mã đơn vị: TH_XUAN_QUANG_1" in text
    assert "PHO_LU" not in text and "\ue000" not in text
