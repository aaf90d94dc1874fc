"""The annexes as officials print and sign them: Nghị định 30 format, Vietnamese numbers, safety."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest

from toolkit.aggregate.compute import compute
from toolkit.annex.write import annex_tables, write_annexes
from toolkit.collect.records import UnitReturn
from toolkit.annex.document import attached_line
from toolkit.core.numbers import fmt_count_share, fmt_date_long, fmt_number, fmt_percent
from toolkit.jobs.pipeline import load_roster
from toolkit.spec.load import load_plan
from toolkit.spec.model import Report

HOSTILE = '=HYPERLINK("http://x","bấm")'


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, plan):
    """Annexes of the test district from a few hand-made returns; one school name is hostile."""
    folder = tmp_path_factory.mktemp("annexes")
    source = (Path(plan.roster_path)).read_text(encoding="utf-8")
    (folder / "units.csv").write_text(source.replace("UBND xã Sơn Hà", HOSTILE.replace('"', '""').join('""')), encoding="utf-8")
    roster = load_roster(folder / "units.csv", plan)
    returns = {
        "XA_SON_HA": UnitReturn(roster.get("XA_SON_HA"), Path("a.xlsx"), {"RL_5": 98, "DS_5": 100}),
        "MN_SON_HA_1": UnitReturn(roster.get("MN_SON_HA_1"), Path("b.xlsx"), {"GV__MN__TONG": 40, "GV__MN__DAT_CHUAN": 33}),
    }
    results = compute(plan, roster, returns)
    paths = write_annexes(plan, roster, results, folder / "Phụ lục")  # a folder name with diacritics
    return plan, {p.name: p for p in paths}, annex_tables(plan, roster, results)


def test_vietnamese_number_and_date_conventions():
    assert fmt_number(1234567, 0) == "1.234.567"
    assert fmt_percent(82.1, 2) == "82,1%" and fmt_percent(100, 2) == "100%"
    assert fmt_number(63.345, 2) == "63,35"  # half-up, as reports round (Babel alone gives 63,34)
    assert fmt_count_share(60, 73, "trường", 60 / 73 * 100) == "60/73 trường, đạt 82,2%"
    assert fmt_date_long(dt.date(2022, 4, 29)) == "ngày 29 tháng 4 năm 2022"
    assert fmt_date_long(dt.date(2022, 2, 5)) == "ngày 05 tháng 02 năm 2022"


def test_attached_line_comes_from_the_plan_metadata(outputs):
    plan, _, tables = outputs
    matrix, results = plan.annexes[2], plan.annexes[0]
    assert attached_line(plan, matrix) == (
        "(Kèm theo Kế hoạch số …/KH-UBND ngày … tháng … năm 2022 của Ủy ban nhân dân huyện Bảo Thắng)"
    )
    signed = plan.model_copy(update={"document": plan.document.model_copy(update={"number": "85", "date": dt.date(2022, 4, 29)})})
    assert attached_line(signed, matrix) == "(Kèm theo Kế hoạch số 85/KH-UBND ngày 29 tháng 4 năm 2022 của Ủy ban nhân dân huyện Bảo Thắng)"
    # Results belong to the round's report, not to the plan, even once the plan is signed.
    assert attached_line(signed, results) == (
        "(Kèm theo Báo cáo số …/BC-UBND ngày … tháng … năm 2022 của Ủy ban nhân dân huyện Bảo Thắng)"
    )
    report = Report(number="7", symbol="BC-PGDĐT", date=dt.date(2022, 12, 20), issuer="Phòng Giáo dục và Đào tạo huyện Bảo Thắng")
    reported = plan.model_copy(update={"report": report})
    assert attached_line(reported, results) == (
        "(Kèm theo Báo cáo số 07/BC-PGDĐT ngày 20 tháng 12 năm 2022 của Phòng Giáo dục và Đào tạo huyện Bảo Thắng)"
    )
    assert [t.heading.attached.split(" số ")[0] for t in tables] == ["(Kèm theo Báo cáo", "(Kèm theo Báo cáo",
                                                                     "(Kèm theo Kế hoạch", "(Kèm theo Báo cáo"]


def test_every_annex_of_a_plan_with_several_gets_its_numeral(tmp_path):
    plan = load_plan("lai-chau-2025")  # the seed's two annexes carry no numeral of their own
    roster = load_roster(plan.roster_path, plan)
    assert [t.heading.label for t in annex_tables(plan, roster, [])] == ["Phụ lục I", "Phụ lục II"]


def test_xlsx_annex_is_print_ready(outputs):
    _, paths, _ = outputs
    sheet = openpyxl.load_workbook(paths["Phu_luc_I.xlsx"]).worksheets[0]
    assert [sheet["A1"].value, sheet["A2"].value] == ["Phụ lục I", "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU PHÁT TRIỂN GIÁO DỤC HUYỆN BẢO THẮNG NĂM 2022"]
    assert sheet["A3"].value.startswith("(Kèm theo Báo cáo số") and sheet["A3"].font.i
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    # Scaled to the page's width, with page breaks of its own (no group heading alone at a page foot):
    # "fit to width" would make Excel ignore them.
    assert 50 <= sheet.page_setup.scale < 100 and not sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.row_breaks.brk
    assert sheet.print_title_rows == "$5:$6"  # header and (1)(2)… rows repeat on every page
    header = [c.value for c in sheet[5]]
    assert header == ["STT", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch năm 2022", "Thực hiện năm 2022", "Đánh giá", "Ghi chú"]
    assert [c.value for c in sheet[6]] == [f"({i})" for i in range(1, 8)]
    fonts = {c.font.name for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row) for c in row if c.value}
    assert fonts == {"Times New Roman"}
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=7) if row[1].value}
    five = rows["Tỷ lệ trẻ 5 tuổi ra lớp"]
    assert [five[3].value, five[4].value, five[5].value] == ["99,9%", 0.98, "Chưa đạt (thiếu 1,9 điểm %)"]  # 98/100
    # A figure is a number; its format prints it as the Word annex does, with the Vietnamese decimal comma.
    assert five[4].data_type == "n" and five[4].number_format == "[$-42A]#,##0%"
    assert five[6].value == "1/14 đơn vị báo cáo"
    assert (rows["- Mầm non"][4].value, rows["- Mầm non"][4].number_format) == (0.825, "[$-42A]#,##0.0%")  # 33/40, per level
    assert rows["Số trường đạt chuẩn quốc gia"][4].value == "0/73 trường, đạt 0%"
    assert "Biểu đồ" in openpyxl.load_workbook(paths["Phu_luc_I.xlsx"]).sheetnames


def test_school_text_never_becomes_a_formula_or_markup(outputs):
    _, paths, _ = outputs
    sheet = openpyxl.load_workbook(paths["Phu_luc_II.xlsx"]).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == HOSTILE]
    assert cells and all(c.data_type == "s" for c in cells)
    html = paths["Phu_luc_II.html"].read_text(encoding="utf-8")
    assert "=HYPERLINK(&#34;http://x&#34;,&#34;bấm&#34;)" in html and HOSTILE not in html


def test_docx_annex_is_landscape_times_new_roman_with_a_repeated_header(outputs):
    _, paths, _ = outputs
    document = docx.Document(paths["Phu_luc_I.docx"])
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape A4
    assert round(section.page_width.mm) == 297 and round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15
    assert section.different_first_page_header_footer  # no page number on page 1
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[:2] == ["Phụ lục I", "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU PHÁT TRIỂN GIÁO DỤC HUYỆN BẢO THẮNG NĂM 2022"]
    assert texts[2].startswith("(Kèm theo Báo cáo số")
    table = document.tables[0]
    assert table.rows[0]._tr.trPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None
    assert [c.text for c in table.rows[1].cells] == [f"({i})" for i in range(1, 8)]
    runs = [r for row in table.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert {r.font.name for r in runs} == {"Times New Roman"}
    assert any(r.text == "99,9%" for r in runs)


@pytest.mark.libreoffice
def test_annexes_open_in_libreoffice_and_render_to_pdf(outputs, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    _, paths, _ = outputs
    for name in ("Phu_luc_I.xlsx", "Phu_luc_I.docx", "Phu_luc_II.docx"):
        target = tmp_path / name.replace(".", "_")
        target.mkdir()
        completed = subprocess.run(
            [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
             "--convert-to", "pdf", "--outdir", str(target), str(paths[name])],
            capture_output=True, timeout=180, text=True,
        )
        pdf = next(target.glob("*.pdf"), None)
        assert pdf is not None, completed.stderr
        pages = re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes())
        assert len(pages) >= 1, name


def test_a_signed_annex_ends_with_place_date_and_the_issuers_signature(edited_example, tmp_path):
    plan = load_plan(edited_example(lambda data: data["annexes"][0].update(signed=True)))
    roster = load_roster(plan.roster_path, plan)
    paths = {p.name: p for p in write_annexes(plan, roster, compute(plan, roster, {}), tmp_path / "out")}
    block = ["Bảo Thắng, ngày … tháng … năm 2022", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
             "Nguyễn Đức Bình"]  # from the plan's document and issuer; the date is left blank in a draft

    sheet = openpyxl.load_workbook(paths["Phu_luc_I.xlsx"]).worksheets[0]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert [t for t in texts if t in block] == block and texts[-1] == "Nguyễn Đức Bình"
    signature = docx.Document(paths["Phu_luc_I.docx"]).tables[-1]
    lines = [p.text for p in signature.cell(0, 1).paragraphs if p.text]
    assert lines == block and signature.cell(0, 0).text == ""
    assert [r.font.bold for p in signature.cell(0, 1).paragraphs for r in p.runs if r.text == "KT. CHỦ TỊCH"] == [True]
    html = paths["Phu_luc_I.html"].read_text(encoding="utf-8")
    assert '<p class="bold">PHÓ CHỦ TỊCH</p>' in html and '<p class="italic">Bảo Thắng, ngày' in html
    # Annexes attached to the signed plan itself carry no signature of their own (Nghị định 30).
    unsigned = docx.Document(paths["Phu_luc_II.docx"])
    assert "PHÓ CHỦ TỊCH" not in [c.text for t in unsigned.tables for row in t.rows for c in row.cells]
    assert "PHÓ CHỦ TỊCH" not in paths["Phu_luc_II.html"].read_text(encoding="utf-8")


def test_the_plans_own_targets_annex_has_no_results_and_goes_with_the_plan(edited_example, tmp_path):
    plan = load_plan(edited_example(lambda data: data["annexes"].insert(0, {
        "numeral": "I", "kind": "plan_targets", "title": "Các chỉ tiêu phát triển giáo dục năm 2022"}) or
        [annex.update(numeral=n) for annex, n in zip(data["annexes"][1:], ("II", "III", "IV", "V"))]))
    roster = load_roster(plan.roster_path, plan)
    (table,) = annex_tables(plan, roster, [], kinds=("plan_targets",))
    assert table.heading.label == "Phụ lục I"
    assert table.heading.attached == "(Kèm theo Kế hoạch số …/KH-UBND ngày … tháng … năm 2022 của Ủy ban nhân dân huyện Bảo Thắng)"
    assert table.header == [["STT", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch năm 2022", "Ghi chú"]]
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in table.rows if row.kind != "group"}
    assert rows["Tỷ lệ trẻ 5 tuổi ra lớp"] == ["3", "Tỷ lệ trẻ 5 tuổi ra lớp", "%", "99,9%", ""]
