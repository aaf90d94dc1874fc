"""Plan spec loading: the bundled example as written (its mistakes: test_plan_problems, test_roster_problems)."""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import pytest
import yaml

from toolkit.jobs.pipeline import load_roster
from toolkit.spec.load import load_plan

from conftest import DOMAIN_PLAN

EXAMPLE = DOMAIN_PLAN
DOMAIN = Path(__file__).parent / "data" / "domain"  # copies of ../shared/domain


@pytest.fixture()
def example_data() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def write_plan(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (tmp_path / "units.csv").write_bytes((EXAMPLE.parent / "units.csv").read_bytes())
    return path


def field(data: dict, code: str) -> dict:
    return next(f for f in data["fields"] if f["code"] == code)


# The bundled example


def test_bundled_example_loads_by_name_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = load_plan("bao-thang-2022")
    assert plan.code == "bao-thang-2022"
    assert plan.plan_year == 2022
    assert len(load_roster(plan.roster_path, plan)) == 101  # 76 schools (3 THPT), 14 communes, 11 agencies


def test_plan_path_and_plan_folder_both_work(tmp_path, example_data):
    path = write_plan(tmp_path, example_data)
    assert load_plan(path).code == load_plan(tmp_path).code == "bao-thang-2022"


def test_domain_plan_encodes_the_domain_fields_exactly():
    plan = load_plan(DOMAIN_PLAN)
    rows = list(csv.DictReader((DOMAIN / "fields.csv").open(encoding="utf-8")))
    assert [f.code for f in plan.fields] == [r["code"] for r in rows]
    for row in rows:
        f = plan.field_by_code[row["code"]]
        assert (f.label, f.kind, f.reporter, f.section, f.unit) == (
            row["label_vi"], row["kind"], row["reporter"], row["section_vi"], row["unit_vi"]
        )
        assert f.levels == row["levels"].split(";")
        assert f.choices == (row["choices"].split(";") if row["choices"] else [])
        assert [f"{r.key}={r.label}" for r in f.rows] == (row["rows"].split(";") if row["rows"] else [])
        assert [f"{c.key}={c.label}" for c in f.columns] == (row["columns"].split(";") if row["columns"] else [])


def test_domain_plan_encodes_the_domain_indicators_and_targets_exactly():
    plan = load_plan(DOMAIN_PLAN)
    rows = list(csv.DictReader((DOMAIN / "indicators.csv").open(encoding="utf-8")))
    assert [i.code for i in plan.indicators] == [r["code"] for r in rows]
    for row in rows:
        ind = plan.indicator_by_code[row["code"]]
        assert (ind.name, ind.section, ind.unit, ind.reporter, ind.rule, ind.numerator, ind.denominator) == (
            row["name_vi"], row["section_vi"], row["unit_vi"], row["reporter"], row["rule"], row["numerator"], row["denominator"]
        )
        assert ind.target == (float(row["target"]) if row["target"] else None)
        assert ind.direction == (row["direction"] or ">=")
        by_level = dict(p.split("=") for p in row["target_by_level"].split(";")) if row["target_by_level"] else {}
        assert ind.target_by_level == {k: float(v) for k, v in by_level.items()}


def test_domain_roster_is_the_domain_roster():
    assert (DOMAIN_PLAN.parent / "units.csv").read_bytes() == (DOMAIN / "units.csv").read_bytes()


def test_checks_of_the_example_are_parsed_as_written():
    plan = load_plan(DOMAIN_PLAN)
    assert [c.text for c in plan.field_by_code["GV"].parsed_checks] == ["DAT_CHUAN <= TONG", "TREN_CHUAN <= DAT_CHUAN"]
    vao = plan.field_by_code["THCS_TN_VAO_GDNN"].parsed_checks[0]
    assert [t.field for t in vao.left.terms] == ["THCS_TN_VAO_THPT", "THCS_TN_VAO_GDNN"]
    ban_tru = plan.field_by_code["MN_BAN_TRU"].parsed_checks[0]
    assert ban_tru.left is None and ban_tru.right.terms[0].rows == ("NT", "MG3", "MG4", "MG5")
    year = plan.field_by_code["CHUAN_QG_NAM"]
    assert (year.required, year.min, year.max_value(plan.plan_year)) == (False, 1990, 2022)


def test_template_version_ignores_document_metadata_but_not_fields(tmp_path, example_data):
    def version(name: str, data: dict) -> str:
        (tmp_path / name).mkdir()
        return load_plan(write_plan(tmp_path / name, data)).version

    signed = copy.deepcopy(example_data)
    signed["document"].update(number="85", date="2022-04-29")
    changed = copy.deepcopy(example_data)
    field(changed, "PH_TAM")["label"] = "Số phòng học tạm"
    spelled_out = copy.deepcopy(example_data)
    field(spelled_out, "PH_TAM").update(units=[], required=True)  # defaults written out, as a newer toolkit may add
    base = version("a", example_data)
    assert version("b", signed) == base
    assert version("c", changed) != base
    assert version("d", spelled_out) == base


# Roster


def test_roster_from_xlsx_with_nfd_names_is_read_in_nfc(tmp_path):
    import unicodedata

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "kind", "levels", "commune"])
    sheet.append(["XA_A", unicodedata.normalize("NFD", "UBND xã Bản Cầm"), "xa", "XA", "XA_A"])
    sheet.append(["THTHCS_A", "Trường TH&THCS xã Bản Cầm", "truong", "TH;THCS", "XA_A"])
    workbook.save(tmp_path / "Danh sách.xlsx")
    roster = load_roster(tmp_path / "Danh sách.xlsx", load_plan(DOMAIN_PLAN))
    assert roster.get("XA_A").name == "UBND xã Bản Cầm"
    assert roster.get("THTHCS_A").levels == ("TH", "THCS")
