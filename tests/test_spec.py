"""Plan spec loading: the bundled example, and one clear Vietnamese message per kind of mistake."""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import pytest
import yaml

from toolkit.core.errors import RosterError, SpecError
from toolkit.jobs.pipeline import load_roster
from toolkit.spec.load import load_plan

from conftest import DOMAIN_PLAN

EXAMPLE = DOMAIN_PLAN
DOMAIN = Path(__file__).resolve().parents[2] / "shared" / "domain"


@pytest.fixture()
def example_data() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def write_plan(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (tmp_path / "units.csv").write_bytes((EXAMPLE.parent / "units.csv").read_bytes())
    return path


def load_error(tmp_path: Path, data: dict) -> str:
    with pytest.raises(SpecError) as caught:
        load_plan(write_plan(tmp_path, data))
    return str(caught.value)


def field(data: dict, code: str) -> dict:
    return next(f for f in data["fields"] if f["code"] == code)


# The bundled example


def test_bundled_example_loads_by_name_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = load_plan("bao-thang-2022")
    assert plan.code == "bao-thang-2022"
    assert plan.plan_year == 2022
    assert len(load_roster(plan.roster_path, plan)) == 101  # 76 schools (3 THPT), 14 communes, 11 agencies


def test_plan_path_and_plan_folder_both_work(tmp_path, example_data):
    path = write_plan(tmp_path, example_data)
    assert load_plan(path).code == load_plan(tmp_path).code == "bao-thang-2022"


@pytest.mark.skipif(not DOMAIN.exists(), reason="../shared/domain is not beside this checkout")
def test_domain_plan_encodes_the_domain_fields_exactly():
    plan = load_plan(DOMAIN_PLAN)
    rows = list(csv.DictReader((DOMAIN / "fields.csv").open(encoding="utf-8")))
    assert [f.code for f in plan.fields] == [r["code"] for r in rows]
    for row in rows:
        f = plan.field_by_code[row["code"]]
        assert (f.label, f.kind, f.reporter, f.section, f.unit) == (
            row["label_vi"], row["kind"], row["reporter"], row["section_vi"], row["unit_vi"]
        )
        assert f.levels == row["levels"].split(";")
        assert f.choices == (row["choices"].split(";") if row["choices"] else [])
        assert [f"{r.key}={r.label}" for r in f.rows] == (row["rows"].split(";") if row["rows"] else [])
        assert [f"{c.key}={c.label}" for c in f.columns] == (row["columns"].split(";") if row["columns"] else [])


@pytest.mark.skipif(not DOMAIN.exists(), reason="../shared/domain is not beside this checkout")
def test_domain_plan_encodes_the_domain_indicators_and_targets_exactly():
    plan = load_plan(DOMAIN_PLAN)
    rows = list(csv.DictReader((DOMAIN / "indicators.csv").open(encoding="utf-8")))
    assert [i.code for i in plan.indicators] == [r["code"] for r in rows]
    for row in rows:
        ind = plan.indicator_by_code[row["code"]]
        assert (ind.name, ind.section, ind.unit, ind.reporter, ind.rule, ind.numerator, ind.denominator) == (
            row["name_vi"], row["section_vi"], row["unit_vi"], row["reporter"], row["rule"], row["numerator"], row["denominator"]
        )
        assert ind.target == (float(row["target"]) if row["target"] else None)
        assert ind.direction == (row["direction"] or ">=")
        by_level = dict(p.split("=") for p in row["target_by_level"].split(";")) if row["target_by_level"] else {}
        assert ind.target_by_level == {k: float(v) for k, v in by_level.items()}


@pytest.mark.skipif(not DOMAIN.exists(), reason="../shared/domain is not beside this checkout")
def test_domain_roster_is_the_domain_roster():
    assert (DOMAIN_PLAN.parent / "units.csv").read_bytes() == (DOMAIN / "units.csv").read_bytes()


def test_checks_of_the_example_are_parsed_as_written():
    plan = load_plan(DOMAIN_PLAN)
    assert [c.text for c in plan.field_by_code["GV"].parsed_checks] == ["DAT_CHUAN <= TONG", "TREN_CHUAN <= DAT_CHUAN"]
    vao = plan.field_by_code["THCS_TN_VAO_GDNN"].parsed_checks[0]
    assert [t.field for t in vao.left.terms] == ["THCS_TN_VAO_THPT", "THCS_TN_VAO_GDNN"]
    ban_tru = plan.field_by_code["MN_BAN_TRU"].parsed_checks[0]
    assert ban_tru.left is None and ban_tru.right.terms[0].rows == ("NT", "MG3", "MG4", "MG5")
    year = plan.field_by_code["CHUAN_QG_NAM"]
    assert (year.required, year.min, year.max_value(plan.plan_year)) == (False, 1990, 2022)


def test_template_version_ignores_document_metadata_but_not_fields(tmp_path, example_data):
    def version(name: str, data: dict) -> str:
        (tmp_path / name).mkdir()
        return load_plan(write_plan(tmp_path / name, data)).version

    signed = copy.deepcopy(example_data)
    signed["document"].update(number="85", date="2022-04-29")
    changed = copy.deepcopy(example_data)
    field(changed, "PH_TAM")["label"] = "Số phòng học tạm"
    spelled_out = copy.deepcopy(example_data)
    field(spelled_out, "PH_TAM").update(units=[], required=True)  # defaults written out, as a newer toolkit may add
    base = version("a", example_data)
    assert version("b", signed) == base
    assert version("c", changed) != base
    assert version("d", spelled_out) == base


# One message per mistake, naming the file and the key


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("code: x\nfields: [\n  - a: b\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"plan\.yaml sai cú pháp YAML \(dòng \d+, cột \d+\)"):
        load_plan(path)


def test_unknown_key_is_named(tmp_path, example_data):
    field(example_data, "PH_TAM")["lable"] = "typo"
    message = load_error(tmp_path, example_data)
    assert str(tmp_path / "plan.yaml") in message
    assert "fields[21] (PH_TAM).lable: khóa không được phép" in message


def test_missing_key_is_named(tmp_path, example_data):
    del example_data["document"]["symbol"]
    assert "document.symbol: thiếu khóa bắt buộc" in load_error(tmp_path, example_data)


def test_wrong_kind_lists_the_allowed_ones(tmp_path, example_data):
    field(example_data, "PH_TAM")["kind"] = "number"
    assert "fields[21] (PH_TAM).kind: giá trị phải là một trong: 'integer', 'choice', 'year', 'text' hoặc 'grid'" in load_error(
        tmp_path, example_data
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("TH1", "mã 'TH1' trùng dạng địa chỉ ô của Excel"),
        ("GV2", "mã 'GV2' trùng dạng địa chỉ ô của Excel"),
        ("R1C1", "mã 'R1C1' trùng dạng địa chỉ ô của Excel"),
        ("PHÒNG_HỌC", "mã 'PHÒNG_HỌC' chỉ được gồm chữ in hoa không dấu"),
        ("PH TAM", "mã 'PH TAM' chỉ được gồm chữ in hoa không dấu"),
        ("1PH", "không bắt đầu bằng chữ số"),
    ],
)
def test_codes_excel_cannot_use_as_names_are_rejected(tmp_path, example_data, code, expected):
    field(example_data, "PH_TAM")["code"] = code
    assert expected in load_error(tmp_path, example_data)


def test_duplicate_field_codes_are_rejected(tmp_path, example_data):
    field(example_data, "PH_TAM")["code"] = "PH_TONG"
    assert "fields: mã trường 'PH_TONG' bị trùng" in load_error(tmp_path, example_data)


def test_duplicate_indicator_codes_are_rejected(tmp_path, example_data):
    example_data["indicators"][1]["code"] = example_data["indicators"][0]["code"]
    assert "indicators: mã chỉ tiêu 'PC_NT_HUY_DONG' bị trùng" in load_error(tmp_path, example_data)


def test_expression_naming_an_unknown_field_is_rejected(tmp_path, example_data):
    example_data["indicators"][0]["denominator"] = "DS_0_3"
    assert "indicators[0] (PC_NT_HUY_DONG).denominator: trường 'DS_0_3' không có trong fields" in load_error(tmp_path, example_data)


def test_check_naming_an_unknown_grid_column_is_rejected(tmp_path, example_data):
    field(example_data, "GV")["checks"] = ["DAT_CHUAN <= TONG_SO"]
    assert "fields[0] (GV).checks[0]: 'TONG_SO' không phải cột của bảng 'GV'" in load_error(tmp_path, example_data)


def test_grid_used_without_row_and_column_is_rejected(tmp_path, example_data):
    field(example_data, "MN_BAN_TRU")["checks"] = ["<= HS"]
    assert "'HS' là bảng, phải ghi rõ dòng và cột, ví dụ HS[*].TONG" in load_error(tmp_path, example_data)


def test_unknown_grid_row_is_rejected(tmp_path, example_data):
    field(example_data, "MN_BAN_TRU")["checks"] = ["<= HS[NT;MG6].TONG"]
    assert "bảng 'HS' không có dòng 'MG6'" in load_error(tmp_path, example_data)


def test_unparseable_check_is_rejected(tmp_path, example_data):
    field(example_data, "PH_TAM")["checks"] = ["PH_TAM nhỏ hơn PH_TONG"]
    assert "fields[21] (PH_TAM).checks[0]: điều kiện 'PH_TAM nhỏ hơn PH_TONG' phải có dạng 'A <= B'" in load_error(
        tmp_path, example_data
    )


def test_condition_value_not_among_choices_is_rejected(tmp_path, example_data):
    cqg = next(i for i in example_data["indicators"] if i["code"] == "TRUONG_CQG")
    cqg["numerator"] = "CHUAN_QG in (Mức độ 1; Mức độ 3)"
    assert "'Mức độ 3' không phải lựa chọn của 'CHUAN_QG'" in load_error(tmp_path, example_data)


def test_unknown_unit_kind_and_level_are_rejected(tmp_path, example_data):
    field(example_data, "PH_TAM")["reporter"] = "truong_hoc"
    field(example_data, "PH_TONG")["levels"] = ["MN", "THPT"]
    message = load_error(tmp_path, example_data)
    assert "fields[19] (PH_TONG).levels: cấp học 'THPT' không có trong levels" in message
    assert "fields[21] (PH_TAM).reporter: loại đơn vị 'truong_hoc' không có trong unit_kinds" in message


def test_dropdown_longer_than_excel_allows_is_rejected(tmp_path, example_data):
    field(example_data, "CHUAN_QG")["choices"] = [f"Lựa chọn số {n} khá dài" for n in range(20)]
    assert "danh sách lựa chọn của 'CHUAN_QG' dài quá 255 ký tự" in load_error(tmp_path, example_data)


def test_target_for_an_unknown_period_is_rejected(tmp_path, example_data):
    example_data["indicators"][0]["target"] = {"2025": 40}
    assert "indicators[0] (PC_NT_HUY_DONG): kỳ '2025' không có trong period.targets (2022)" in load_error(tmp_path, example_data)


def test_indicator_eligibility_and_inputs_must_fit_its_reporter(tmp_path, example_data):
    indicator = lambda code: next(i for i in example_data["indicators"] if i["code"] == code)  # noqa: E731
    indicator("TRUONG_CQG")["eligible"]["levels"] = ["THPT"]
    indicator("TTHTCD_XA")["eligible"] = {"kind": "truong"}
    indicator("PC_NT_HUY_DONG")["denominator"] = "HS[NT].TONG"  # schools fill HS, communes report this rate
    indicator("PC_THCS_MUC3_XA")["denominator"] = "DS_5"  # a share divides by its eligible units
    message = load_error(tmp_path, example_data)
    assert "(TRUONG_CQG).eligible.levels: cấp học 'THPT' không có trong levels" in message
    assert "(TTHTCD_XA).eligible.kind: 'truong' khác reporter 'xa'" in message
    assert "(PC_NT_HUY_DONG): trường 'HS' do loại đơn vị 'truong' nhập, không phải 'xa'" in message
    assert "(PC_THCS_MUC3_XA).denominator: chỉ tiêu share đếm đơn vị trong 'eligible'" in message


def test_two_annexes_writing_one_file_are_rejected(tmp_path, example_data):
    example_data["annexes"][1]["numeral"] = "I"
    assert "annexes: hai phụ lục cùng ghi ra tệp Phu_luc_I" in load_error(tmp_path, example_data)


def test_a_commune_breakdown_needs_the_grouping_kind(tmp_path, example_data):
    example_data["area"]["group_kind"] = ""
    assert "annexes[1] (II).by: phụ lục theo xã cần khai báo area.group_kind" in load_error(tmp_path, example_data)


def test_a_report_deadline_before_the_submission_deadline_is_rejected(tmp_path, example_data):
    example_data["deadlines"]["report"] = "2022-12-01"
    assert "deadlines.report: hạn báo cáo cấp trên (01/12/2022) sớm hơn hạn đơn vị gửi báo cáo (10/12/2022)" in load_error(
        tmp_path, example_data)


def test_a_key_written_twice_is_rejected_with_its_line(tmp_path):
    path = tmp_path / "plan.yaml"
    text = EXAMPLE.read_text(encoding="utf-8").replace("    target: 31\n", "    target: 31\n    target: 35\n", 1)
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    target: 35") + 1
    with pytest.raises(SpecError, match=rf"dòng {line}, cột 5\): khóa 'target' được ghi hai lần"):
        load_plan(path)


def test_unknown_bundled_name_lists_the_examples():
    with pytest.raises(SpecError, match="Không tìm thấy kế hoạch 'khong-co'.*bao-thang-2022"):
        load_plan("khong-co")


def test_every_problem_is_reported_at_once(tmp_path, example_data):
    field(example_data, "PH_TAM")["reporter"] = "x"
    example_data["indicators"][0]["denominator"] = "NOPE"
    message = load_error(tmp_path, example_data)
    assert "loại đơn vị 'x'" in message and "trường 'NOPE'" in message


# Roster


def write_roster(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind,levels,commune,contact_name,phone,email\n" + text, encoding="utf-8")
    return path


def test_roster_duplicates_unknown_communes_levels_and_kinds_are_all_named(tmp_path):
    plan = load_plan(DOMAIN_PLAN)
    path = write_roster(
        tmp_path,
        "XA_A,UBND xã A,xa,XA,XA_A,,,\n"
        "MN_A,Trường Mầm non A,truong,MN,XA_A,,,\n"
        "MN_A,Trường Mầm non A (bản sao),truong,MN,XA_A,,,\n"
        "TH_B,Trường Tiểu học B,truong,TH,XA_B,,,\n"
        "THPT_A,Trường THPT A,truong,THPT,XA_A,,,\n"
        "HOI_A,Hội Khuyến học,hoi,,,,,\n",
    )
    with pytest.raises(RosterError) as caught:
        load_roster(path, plan)
    message = str(caught.value)
    assert "dòng 4: mã đơn vị 'MN_A' trùng với dòng 3" in message
    assert "dòng 5: đơn vị 'TH_B' thuộc 'XA_B' nhưng không có đơn vị loại 'xa' nào mã này" in message
    assert "dòng 6: cấp học 'THPT' của đơn vị 'THPT_A' không có trong kế hoạch" in message
    assert "dòng 7: loại đơn vị 'hoi' không có trong kế hoạch" in message


def test_roster_missing_columns_are_named(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("ma,ten\nA,B\n", encoding="utf-8")
    with pytest.raises(RosterError, match="thiếu cột: code, name, kind"):
        load_roster(path, load_plan(DOMAIN_PLAN))


def test_roster_from_xlsx_with_nfd_names_is_read_in_nfc(tmp_path):
    import unicodedata

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "kind", "levels", "commune"])
    sheet.append(["XA_A", unicodedata.normalize("NFD", "UBND xã Bản Cầm"), "xa", "XA", "XA_A"])
    sheet.append(["THTHCS_A", "Trường TH&THCS xã Bản Cầm", "truong", "TH;THCS", "XA_A"])
    workbook.save(tmp_path / "Danh sách.xlsx")
    roster = load_roster(tmp_path / "Danh sách.xlsx", load_plan(DOMAIN_PLAN))
    assert roster.get("XA_A").name == "UBND xã Bản Cầm"
    assert roster.get("THTHCS_A").levels == ("TH", "THCS")


def test_breakdown_fields_must_be_the_communes_own_values(tmp_path, example_data):
    example_data["annexes"][1]["fields"] = ["PCGD_THCS", "PH_TONG", "NOPE"]
    example_data["annexes"][0]["fields"] = ["XMC"]
    message = load_error(tmp_path, example_data)
    assert "annexes[1] (II).fields: 'PH_TONG' phải là một ô do chính xã nhập (reporter 'xa'), không phải bảng" in message
    assert "annexes[1] (II).fields: trường 'NOPE' không có trong fields" in message
    assert "annexes[0] (I).fields: chỉ phụ lục breakdown theo xã (by: commune) mới có cột trường số liệu" in message
    assert "PCGD_THCS" not in message


def test_a_signed_annex_needs_a_signature_block(tmp_path, example_data):
    example_data["annexes"][0]["signed"] = True
    example_data["issuer"]["signature"] = []
    assert "annexes[0] (I).signed: cần khai báo issuer.signature" in load_error(tmp_path, example_data)


def test_a_field_for_named_units_must_name_units_of_its_kind(tmp_path, example_data):
    field(example_data, "PH_TAM")["units"] = ["NOPE", "XA_SON_HA"]
    plan = load_plan(write_plan(tmp_path, example_data))
    with pytest.raises(RosterError) as caught:
        load_roster(plan.roster_path, plan)
    assert "trường 'PH_TAM' (units) ghi đơn vị 'NOPE', không có trong danh sách" in str(caught.value)
    assert "trường 'PH_TAM' (units): đơn vị 'XA_SON_HA' là loại 'xa', không phải 'truong' (reporter)" in str(caught.value)
