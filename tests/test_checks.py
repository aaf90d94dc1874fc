"""Checking one unit's workbook: what a clerk typed, the message they get, and what still counts."""

from __future__ import annotations

import random

import pytest

from toolkit.collect.checks import check_unit
from toolkit.collect.reader import read_workbook
from toolkit.forms.samples import fill_workbook, sample_values
from toolkit.forms.writer import write_template

SCHOOL = "THTHCS_BAN_CAM_1"  # a combined primary and lower-secondary school


@pytest.fixture(scope="module")
def school(plan, roster, tmp_path_factory):
    """The school's real template and a consistent set of values for it."""
    unit = roster.get(SCHOOL)
    template = write_template(plan, roster, unit, tmp_path_factory.mktemp("templates") / f"{SCHOOL}.xlsx")
    return unit, template, sample_values(plan, unit, random.Random(7))


@pytest.fixture
def check(plan, school, tmp_path):
    """Fill the school's template with its values changed by `changes` (None: left blank), then check it."""
    unit, template, values = school

    def run(**changes):
        typed = {name: value for name, value in {**values, **changes}.items() if value is not None}
        raw = read_workbook(fill_workbook(template, typed, tmp_path / f"{SCHOOL}.xlsx"))
        return check_unit(plan, unit, raw)

    return run


def problems(checked) -> list[tuple]:
    return [(i.code, i.severity, i.cell, i.field) for i in checked.issues]


def cell_of(template, name: str) -> str:
    """Where the template itself (read by openpyxl) puts a named input."""
    import openpyxl

    ((_, address),) = openpyxl.load_workbook(template).defined_names[name].destinations
    return address.replace("$", "")


def test_consistent_values_pass_and_come_back_clean(check, school):
    checked = check()
    assert checked.issues == [] and checked.failed == frozenset()
    assert checked.values["TH_2BUOI"] == school[2]["TH_2BUOI"] and checked.values["PH_TONG"] == school[2]["PH_TONG"]


def test_numbers_typed_as_text_are_read_with_a_warning(check):
    checked = check(HS_BAN_TRU_NHU_CAU="1.234", HS_BAN_TRU_CHO_O=" 56 ", GV_THAC_SI_DANG_HOC="1 2")
    assert (checked.values["HS_BAN_TRU_NHU_CAU"], checked.values["HS_BAN_TRU_CHO_O"]) == (1234, 56)
    assert [i.message for i in checked.issues if i.code == "number-as-text"] == [
        'Số học sinh có nhu cầu ở bán trú: "1.234" được nhập dạng chữ, đã đọc là số 1234.',
        'Số học sinh được bố trí chỗ ở bán trú: " 56 " được nhập dạng chữ, đã đọc là số 56.',
    ]
    assert checked.failed == {"GV_THAC_SI_DANG_HOC"}  # "1 2" is no way of writing a number


def test_thousands_with_spaces_and_fractions(check):
    checked = check(HS_BAN_TRU_NHU_CAU="1 234", PH_TAM="1,5")
    assert checked.values["HS_BAN_TRU_NHU_CAU"] == 1234
    assert [i.message for i in checked.issues if i.severity == "error"] == ["Số phòng học tạm, học nhờ: 1,5 phải là số nguyên."]


def test_text_formula_and_unknown_choice_are_errors_on_their_cell(check, school):
    checked = check(PH_TONG="abc", DIEM_TRUONG_LE="=1+1", CHUAN_QG="Đạt chuẩn mức 1")
    template = school[1]
    assert problems(checked) == [
        ("not-a-number", "error", cell_of(template, "PH_TONG"), "PH_TONG"),
        ("formula", "error", cell_of(template, "DIEM_TRUONG_LE"), "DIEM_TRUONG_LE"),
        ("bad-choice", "error", cell_of(template, "CHUAN_QG"), "CHUAN_QG"),
    ]
    assert checked.issues[0].message == 'Tổng số phòng học: "abc" không phải là số.'
    assert checked.issues[0].sheet == "Số liệu" and checked.issues[0].unit == SCHOOL
    assert checked.issues[2].message == (
        'Trường đạt chuẩn quốc gia: "Đạt chuẩn mức 1" không có trong danh sách được chọn (Chưa đạt; Mức độ 1; Mức độ 2).'
    )
    # A formula's cached result is never used; the values they feed are left out, nothing else.
    assert {"PH_TONG", "DIEM_TRUONG_LE", "CHUAN_QG"} <= checked.failed
    assert "DIEM_TRUONG_LE" not in checked.values and checked.values["PH_TAM"] is not None


