"""Every mistake in a plan is a `Problem`: a catalogue code at the key (or line) of the file at fault,
all of them raised together as one `PlanError` whose text the CLI prints."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
import yaml
from pydantic import ValidationError

from toolkit.core.errors import CATALOGUE, PlanError
from toolkit.spec.load import load_plan, validation_problems
from toolkit.spec.model import Strict

EXAMPLE = Path(__file__).parent / "data" / "domain-district" / "plan.yaml"  # the test district


def write_plan(folder: Path, data: object) -> Path:
    path = folder / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def plan_problems(tmp_path: Path, edit: Callable[[dict], object]) -> list[tuple]:
    """(code, key, item, params) of every problem of the example plan after `edit`."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    edit(data)
    path = write_plan(tmp_path, data)
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert all(p.location.file == str(path) for p in caught.value.problems)
    return [(p.code, p.location.key, p.location.item, dict(p.params)) for p in caught.value.problems]


def by_code(items: list[dict], code: str) -> dict:
    return next(i for i in items if i["code"] == code)


def field(code: str) -> Callable[[dict], dict]:
    return lambda data: by_code(data["fields"], code)


def indicator(code: str) -> Callable[[dict], dict]:
    return lambda data: by_code(data["indicators"], code)


def setting(get: Callable[[dict], dict], **values) -> Callable[[dict], None]:
    return lambda data: get(data).update(values)


