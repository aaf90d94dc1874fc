"""Targets written in plan.yaml the way the signed plan prints them, read into `Target` records."""

from __future__ import annotations

import copy

import pytest

from toolkit.core.errors import PlanError
from toolkit.spec.load import load_plan
from toolkit.spec.targets import Target

# (as written in plan.yaml, the Target the plan must hold); every expectation typed from the form.
FORMS = [
    (98, Target("value", ">=", 98.0)),
    (99.75, Target("value", ">=", 99.75)),
    ("98%", Target("value", ">=", 98.0, text="98%")),
    ("98,5", Target("value", ">=", 98.5, decimals=1, text="98,5")),
    ("98.5%", Target("value", ">=", 98.5, decimals=1, text="98.5%")),
    ("100%", Target("value", ">=", 100.0, text="100%")),
    ("≥ 98%", Target("value", ">=", 98.0, text="≥ 98%")),
    (">= 98%", Target("value", ">=", 98.0, text=">= 98%")),
    ("từ 98% trở lên", Target("value", ">=", 98.0, text="Từ 98% trở lên")),
    ("Ít nhất 98%", Target("value", ">=", 98.0, text="Ít nhất 98%")),
    ("tối thiểu 98 %", Target("value", ">=", 98.0, text="Tối thiểu 98 %")),
    ("trên 99,7%", Target("value", ">", 99.7, decimals=1, text="Trên 99,7%")),
    ("TRÊN 99,7%", Target("value", ">", 99.7, decimals=1, text="TRÊN 99,7%")),
    ("> 99,7%", Target("value", ">", 99.7, decimals=1, text="> 99,7%")),
    ("hơn 99,7%", Target("value", ">", 99.7, decimals=1, text="Hơn 99,7%")),
    ("≤ 5%", Target("value", "<=", 5.0, text="≤ 5%")),
    ("<= 5%", Target("value", "<=", 5.0, text="<= 5%")),
    ("không quá 5%", Target("value", "<=", 5.0, text="Không quá 5%")),
    ("tối đa 5%", Target("value", "<=", 5.0, text="Tối đa 5%")),
    ("dưới hoặc bằng 5%", Target("value", "<=", 5.0, text="Dưới hoặc bằng 5%")),
    ("dưới 5%", Target("value", "<", 5.0, text="Dưới 5%")),
    ("< 5%", Target("value", "<", 5.0, text="< 5%")),
    ("1.200 học sinh", Target("value", ">=", 1200.0, text="1.200 học sinh")),
    ("60/73 trường", Target("count", ">=", 60.0, whole=73, text="60/73 trường")),
    ("14/14 xã", Target("count", ">=", 14.0, whole=14, text="14/14 xã")),
    ("60/73 trường, đạt 82,1%", Target("count", ">=", 60.0, whole=73, text="60/73 trường, đạt 82,1%")),
    ("100% (10/10 xã)", Target("value", ">=", 100.0, whole=10, text="100% (10/10 xã)")),
    ("từ 10 đến 15 người", Target("range", "", 10.0, 15.0, text="Từ 10 đến 15 người")),
    ("10 - 15", Target("range", "", 10.0, 15.0, text="10 - 15")),
    ("mức độ 3", Target("level", ">=", 3.0, text="Mức độ 3")),
    ("Mức độ 2", Target("level", ">=", 2.0, text="Mức độ 2")),
    ("đạt chuẩn mức độ 3", Target("level", ">=", 3.0, text="Đạt chuẩn mức độ 3")),
    # as seeds 000-004 write them
    ("đạt 100%", Target("value", ">=", 100.0, text="Đạt 100%")),
    ("Duy trì 14/14 xã", Target("count", ">=", 14.0, whole=14, text="Duy trì 14/14 xã")),
    ("đạt 99,75% trở lên", Target("value", ">=", 99.75, decimals=2, text="Đạt 99,75% trở lên")),
    ("Phấn đấu trên 90%", Target("value", ">", 90.0, text="Phấn đấu trên 90%")),
    ("từ 85%", Target("value", ">=", 85.0, text="Từ 85%")),
    ("35,8 %", Target("value", ">=", 35.8, decimals=1, text="35,8 %")),
    ("Đảm bảo thiết bị dạy học tối thiểu theo quy định",
     Target("text", "", text="Đảm bảo thiết bị dạy học tối thiểu theo quy định")),
]

