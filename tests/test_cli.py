"""The command line a PGD specialist types: Vietnamese help and errors, and each job's summary."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from conftest import DOMAIN_PLAN
from toolkit.cli.main import main

COMMANDS = ("init", "templates", "check", "aggregate", "import-tasks", "demo", "plan", "plan new", "plan export", "plan check")


@pytest.fixture()
def run():
    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), prog_name="toolkit", catch_exceptions=False)

    return invoke


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_vietnamese_help_with_an_example(run, command):
    result = run(*command.split(), "--help")
    assert result.exit_code == 0
    assert result.output.startswith(f"Cách dùng: toolkit {command} [TÙY_CHỌN]")
    assert "Ví dụ: toolkit " in result.output
    assert "Hiện hướng dẫn này rồi thoát." in result.output
    # No English left from the command-line library.
    assert not re.search(r"\b(Usage|Options|Show this message|required|default)\b", result.output)


def test_missing_option_is_explained_in_vietnamese(run):
    result = run("templates")
    assert result.exit_code == 2
    assert "Lỗi: Thiếu tùy chọn '--plan'." in result.output
    assert "Gõ 'toolkit templates --help' để xem hướng dẫn." in result.output


def test_unknown_option_is_explained_in_vietnamese(run):
    result = run("check", "--plan", "bao-thang-2022", "--bogus")
    assert result.exit_code == 2
    assert "Lỗi: Không có tùy chọn '--bogus'." in result.output


def test_unknown_plan_exits_with_a_vietnamese_message(run):
    result = run("templates", "--plan", "khong-co-ke-hoach")
    assert result.exit_code == 1
    assert "Lỗi: Không tìm thấy kế hoạch 'khong-co-ke-hoach'" in result.output


def test_broken_plan_names_the_file_and_key(run, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("code: x\nperiod: {kind: month, year: 2022}\n", encoding="utf-8")
    result = run("templates", "--plan", str(plan))
    assert result.exit_code == 1
    assert f"Tệp kế hoạch {plan} không hợp lệ" in result.output
    assert "khóa period.kind: Giá trị 'month' không được phép; phải là một trong: 'year', 'school_year' hoặc 'multi'." in result.output


def test_a_progress_bar_shows_unless_quiet(tmp_path):
    roster = tmp_path / "units.csv"
    roster.write_text("code,name,kind,levels,commune\nXA_A,UBND xã A,xa,XA,XA_A\nMN_A,Trường Mầm non A,truong,MN,XA_A\n",
                      encoding="utf-8")
    runner = CliRunner()
    for quiet in ([], ["--quiet"]):
        args = ["templates", "--plan", str(DOMAIN_PLAN), "--roster", str(roster), "--output", str(tmp_path / "out"), *quiet]
        result = runner.invoke(main, args, prog_name="toolkit", catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert ("Tạo biểu mẫu: 100%" in result.stderr) == (not quiet)
        assert "Đã tạo 2 biểu mẫu" in result.stdout


def test_init_creates_a_workspace_and_never_overwrites(run, tmp_path):
    folder = tmp_path / "Báo cáo 2022"
    first = run("init", str(folder))
    assert first.exit_code == 0
    # The plan as users edit it: one workbook, with the roster on its Đơn vị sheet.
    assert (folder / "templates" / "bao-thang-2022" / "ke_hoach.xlsx").exists()
    assert (folder / "workbooks").is_dir() and (folder / "output").is_dir()
    edited = folder / "templates" / "bao-thang-2022" / "ke_hoach.xlsx"
    edited.write_bytes(b"my edits")
    second = run("init", str(folder))
    assert second.exit_code == 0 and "(0 tệp mới)" in second.output
    assert edited.read_bytes() == b"my edits"


def test_the_workspace_plan_is_usable_by_path(run, tmp_path):
    run("init", str(tmp_path))
    from toolkit.spec.load import load_plan

    plan = load_plan(tmp_path / "templates" / "bao-thang-2022")
    assert plan.code == "bao-thang-2022" and plan.path.name == "ke_hoach.xlsx"
    assert plan.model_dump(exclude={"roster"}) == load_plan("bao-thang-2022").model_dump(exclude={"roster"})


def test_plan_new_then_check_lists_every_problem_and_fails(run, tmp_path):
    path = tmp_path / "ke_hoach.xlsx"
    assert run("plan", "new", "--output", str(path), "--year", "2026").exit_code == 0
    assert run("plan", "check", "--plan", str(path)).exit_code == 0  # the worked rows make a valid plan
    import openpyxl

    book = openpyxl.load_workbook(path)
    book["Thông tin"]["B20"] = "30/13/2026"  # Hạn đơn vị gửi
    book["Chỉ tiêu"]["D2"] = "PH_KIEN_COO"  # Mã danh mục
    book.save(path)
    result = run("plan", "check", "--plan", str(path))
    assert result.exit_code == 1
    assert "trang Thông tin, dòng 20, cột B (Hạn đơn vị gửi): “30/13/2026” không phải là ngày" in result.output
    assert "trang Chỉ tiêu, dòng 2, cột D (Mã danh mục): Mã “PH_KIEN_COO” không có trong danh mục" in result.output
    assert "(có phải “PH_KIEN_CO”?)" in result.output
    assert "Kế hoạch có 2 lỗi" in result.output


def test_plan_export_writes_a_workbook_every_command_accepts(run, tmp_path):
    path = tmp_path / "ke_hoach.xlsx"
    assert run("plan", "export", "--plan", "xa-phong-hai-2026", "--output", str(path)).exit_code == 0
    result = run("templates", "--plan", str(path), "--output", str(tmp_path / "bieu_mau"), "--quiet")
    assert result.exit_code == 0, result.output
    assert run("templates", "--plan", "xa-phong-hai-2026", "--output", str(tmp_path / "from_yaml"), "--quiet").exit_code == 0
    made = sorted(p.name for p in (tmp_path / "bieu_mau").glob("*.xlsx"))
    assert made and made == sorted(p.name for p in (tmp_path / "from_yaml").glob("*.xlsx"))


def test_an_annex_left_open_in_excel_stops_with_a_vietnamese_message(run, tmp_path, monkeypatch):
    # On Windows, Excel locks the files it shows: replacing Phu_luc_I.xlsx fails with PermissionError.
    # Linux has no such lock, so the refusal is simulated for that one file.
    import os

    replace = os.replace

    output = tmp_path / "output"

    def locked(source, target):
        if str(target) == str(output / "Phu_luc_I.xlsx"):  # the run's outputs are put in place at its end
            raise PermissionError(13, "Permission denied", str(target))
        replace(source, target)

    monkeypatch.setattr(os, "replace", locked)
    result = run("aggregate", "--plan", "bao-thang-2022", "--workbooks", str(tmp_path), "--output", str(output), "--quiet")
    assert result.exit_code == 1
    assert f"Không ghi được {output / 'Phu_luc_I.xlsx'}: tệp đang mở trong Excel" in result.output
    assert "Traceback" not in result.output
    assert not [p.name for p in output.iterdir() if p.name.startswith(".")]  # no temporary file left behind


def test_days_late_are_counted_to_the_date_given(run, tmp_path):
    import openpyxl

    result = run("check", "--plan", "bao-thang-2022", "--workbooks", str(tmp_path / "none"), "--output", str(tmp_path),
                 "--as-of", "31/12/2022", "--quiet")
    assert result.exit_code == 0
    board = openpyxl.load_workbook(tmp_path / "Kiem_tra.xlsx")["Tình trạng"]
    assert "tính đến ngày 31/12/2022" in board["A2"].value
    assert {row[10].value for row in board.iter_rows(min_row=5)} == {21}  # nobody sent; the deadline was 10/12/2022
    wrong = run("check", "--plan", "bao-thang-2022", "--as-of", "2022-31-12")
    assert wrong.exit_code == 2
    assert "'2022-31-12' không phải ngày hợp lệ; hãy ghi dạng 20/12/2022 hoặc 2022-12-20." in wrong.output


def test_agency_names_matching_no_unit_are_listed_with_how_to_teach_them(run, tmp_path):
    # Seed 000 asks the MTTQ and mass organisations for two tasks; they are not in the roster.
    result = run("check", "--plan", "bao-thang-2022", "--workbooks", str(tmp_path / "none"), "--output", str(tmp_path), "--quiet")
    assert result.exit_code == 0
    assert "Cảnh báo: Nhiệm vụ XIII.1, cơ quan chủ trì: không nhận ra “Ủy ban MTTQ Việt Nam và các tổ chức đoàn thể huyện”" in result.output
    assert result.output.count("Cách sửa:") == 1 and "agencies → aliases" in result.output
