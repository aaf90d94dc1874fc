"""Every mistake in a roster is a `Problem` at its row and column (or, for what the plan names in the
roster, at the plan's key), all raised together as one `RosterError`."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from toolkit.core.errors import CATALOGUE, PlanError, RosterError
from toolkit.jobs.pipeline import load_roster
from toolkit.spec.load import load_plan

HEADER = "code,name,kind,levels,commune,contact_name,phone,email\n"


def roster_problems(plan, path: Path) -> list[tuple]:
    """(code, row, column letter, column header, params) of every problem of a roster."""
    with pytest.raises(RosterError) as caught:
        load_roster(path, plan)
    assert all(p.location.file in (str(path), str(plan.path)) for p in caught.value.problems)
    return [(p.code, p.location.row, p.location.column, p.location.header, dict(p.params)) for p in caught.value.problems]


def write_roster(tmp_path: Path, rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "units.csv"
    path.write_text(header + rows, encoding="utf-8")
    return path


def test_each_unit_mistake_is_at_its_row_and_column(tmp_path, plan):
    path = write_roster(
        tmp_path,
        "XA_A,UBND xã A,xa,XA,XA_A,,,\n"
        "MN_A,Trường Mầm non A,truong,MN,XA_A,,,\n"
        "MN_A,Trường Mầm non A (bản sao),truong,MN,XA_A,,,\n"
        "TH_B,Trường Tiểu học B,truong,TH,XA_B,,,\n"
        "THPT_A,Trường THPT A,truong,THPT,XA_A,,,\n"
        "HOI_A,Hội Khuyến học,hoi,,,,,\n"
        "MN Đ,Trường Mầm non Đ,truong,MN,XA_A,,,\n"
        "MN_C,,truong,MN,XA_A,,,\n",
    )
    assert roster_problems(plan, path) == [
        ("roster-duplicate-code", 4, "A", "code", {"code": "MN_A", "first": 3}),
        ("roster-unknown-level", 6, "D", "levels", {"level": "THPT", "code": "THPT_A", "levels": "MN, TH, THCS, XA"}),
        ("roster-unknown-kind", 7, "C", "kind", {"kind": "hoi", "kinds": "truong, xa, co_quan"}),
        ("roster-bad-code", 8, "A", "code", {"code": "MN Đ"}),
        ("roster-no-name", 9, "B", "name", {"code": "MN_C"}),
        ("roster-unknown-commune", 5, "E", "commune", {"code": "TH_B", "commune": "XA_B", "kind": "xa"}),
    ]


def test_a_commune_in_a_plan_without_communes_is_at_its_cell(tmp_path, edited_example):
    plan = load_plan(edited_example(lambda data: (data["area"].update(group_kind=""), data["annexes"][1].update(by="level"))))
    path = write_roster(tmp_path, "XA_A,UBND xã A,xa,XA,,,,\nMN_A,Trường Mầm non A,truong,MN,XA_A,,,\n")
    assert roster_problems(plan, path) == [("roster-commune-ungrouped", 3, "E", "commune", {"code": "MN_A", "commune": "XA_A"})]


def test_what_the_plan_names_in_the_roster_is_at_the_plans_key(tmp_path, edited_example):
    def name_units_and_tags(data):
        next(f for f in data["fields"] if f["code"] == "PH_TAM")["units"] = ["NOPE", "XA_SON_HA"]
        next(i for i in data["indicators"] if i["code"] == "TRUONG_CQG")["eligible"]["tags"] = ["DBKK"]

    plan = load_plan(edited_example(name_units_and_tags))
    with pytest.raises(RosterError) as caught:
        load_roster(plan.roster_path, plan)
    assert [(p.code, p.location.file, p.location.key, p.location.item, p.params) for p in caught.value.problems] == [
        ("roster-unused-tag", str(plan.path), "indicators[14].eligible.tags", "TRUONG_CQG",
         {"indicator": "TRUONG_CQG", "tag": "DBKK", "roster": "units.csv"}),
        ("roster-unknown-unit", str(plan.path), "fields[21].units", "PH_TAM", {"field": "PH_TAM", "code": "NOPE", "roster": "units.csv"}),
        ("roster-unit-other-kind", str(plan.path), "fields[21].units", "PH_TAM",
         {"field": "PH_TAM", "code": "XA_SON_HA", "kind": "xa", "reporter": "truong"}),
    ]


def test_an_xlsx_roster_names_its_row_and_column(tmp_path, plan):
    workbook = openpyxl.Workbook()
    workbook.active.append(["kind", "code", "name"])
    workbook.active.append(["truong", "MN_A", "Trường Mầm non A"])
    workbook.active.append(["truong", "MN_A", "Trường Mầm non A"])
    workbook.save(tmp_path / "units.xlsx")
    assert roster_problems(plan, tmp_path / "units.xlsx") == [("roster-duplicate-code", 3, "B", "code", {"code": "MN_A", "first": 2})]


@pytest.mark.parametrize(
    ("name", "content", "code", "params"),
    [
        ("units.txt", HEADER.encode(), "roster-bad-format", {"suffix": ".txt"}),
        ("units.xlsx", b"not a zip", "roster-unreadable", None),
        ("units.csv", HEADER.encode(), "roster-empty", {}),
        ("units.csv", b"ma,ten\nA,B\n", "roster-missing-columns",
         {"missing": "code, name, kind", "columns": "code, name, kind, levels, commune, contact_name, phone, email, tags"}),
    ],
    ids=["bad-format", "unreadable", "empty", "missing-columns"],
)
def test_a_roster_that_cannot_be_used_is_one_problem_about_the_file(tmp_path, plan, name, content, code, params):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PlanError) as caught:
        load_roster(path, plan)
    [problem] = caught.value.problems
    assert (problem.code, problem.location.file) == (code, str(path))
    if params is not None:
        assert dict(problem.params) == params
    assert str(caught.value).startswith(f"Danh sách đơn vị {path} có lỗi:\n  - ")


def test_every_roster_code_of_the_catalogue_has_its_test():
    tested = {"roster-duplicate-code", "roster-unknown-level", "roster-unknown-kind", "roster-bad-code", "roster-no-name",
              "roster-unknown-commune", "roster-commune-ungrouped", "roster-unused-tag", "roster-unknown-unit",
              "roster-unit-other-kind", "roster-bad-format", "roster-unreadable", "roster-empty", "roster-missing-columns",
              "roster-not-unicode"}  # the last: tests/test_hostile_returns.py
    assert tested == {code for code in CATALOGUE if code.startswith("roster-")}