# (edit of the example plan, code, key, item, parameters the message names)
KEY_CASES = [
    # The shape of one key
    ("unknown-key", setting(field("PH_TAM"), lable="typo"), "plan-unknown-key", "fields[21].lable", "PH_TAM", {"key": "lable"}),
    ("missing-key", lambda d: d["document"].pop("symbol"), "plan-missing-key", "document.symbol", "", {"key": "symbol"}),
    ("not-allowed", setting(field("PH_TAM"), kind="number"), "plan-not-allowed", "fields[21].kind", "PH_TAM",
     {"value": "'number'", "allowed": "'integer', 'choice', 'year', 'text' hoặc 'grid'"}),
    ("wrong-type", lambda d: d["period"].update(year="hai nghìn"), "plan-wrong-type", "period.year", "",
     {"value": "'hai nghìn'", "expected": "phải là số nguyên"}),
    ("wrong-type-unlisted", lambda d: d["deadlines"].update(submission="2022-12-10T10:30:00"), "plan-wrong-type",
     "deadlines.submission", "", {"expected": "không đúng dạng của khóa này (xem các kế hoạch mẫu)"}),
    ("code-like-cell", setting(field("PH_TAM"), code="TH1"), "plan-code-like-cell", "fields[21].code", "TH1", {"code": "TH1"}),
    ("code-like-r1c1", setting(field("PH_TAM"), code="R1C1"), "plan-code-like-cell", "fields[21].code", "R1C1", {"code": "R1C1"}),
    ("code-diacritics", setting(field("PH_TAM"), code="PHÒNG_HỌC"), "plan-code-chars", "fields[21].code", "PHÒNG_HỌC", {}),
    ("code-space", setting(field("PH_TAM"), code="PH TAM"), "plan-code-chars", "fields[21].code", "PH TAM", {}),
    ("code-digit-first", setting(field("PH_TAM"), code="1PH"), "plan-code-chars", "fields[21].code", "1PH", {}),
    ("code-too-long", setting(field("PH_TAM"), code="P" * 201), "plan-code-too-long", "fields[21].code", "P" * 201, {}),
    ("grid-key-chars", lambda d: field("GV")(d)["rows"][0].update(key="mn"), "plan-code-chars", "fields[0].rows[0].key", "GV",
     {"code": "mn"}),
    # The shape of a field or an indicator
    ("grid-without-cells", lambda d: field("GV")(d).pop("rows"), "plan-grid-without-cells", "fields[0]", "GV", {"field": "GV"}),
    ("cells-not-grid", setting(field("PH_TAM"), columns=[{"key": "A", "label": "a"}]), "plan-cells-not-grid", "fields[21]",
     "PH_TAM", {"kind": "integer"}),
    ("choice-without-choices", setting(field("CHUAN_QG"), choices=[]), "plan-choice-without-choices", "fields[24]", "CHUAN_QG", {}),
    ("choices-too-long", setting(field("CHUAN_QG"), choices=[f"Lựa chọn số {n} khá dài" for n in range(20)]),
     "plan-choices-too-long", "fields[24]", "CHUAN_QG", {"field": "CHUAN_QG"}),
    ("duplicate-cell-key", lambda d: field("GV")(d)["columns"].append({"key": "TONG", "label": "Tổng lần hai"}),
     "plan-duplicate-cell-key", "fields[0]", "GV", {"key": "TONG", "part": "columns"}),
    ("ratio-without-denominator", lambda d: indicator("PH_KIEN_CO")(d).pop("denominator"), "plan-ratio-without-denominator",
     "indicators[16]", "PH_KIEN_CO", {"indicator": "PH_KIEN_CO"}),
    ("share-without-eligible", lambda d: indicator("TRUONG_CQG")(d).pop("eligible"), "plan-without-eligible", "indicators[14]",
     "TRUONG_CQG", {"rule": "share"}),
    # Expressions, checks and conditions
    ("bad-comparison", setting(field("PH_TAM"), checks=["PH_TAM nhỏ hơn PH_TONG"]), "plan-bad-comparison",
     "fields[21].checks[0]", "PH_TAM", {"text": "PH_TAM nhỏ hơn PH_TONG"}),
    ("bad-term", setting(field("PH_TAM"), checks=["<= PH_TONG - 1"]), "plan-bad-term", "fields[21].checks[0]", "PH_TAM",
     {"part": "PH_TONG - 1"}),
    ("bad-condition", setting(indicator("TRUONG_CQG"), numerator="CHUAN_QG la Mức độ 1"), "plan-bad-condition",
     "indicators[14].numerator", "TRUONG_CQG", {"text": "CHUAN_QG la Mức độ 1"}),
    ("unknown-field", setting(indicator("PC_NT_HUY_DONG"), denominator="DS_0_3"), "plan-unknown-field",
     "indicators[0].denominator", "PC_NT_HUY_DONG", {"field": "DS_0_3"}),
    ("not-grid-column", setting(field("GV"), checks=["DAT_CHUAN <= TONG_SO"]), "plan-not-grid-column", "fields[0].checks[0]", "GV",
     {"name": "TONG_SO", "grid": "GV"}),
    ("grid-check-one-side", setting(field("GV"), checks=["<= TONG"]), "plan-grid-check-one-side", "fields[0].checks[0]", "GV", {}),
    ("grid-needs-cell", setting(field("MN_BAN_TRU"), checks=["<= HS"]), "plan-grid-needs-cell", "fields[7].checks[0]", "MN_BAN_TRU",
     {"field": "HS", "column": "TONG"}),
    ("not-a-grid", setting(field("MN_BAN_TRU"), checks=["<= PH_TONG[*].TONG"]), "plan-not-a-grid", "fields[7].checks[0]",
     "MN_BAN_TRU", {"field": "PH_TONG"}),
    ("not-numeric", setting(field("PH_TAM"), checks=["<= CHUAN_QG"]), "plan-not-numeric", "fields[21].checks[0]", "PH_TAM",
     {"field": "CHUAN_QG"}),
    ("unknown-grid-column", setting(field("MN_BAN_TRU"), checks=["<= HS[NT].TONG_SO"]), "plan-unknown-grid-column",
     "fields[7].checks[0]", "MN_BAN_TRU", {"field": "HS", "column": "TONG_SO"}),
    ("unknown-grid-row", setting(field("MN_BAN_TRU"), checks=["<= HS[NT;MG6].TONG"]), "plan-unknown-grid-row",
     "fields[7].checks[0]", "MN_BAN_TRU", {"field": "HS", "row": "MG6"}),
    ("unknown-choice", setting(indicator("TRUONG_CQG"), numerator="CHUAN_QG in (Mức độ 1; Mức độ 3)"), "plan-unknown-choice",
     "indicators[14].numerator", "TRUONG_CQG", {"value": "Mức độ 3", "field": "CHUAN_QG"}),
    ("bad-year-value", setting(field("PH_TAM"), required_if="CHUAN_QG_NAM = năm nay"), "plan-bad-year-value",
     "fields[21].required_if", "PH_TAM", {"field": "CHUAN_QG_NAM"}),
    # References between the parts
    ("duplicate-field", lambda d: d["fields"].append(dict(field("PH_TAM")(d))), "plan-duplicate-field", "fields", "",
     {"code": "PH_TAM"}),
    ("duplicate-indicator", lambda d: d["indicators"].append(dict(d["indicators"][0])), "plan-duplicate-indicator", "indicators",
     "", {"code": "PC_NT_HUY_DONG"}),
    ("duplicate-name", lambda d: d["fields"].append({**field("PH_TAM")(d), "code": "GV__MN__TONG"}), "plan-duplicate-name",
     "fields", "", {"name": "GV__MN__TONG"}),
    ("deadline-order", lambda d: d["deadlines"].update(report="2022-12-01"), "plan-deadline-order", "deadlines.report", "",
     {"report": "01/12/2022", "submission": "10/12/2022"}),
    ("unknown-kind", setting(field("PH_TAM"), reporter="truong_hoc"), "plan-unknown-kind", "fields[21].reporter", "PH_TAM",
     {"kind": "truong_hoc"}),
    ("unknown-group-kind", lambda d: d["area"].update(group_kind="phuong"), "plan-unknown-kind", "area.group_kind", "",
     {"kind": "phuong"}),
    ("unknown-agency-kind", lambda d: d["agencies"]["groups"][0].update(kind="huyen"), "plan-unknown-kind",
     "agencies.groups[0].kind", "", {"kind": "huyen"}),
    ("unknown-level", setting(field("PH_TONG"), levels=["MN", "THPT"]), "plan-unknown-level", "fields[19].levels", "PH_TONG",
     {"level": "THPT"}),
    ("unknown-eligible-level", lambda d: indicator("TRUONG_CQG")(d)["eligible"].update(levels=["THPT"]), "plan-unknown-level",
     "indicators[14].eligible.levels", "TRUONG_CQG", {"level": "THPT"}),
    ("share-with-denominator", setting(indicator("PC_THCS_MUC3_XA"), denominator="DS_5"), "plan-share-with-denominator",
     "indicators[10].denominator", "PC_THCS_MUC3_XA", {"rule": "share"}),
    ("eligible-other-kind", setting(indicator("TTHTCD_XA"), eligible={"kind": "truong"}), "plan-eligible-other-kind",
     "indicators[12].eligible.kind", "TTHTCD_XA", {"kind": "truong", "reporter": "xa"}),
    ("field-of-other-reporter", setting(indicator("PC_NT_HUY_DONG"), denominator="HS[NT].TONG"), "plan-field-of-other-reporter",
     "indicators[0]", "PC_NT_HUY_DONG", {"field": "HS", "kind": "truong", "reporter": "xa"}),
    ("unknown-period", setting(indicator("PC_NT_HUY_DONG"), target={"2025": 40}), "plan-unknown-period", "indicators[0]",
     "PC_NT_HUY_DONG", {"period": "2025", "periods": "2022"}),
    ("annex-same-file", lambda d: d["annexes"][1].update(numeral="I"), "plan-annex-same-file", "annexes", "", {"stem": "Phu_luc_I"}),
    ("annex-needs-signature", lambda d: (d["annexes"][0].update(signed=True), d["issuer"].update(signature=[])),
     "plan-annex-needs-signature", "annexes[0].signed", "I", {}),
    ("annex-needs-group-kind", lambda d: d["area"].update(group_kind=""), "plan-annex-needs-group-kind", "annexes[1].by", "II", {}),
    ("annex-fields-not-breakdown", lambda d: d["annexes"][0].update(fields=["XMC"]), "plan-annex-fields-not-breakdown",
     "annexes[0].fields", "I", {}),
    ("annex-field-not-own", lambda d: d["annexes"][1].update(fields=["PCGD_THCS", "PH_TONG"]), "plan-annex-field-not-own",
     "annexes[1].fields", "II", {"field": "PH_TONG", "kind": "xa"}),
    ("annex-field-unknown", lambda d: d["annexes"][1].update(fields=["NOPE"]), "plan-unknown-field", "annexes[1].fields", "II",
     {"field": "NOPE"}),
    ("unknown-indicator", lambda d: d["annexes"][1]["indicators"].append("NOPE"), "plan-unknown-indicator",
     "annexes[1].indicators", "II", {"indicator": "NOPE"}),
    # Targets as the plan writes them, sub-targets, text targets
    ("bad-target", setting(indicator("PH_KIEN_CO"), target="khoảng 98 đến"), "plan-bad-target", "indicators[16].target",
     "PH_KIEN_CO", {"place": ""}),
    ("part-of-itself", setting(indicator("PH_KIEN_CO"), part_of="PH_KIEN_CO"), "plan-part-of-itself", "indicators[16]",
     "PH_KIEN_CO", {"indicator": "PH_KIEN_CO"}),
    ("part-of-unknown", setting(indicator("PH_KIEN_CO"), part_of="NOPE"), "plan-unknown-indicator", "indicators[16].part_of",
     "PH_KIEN_CO", {"indicator": "NOPE"}),
    ("text-needs-text-field", setting(indicator("PH_KIEN_CO"), rule="text", target="Đảm bảo phòng học theo quy định"),
     "plan-text-needs-text-field", "indicators[16].numerator", "PH_KIEN_CO", {"field": "PH_KIEN_CO"}),
    ("count-target-not-count", setting(indicator("PH_KIEN_CO"), target="14/14 xã"), "plan-count-target-not-count",
     "indicators[16]", "PH_KIEN_CO", {"target": "14/14 xã", "rule": "ratio"}),
    ("text-with-denominator", setting(indicator("PH_KIEN_CO"), rule="text", target="Đảm bảo phòng học theo quy định"),
     "plan-text-with-denominator", "indicators[16].denominator", "PH_KIEN_CO", {}),
]


