"""`toolkit demo` on a clean folder: the whole pipeline a PGD runs, end to end."""

from __future__ import annotations

import csv

import openpyxl
import pytest
from click.testing import CliRunner

from toolkit.cli.main import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "Kết quả"  # a Vietnamese folder name, as on a PGD laptop
    result = CliRunner().invoke(main, ["demo", "--output", str(folder), "--quiet"], prog_name="toolkit", catch_exceptions=False)
    return folder, result


def rows(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_demo_succeeds_and_says_where_everything_is(demo):
    folder, result = demo
    assert result.exit_code == 0, result.output
    # 76 schools + 14 communes have fields to fill; 11 agencies (and the communes) have tasks
    assert "Đã tạo 101 biểu mẫu" in result.output
    assert "Đơn vị phải nộp: 101" in result.output
    for name in ("Phu_luc_I.xlsx", "Phu_luc_I.docx", "Phu_luc_I.html", "Phu_luc_II.xlsx", "ket_qua.csv", "Kiem_tra.xlsx"):
        assert str(folder / name) in result.output
        assert (folder / name).stat().st_size > 0


def test_demo_check_finds_each_planted_mistake_with_its_cell(demo):
    folder, _ = demo
    problems = rows(folder / "kiem_tra.csv")
    by_code = {}
    for problem in problems:
        by_code.setdefault(problem["code"], []).append(problem)
    assert len(by_code["not-submitted"]) == 4
    assert all(p["unit"] and not p["file"] for p in by_code["not-submitted"])
    for code, field in (("required", "NS_TONG"), ("bad-choice", "CHUAN_QG"), ("number-as-text", "DS_15_60")):
        (problem,) = by_code[code]
        assert problem["field"].startswith(field)
        assert problem["sheet"] == "Số liệu" and problem["cell"][0].isalpha()
    (broken,) = [p for p in problems if p["field"].startswith("GV__") and p["severity"] == "error"]
    assert "Đạt chuẩn trình độ đào tạo trở lên" in broken["message"] and "Tổng số" in broken["message"]
    assert len(by_code["duplicate-file"]) == 1 and by_code["duplicate-file"][0]["severity"] == "warning"
    skipped = {p["file"].rsplit("/", 1)[-1].rsplit("\\", 1)[-1] for p in by_code["skipped-file"]}
    assert "Thumbs.db" in skipped


def test_demo_status_board_lists_every_unit(demo):
    folder, _ = demo
    board = openpyxl.load_workbook(folder / "Kiem_tra.xlsx", read_only=True)["Tình trạng"]
    statuses = [row[4] for row in board.iter_rows(min_row=5, values_only=True) if row[1]]
    assert len(statuses) == 101
    assert statuses.count("Chưa nộp") == 4
    assert statuses.count("Nộp nhưng có lỗi") == 3


def test_demo_results_cover_every_indicator_and_scope(demo):
    folder, _ = demo
    results = rows(folder / "ket_qua.csv")
    district = {r["indicator"] for r in results if r["scope"] == "district"}
    assert len(district) == 46  # every target of seed 000 §II, one indicator each
    communes = {r["scope_code"] for r in results if r["scope"] == "commune"}
    assert len(communes) == 14
    levels = {(r["indicator"], r["scope_code"]) for r in results if r["scope"] == "level"}
    assert levels == {("GV_DAT_CHUAN", "MN"), ("GV_DAT_CHUAN", "TH"), ("GV_DAT_CHUAN", "THCS"), ("GV_DAT_CHUAN", "THPT"),
                      ("DIEM_TRUONG_XOA", "MN"), ("DIEM_TRUONG_XOA", "TH"), ("HUONG_NGHIEP_SX", "THCS"),
                      ("HUONG_NGHIEP_SX", "THPT"), ("GV_TU_VAN_HN", "THCS"), ("GV_TU_VAN_HN", "THPT")}


def test_demo_feedback_copies_mark_the_bad_cells(demo):
    folder, _ = demo
    copies = sorted(p.name for p in (folder / "phan_hoi").iterdir())
    assert len(copies) == 4  # three units with errors, one with a warning only
    problems = [p for p in rows(folder / "kiem_tra.csv") if p["code"] == "required"]
    book = openpyxl.load_workbook(folder / "phan_hoi" / f"{problems[0]['unit']}.xlsx")
    cell = book[problems[0]["sheet"]][problems[0]["cell"]]
    assert cell.comment is not None and "Chưa nhập" in cell.comment.text


def test_python_m_toolkit_reads_a_big_folder_with_worker_processes(demo, tmp_path):
    # 98 returns, read in worker processes started as on Windows (each a fresh interpreter that imports
    # the toolkit and is handed the plan), through the real command line.
    import subprocess
    import sys

    folder, _ = demo
    completed = subprocess.run(
        [sys.executable, "-m", "toolkit", "check", "--plan", "bao-thang-2022", "--workbooks", str(folder / "bao_cao_nhan_ve"),
         "--output", str(tmp_path), "--quiet"], capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert "Đơn vị phải nộp: 101; đã nộp hợp lệ: 94; nộp nhưng có lỗi: 3; chưa nộp: 4." in completed.stdout
    assert completed.stdout.count("Đơn vị phải nộp") == 1  # the command ran once, not once more in a worker