def test_a_choice_is_matched_after_unicode_and_space_normalisation(check):
    decomposed = "M\u01b0\u0301c \u0111o\u0323\u0302  2"  # "Mức độ  2" typed in NFD with a double space
    assert check(CHUAN_QG=decomposed).values["CHUAN_QG"] == "Mức độ 2"


def test_a_choice_typed_in_another_case_is_read_as_its_label(check):
    # LibreOffice's list validation lets it pass; the year it makes required is still asked for.
    checked = check(CHUAN_QG="mức ĐỘ 1", CHUAN_QG_NAM=None)
    assert checked.values["CHUAN_QG"] == "Mức độ 1"
    assert [i.code for i in checked.issues] == ["required"] and checked.failed == {"CHUAN_QG_NAM"}


def test_required_and_required_if(check):
    checked = check(PH_TONG=None, CHUAN_QG="Mức độ 1", CHUAN_QG_NAM=None)
    assert [i.message for i in checked.issues] == [
        "Chưa nhập Tổng số phòng học.",
        "Chưa nhập Năm được công nhận (hoặc công nhận lại) đạt chuẩn quốc gia.",
    ]
    assert {"PH_TONG", "CHUAN_QG_NAM"} <= checked.failed
    # A school not yet recognised has no year to give.
    assert check(CHUAN_QG="Chưa đạt", CHUAN_QG_NAM=None).issues == []


def test_ranges_years_and_negative_numbers(check):
    checked = check(CHUAN_QG_NAM=2025, PH_TAM=-1, HS_BAN_TRU_CHO_O=2.5)
    assert [i.message for i in checked.issues] == [
        "Số học sinh được bố trí chỗ ở bán trú: 2,5 phải là số nguyên.",
        "Số phòng học tạm, học nhờ: -1 không được là số âm.",
        "Năm được công nhận (hoặc công nhận lại) đạt chuẩn quốc gia: năm 2025 phải từ 1990 đến 2022.",
    ]


def test_a_count_too_large_to_be_true_is_an_error_not_a_crash_later(check):
    checked = check(PH_TONG=1e30, PH_TAM=0, PH_KIEN_CO=0)
    assert [i.message for i in checked.issues] == ["Tổng số phòng học: 1e+30 phải từ 0 đến 999.999.999."]
    assert "PH_TONG" in checked.failed


def test_a_comma_before_three_digits_is_ambiguous(check):
    # "12,000" is 12 with a Vietnamese decimal comma and 12000 with an English thousands comma.
    checked = check(HS_BAN_TRU_NHU_CAU="12,000")
    assert [i.message for i in checked.issues] == [
        'Số học sinh có nhu cầu ở bán trú: "12,000" không rõ là 12 (dấu phẩy thập phân) hay 12000 '
        "(dấu phẩy ngăn cách hàng nghìn); hãy nhập lại số, không gõ dấu phẩy."]
    assert "HS_BAN_TRU_NHU_CAU" in checked.failed


def test_a_negative_number_typed_as_text_is_one_error(check):
    assert [(i.code, i.message) for i in check(PH_TAM="-3").issues] == [
        ("negative", "Số phòng học tạm, học nhờ: -3 không được là số âm.")]


def test_a_broken_cross_check_names_both_values_and_fails_both_sides(check):
    checked = check(HS__K9__TONG=128, THCS_XET_TN=125, THCS_TOT_NGHIEP=130, THCS_TN_VAO_THPT=100, THCS_TN_VAO_GDNN=20)
    assert [i.message for i in checked.issues] == [
        "Số học sinh được công nhận tốt nghiệp THCS: 130 phải nhỏ hơn hoặc bằng "
        "Số học sinh lớp 9 được xét tốt nghiệp THCS (125)."
    ]
    assert checked.failed == {"THCS_TOT_NGHIEP", "THCS_XET_TN"}


