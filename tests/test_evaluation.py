"""The Đánh giá column judges the figure the annex shows, so it never contradicts it."""

from __future__ import annotations

import csv
from pathlib import Path

from toolkit.aggregate.compute import compute
from toolkit.annex.write import annex_tables, write_results_csv
from toolkit.collect.records import UnitReturn


def district_row(paths: dict, name: str) -> list[str]:
    """The row of Phụ lục I as every writer gets it (the writers' own output: test_annex_format)."""
    return next(cells for cells in ([c.text for c in row.cells] for row in paths["Phu_luc_I"].rows) if cells[1:2] == [name])


def annexes_for(plan, roster, values: dict, folder: Path) -> dict:
    """Phụ lục I's table and ket_qua.csv for these values."""
    returns = {code: UnitReturn(roster.get(code), Path(f"{code}.xlsx"), v) for code, v in values.items()}
    results = compute(plan, roster, returns)
    [targets] = annex_tables(plan, roster, results, returns, kinds=("targets",))
    folder.mkdir(parents=True, exist_ok=True)
    return {"Phu_luc_I": targets, "ket_qua.csv": write_results_csv(plan, results, folder / "ket_qua.csv")}


def test_a_result_shown_equal_to_its_target_is_achieved(plan, roster, tmp_path):
    # 29969 / 30000 = 99.8967% is shown as "99,9%" (2 decimals, half-up), the target is 99,9%:
    # the annex must not print "99,9%" next to "Chưa đạt (thiếu 0 điểm %)".
    paths = annexes_for(plan, roster, {"XA_SON_HA": {"RL_5": 29969, "DS_5": 30000}}, tmp_path)
    row = district_row(paths, "Tỷ lệ trẻ 5 tuổi ra lớp")
    assert row[3:6] == ["99,9%", "99,9%", "Đạt"]
    with paths["ket_qua.csv"].open(encoding="utf-8-sig") as handle:
        result = next(r for r in csv.DictReader(handle) if (r["indicator"], r["scope"]) == ("PC_5T_HUY_DONG", "district"))
    assert result["achieved"] == "True" and float(result["value"]) < 99.9  # the value itself stays unrounded


def test_a_shortfall_is_never_shown_as_zero(plan, roster, tmp_path):
    # 29968 / 30000 = 99.8933% is shown as "99,89%": short of 99,9% by 0,01 point once rounded
    paths = annexes_for(plan, roster, {"XA_SON_HA": {"RL_5": 29968, "DS_5": 30000}}, tmp_path)
    row = district_row(paths, "Tỷ lệ trẻ 5 tuổi ra lớp")
    assert row[4:6] == ["99,89%", "Chưa đạt (thiếu 0,01 điểm %)"]


def test_a_lead_that_rounds_to_nothing_is_just_achieved(plan, roster, tmp_path):
    # 29971 / 30000 = 99.9033% is shown as "99,9%": achieved, but not "vượt 0 điểm %"
    paths = annexes_for(plan, roster, {"XA_SON_HA": {"RL_5": 29971, "DS_5": 30000}}, tmp_path)
    assert district_row(paths, "Tỷ lệ trẻ 5 tuổi ra lớp")[4:6] == ["99,9%", "Đạt"]


def test_a_commune_is_judged_against_rates_but_not_against_district_totals(plan, roster, tmp_path):
    values = {"XA_SON_HA": {"RL_3_5": 97, "DS_3_5": 100, "XMC_SO_NGUOI": 12, "PCGD_MN4": "Đạt"}}
    paths = annexes_for(plan, roster, values, tmp_path)
    with paths["ket_qua.csv"].open(encoding="utf-8-sig") as handle:
        rows = {(r["indicator"], r["scope"], r["scope_code"]): r for r in csv.DictReader(handle)}
    # A rate target holds in every commune: 97% >= 96%
    assert (rows[("PC_MG_HUY_DONG", "commune", "XA_SON_HA")]["target"], rows[("PC_MG_HUY_DONG", "commune", "XA_SON_HA")]["achieved"]) == ("96.0", "True")
    # 112 people and 7 communes are the district's totals, not each commune's
    for code in ("XMC_SO_NGUOI", "PC_MN4_XA"):
        assert (rows[(code, "commune", "XA_SON_HA")]["target"], rows[(code, "commune", "XA_SON_HA")]["achieved"]) == ("", ""), code
        assert rows[(code, "district", "")]["achieved"] == "False", code  # 12 < 112 people; 1 < 7 communes


def test_a_strict_target_is_above_not_at_it(edited_example, tmp_path):
    # "trên 99,7%": direction ">" is met only above the target, once the figure is rounded as shown.
    from toolkit.jobs.pipeline import load_roster
    from toolkit.spec.load import load_plan

    def strictly_above(data: dict) -> None:
        next(i for i in data["indicators"] if i["code"] == "PC_5T_HUY_DONG")["direction"] = ">"

    strict = load_plan(edited_example(strictly_above))
    strict_roster = load_roster(strict.roster_path, strict)
    at = annexes_for(strict, strict_roster, {"XA_SON_HA": {"RL_5": 29969, "DS_5": 30000}}, tmp_path / "at")
    assert district_row(at, "Tỷ lệ trẻ 5 tuổi ra lớp")[3:6] == ["Trên 99,9%", "99,9%", "Chưa đạt (mới bằng chỉ tiêu)"]
    above = annexes_for(strict, strict_roster, {"XA_SON_HA": {"RL_5": 29990, "DS_5": 30000}}, tmp_path / "above")
    assert district_row(above, "Tỷ lệ trẻ 5 tuổi ra lớp")[3:6] == ["Trên 99,9%", "99,97%", "Đạt (vượt 0,07 điểm %)"]
