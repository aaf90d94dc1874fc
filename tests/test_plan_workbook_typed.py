"""A plan workbook typed from scratch with openpyxl, the way a specialist types one in Excel (headers
in their own spelling, decimal commas, dd/mm/yyyy, numbers stored as text, non-breaking spaces,
standard indicators by code), drives templates -> check -> aggregate through the command line."""

from __future__ import annotations

import datetime as dt

import openpyxl
from click.testing import CliRunner

from toolkit.aggregate.judging import judge
from toolkit.cli.main import main
from toolkit.forms.samples import fill_workbook
from toolkit.jobs.pipeline import aggregate, load

INFO = [
    ("Mã kế hoạch", "xa-an-binh-2024"), ("Loại văn bản", "Kế hoạch"), ("Ký hiệu", "KH-UBND"),
    ("Ngày ban hành", "05/3/2024"), ("Địa danh", "An Bình"), ("Trích yếu", "Phát triển giáo dục năm 2024"),
    ("Cơ quan ban hành", "Ủy ban nhân dân xã An Bình"), ("Tên cơ quan ở góc trái", "ỦY BAN NHÂN DÂN\nXÃ AN BÌNH"),
    ("Khối chữ ký", "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"), ("nơi tổng hợp", "Phòng Văn hóa - Xã hội xã An Bình"),
    ("Địa bàn", "xã An Bình"), ("Dòng tổng", "Toàn xã"), ("Loại kỳ", "năm"), ("Năm báo cáo", "2024"),
    ("Hạn đơn vị gửi", "10/12/2024"), ("Hạn báo cáo cấp trên", dt.datetime(2024, 12, 20)),
]
TARGETS = [
    ["Phần", "STT", "Tên chỉ tiêu", "MÃ DANH MỤC", "Mã chỉ tiêu", "Đơn vị tính", "Chỉ tiêu", "Chỉ tiêu MN",
     "Đơn vị báo cáo", "Cách tính", "Tử số", "Mẫu số"],
    ["I. Cơ sở vật chất", 1, "Tỷ lệ phòng học kiên cố", "PH_KIEN_CO", None, "%", "98,5"],
    [None, 2, "Tỷ lệ giáo viên đạt chuẩn trình độ đào tạo", "gv_dat_chuan ", None, "%", "85", "92,5 %"],
    ["II. Học sinh", 1, "Tỷ lệ học sinh được học bơi", None, "HOC_BOI", "%", 60, None,
     "truong", "Tỷ lệ (tử số/mẫu số)", "HS_HOC_BOI", "HS_TONG"],
]
INPUTS = [
    ["Phần", "Mã", "Tên", "Kiểu", "Đơn vị nhập", "Đơn vị tính", "Kiểm tra"],
    ["II. Học sinh", "HS_TONG", "Tổng số học sinh", "số nguyên", "truong", "học sinh"],
    [None, "HS_HOC_BOI", "Số học sinh được học bơi", "Số nguyên", "truong", "học sinh", "<= HS_TONG"],
]
# What each school sends back: rooms, teachers by level, pupils.
RETURNS = {
    "MN_A": {"PH_TONG": 10, "PH_KIEN_CO": 9, "PH_TAM": 0, "GV__MN__TONG": 20, "GV__MN__DAT_CHUAN": 19,
             "GV__MN__TREN_CHUAN": 5, "HS_TONG": 100, "HS_HOC_BOI": 50},
    "TH_B": {"PH_TONG": 20, "PH_KIEN_CO": 15, "PH_TAM": 0, "GV__TH__TONG": 30, "GV__TH__DAT_CHUAN": 24,
             "GV__TH__TREN_CHUAN": 2, "HS_TONG": 300, "HS_HOC_BOI": 200},
    "THCS_C": {"PH_TONG": 15, "PH_KIEN_CO": 15, "PH_TAM": 0, "GV__THCS__TONG": 25, "GV__THCS__DAT_CHUAN": 25,
               "GV__THCS__TREN_CHUAN": 3, "HS_TONG": 250, "HS_HOC_BOI": 100},
}


