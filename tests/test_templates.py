"""Templates written for the bundled example, read back with openpyxl as another program would."""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import replace

import openpyxl
import pytest

import toolkit
from toolkit.core.errors import ToolkitError
from toolkit.spec.model import Field
from toolkit.spec.plan import Plan
from toolkit.forms.rules import CellMap, fits_inline, row_flags, summary_formula, validation_rule
from toolkit.forms.sheet import keep_with_next
from toolkit.forms.writer import write_template, write_templates

MN_SCHOOL, COMBINED_SCHOOL, COMMUNE = "MN_BAN_CAM_1", "THTHCS_BAN_CAM_1", "XA_BAN_CAM"

# Written out by hand from the spec: a kindergarten has no TH/THCS rows, nor TH/THCS-only fields.
MN_NAMES = {
    "MA_DON_VI",
    "GV__MN__TONG", "GV__MN__DAT_CHUAN", "GV__MN__TREN_CHUAN",
    "CBQL_TONG", "CBQL_LLCT", "GV_THAC_SI_DANG_HOC", "NS_TONG", "DANG_VIEN",
    "HS__NT__TONG", "HS__NT__NU", "HS__NT__DTTS", "HS__MG3__TONG", "HS__MG3__NU", "HS__MG3__DTTS",
    "HS__MG4__TONG", "HS__MG4__NU", "HS__MG4__DTTS", "HS__MG5__TONG", "HS__MG5__NU", "HS__MG5__DTTS",
    "MN_BAN_TRU", "MN_LAM_QUEN_NN",
    "PH_TONG", "PH_KIEN_CO", "PH_TAM", "DIEM_TRUONG_LE", "DIEM_TRUONG_XOA", "CHUAN_QG", "CHUAN_QG_NAM",
}


@pytest.fixture(scope="module")
def folder(plan, roster, tmp_path_factory):
    """All templates of the example, written once (98 units: the parallel path)."""
    out = tmp_path_factory.mktemp("templates")
    write_templates(plan, roster, out)
    return out


@pytest.fixture(scope="module")
def books(folder):
    return {code: openpyxl.load_workbook(folder / f"{code}.xlsx") for code in (MN_SCHOOL, COMBINED_SCHOOL, COMMUNE)}


def names_of(book) -> dict[str, tuple[str, str]]:
    """Defined name -> (sheet, cell) for every single-cell name."""
    found = {}
    for name, definition in book.defined_names.items():
        (sheet, cell), = definition.destinations
        found[name] = (sheet, cell.replace("$", ""))
    return found


def value_of(book, name):
    sheet, cell = names_of(book)[name]
    return book[sheet][cell].value


# Which units get a template


def test_a_template_for_every_school_commune_and_agency_with_something_to_fill(folder, roster):
    files = sorted(p.name for p in folder.iterdir())
    kinds = sorted(roster.get(name.removesuffix(".xlsx")).kind for name in files)
    assert (len(files), kinds.count("truong"), kinds.count("xa"), kinds.count("co_quan")) == (98, 73, 14, 11)
    assert all(name.isascii() for name in files)
    assert [p.name for p in folder.iterdir() if p.suffix != ".xlsx"] == []  # no temporary files left


# The contract: names, unit code, metadata


def test_kindergarten_has_exactly_its_names(books):
    assert set(names_of(books[MN_SCHOOL])) == MN_NAMES


def test_combined_school_and_commune_have_the_plans_names(books, plan, roster):
    for code in (COMBINED_SCHOOL, COMMUNE):
        assert set(names_of(books[code])) == {*plan.input_names(roster.get(code)), "MA_DON_VI"}
    combined = names_of(books[COMBINED_SCHOOL])
    assert {"GV__TH__TONG", "GV__THCS__TONG", "HS__K1__TONG", "HS__K9__DTTS", "TH_2BUOI"} <= set(combined)
    assert {"GV__MN__TONG", "HS__NT__TONG", "MN_BAN_TRU"} & set(combined) == set()
    assert {"DS_0_2", "PCGD_THCS", "TTHTCD"} <= set(names_of(books[COMMUNE]))


