"""The catalogue of standard indicators: a plan row naming a code gets the definition, its inputs
and their checks; every entry is a valid indicator and cites where its definition comes from."""

from __future__ import annotations

import re

import openpyxl

from toolkit.forms.plan_workbook import export_plan
from toolkit.jobs.pipeline import load, make_templates
from toolkit.spec.catalogue import standard_fields, standard_indicators


def _plan_of_standard_rows(tmp_path, rows: list[list]):
    """The bundled example's workbook with its indicators, inputs and annexes replaced by `rows`
    (Mã danh mục, Chỉ tiêu) typed on the Chỉ tiêu sheet."""
    plan, roster = load("bao-thang-2022")
    path = export_plan(plan, tmp_path / "ke_hoach.xlsx", roster)
    book = openpyxl.load_workbook(path)
    for name in ("Chỉ tiêu", "Số liệu", "Bảng", "Phụ lục"):
        book[name].delete_rows(2, book[name].max_row)
    headers = [c.value for c in book["Chỉ tiêu"][1]]
    for number, (code, target) in enumerate(rows, start=2):
        book["Chỉ tiêu"].cell(number, headers.index("Mã danh mục") + 1, code)
        book["Chỉ tiêu"].cell(number, headers.index("Chỉ tiêu") + 1, target)
    book["Phụ lục"].append(["I", "Kết quả chỉ tiêu", "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU"])
    book.save(path)
    return load(path)


def test_every_standard_indicator_makes_a_valid_plan_with_templates(tmp_path):
    plan, roster = _plan_of_standard_rows(tmp_path, [[code, "90"] for code in standard_indicators()])

    assert [i.code for i in plan.indicators] == list(standard_indicators())
    for indicator in plan.indicators:
        standard = standard_indicators()[indicator.code]
        assert (indicator.rule, indicator.numerator, indicator.denominator) == (
            standard["rule"], standard["numerator"], standard.get("denominator", ""))
        assert indicator.target_for(plan.period.target_periods[0].code).value == 90.0
    assert {f.code for f in plan.fields} == set(standard_fields())
    assert make_templates(plan, roster, tmp_path / "bieu_mau")


def test_a_standard_row_brings_only_its_inputs_and_what_their_checks_read(tmp_path):
    plan, _ = _plan_of_standard_rows(tmp_path, [["TRUONG_CQG_MOI", 4], ["CBQL_LLCT", "95,5"]])

    # CHUAN_QG_NAM is required when CHUAN_QG says the school is recognised; CBQL_LLCT <= CBQL_TONG.
    assert [f.code for f in plan.fields] == ["CBQL_TONG", "CBQL_LLCT", "CHUAN_QG", "CHUAN_QG_NAM"]
    assert plan.indicator_by_code["CBQL_LLCT"].target_for(plan.period.target_periods[0].code).value == 95.5
    assert plan.field_by_code["CHUAN_QG_NAM"].required_if


def test_every_standard_indicator_cites_the_reference_and_its_tag():
    for code, entry in standard_indicators().items():
        assert re.match(r"REFERENCE\.md §\d\.\d \[(S|BG)\]", entry["source"]), code
        assert entry["name"] and entry["unit"], code