# Vietnamese typed on another keyboard arrives decomposed (NFD) and with stray spaces.
NFD_TRÊN = "tre\u0302n  99,7%"


def _indicator(template: dict, code: str, **changes) -> dict:
    made = copy.deepcopy(template)
    made.update(code=code, **changes)
    return made


@pytest.fixture(scope="module")
def forms_plan(edited_example):
    """The example plan with one more indicator per form, each a copy of TRUONG_CQG (a share of schools)."""
    def add(data: dict) -> None:
        template = next(i for i in data["indicators"] if i["code"] == "TRUONG_CQG")
        data["indicators"] += [_indicator(template, f"FORM_{n}", target=written) for n, (written, _) in enumerate(FORMS)]
        data["indicators"] += [
            _indicator(template, "FORM_NFD", target=NFD_TRÊN),
            _indicator(template, "FORM_AT_MOST", target="5%", direction="<="),
            _indicator(template, "FORM_BY_LEVEL", target=None, target_by_level={"THCS": "trên 99,8%", "TH": "99%"}),
            _indicator(template, "FORM_PERIODS", target={"2022": "≥ 97%"}),
            _indicator(template, "FORM_PART", part_of="TRUONG_CQG", print="Trên 99% (trong đó vùng khó khăn 97%)"),
        ]
        data["fields"].append({"code": "TB_DAY_HOC", "label": "Thiết bị dạy học tối thiểu", "kind": "text",
                               "reporter": "truong", "section": "Cơ sở vật chất"})
        data["indicators"].append({"code": "FORM_TEXT", "name": "Thiết bị dạy học", "section": "II. Chất lượng",
                                   "reporter": "truong", "rule": "text", "numerator": "TB_DAY_HOC",
                                   "target": "Đảm bảo thiết bị dạy học tối thiểu theo quy định"})
    return load_plan(edited_example(add))


@pytest.mark.parametrize("number", range(len(FORMS)), ids=[str(w) for w, _ in FORMS])
def test_every_written_form_is_read_into_its_target(forms_plan, number):
    assert forms_plan.indicator_by_code[f"FORM_{number}"].target_for("2022") == FORMS[number][1]


def test_decomposed_vietnamese_and_extra_spaces_read_the_same(forms_plan):
    assert forms_plan.indicator_by_code["FORM_NFD"].target_for("2022") == Target("value", ">", 99.7, decimals=1,
                                                                                 text="Trên 99,7%")


def test_a_target_without_a_direction_takes_the_indicators(forms_plan):
    assert forms_plan.indicator_by_code["FORM_AT_MOST"].target_for("2022") == Target("value", "<=", 5.0, text="5%")


def test_each_level_and_period_carries_its_own_direction(forms_plan):
    by_level = forms_plan.indicator_by_code["FORM_BY_LEVEL"]
    assert by_level.target_for("2022", "THCS") == Target("value", ">", 99.8, decimals=1, text="Trên 99,8%")
    assert by_level.target_for("2022", "TH") == Target("value", ">=", 99.0, text="99%")
    assert by_level.target_for("2022") is None
    assert forms_plan.indicator_by_code["FORM_PERIODS"].target_for("2022") == Target("value", ">=", 97.0, text="≥ 97%")


ACCEPTED = ("hãy ghi theo một trong các dạng: 98%, ≥ 98%, từ 98% trở lên, trên 99,7%, không quá 5%, dưới 5%, "
            "60/73 trường, 100% (10/10 xã), từ 10 đến 15 người, mức độ 3, hoặc một câu không có chữ số")