def _typed_workbook(path):
    book = openpyxl.Workbook()
    info = book.active
    info.title = "Thông tin"
    info.append(["Mục", "Nội dung"])
    for row in INFO:
        info.append(list(row))
    lists = book.create_sheet("Danh mục")
    for row in (["Loại", "Mã", "Tên", "Tên khi đếm"], ["Loại đơn vị", "truong", "Trường", "trường"],
                ["Cấp học", "MN", "Mầm non"], ["Cấp học", "TH", "Tiểu học"], ["Cấp học", "THCS", "Trung học cơ sở"]):
        lists.append(row)
    units = book.create_sheet("Đơn vị")
    for row in (["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Cấp học"], ["MN_A", "Trường Mầm non An Bình", "truong", "MN"],
                ["\u00a0TH_B ", "Trường Tiểu học An Bình", "truong", "TH"], ["THCS_C", "Trường THCS An Bình", "truong", "THCS"]):
        units.append(row)
    for name, rows in (("Chỉ tiêu", TARGETS), ("Số liệu", INPUTS)):
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    annexes = book.create_sheet("Phụ lục")
    annexes.append(["Số phụ lục", "Loại", "Tiêu đề"])
    annexes.append(["I", "Kết quả chỉ tiêu", "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU PHÁT TRIỂN GIÁO DỤC NĂM 2024"])
    book.save(path)
    return path


def test_a_typed_plan_workbook_drives_templates_check_and_aggregate(tmp_path):
    plan_path = _typed_workbook(tmp_path / "ke_hoach.xlsx")
    run = CliRunner()

    checked = run.invoke(main, ["plan", "check", "--plan", str(plan_path)])
    assert checked.exit_code == 0, checked.output
    assert "3 chỉ tiêu" in checked.output and "3 đơn vị" in checked.output

    templates = run.invoke(main, ["templates", "--plan", str(plan_path), "--output", str(tmp_path / "bieu_mau"), "--quiet"])
    assert templates.exit_code == 0, templates.output
    for code, values in RETURNS.items():
        fill_workbook(tmp_path / "bieu_mau" / f"{code}.xlsx", values, tmp_path / "workbooks" / f"{code}.xlsx")

    for command in ("check", "aggregate"):
        result = run.invoke(main, [command, "--plan", str(plan_path), "--workbooks", str(tmp_path / "workbooks"),
                                   "--output", str(tmp_path / "output"), "--quiet", "--as-of", "11/12/2024"])
        assert result.exit_code == 0, result.output
        assert "đã nộp hợp lệ: 3" in result.output
    assert (tmp_path / "output" / "Phu_luc_I.docx").exists()

    plan, roster = load(plan_path)
    assert plan.document.date == dt.date(2024, 3, 5) and plan.deadlines.submission == dt.date(2024, 12, 10)
    assert plan.deadlines.report == dt.date(2024, 12, 20) and plan.period.year == 2024
    assert plan.issuer.header == ["ỦY BAN NHÂN DÂN", "XÃ AN BÌNH"]
    assert [u.code for u in roster] == ["MN_A", "TH_B", "THCS_C"]
    outcome = aggregate(plan, roster, tmp_path / "workbooks", tmp_path / "again")
    whole = {r.indicator.code: r for r in outcome.results if r.scope == "district"}
    # Σ numerator / Σ denominator over the three schools' returns above.
    assert (whole["PH_KIEN_CO"].numerator, whole["PH_KIEN_CO"].denominator) == (39, 45)
    assert whole["PH_KIEN_CO"].targets["2024"].value == 98.5 and judge(plan, whole["PH_KIEN_CO"]).achieved is False
    assert (whole["GV_DAT_CHUAN"].numerator, whole["GV_DAT_CHUAN"].denominator) == (68, 75)
    assert judge(plan, whole["GV_DAT_CHUAN"]).achieved is True
    preschool = next(r for r in outcome.results if r.indicator.code == "GV_DAT_CHUAN" and r.scope_code == "MN")
    assert (preschool.numerator, preschool.denominator, preschool.targets["2024"].value) == (19, 20, 92.5)
    assert (whole["HOC_BOI"].numerator, whole["HOC_BOI"].denominator) == (350, 650)
    assert judge(plan, whole["HOC_BOI"]).achieved is False  # 53,85% against 60%
    with open(tmp_path / "output" / "ket_qua.csv", encoding="utf-8-sig") as handle:
        assert any("HOC_BOI" in line for line in handle)