@pytest.mark.parametrize(("edit", "code", "key", "item", "params"), [c[1:] for c in KEY_CASES], ids=[c[0] for c in KEY_CASES])
def test_a_mistake_is_a_problem_at_its_key(tmp_path, edit, code, key, item, params):
    problems = plan_problems(tmp_path, edit)
    found = [p for p in problems if p[:3] == (code, key, item)]
    assert found, problems
    assert params.items() <= found[0][3].items()


def test_a_breakdown_column_of_the_communes_own_value_is_no_problem(tmp_path):
    found = plan_problems(tmp_path, lambda d: d["annexes"][1].update(fields=["PCGD_THCS", "PH_TONG"]))
    assert [(p[0], p[3]["field"]) for p in found] == [("plan-annex-field-not-own", "PH_TONG")]


def test_every_problem_is_reported_at_once(tmp_path):
    def two_mistakes(data):
        field("PH_TAM")(data)["reporter"] = "x"
        indicator("PC_NT_HUY_DONG")(data)["denominator"] = "NOPE"

    found = {p[:2] for p in plan_problems(tmp_path, two_mistakes)}
    assert {("plan-unknown-kind", "fields[21].reporter"), ("plan-unknown-field", "indicators[0].denominator")} <= found


def test_the_printed_error_names_the_file_once_and_each_key(tmp_path):
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    field("PH_TAM")(data)["lable"] = "typo"
    path = write_plan(tmp_path, data)
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert str(caught.value).splitlines() == [
        f"Tệp kế hoạch {path} không hợp lệ:",
        "  - khóa fields[21].lable (PH_TAM): Khóa 'lable' không được phép (kiểm tra chính tả).",
    ]