def test_unit_code_cell_holds_the_code_locked(books):
    for code, book in books.items():
        sheet, cell = names_of(book)["MA_DON_VI"]
        assert (sheet, book[sheet][cell].value, book[sheet][cell].protection.locked) == ("Hướng dẫn", code, True)


def test_hidden_metadata_names_plan_version_unit_and_time(plan, roster, tmp_path):
    path = write_template(plan, roster, roster.get(COMMUNE), tmp_path / "x.xlsx",
                          generated_at=dt.datetime(2022, 11, 1, 8, 30, 5, 123456))
    book = openpyxl.load_workbook(path)
    meta = book["_meta"]
    expected = {"plan_code": "bao-thang-2022", "plan_version": plan.version, "unit_code": COMMUNE,
                "generated_at": "2022-11-01T08:30:05", "toolkit_version": toolkit.__version__}
    assert meta.sheet_state == "hidden"
    assert {row[0]: row[1] for row in meta.iter_rows(values_only=True)} == expected
    assert {p.name: p.value for p in book.custom_doc_props.props} == expected
    assert len(plan.version) == 12 and book.properties.title == "Biểu mẫu báo cáo – UBND xã Bản Cầm"


def test_key_column_lists_each_rows_input_names(books):
    # The reader's fallback: column A names the inputs of its row, from column E on.
    sheet = books[MN_SCHOOL]["Số liệu"]
    names = names_of(books[MN_SCHOOL])
    for row in sheet.iter_rows(min_row=6):
        key = row[0].value
        for offset, name in enumerate(key.split("|") if key else []):
            assert names[name] == ("Số liệu", row[4 + offset].coordinate)
    keys = [row[0].value for row in sheet.iter_rows(min_row=6) if row[0].value]
    assert keys[:2] == ["GV__MN__TONG|GV__MN__DAT_CHUAN|GV__MN__TREN_CHUAN", "CBQL_TONG"]
    assert books[MN_SCHOOL]["Hướng dẫn"]["A4"].value == "MA_DON_VI"


# Protection and highlighting


def test_only_inputs_and_notes_are_unlocked_and_inputs_are_yellow(books):
    for code, book in books.items():
        inputs = {(s, c) for n, (s, c) in names_of(book).items() if n != "MA_DON_VI"}
        for sheet in book.worksheets:
            assert sheet.protection.sheet is True and sheet.protection.insertRows is True
            note_col = next((c.column for c in sheet[5] if c.value == "Ghi chú"), None)
            for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row + 2, max_col=sheet.max_column + 2):
                for cell in row:
                    if (sheet.title, cell.coordinate) in inputs:
                        assert cell.protection.locked is False and cell.fill.fgColor.rgb == "FFFFF2CC", (code, cell)
                    elif not cell.protection.locked:
                        assert (sheet.title, cell.column) == ("Số liệu", note_col), (code, cell)


def test_password_protects_every_sheet_only_when_given(plan, roster, tmp_path):
    unit = roster.get(MN_SCHOOL)
    with_password = openpyxl.load_workbook(write_template(plan, roster, unit, tmp_path / "a.xlsx", password="bí mật"))
    without = openpyxl.load_workbook(write_template(plan, roster, unit, tmp_path / "b.xlsx"))
    assert all(s.protection.sheet and s.protection.password for s in with_password.worksheets)
    assert [s.protection.password for s in without.worksheets] == [None, None, None]


# Validation


def validations_by_cell(sheet) -> dict[str, object]:
    found = {}
    for rule in sheet.data_validations.dataValidation:
        for cell in str(rule.sqref).split():
            assert cell not in found
            found[cell] = rule
    return found


