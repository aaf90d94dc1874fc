"""Roll-up: three communes aggregated separately, then rolled up, equal one aggregation of all units.

Three communes and seven schools of the example plan; each commune aggregates its own units (as a
commune office would, with its own roster) into a folder with ket_qua.csv and pham_vi.json. The
expected numbers are written out with their arithmetic; none is computed by the code under test.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.aggregate.compute import compute
from toolkit.aggregate.rollup import write_coverage
from toolkit.annex.write import write_results_csv
from toolkit.cli.main import main
from toolkit.collect.records import UnitReturn
from toolkit.core.errors import PlanError
from toolkit.jobs.pipeline import load_roster, rollup
from toolkit.spec.load import load_plan

from conftest import DOMAIN_PLAN

HEADER = "code,name,kind,levels,commune,contact_name,phone,email\n"
PARTS = {
    "xa_a": "XA_A,UBND xã A,xa,XA,XA_A,,,\nMN_A,Trường Mầm non A,truong,MN,XA_A,,,\n"
            "THTHCS_A,Trường TH&THCS A,truong,TH;THCS,XA_A,,,\n",
    "xa_b": "XA_B,UBND xã B,xa,XA,XA_B,,,\nTH_B,Trường Tiểu học B,truong,TH,XA_B,,,\n"
            "THCS_B,Trường THCS B,truong,THCS,XA_B,,,\nMN_B,Trường Mầm non B,truong,MN,XA_B,,,\n",
    "xa_c": "XA_C,UBND xã C,xa,XA,XA_C,,,\nTH_C,Trường Tiểu học C,truong,TH,XA_C,,,\n"
            "MN_C,Trường Mầm non C,truong,MN,XA_C,,,\n",
}

VALUES = {
    "XA_A": {"RL_0_2": 30, "DS_0_2": 100, "PCGD_MN4": "Đạt"},
    "XA_B": {"RL_0_2": 60, "DS_0_2": 150, "PCGD_MN4": "Chưa đạt"},
    "XA_C": {"RL_0_2": 45, "DS_0_2": 50, "PCGD_MN4": "Đạt"},
    "MN_A": {"GV__MN__TONG": 20, "GV__MN__DAT_CHUAN": 19, "DANG_VIEN": 10, "NS_TONG": 20,
             "CHUAN_QG": "Mức độ 1", "CHUAN_QG_NAM": 2022, "DIEM_TRUONG_XOA": 1},
    "THTHCS_A": {"GV__TH__TONG": 30, "GV__TH__DAT_CHUAN": 24, "GV__THCS__TONG": 25, "GV__THCS__DAT_CHUAN": 20,
                 "DANG_VIEN": 30, "NS_TONG": 60, "CHUAN_QG": "Chưa đạt", "DIEM_TRUONG_XOA": 2},
    "TH_B": {"GV__TH__TONG": 10, "GV__TH__DAT_CHUAN": 9, "DANG_VIEN": 6, "NS_TONG": 12,
             "CHUAN_QG": "Mức độ 2", "CHUAN_QG_NAM": 2015, "DIEM_TRUONG_XOA": 0},
    "THCS_B": {"GV__THCS__TONG": 40, "GV__THCS__DAT_CHUAN": 38, "DANG_VIEN": 99, "NS_TONG": 50,
               "CHUAN_QG": "Mức độ 1", "CHUAN_QG_NAM": 2022},
    "TH_C": {"GV__TH__TONG": 15, "GV__TH__DAT_CHUAN": 12, "DANG_VIEN": 5, "NS_TONG": 10,
             "CHUAN_QG": "Mức độ 1", "CHUAN_QG_NAM": 2020, "DIEM_TRUONG_XOA": 3},
    "MN_C": {"GV__MN__TONG": 10, "GV__MN__DAT_CHUAN": 10, "DANG_VIEN": 4, "NS_TONG": 8,
             "CHUAN_QG": "Chưa đạt", "DIEM_TRUONG_XOA": 0},
}
FAILED = {"THCS_B": {"DANG_VIEN"}}  # more party members than staff: left out of DANG_VIEN only


def aggregate_part(plan, folder: Path, roster_rows: str) -> Path:
    """What `toolkit aggregate` leaves for a roll-up: ket_qua.csv and pham_vi.json of these units."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(HEADER + roster_rows, encoding="utf-8")
    roster = load_roster(folder / "units.csv", plan)
    returns = {u.code: UnitReturn(u, Path(f"{u.code}.xlsx"), VALUES[u.code], frozenset(FAILED.get(u.code, ())))
               for u in roster if u.code in VALUES and u.code != "MN_B"}  # MN_B sent nothing
    write_results_csv(plan, compute(plan, roster, returns), folder / "ket_qua.csv")
    write_coverage(plan, [u.code for u in roster], folder)
    return folder