def test_a_models_check_without_a_code_keeps_its_message():
    """Checks a model adds with a plain ValueError still reach the user, at their key."""

    class Probe(Strict):
        total: int

        def model_post_init(self, context):
            raise ValueError("tổng phải lớn hơn 0")

    with pytest.raises(ValidationError) as caught:
        Probe.model_validate({"total": 0})
    [problem] = validation_problems(caught.value, {"total": 0}, "plan.yaml")
    assert (problem.code, problem.params) == ("plan-invalid", {"detail": "tổng phải lớn hơn 0"})


# The file


def test_an_unknown_plan_name_lists_the_bundled_examples():
    with pytest.raises(PlanError) as caught:
        load_plan("khong-co")
    [problem] = caught.value.problems
    assert problem.code == "plan-not-found"
    assert problem.params["plan"] == "khong-co" and "bao-thang-2022" in problem.params["examples"]


def test_a_plan_not_in_utf8_is_unreadable(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_bytes("code: kế hoạch\n".encode("utf-16"))
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert [(p.code, p.location.file) for p in caught.value.problems] == [("plan-unreadable", str(path))]


def test_a_plan_that_is_a_list_is_not_a_mapping(tmp_path):
    path = write_plan(tmp_path, ["code", "fields"])
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert [(p.code, p.location.file) for p in caught.value.problems] == [("plan-not-mapping", str(path))]


# YAML syntax: what to do, at the line and column


YAML_CASES = [
    ("tab", "code: x\ndocument:\n  symbol: KH\n\ttitle: Kế hoạch\n", "yaml-tab", 4, 1, {}),
    ("colon-in-value", "code: x\ncollector: Phòng GD&ĐT: huyện Bảo Thắng\n", "yaml-colon", 2, 23, {}),
    ("unclosed-quote", 'code: x\ncollector: "Phòng GD&ĐT\nperiod: 1\n', "yaml-unclosed-quote", 2, 12, {"opened": 2}),
    ("key-under-a-value", "code: x\ndocument:\n  symbol: KH\n   title: Kế hoạch\n", "yaml-indentation", 4, 9, {}),
    ("key-out-of-line", "code: x\ndocument:\n    symbol: KH\n  title: Kế hoạch\n", "yaml-indentation", 4, 3, {}),
    ("other", "code: x\nfields: [\n  - a: b\n", "yaml-syntax", 3, 3, {"detail": "expected the node content, but found '-'"}),
    ("key-twice", "code: x\ncode: y\n", "yaml-duplicate-key", 2, 1, {"key": "code"}),
]


@pytest.mark.parametrize(("text", "code", "line", "char", "params"), [c[1:] for c in YAML_CASES], ids=[c[0] for c in YAML_CASES])
def test_a_yaml_mistake_says_what_to_do_at_its_line_and_column(tmp_path, text, code, line, char, params):
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    [problem] = caught.value.problems
    assert (problem.code, problem.location.file, problem.location.line, problem.location.char) == (code, str(path), line, char)
    assert dict(problem.params) == params


def test_a_key_written_twice_in_the_example_is_found_at_its_line(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace("    target: 31\n", "    target: 31\n    target: 35\n", 1)
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    [problem] = caught.value.problems
    line = text.splitlines().index("    target: 35") + 1
    assert (problem.code, problem.location.line, problem.location.char, problem.params) == (
        "yaml-duplicate-key", line, 5, {"key": "target"})
    assert f"dòng {line}, cột 5: Khóa 'target' được ghi hai lần" in str(caught.value)


def test_a_yaml_mistake_in_the_task_file_names_that_file(tmp_path):
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["tasks"] = "nhiem_vu.yaml"
    (tmp_path / "nhiem_vu.yaml").write_text("title: x\ngroups:\n\t- numeral: I\n", encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(write_plan(tmp_path, data))
    [problem] = caught.value.problems
    assert (problem.code, problem.location.file, problem.location.line) == ("yaml-tab", str(tmp_path / "nhiem_vu.yaml"), 3)


def test_every_plan_code_of_the_catalogue_has_its_test():
    """The catalogue's plan and YAML codes are exactly the codes these tests make happen."""
    tested = {c[2] for c in KEY_CASES} | {c[2] for c in YAML_CASES} | {"plan-invalid", "plan-not-found", "plan-unreadable",
                                                                         "plan-not-mapping"}
    assert tested == {code for code in CATALOGUE if code.startswith(("plan-", "yaml-"))}