def test_every_input_is_validated_with_vietnamese_messages(books):
    book = books[COMBINED_SCHOOL]
    rules = validations_by_cell(book["Số liệu"])
    inputs = {c for n, (s, c) in names_of(book).items() if n != "MA_DON_VI"}
    assert set(rules) == inputs
    assert all(r.showErrorMessage and r.errorStyle in (None, "stop") and r.errorTitle == "Giá trị không hợp lệ"
               for r in rules.values())


def test_dropdown_integer_and_year_rules(books):
    book = books[MN_SCHOOL]
    rules = validations_by_cell(book["Số liệu"])
    choice = rules[names_of(book)["CHUAN_QG"][1]]
    assert (choice.type, choice.formula1) == ("list", '"Chưa đạt,Mức độ 1,Mức độ 2"')
    whole = rules[names_of(book)["CBQL_TONG"][1]]
    assert (whole.type, whole.operator, whole.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert whole.error == "Ô này chỉ nhận số nguyên từ 0 trở lên; không nhập chữ, dấu chấm hay dấu phẩy."
    assert whole.prompt == "Nhập số nguyên từ 0 trở lên (đơn vị tính: người)."
    grid_cell = rules[names_of(book)["HS__MG5__DTTS"][1]]
    assert (grid_cell.type, grid_cell.formula1) == ("whole", "0")
    year = rules[names_of(book)["CHUAN_QG_NAM"][1]]
    assert (year.type, year.operator, year.formula1, year.formula2) == ("whole", None, "1990", "2022")


# Identity, self-check, print setup, text safety


def guide_pairs(path) -> dict[str, str]:
    """Label -> value of the instructions sheet's identity and status rows (cached values)."""
    guide = openpyxl.load_workbook(path, data_only=True)["Hướng dẫn"]
    return {row[1]: row[4] for row in guide.iter_rows(min_row=3, max_row=15, values_only=True) if row[1] and row[4]}


def test_instructions_show_identity_deadline_and_status(folder):
    assert guide_pairs(folder / f"{COMBINED_SCHOOL}.xlsx") == {
        "Mã đơn vị": COMBINED_SCHOOL,
        "Tên đơn vị": "Trường TH&THCS xã Bản Cầm",
        "Loại đơn vị": "Trường",
        "Cấp học": "Tiểu học, Trung học cơ sở",
        "Địa bàn": "Xã Bản Cầm, huyện Bảo Thắng",
        "Kỳ báo cáo": "năm 2022",
        "Hạn gửi báo cáo": "10/12/2022",
        "Gửi về": "Phòng Giáo dục và Đào tạo huyện Bảo Thắng",
        # 55 inputs, all required but the year of recognition (required only when recognised).
        "Tình trạng biểu mẫu": "Còn 54 ô chưa nhập, 0 ô chưa hợp lệ.",
    }
    commune = guide_pairs(folder / f"{COMMUNE}.xlsx")
    assert (commune["Loại đơn vị"], commune["Địa bàn"], "Cấp học" in commune) == ("Xã, thị trấn", "huyện Bảo Thắng", False)
    guide = openpyxl.load_workbook(folder / f"{COMMUNE}.xlsx")["Hướng dẫn"]
    assert "Đề án số 05 - ĐA/HU" in guide["B2"].value and guide["E4"].protection.locked
    assert guide["B2"].value.endswith("trong năm 2022")  # the title names its year: no "– năm 2022" after it


def guide_text(path) -> str:
    return "\n".join(str(c.value) for row in openpyxl.load_workbook(path)["Hướng dẫn"].iter_rows() for c in row if c.value)


def test_instructions_speak_of_the_cells_the_workbook_has(folder):
    school, agency = guide_text(folder / f"{MN_SCHOOL}.xlsx"), guide_text(folder / "PHONG_GDDT.xlsx")
    assert "Cách nhập số liệu" in school and "Ô số: nhập số nguyên" in school and "“Ghi chú”" in school
    assert "Ô có mũi tên" in school and "Trang “Nhiệm vụ”" not in school
    # An agency's workbook holds tasks only: no number cells, no Ghi chú column.
    assert "Cách báo cáo tiến độ nhiệm vụ" in agency and "Trang “Nhiệm vụ”: mỗi dòng là một nhiệm vụ" in agency
    assert "Ô số" not in agency and "Ghi chú" not in agency and "số đạt chuẩn" not in agency
    # The colours described are those of the empty template: required blanks orange, not only yellow.
    assert "ô bắt buộc còn trống có nền cam" in school and "ô bắt buộc còn trống có nền cam" in agency


def test_the_cursor_starts_on_the_first_input_of_each_sheet(books):
    book = books[MN_SCHOOL]
    assert book["Số liệu"].sheet_view.selection[-1].activeCell == value_cell(book, "GV__MN__TONG")
    assert book.active.title == "Hướng dẫn"


def value_cell(book, name: str) -> str:
    return names_of(book)[name][1]


def test_status_cell_caches_the_empty_templates_count(folder):
    # LibreOffice shows cached formula results until an input changes: they must be right.
    data = openpyxl.load_workbook(folder / f"{MN_SCHOOL}.xlsx", data_only=True)["Số liệu"]
    assert data["B4"].value == "Còn 28 ô chưa nhập, 0 ô chưa hợp lệ."  # 29 inputs, the year optional
    assert data["B3"].value == f"Mã đơn vị: {MN_SCHOOL}   –   Hạn gửi báo cáo: 10/12/2022"


def test_self_check_highlights_missing_and_broken_cells(books):
    book = books[MN_SCHOOL]
    names = names_of(book)
    rules = {str(rng.sqref): [(r.formula[0], r.dxf.fill.bgColor.rgb) for r in rng.rules]
             for rng in book["Số liệu"].conditional_formatting}
    dat_chuan = names["GV__MN__DAT_CHUAN"][1]
    tong = names["GV__MN__TONG"][1]
    (missing, orange), (invalid, red) = rules[dat_chuan]
    assert (missing, orange, red) == (f"LEN(TRIM(${dat_chuan[0]}${dat_chuan[1:]}))=0", "FFF8CBAD", "FFFF7C80")
    assert f"NOT(SUM(${dat_chuan[0]}${dat_chuan[1:]})<=SUM(${tong[0]}${tong[1:]}))" in invalid
    # The year is only required once the school is recognised: not flagged orange while blank.
    (year_missing, _), _ = rules[names["CHUAN_QG_NAM"][1]]
    assert year_missing.startswith("AND(AND(LEN($E$28)>0,$E$28<>\"Chưa đạt\"),")


def test_a4_one_page_wide_times_new_roman_page_numbers(books):
    # The instructions fit a portrait page; the data sheet, with its three-column grids, a landscape one.
    for sheet, orientation in zip(books[COMBINED_SCHOOL].worksheets[:2], ("portrait", "landscape")):
        setup = sheet.page_setup
        assert (setup.paperSize, setup.orientation, setup.fitToHeight) == (9, orientation, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth in (None, 1)  # None: default 1
        assert sheet.oddFooter.center.text == "Trang &P/&N"
    assert books[COMBINED_SCHOOL]["Số liệu"].print_title_rows == "$5:$5"
    fonts = {c.font.name for s in books[COMBINED_SCHOOL].worksheets for row in s.iter_rows() for c in row}
    assert fonts == {"Times New Roman"}


def test_no_text_becomes_a_formula(plan, roster, tmp_path):
    unit = replace(roster.get(MN_SCHOOL), name="=HYPERLINK(\"http://x\",\"bấm\")")
    path = write_template(plan, roster, unit, tmp_path / "x.xlsx")
    book = openpyxl.load_workbook(path)
    assert book["Hướng dẫn"]["E5"].value == unit.name and book["Hướng dẫn"]["E5"].data_type == "s"
    formulas = {(s.title, c.column_letter) for s in book.worksheets for row in s.iter_rows() for c in row
                if c.data_type == "f"}
    # Ours only: the status cells, the row verdicts and the two hidden helper columns of the data sheet.
    assert formulas == {("Hướng dẫn", "E"), ("Số liệu", "B"), ("Số liệu", "I"), ("Số liệu", "J"), ("Số liệu", "K")}
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "HYPERLINK" not in sheet_xml  # the name is a shared string, never a formula


def test_folder_and_unit_names_with_diacritics(plan, roster, tmp_path):
    unit = replace(roster.get(COMMUNE), name="UBND thị trấn Phố Lu – Tằng Loỏng")
    folder = tmp_path / "Báo cáo" / "Biểu mẫu năm 2022"
    paths = write_templates(plan, roster, folder, units=[unit])
    assert [p.name for p in paths] == ["XA_BAN_CAM.xlsx"]
    assert openpyxl.load_workbook(paths[0])["Hướng dẫn"]["E5"].value == "UBND thị trấn Phố Lu – Tằng Loỏng"


def test_chosen_units_by_code_in_process(plan, roster, tmp_path):
    reported = []
    paths = write_templates(plan, roster, tmp_path, units=[MN_SCHOOL, "PHONG_GDDT"], workers=1,
                            on_progress=lambda *report: reported.append(report))
    assert [p.name for p in paths] == ["MN_BAN_CAM_1.xlsx", "PHONG_GDDT.xlsx"]  # the agency reports on its tasks
    assert reported == [("templates", 0, 2), ("templates", 1, 2), ("templates", 2, 2)]
    with pytest.raises(ToolkitError, match="Không có đơn vị mã 'KHONG_CO'"):
        write_templates(plan, roster, tmp_path, units=["KHONG_CO"])


def test_choices_with_commas_come_from_a_hidden_locked_list(plan, roster, tmp_path):
    # An inline dropdown separates choices by commas: such labels must come from a range.
    data = plan.model_dump(mode="json")
    choices = ["Có", "Không", "Có, một số ngày"]
    data["fields"] = [dict(f, choices=choices) if f["code"] == "TH_2BUOI" else f for f in data["fields"]]
    variant = Plan.model_validate(data, context={"path": str(plan.path)})
    path = write_template(variant, roster, roster.get(COMBINED_SCHOOL), tmp_path / "x.xlsx")
    book = openpyxl.load_workbook(path)
    rule = validations_by_cell(book["Số liệu"])[names_of(book)["TH_2BUOI"][1]]
    assert (rule.type, rule.formula1) == ("list", "'_lists'!$A$1:$A$3")
    lists = book["_lists"]
    assert [c.value for c in lists["A"]] == choices
    assert (lists.sheet_state, lists.protection.sheet, lists["A1"].protection.locked) == ("hidden", True, True)


# The pure rules


def field(**values) -> Field:
    return Field(**{"code": "F", "label": "F", "reporter": "truong", "section": "I", **values})


def test_validation_rules():
    assert validation_rule(field(kind="integer", unit="người"), 2022) == {
        "validate": "integer", "criteria": ">=", "value": 0, "input_title": "Nhập số",
        "input_message": "Nhập số nguyên từ 0 trở lên (đơn vị tính: người).", "error_title": "Giá trị không hợp lệ",
        "error_type": "stop", "error_message": "Ô này chỉ nhận số nguyên từ 0 trở lên; không nhập chữ, dấu chấm hay dấu phẩy.",
    }
    year = validation_rule(field(kind="year", min=1990, max="plan year"), 2022)
    assert (year["criteria"], year["minimum"], year["maximum"]) == ("between", 1990, 2022)
    assert validation_rule(field(kind="choice", choices=["Có", "Không"]), 2022)["source"] == ["Có", "Không"]
    from_list = validation_rule(field(kind="choice", choices=["Có, đủ", "Không"]), 2022, "='_lists'!$A$1:$A$2")
    assert from_list["source"] == "='_lists'!$A$1:$A$2"
    inline = [fits_inline(["Có", "Không"]), fits_inline(["Có, đủ", "Không"]), fits_inline(["x" * 200, "y" * 60])]
    assert inline == [True, False, False]


def test_check_formulas_of_a_grid_row(plan, roster):
    cells = CellMap("Số liệu")
    for offset, column in enumerate(("TONG", "NU", "DTTS")):
        cells.add(f"HS__K1__{column}", 9, 4 + offset)
    names = ["HS__K1__TONG", "HS__K1__NU", "HS__K1__DTTS"]
    flags = row_flags(plan, roster.get(COMBINED_SCHOOL), plan.field_by_code["HS"], names, cells, "K1")
    missing, invalid = flags["HS__K1__NU"]
    assert (missing.formula, missing.initially) == ("LEN(TRIM($F$10))=0", 1)
    assert invalid.formula == (
        "OR(IF(LEN(TRIM($F$10))=0,FALSE,IF(ISNUMBER($F$10),OR($F$10<>INT($F$10),$F$10<0),TRUE)),"
        "IF(COUNT($F$10,$E$10)=2,NOT(SUM($F$10)<=SUM($E$10)),FALSE))"
    )


def test_summary_formula_and_its_initial_text():
    formula, initial = summary_formula("$I$6:$I$9", "$J$6:$J$9", 3)
    assert formula == ('=IF(AND(SUM($I$6:$I$9)=0,SUM($J$6:$J$9)=0),"Đã nhập đầy đủ, không phát hiện lỗi.",'
                       '"Còn "&SUM($I$6:$I$9)&" ô chưa nhập, "&SUM($J$6:$J$9)&" ô chưa hợp lệ.")')
    assert initial == "Còn 3 ô chưa nhập, 0 ô chưa hợp lệ."
    assert summary_formula("A1:A2", "B1:B2", 0)[1] == "Đã nhập đầy đủ, không phát hiện lỗi."


def test_a_heading_that_would_end_a_page_starts_the_next_one():
    # Pages of 100 points; after page 1, the 10-point header row repeats. Heading rows 4 and 7.
    heights = [30, 30, 20, 10, 10, 20, 30, 15, 15, 20]
    # Page 1: rows 0-3 take 90 points; heading 4 and its row 5 need 30 more: it moves to page 2.
    # Page 2: header 10 + rows 4-6 = 70; heading 7 and row 8 make 100, more than 96 (4% slack): page 3.
    assert keep_with_next(heights, {4, 7}, 100, 10) == [4, 7]
    # Where the program breaks by itself (heading 2 does not fit on page 1 at all), nothing is added.
    assert keep_with_next([50, 40, 20, 10], {2}, 100, 10) == []


def test_status_cells_turn_green_when_done_and_verdicts_are_coloured_on_locked_cells(books):
    book = books[MN_SCHOOL]
    data, guide = book["Số liệu"], book["Hướng dẫn"]
    done = '"Đã nhập đầy đủ, không phát hiện lỗi."'
    for sheet, cell in ((data, "B4"), (guide, "E13")):
        (rule,) = [r for rng in sheet.conditional_formatting for r in rng.rules if cell in rng.sqref]
        assert (rule.operator, rule.formula, rule.dxf.font.color.rgb) == ("equal", [done], "FF006100")
    verdict = next(c.column_letter for c in data[5] if c.value == "Kiểm tra")
    (column,) = [rng for rng in data.conditional_formatting if str(rng.sqref).startswith(f"{verdict}6:")]
    assert [r.dxf.font.color.rgb for r in column.rules] == ["FFC00000", "FF006100"]  # red while a problem remains
    assert all(data[f"{verdict}{row}"].protection.locked for row in range(6, data.max_row + 1))
