"""Rounds of multi-year plans: the round's year picks the target; a later target reads as progress."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from toolkit.aggregate.compute import compute
from toolkit.annex.write import annex_tables
from toolkit.cli.main import main
from toolkit.collect.records import UnitReturn
from toolkit.jobs.pipeline import load_roster
from toolkit.spec.load import load_plan

CQG, FIVE = "Số trường học đạt chuẩn quốc gia", "Phổ cập giáo dục mầm non cho trẻ 5 tuổi - tỷ lệ huy động"
DOMAIN_CQG = "Số trường đạt chuẩn quốc gia"  # the test district's name of the same indicator
# Chi Lăng (seed 001): 2 of its 18 schools recognised; 5-year-olds 99/100 in one commune
CHI_LANG_RETURNS = {"MN_DONG_MO": {"CHUAN_QG": "Mức độ 1"}, "TH_DONG_MO": {"CHUAN_QG": "Mức độ 2"},
                    "TT_DONG_MO": {"RL_5": 99, "DS_5": 100}}


def phu_luc_i(plan, values: dict[str, dict]):
    """(rows: indicator name -> texts of the cells after the name, the table's notes)."""
    roster = load_roster(plan.roster_path, plan)
    returns = {code: UnitReturn(roster.get(code), Path(f"{code}.xlsx"), v) for code, v in values.items()}
    table = annex_tables(plan, roster, compute(plan, roster, returns), returns, kinds=("targets",))[0]
    return {row.cells[1].text: [c.text for c in row.cells[2:]] for row in table.rows if row.kind == "item"}, table.notes


def test_an_interim_year_reads_as_progress_toward_its_periods_target():
    # 2022 lies in 2021-2025: the 2025 targets are goals still ahead, not failures ("thiếu 31 trường").
    rows, notes = phu_luc_i(load_plan("chi-lang-2021-2030"), CHI_LANG_RETURNS)
    assert rows[CQG][1:5] == ["33 trường", "Từ 38 trường học đạt chuẩn quốc gia trở lên", "2/18 trường", "Đạt 6% mục tiêu năm 2025"]  # 2/33
    assert rows[FIVE][1:5] == ["100%", "100%", "99%", "Đạt 99% mục tiêu năm 2025"]
    assert not any(texts[4].startswith("Chưa đạt") for texts in rows.values())
    assert notes[0].startswith("Đánh giá so với chỉ tiêu giai đoạn 2021-2025 (kết quả năm 2022 so với mục tiêu "
                               "đến năm 2025, chưa phải kỳ đánh giá);")


def test_a_target_already_reached_in_an_interim_year_says_so():
    rows, _ = phu_luc_i(load_plan("chi-lang-2021-2030"), {"TT_DONG_MO": {"RL_5": 100, "DS_5": 100}})
    assert rows[FIVE][3:5] == ["100%", "Đã đạt mục tiêu năm 2025"]


def test_the_last_year_of_a_period_is_judged_and_a_later_year_reads_toward_the_next_period():
    rows, notes = phu_luc_i(load_plan("chi-lang-2021-2030", year=2025), CHI_LANG_RETURNS)
    assert rows[CQG][3:5] == ["2/18 trường", "Chưa đạt (thiếu 31 trường)"]
    assert rows[FIVE][3:5] == ["99%", "Chưa đạt (thiếu 1 điểm %)"]
    assert notes[0].startswith("Đánh giá so với chỉ tiêu giai đoạn 2021-2025; tỷ lệ")
    rows, _ = phu_luc_i(load_plan("chi-lang-2021-2030", year=2027), CHI_LANG_RETURNS)
    assert rows[CQG][3:5] == ["2/18 trường", "Đạt 5% mục tiêu năm 2030"]  # 2/38 = 5,3%


def test_a_first_year_prints_no_failure_but_for_a_target_set_for_that_year(edited_example):
    # A 2024 -> 2030 plan: every target is for 2030 except the national-standard schools, set for 2024 too.
    def yearly(data: dict) -> None:
        data["period"] = {"kind": "multi", "year": 2024, "targets": [{"code": "2024", "label": "Năm 2024"},
                                                                     {"code": "2030", "label": "Đến năm 2030"}]}
        for indicator in data["indicators"]:
            if indicator.get("target") is not None:
                indicator["target"] = {"2030": indicator["target"]}
            indicator["target_by_level"] = {level: {"2030": t} for level, t in indicator.get("target_by_level", {}).items()}
        next(i for i in data["indicators"] if i["code"] == "TRUONG_CQG")["target"] = {"2024": "60/73 trường",
                                                                                      "2030": "70/73 trường"}

    plan = load_plan(edited_example(yearly))
    schools = [u.code for u in load_roster(plan.roster_path, plan) if u.kind == "truong"]
    values = {code: {"CHUAN_QG": "Mức độ 1" if n < 57 else "Chưa đạt", "PH_TAM": 7 if n == 0 else 0}
              for n, code in enumerate(schools)}
    values["XA_SON_HA"] = {"RL_5": 90, "DS_5": 100}
    rows, _ = phu_luc_i(plan, values)
    assert rows[DOMAIN_CQG][1:5] == ["60/73 trường", "70/73 trường", "57/73 trường, đạt 78,08%", "Chưa đạt (thiếu 3 trường)"]
    assert rows["Tỷ lệ trẻ 5 tuổi ra lớp"][1:5] == ["", "99,9%", "90%", "Đạt 90% mục tiêu năm 2030"]
    assert rows["Số phòng học tạm, học nhờ còn lại"][1:5] == ["", "0", "7", "Chưa đến kỳ đánh giá mục tiêu năm 2030"]
    failures = [name for name, texts in rows.items() if texts[4].startswith("Chưa đạt")]
    assert failures == [DOMAIN_CQG]


def test_year_on_the_command_line_picks_the_round(tmp_path):
    (tmp_path / "workbooks").mkdir()
    result = CliRunner().invoke(main, ["aggregate", "--plan", "chi-lang-2021-2030", "--year", "2026", "--quiet",
                                       "--workbooks", str(tmp_path / "workbooks"), "--output", str(tmp_path / "out")],
                                prog_name="toolkit", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with (tmp_path / "out" / "ket_qua.csv").open(encoding="utf-8-sig") as handle:
        row = next(r for r in csv.DictReader(handle) if (r["indicator"], r["scope"]) == ("TRUONG_CQG", "district"))
    # 2026 opens the 2026-2030 period: its target is 38 schools
    assert (row["target"], row["target_text"], row["verdict"]) == ("38.0", "Từ 38 trường học đạt chuẩn quốc gia trở lên", "")
    assert "Thực hiện năm 2026" in (tmp_path / "out" / "Phu_luc_I.html").read_text(encoding="utf-8")
