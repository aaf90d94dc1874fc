"""Plans whose targets are per period (seed 001), per school year (seed 002) or per level (seed 000)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

from toolkit.aggregate.compute import compute
from toolkit.annex.write import annex_tables, write_annexes
from toolkit.collect.records import UnitReturn
from toolkit.jobs.pipeline import load_roster
from toolkit.spec.load import load_plan


def annexes_of(plan, returns_values: dict, folder: Path) -> dict:
    roster = load_roster(plan.roster_path, plan)
    returns = {code: UnitReturn(roster.get(code), Path("x.xlsx"), values) for code, values in returns_values.items()}
    return {p.name: p for p in write_annexes(plan, roster, compute(plan, roster, returns), folder)}


def test_two_target_periods_get_two_plan_columns_and_are_in_the_results(tmp_path):
    plan = load_plan("chi-lang-2021-2030")
    values = {"MN_DONG_MO": {"CHUAN_QG": "Mức độ 1"}, "TH_DONG_MO": {"CHUAN_QG": "Mức độ 2"}, "TT_DONG_MO": {"RL_5": 99, "DS_5": 100}}
    paths = annexes_of(plan, values, tmp_path)
    sheet = openpyxl.load_workbook(paths["Phu_luc_I.xlsx"]).worksheets[0]
    # The plan is 141/KH-UBND; its 2022 results go with the 2022 report, not yet numbered.
    assert sheet["A3"].value == "(Kèm theo Báo cáo số …/BC-UBND ngày … tháng … năm 2022 của Ủy ban nhân dân huyện Chi Lăng)"
    assert [c.value for c in sheet[5]][:6] == ["STT", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch", None, "Thực hiện năm 2022"]
    assert [c.value for c in sheet[6]][3:5] == ["Giai đoạn 2021-2025", "Giai đoạn 2026-2030"]
    assert "D5:E5" in {str(r) for r in sheet.merged_cells.ranges}
    rows = {row[1].value: [c.value for c in row] for row in sheet.iter_rows(min_row=8) if row[1].value}
    # 2 of 18 schools recognised; targets 33 (2025) and "từ 38 … trở lên" (2030); 2022 is read as progress
    # toward 2025 (2/33 = 6,06%), not judged a failure against it
    assert rows["Số trường học đạt chuẩn quốc gia"][3:7] == [
        "33 trường", "Từ 38 trường học đạt chuẩn quốc gia trở lên", "2/18 trường", "Đạt 6% mục tiêu năm 2025"]
    assert rows["Phổ cập giáo dục mầm non cho trẻ 5 tuổi - tỷ lệ huy động"][3:7] == ["100%", "100%", 0.99, "Đạt 99% mục tiêu năm 2025"]
    notes = [c.value for row in sheet.iter_rows() for c in row if str(c.value).startswith("Đánh giá so với")]
    assert notes[0].startswith("Đánh giá so với chỉ tiêu giai đoạn 2021-2025 (kết quả năm 2022 so với mục tiêu")
    with paths["ket_qua.csv"].open(encoding="utf-8-sig") as handle:
        result = next(r for r in csv.DictReader(handle) if r["indicator"] == "TRUONG_CQG" and r["scope"] == "district")
    assert (result["target_2025"], result["target_2030"], result["target"]) == ("33.0", "38.0", "33.0")


def test_school_year_plan_heads_its_columns_with_the_school_year(edited_example):
    plan = load_plan(edited_example(lambda data: data.update(period={"kind": "school_year", "year": 2022})))
    roster = load_roster(plan.roster_path, plan)
    [targets] = annex_tables(plan, roster, compute(plan, roster, {}), kinds=("targets",))  # as every writer gets it
    assert targets.header[0][3:5] == ["Kế hoạch năm học 2022-2023", "Thực hiện năm học 2022-2023"]
