"""Phụ lục II: one row per commune (named as a place) or per level, the area total last."""

from __future__ import annotations

from pathlib import Path

from toolkit.aggregate.compute import compute
from toolkit.annex.write import annex_tables
from toolkit.collect.records import UnitReturn
from toolkit.jobs.pipeline import load_roster
from toolkit.spec.load import load_plan

RETURNS = {
    "MN_PHO_LU_1": {"GV__MN__TONG": 20, "GV__MN__DAT_CHUAN": 18, "GV__MN__TREN_CHUAN": 5, "PH_TONG": 10, "PH_KIEN_CO": 8},
    "THTHCS_PHO_LU_1": {"GV__TH__TONG": 30, "GV__TH__DAT_CHUAN": 27, "GV__TH__TREN_CHUAN": 6,
                        "GV__THCS__TONG": 25, "GV__THCS__DAT_CHUAN": 25, "GV__THCS__TREN_CHUAN": 10,
                        "PH_TONG": 20, "PH_KIEN_CO": 15},
}


def breakdown_table(plan, roster, returns):
    """Phụ lục II as every writer gets it (the writers' own output: test_annex_format)."""
    [table] = annex_tables(plan, roster, compute(plan, roster, returns), returns, kinds=("breakdown",))
    return table


def breakdown_rows(plan) -> list[list[str]]:
    roster = load_roster(plan.roster_path, plan)
    returns = {code: UnitReturn(roster.get(code), Path(f"{code}.xlsx"), values) for code, values in RETURNS.items()}
    return [[cell.text for cell in row.cells] for row in breakdown_table(plan, roster, returns).rows]


def test_commune_rows_name_the_place_not_its_peoples_committee(plan):
    rows = breakdown_rows(plan)
    assert [r[1] for r in rows[:4]] == ["Thị trấn Phố Lu", "Thị trấn Tằng Loỏng", "Thị trấn Phong Hải", "Xã Xuân Quang"]
    assert rows[-1][1] == "Toàn huyện"


def test_a_commune_where_nobody_reported_shows_no_data_not_zero(plan):
    rows = {r[1]: r for r in breakdown_rows(plan)}
    column = 2 + plan.annexes[1].indicators.index("TRUONG_CQG")  # a share of schools
    assert rows["Xã Xuân Quang"][column] == "–"  # none of its schools sent anything
    assert rows["Thị trấn Phố Lu"][column].startswith("0/")  # two of its schools did, neither recognised


def test_the_footnotes_tell_not_reported_from_not_applicable(plan, edited_example):
    def notes(plan):
        roster = load_roster(plan.roster_path, plan)
        returns = {code: UnitReturn(roster.get(code), Path(f"{code}.xlsx"), values) for code, values in RETURNS.items()}
        return [line for line in breakdown_table(plan, roster, returns).notes if line.startswith("Dấu")]

    not_reported = "Dấu – : chưa có số liệu (đơn vị chưa báo cáo hoặc số liệu lỗi)."
    not_applicable = "Dấu x : không áp dụng (không có đơn vị thuộc diện, hoặc không có gì để tính)."
    # Communes report the 5-year-olds, not per level: "x" in the level rows; Xuân Quang's schools sent nothing: "–".
    by_level = edited_example(lambda data: data["annexes"][1].update(by="level", indicators=["GV_TREN_CHUAN", "PC_5T_HUY_DONG"]))
    assert notes(load_plan(by_level)) == [not_reported, not_applicable]
    assert notes(plan) == [not_reported]


def test_a_breakdown_by_level_has_a_row_per_level_taught(edited_example):
    by_level = edited_example(lambda data: data["annexes"][1].update(by="level", indicators=["GV_TREN_CHUAN", "PH_KIEN_CO"]))
    rows = breakdown_rows(load_plan(by_level))
    assert [r[1:] for r in rows] == [
        ["Mầm non", "25%", "80%"],  # 5/20; 8/10
        ["Tiểu học", "20%", "75%"],  # 6/30; the combined school's rooms count under its first level: 15/20
        ["Trung học cơ sở", "40%", "–"],  # 10/25; no school counts its rooms under THCS
        ["Toàn huyện", "28%", "76,67%"],  # (5+6+10)/(20+30+25); (8+15)/(10+20)
    ]  # no row for the level communes report at (XA): no school indicator is expected there


def test_a_commune_breakdown_shows_each_communes_own_level(edited_example):
    # Seed 003's annex: the level each commune reached, and how many communes are at each level.
    plan = load_plan(edited_example(lambda data: data["annexes"][1].update(indicators=[], fields=["PCGD_THCS", "XMC", "DS_15_60"])))
    roster = load_roster(plan.roster_path, plan)
    typed = {"XA_SON_HA": {"PCGD_THCS": "Mức độ 3", "XMC": "Mức độ 2", "DS_15_60": 4512},
             "XA_BAN_CAM": {"PCGD_THCS": "Mức độ 3", "XMC": "Mức độ 1", "DS_15_60": 3000},
             "XA_THAI_NIEN": {"PCGD_THCS": "Mức độ 2", "XMC": "Mức độ 2", "DS_15_60": 2100}}
    returns = {code: UnitReturn(roster.get(code), Path(f"{code}.xlsx"), values,
                                frozenset({"XMC"}) if code == "XA_THAI_NIEN" else frozenset())  # its XMC failed a check
               for code, values in typed.items()}
    table = breakdown_table(plan, roster, returns)
    assert table.header == [["STT", "Xã, thị trấn", "Mức độ đạt chuẩn phổ cập giáo dục THCS",
                             "Mức độ đạt chuẩn xóa mù chữ", "Số người 15-60 tuổi trên địa bàn"]]
    rows = {row.cells[1].text: [cell.text for cell in row.cells[2:]] for row in table.rows}
    assert rows["Xã Sơn Hà"] == ["Mức độ 3", "Mức độ 2", "4.512"]
    assert rows["Xã Thái Niên"] == ["Mức độ 2", "–", "2.100"]
    assert rows["Xã Xuân Quang"] == ["–", "–", "–"]  # sent nothing
    # Counted as an official counts communes and towns together: "2 xã, thị trấn".
    assert rows["Toàn huyện"] == ["Mức độ 2: 1 xã, thị trấn; Mức độ 3: 2 xã, thị trấn",
                                 "Mức độ 1: 1 xã, thị trấn; Mức độ 2: 1 xã, thị trấn", "9.612"]