def test_unreadable_targets_are_refused_naming_the_key_and_the_accepted_forms(edited_example):
    def spoil(data: dict) -> None:
        by_code = {i["code"]: i for i in data["indicators"]}
        by_code["PC_NT_HUY_DONG"]["target"] = "khoảng 98 phần trăm"
        by_code["PC_MG_HUY_DONG"]["target"] = "từ 15 đến 10 người"
        by_code["PC_5T_HUY_DONG"]["target_by_level"] = {"MN": "80/73 trường"}
        by_code["PC_6T_VAO_LOP1"]["target"] = {"2022": ""}

    with pytest.raises(PlanError) as raised:
        load_plan(edited_example(spoil))
    found = {(p.code, p.location.key, p.location.item): p.message for p in raised.value.problems}
    assert found[("plan-bad-target", "indicators[0].target", "PC_NT_HUY_DONG")] == \
        f"không đọc được chỉ tiêu “khoảng 98 phần trăm”; {ACCEPTED} (chỉ tiêu không tính số)."
    assert found[("plan-bad-target", "indicators[1].target", "PC_MG_HUY_DONG")] == \
        "chỉ tiêu “từ 15 đến 10 người”: đầu dưới 15 lớn hơn đầu trên 10; hãy ghi “từ 10 đến 15”."
    assert found[("plan-bad-target", "indicators[2].target_by_level", "PC_5T_HUY_DONG")] == \
        "cấp MN: chỉ tiêu “80/73 trường”: 80/73 phải có số đơn vị đạt không quá tổng số (và tổng số khác 0)."
    assert found[("plan-bad-target", "indicators[3].target", "PC_6T_VAO_LOP1")] == \
        "kỳ 2022: chỉ tiêu để trống; hãy ghi một số (98%), bỏ khóa này, hoặc ghi chỉ tiêu bằng lời."


def test_print_part_of_and_text_indicators_are_checked_against_the_plan(edited_example):
    def spoil(data: dict) -> None:
        by_code = {i["code"]: i for i in data["indicators"]}
        by_code["PC_NT_HUY_DONG"].update(part_of="KHONG_CO", print={"2030": "Trên 31%"})
        by_code["PC_MG_HUY_DONG"].update(rule="text", numerator="RL_3_5", denominator="")
        by_code["PC_5T_HUY_DONG"]["target"] = "14/14 xã"

    with pytest.raises(PlanError) as raised:
        load_plan(edited_example(spoil))
    found = {(p.code, p.location.key, p.location.item): p.params for p in raised.value.problems}
    assert found[("plan-unknown-indicator", "indicators[0].part_of", "PC_NT_HUY_DONG")] == {"indicator": "KHONG_CO"}
    assert found[("plan-unknown-period", "indicators[0]", "PC_NT_HUY_DONG")] == {"period": "2030", "periods": "2022"}
    assert found[("plan-text-needs-text-field", "indicators[1].numerator", "PC_MG_HUY_DONG")] == {"field": "RL_3_5"}
    assert found[("plan-count-target-not-count", "indicators[2]", "PC_5T_HUY_DONG")] == {"target": "14/14 xã", "rule": "ratio"}


def test_recurring_and_day_first_deadlines_fall_in_the_rounds_year(edited_example):
    def recurring(data: dict) -> None:
        data["period"]["round"] = 2023
        data["deadlines"] = {"submission": "10/12 hằng năm", "report": "20/12/2023"}

    plan = load_plan(edited_example(recurring))
    assert (str(plan.deadlines.submission), str(plan.deadlines.report)) == ("2023-12-10", "2023-12-20")
    assert plan.plan_year == 2023 and plan.period.label == "năm 2023"


def test_sub_targets_wordings_and_text_indicators_are_accepted(forms_plan):
    part = forms_plan.indicator_by_code["FORM_PART"]
    assert (part.part_of, part.printed_target("2022")) == ("TRUONG_CQG", "Trên 99% (trong đó vùng khó khăn 97%)")
    text = forms_plan.indicator_by_code["FORM_TEXT"]
    assert text.rule == "text" and text.target_for("2022").judged is False