def read_results(folder: Path) -> dict:
    with (folder / "ket_qua.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {(r["indicator"], r["scope"], r["scope_code"]): r for r in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def plan():
    return load_plan(DOMAIN_PLAN)  # the test district: its fields are the ones the parts fill in


@pytest.fixture(scope="module")
def parts(plan, tmp_path_factory) -> list[Path]:
    work = tmp_path_factory.mktemp("parts")
    return [aggregate_part(plan, work / name, rows) for name, rows in PARTS.items()]


@pytest.fixture(scope="module")
def rolled(plan, parts, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("rolled")
    rollup(plan, parts, output)
    return output


@pytest.fixture(scope="module")
def whole(plan, tmp_path_factory) -> dict:
    return read_results(aggregate_part(plan, tmp_path_factory.mktemp("whole"), "".join(PARTS.values())))


def check(results, key, value, numerator, denominator, expected, reported, excluded=0):
    row = results[key]
    assert float(row["value"]) == pytest.approx(value), key
    assert float(row["numerator"]) == numerator, key
    assert (row["denominator"] == "" if denominator is None else float(row["denominator"]) == denominator), key
    assert (int(row["expected"]), int(row["reported"]), int(row["excluded"])) == (expected, reported, excluded), key


COMPARED = ("value", "numerator", "denominator", "target", "achieved", "expected", "reported", "excluded", "scope_name")


def test_rolling_up_equals_aggregating_every_unit_at_once(rolled, whole):
    rows = read_results(rolled)
    assert {key for key in rows if key[1] != "part"} == set(whole)
    for key, row in whole.items():
        for column in COMPARED:
            if column == "value" and row[column]:
                assert float(rows[key][column]) == pytest.approx(float(row[column])), (key, column)
            else:
                assert rows[key][column] == row[column], (key, column)


def test_rolled_up_ratios_are_sums_over_sums_of_all_units(rolled):
    rows = read_results(rolled)
    # (30 + 60 + 45) / (100 + 150 + 50) = 45%; the average of the communes' 30%, 40%, 90% would be 53,3%
    check(rows, ("PC_NT_HUY_DONG", "district", ""), 45.0, 135, 300, 3, 3)
    # (19 + 24 + 20 + 9 + 38 + 12 + 10) / (20 + 30 + 25 + 10 + 40 + 15 + 10); MN_B sent nothing
    check(rows, ("GV_DAT_CHUAN", "district", ""), 88.0, 132, 150, 7, 6)
    check(rows, ("GV_DAT_CHUAN", "level", "MN"), 29 / 30 * 100, 29, 30, 3, 2)  # (19 + 10) / (20 + 10)
    check(rows, ("GV_DAT_CHUAN", "level", "TH"), 45 / 55 * 100, 45, 55, 3, 3)  # (24 + 9 + 12) / (30 + 10 + 15)
    # Without THCS_B's failed value: (10 + 30 + 6 + 5 + 4) / (20 + 60 + 12 + 10 + 8)
    check(rows, ("DANG_VIEN", "district", ""), 50.0, 55, 110, 7, 5, excluded=1)


def test_rolled_up_shares_counts_and_sums_add_the_parts(rolled):
    rows = read_results(rolled)
    # Mức độ 1 or 2: MN_A, TH_B, THCS_B, TH_C of 7 schools (MN_B silent counts as not meeting it)
    check(rows, ("TRUONG_CQG", "district", ""), 400 / 7, 4, 7, 7, 6)
    check(rows, ("PC_MN4_XA", "district", ""), 2, 2, 3, 3, 3)  # XA_A and XA_C reached it
    check(rows, ("DIEM_TRUONG_XOA", "district", ""), 6, 6, None, 6, 5)  # 1 + 2 + 0 + 3 + 0; MN_B silent


def test_each_part_is_a_scope_of_its_own(rolled):
    rows = read_results(rolled)
    check(rows, ("PC_NT_HUY_DONG", "part", "XA_C"), 90.0, 45, 50, 1, 1)  # 45 / 50
    check(rows, ("GV_DAT_CHUAN", "part", "XA_B"), 94.0, 47, 50, 3, 2)  # (9 + 38) / (10 + 40)
    assert rows[("GV_DAT_CHUAN", "part", "XA_B")]["scope_name"] == "UBND xã B"
    assert float(rows[("PC_NT_HUY_DONG", "part", "XA_C")]["target"]) == 31  # a rate's target holds in every part


def test_the_roll_up_writes_the_annexes_and_can_itself_be_rolled_up(plan, parts, rolled, whole, tmp_path):
    assert (rolled / "Phu_luc_I.docx").is_file() and (rolled / "Phu_luc_II.xlsx").is_file()
    coverage = json.loads((rolled / "pham_vi.json").read_text(encoding="utf-8"))
    assert len(coverage["units"]) == 10 and coverage["plan"] == plan.code
    first_two = tmp_path / "a_b"
    rollup(plan, parts[:2], first_two)
    again = tmp_path / "again"
    rollup(plan, [first_two, parts[2]], again)
    rows = read_results(again)
    for key, row in whole.items():
        assert rows[key]["numerator"] == row["numerator"] and rows[key]["expected"] == row["expected"], key


def test_a_part_of_another_plan_or_version_is_refused(plan, parts, edited_example, tmp_path):
    def add_field(data: dict) -> None:
        data["fields"].append({"code": "MOI", "label": "Chỉ tiêu mới", "kind": "integer", "reporter": "xa",
                               "section": "I. Phổ cập"})

    newer = load_plan(edited_example(add_field))
    other = load_plan(edited_example(lambda data: data.update(code="KE_HOACH_KHAC")))
    for changed, words in ((newer, "phiên bản"), (other, "kế hoạch KE_HOACH_KHAC")):
        stray = aggregate_part(changed, tmp_path / changed.code / "xa_d", "XA_D,UBND xã D,xa,XA,XA_D,,,\n")
        with pytest.raises(PlanError) as refused:
            rollup(plan, [*parts, stray], tmp_path / "out")
        assert len(refused.value.problems) == 1 and words in str(refused.value), str(refused.value)
        assert "xa_d" in str(refused.value)  # names the folder
    assert not (tmp_path / "out" / "ket_qua.csv").exists()


def test_a_unit_in_two_parts_is_reported_and_nothing_is_written(parts, tmp_path):
    copy = tmp_path / "xa_c_ban_sao"
    shutil.copytree(parts[2], copy)
    result = CliRunner().invoke(main, ["rollup", "--plan", str(DOMAIN_PLAN), "--output", str(tmp_path / "out"),
                                       *map(str, parts), str(copy)])
    assert result.exit_code == 1
    assert "3 đơn vị có trong cả hai phần" in result.output and "(MN_C, TH_C, XA_C)" in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_a_folder_without_an_aggregation_is_named(parts, tmp_path):
    empty = tmp_path / "chua_tong_hop"
    empty.mkdir()
    result = CliRunner().invoke(main, ["rollup", "--plan", str(DOMAIN_PLAN), "--output", str(tmp_path / "out"),
                                       str(parts[0]), str(empty)])
    assert result.exit_code == 1
    assert "chua_tong_hop không có tệp ket_qua.csv" in result.output, result.output