def test_grid_checks_compare_columns_row_by_row(check, school):
    total = school[2]["GV__THCS__TONG"]
    checked = check(GV__THCS__DAT_CHUAN=total + 3, GV__THCS__TREN_CHUAN=0)
    assert problems(checked) == [("check-broken", "error", cell_of(school[1], "GV__THCS__DAT_CHUAN"), "GV__THCS__DAT_CHUAN")]
    assert checked.issues[0].message == (
        f"Đội ngũ cán bộ quản lý, giáo viên theo cấp học – Trung học cơ sở – Đạt chuẩn trình độ đào tạo trở lên: "
        f"{total + 3} phải nhỏ hơn hoặc bằng Tổng số ({total})."
    )
    assert checked.failed == {"GV__THCS__DAT_CHUAN", "GV__THCS__TONG"}
    assert checked.values["GV__TH__DAT_CHUAN"] == school[2]["GV__TH__DAT_CHUAN"]  # the primary row still counts


def test_a_sum_on_the_left_is_spelled_out(check):
    checked = check(THCS_TOT_NGHIEP=30, THCS_TN_VAO_THPT=25, THCS_TN_VAO_GDNN=10, THCS_XET_TN=31)
    assert [i.message for i in checked.issues] == [
        "Số học sinh tốt nghiệp THCS vào học GDTX, trung cấp, học nghề: tổng Số học sinh tốt nghiệp THCS vào học THPT "
        "+ Số học sinh tốt nghiệp THCS vào học GDTX, trung cấp, học nghề = 35 phải nhỏ hơn hoặc bằng "
        "Số học sinh được công nhận tốt nghiệp THCS (30)."
    ]


def test_sample_values_pass_every_check_for_every_unit_of_the_example(plan, roster):
    # In memory: every unit of the example, with several seeds (the real files are checked in test_collect).
    from toolkit.collect.reader import CellRef, RawWorkbook

    for seed in range(3):
        rng = random.Random(seed)
        for unit in (u for u in roster if plan.input_names(u)):
            values = sample_values(plan, unit, rng)
            raw = RawWorkbook(path=None, names={n: CellRef("Số liệu", 0, 0) for n in plan.input_names(unit)}, values=values)
            assert [i.message for i in check_unit(plan, unit, raw).issues] == [], unit.code


def test_a_text_longer_than_the_template_allows_is_kept_with_a_warning(plan, roster):
    from toolkit.collect.reader import CellRef, RawWorkbook

    unit = roster.get("PHONG_GDDT")
    values = sample_values(plan, unit, random.Random(1))
    name = next(n for n in plan.input_names(unit) if n.endswith("__KET_QUA"))
    values[name] = "Đã triển khai. " * 400  # 6.000 characters, pasted past the 4.000 the template allows
    raw = RawWorkbook(path=None, names={n: CellRef("Nhiệm vụ", 5, 5) for n in plan.input_names(unit)}, values=values)
    checked = check_unit(plan, unit, raw)
    assert [(i.code, i.severity) for i in checked.issues] == [("long-text", "warning")]
    assert "nội dung dài 5.999 ký tự, quá giới hạn 4.000 ký tự của biểu mẫu; vẫn được giữ nguyên" in checked.issues[0].message
    assert checked.values[name] == values[name].strip()


def test_a_missing_task_report_names_the_task_by_its_number_in_the_matrix(edited_example):
    """'Nhiệm vụ I.2': the group numeral and the matrix's number, or the task's place when the matrix numbers none."""
    from toolkit.collect.reader import CellRef, RawWorkbook
    from toolkit.jobs.pipeline import load_roster
    from toolkit.spec.load import load_plan

    plan = load_plan(edited_example(lambda data: data["tasks"]["groups"][0]["tasks"][1].update(tt="")))
    unit = load_roster(plan.roster_path, plan).get("PHONG_GDDT")
    values = sample_values(plan, unit, random.Random(1))
    for name in ("NV01_01__KET_QUA", "NV01_02__KET_QUA"):
        del values[name]
    raw = RawWorkbook(path=None, names={n: CellRef("Nhiệm vụ", 5, 5) for n in plan.input_names(unit)}, values=values)
    assert [i.message for i in check_unit(plan, unit, raw).issues] == [
        "Chưa nhập Nhiệm vụ I.1 – Kết quả thực hiện.", "Chưa nhập Nhiệm vụ I.2 – Kết quả thực hiện."]
