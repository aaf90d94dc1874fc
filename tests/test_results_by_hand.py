"""Indicator results against arithmetic done by hand, read back from ket_qua.csv.

Two communes, five schools: a combined TH;THCS school, a school that sent nothing (MN_B) and a
school with one failed value (THCS_B's DANG_VIEN). The expected numbers are written out with
their arithmetic; none is computed by the code under test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from toolkit.aggregate.compute import compute
from toolkit.annex.write import write_results_csv
from toolkit.collect.records import UnitReturn
from toolkit.jobs.pipeline import load_roster
from toolkit.spec.load import load_plan

ROSTER = """code,name,kind,levels,commune,contact_name,phone,email
XA_A,UBND xã A,xa,XA,XA_A,,,
XA_B,UBND xã B,xa,XA,XA_B,,,
MN_A,Trường Mầm non A,truong,MN,XA_A,,,
THTHCS_A,Trường TH&THCS A,truong,TH;THCS,XA_A,,,
TH_B,Trường Tiểu học B,truong,TH,XA_B,,,
THCS_B,Trường THCS B,truong,THCS,XA_B,,,
MN_B,Trường Mầm non B,truong,MN,XA_B,,,
"""

VALUES = {
    "XA_A": {"RL_0_2": 30, "DS_0_2": 100, "PCGD_MN4": "Đạt"},
    "XA_B": {"RL_0_2": 60, "DS_0_2": 150, "PCGD_MN4": "Chưa đạt"},
    "MN_A": {"GV__MN__TONG": 20, "GV__MN__DAT_CHUAN": 19, "DANG_VIEN": 10, "NS_TONG": 20,
             "CHUAN_QG": "Mức độ 1", "CHUAN_QG_NAM": 2022, "DIEM_TRUONG_XOA": 1},
    "THTHCS_A": {"GV__TH__TONG": 30, "GV__TH__DAT_CHUAN": 24, "GV__THCS__TONG": 25, "GV__THCS__DAT_CHUAN": 20,
                 "DANG_VIEN": 30, "NS_TONG": 60, "CHUAN_QG": "Chưa đạt", "DIEM_TRUONG_XOA": 2,
                 "THCS_TN_VAO_THPT": 30, "THCS_TOT_NGHIEP": 40},
    "TH_B": {"GV__TH__TONG": 10, "GV__TH__DAT_CHUAN": 9, "DANG_VIEN": 6, "NS_TONG": 12,
             "CHUAN_QG": "Mức độ 2", "CHUAN_QG_NAM": 2015, "DIEM_TRUONG_XOA": 0},
    "THCS_B": {"GV__THCS__TONG": 40, "GV__THCS__DAT_CHUAN": 38, "DANG_VIEN": 99, "NS_TONG": 50,
               "CHUAN_QG": "Mức độ 1", "CHUAN_QG_NAM": 2022, "THCS_TN_VAO_THPT": 50, "THCS_TOT_NGHIEP": 60},
}
FAILED = {"THCS_B": {"DANG_VIEN"}}  # e.g. more party members than staff: left out of DANG_VIEN only


@pytest.fixture(scope="module")
def results(tmp_path_factory, plan) -> dict:
    folder = tmp_path_factory.mktemp("hand")
    (folder / "units.csv").write_text(ROSTER, encoding="utf-8")
    roster = load_roster(folder / "units.csv", plan)
    returns = {code: UnitReturn(roster.get(code), Path(f"{code}.xlsx"), values, frozenset(FAILED.get(code, ())))
               for code, values in VALUES.items()}
    path = write_results_csv(plan, compute(plan, roster, returns), folder / "ket_qua.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {(r["indicator"], r["scope"], r["scope_code"]): r for r in csv.DictReader(handle)}


def check(results, key, value, numerator, denominator, expected, reported, excluded=0):
    row = results[key]
    assert float(row["value"]) == pytest.approx(value), key
    assert float(row["numerator"]) == numerator, key
    assert (row["denominator"] == "" if denominator is None else float(row["denominator"]) == denominator), key
    assert (int(row["expected"]), int(row["reported"]), int(row["excluded"])) == (expected, reported, excluded), key


def test_ratio_is_sum_over_sum_never_an_average_of_percentages(results):
    # (30 + 60) / (100 + 150) = 36.0; the average of 30% and 40% would be 35%
    check(results, ("PC_NT_HUY_DONG", "district", ""), 36.0, 90, 250, 2, 2)
    check(results, ("PC_NT_HUY_DONG", "commune", "XA_A"), 30.0, 30, 100, 1, 1)
    check(results, ("PC_NT_HUY_DONG", "commune", "XA_B"), 40.0, 60, 150, 1, 1)


def test_grid_ratio_by_district_commune_and_level(results):
    # (19 + 24 + 20 + 9 + 38) / (20 + 30 + 25 + 10 + 40) = 110 / 125
    check(results, ("GV_DAT_CHUAN", "district", ""), 88.0, 110, 125, 5, 4)
    # XA_A: MN_A + THTHCS_A = (19 + 24 + 20) / (20 + 30 + 25); XA_B: (9 + 38) / (10 + 40); MN_B sent nothing
    check(results, ("GV_DAT_CHUAN", "commune", "XA_A"), 84.0, 63, 75, 2, 2)
    check(results, ("GV_DAT_CHUAN", "commune", "XA_B"), 94.0, 47, 50, 3, 2)
    # Levels: the combined school's TH rows count under TH and its THCS rows under THCS
    check(results, ("GV_DAT_CHUAN", "level", "MN"), 95.0, 19, 20, 2, 1)  # 19 / 20
    check(results, ("GV_DAT_CHUAN", "level", "TH"), 82.5, 33, 40, 2, 2)  # (24 + 9) / (30 + 10)
    check(results, ("GV_DAT_CHUAN", "level", "THCS"), 58 / 65 * 100, 58, 65, 2, 2)  # (20 + 38) / (25 + 40)


def test_a_failed_value_excludes_the_unit_from_exactly_the_indicators_using_it(results):
    # DANG_VIEN / NS_TONG without THCS_B: (10 + 30 + 6) / (20 + 60 + 12) = 46 / 92
    check(results, ("DANG_VIEN", "district", ""), 50.0, 46, 92, 5, 3, excluded=1)
    check(results, ("DANG_VIEN", "commune", "XA_B"), 50.0, 6, 12, 3, 1, excluded=1)  # 6 / 12
    # THCS_B still counts wherever its other values are used: (30 + 50) / (40 + 60)
    check(results, ("PL_VAO_THPT", "district", ""), 80.0, 80, 100, 2, 2)


def test_share_counts_every_eligible_unit_in_the_denominator(results):
    # Mức độ 1 or 2: MN_A, TH_B, THCS_B = 3 of 5 schools (MN_B sent nothing: not meeting it)
    check(results, ("TRUONG_CQG", "district", ""), 60.0, 3, 5, 5, 4)
    check(results, ("TRUONG_CQG", "commune", "XA_A"), 50.0, 1, 2, 2, 2)  # MN_A of MN_A, THTHCS_A
    check(results, ("TRUONG_CQG", "commune", "XA_B"), 200 / 3, 2, 3, 3, 2)  # TH_B, THCS_B of 3


def test_count_with_a_plan_year_condition(results):
    # Recognised in 2022 (the plan year): MN_A and THCS_B; TH_B was recognised in 2015
    check(results, ("TRUONG_CQG_MOI", "district", ""), 2, 2, 5, 5, 4)
    check(results, ("PC_MN4_XA", "district", ""), 1, 1, 2, 2, 2)  # only XA_A reached it


def test_sum_by_level_uses_each_schools_level(results):
    # MN_A 1 (MN) + THTHCS_A 2 (its first level among MN;TH is TH) + TH_B 0 (TH)
    check(results, ("DIEM_TRUONG_XOA", "district", ""), 3, 3, None, 4, 3)
    check(results, ("DIEM_TRUONG_XOA", "level", "MN"), 1, 1, None, 2, 1)
    check(results, ("DIEM_TRUONG_XOA", "level", "TH"), 2, 2, None, 2, 2)


def test_targets_and_achievement_are_in_the_contract(results):
    row = results[("GV_DAT_CHUAN", "level", "TH")]
    assert float(row["target"]) == 64.17 and row["achieved"] == "True"  # 82.5 >= 64.17
    row = results[("GV_DAT_CHUAN", "level", "MN")]
    assert float(row["target"]) == 92.5 and row["achieved"] == "True"  # 95.0 >= 92.5
    row = results[("PC_NT_HUY_DONG", "district", "")]
    assert float(row["target"]) == 31 and row["achieved"] == "True"  # 36.0 >= 31
    assert results[("HS_NU_TY_LE", "district", "")]["target"] == ""  # no target in the plan


def results_of(edited_example, roster_text: str, values: dict, by_level: list[str] | None = None,
               fields: list[dict] = (), indicators: list[dict] = ()) -> dict:
    """ket_qua.csv rows of the example plan over another roster; `by_level`: indicators of an
    extra annex broken down by level (so they are computed per level); `fields`, `indicators`:
    added to the plan."""
    def edit(data: dict) -> None:
        data["fields"] += list(fields)
        data["indicators"] += list(indicators)
        if by_level:
            data["annexes"].append({"numeral": "V", "kind": "breakdown", "by": "level", "title": "Theo cấp học",
                                    "indicators": by_level})

    path = edited_example(edit)
    (path.parent / "units.csv").write_text(roster_text, encoding="utf-8")
    plan = load_plan(path)
    roster = load_roster(plan.roster_path, plan)
    folder = path.parent
    returns = {code: UnitReturn(roster.get(code), Path(f"{code}.xlsx"), v) for code, v in values.items()}
    path = write_results_csv(plan, compute(plan, roster, returns), folder / "ket_qua.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {(r["indicator"], r["scope"], r["scope_code"]): r for r in csv.DictReader(handle)}


def test_a_combined_school_counts_once_so_the_levels_add_up_to_the_district(edited_example):
    rows = results_of(edited_example, ROSTER, VALUES, by_level=["TRUONG_CQG"])
    # Mức độ 1 or 2: MN_A, TH_B, THCS_B of 5 schools. THTHCS_A (TH;THCS, "Chưa đạt") counts once, under
    # TH, its first level: MN 1/2 (MN_B silent), TH 1/2, THCS 1/1; 1 + 1 + 1 = 3 of 2 + 2 + 1 = 5.
    check(rows, ("TRUONG_CQG", "district", ""), 60.0, 3, 5, 5, 4)
    check(rows, ("TRUONG_CQG", "level", "MN"), 50.0, 1, 2, 2, 1)
    check(rows, ("TRUONG_CQG", "level", "TH"), 50.0, 1, 2, 2, 2)
    check(rows, ("TRUONG_CQG", "level", "THCS"), 100.0, 1, 1, 1, 1)
    assert ("TRUONG_CQG", "level", "XA") not in rows  # no school reports at the communes' pseudo-level


def test_a_commune_that_sent_nothing_has_no_result_rather_than_zero(edited_example):
    rows = results_of(edited_example, ROSTER, {"XA_A": VALUES["XA_A"]})
    # XA_A reached PCGD MN 4 tuổi; XA_B sent nothing: the district counts 1 of 2 communes ...
    check(rows, ("PC_MN4_XA", "district", ""), 1, 1, 2, 2, 1)
    # ... but XA_B's own row says nothing is known, not "0/1"
    for code in ("PC_MN4_XA", "PC_THCS_MUC3_XA", "PC_NT_HUY_DONG"):  # two shares of communes, a ratio
        row = rows[(code, "commune", "XA_B")]
        assert (row["value"], row["numerator"], row["expected"], row["reported"]) == ("", "", "1", "0"), code
    assert rows[("PC_NT_HUY_DONG", "commune", "XA_B")]["denominator"] == ""  # no "0" beside an empty rate


def test_a_communes_survey_by_level_counts_under_each_level(edited_example):
    # Seed 002's mobilisation rates by level, surveyed by each commune: the commune gets every row.
    survey = {"code": "HD", "label": "Huy động ra lớp theo cấp học", "kind": "grid", "reporter": "xa",
              "section": "III. Huy động", "rows": [{"key": "MN", "label": "Mầm non", "level": "MN"},
                                                    {"key": "TH", "label": "Tiểu học", "level": "TH"}],
              "columns": [{"key": "DS", "label": "Trong độ tuổi"}, {"key": "RL", "label": "Ra lớp"}],
              "checks": ["RL <= DS"]}
    rate = {"code": "HD_RA_LOP", "name": "Tỷ lệ huy động ra lớp", "section": "I. Phổ cập", "unit": "%",
            "reporter": "xa", "rule": "ratio", "numerator": "HD[*].RL", "denominator": "HD[*].DS",
            "target": 95, "target_by_level": {"MN": 90, "TH": 99}}
    values = {"XA_A": {"HD__MN__DS": 100, "HD__MN__RL": 90, "HD__TH__DS": 200, "HD__TH__RL": 198},
              "XA_B": {"HD__MN__DS": 50, "HD__MN__RL": 40, "HD__TH__DS": 100, "HD__TH__RL": 100}}
    rows = results_of(edited_example, ROSTER, values, fields=[survey], indicators=[rate])
    check(rows, ("HD_RA_LOP", "district", ""), 428 / 450 * 100, 428, 450, 2, 2)  # (90+198+40+100) / (100+200+50+100)
    check(rows, ("HD_RA_LOP", "level", "MN"), 130 / 150 * 100, 130, 150, 2, 2)  # (90+40) / (100+50)
    check(rows, ("HD_RA_LOP", "level", "TH"), 298 / 300 * 100, 298, 300, 2, 2)  # (198+100) / (200+100)
    check(rows, ("HD_RA_LOP", "commune", "XA_B"), 140 / 150 * 100, 140, 150, 1, 1)
    assert ("HD_RA_LOP", "level", "THCS") not in rows


def test_a_share_of_the_units_carrying_a_roster_tag(edited_example):
    # Seed 002: "100% (10/10) xã đặc biệt khó khăn giữ vững chuẩn phổ cập": only the tagged communes count.
    tagged = ROSTER.replace("code,name,kind,levels,commune,contact_name,phone,email",
                            "code,name,kind,levels,commune,contact_name,phone,email,tags")
    tagged = tagged.replace("XA_A,UBND xã A,xa,XA,XA_A,,,", "XA_A,UBND xã A,xa,XA,XA_A,,,,DBKK")
    hard = {"code": "PC_MN4_DBKK", "name": "Tỷ lệ xã đặc biệt khó khăn đạt chuẩn PCGD mầm non 4 tuổi", "section": "I. Phổ cập",
            "unit": "%", "reporter": "xa", "rule": "share", "numerator": "PCGD_MN4 = Đạt",
            "eligible": {"kind": "xa", "tags": ["DBKK"]}, "target": 100}
    rows = results_of(edited_example, tagged, VALUES, indicators=[hard])
    check(rows, ("PC_MN4_DBKK", "district", ""), 100.0, 1, 1, 1, 1)  # XA_A (tagged) reached it; XA_B is not counted
    check(rows, ("PC_MN4_XA", "district", ""), 1, 1, 2, 2, 2)  # untagged indicator: both communes


def test_a_tag_no_unit_carries_is_a_roster_error(edited_example):
    from toolkit.core.errors import RosterError

    hard = {"code": "PC_MN4_DBKK", "name": "Tỷ lệ xã đặc biệt khó khăn đạt chuẩn", "section": "I. Phổ cập", "unit": "%",
            "reporter": "xa", "rule": "share", "numerator": "PCGD_MN4 = Đạt", "eligible": {"kind": "xa", "tags": ["DBKK"]}}
    with pytest.raises(RosterError) as caught:
        results_of(edited_example, ROSTER, VALUES, indicators=[hard])
    assert [(p.code, p.location.item, p.params["tag"]) for p in caught.value.problems] == [("roster-unused-tag", "PC_MN4_DBKK", "DBKK")]
