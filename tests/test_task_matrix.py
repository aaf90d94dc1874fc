"""Task annexes: seed 004's matrix generated row for row, and the progress agencies report on it."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pytest

from toolkit.collect.folder import collect
from toolkit.jobs.pipeline import aggregate, load
from toolkit.collect.reader import read_workbook
from toolkit.forms.samples import fill_workbook
from toolkit.annex.write import annex_tables, write_annex_files
from toolkit.tasks.importer import import_tasks
from toolkit.forms.writer import write_templates

SEED_004 = Path(__file__).parent / "data" / "seeds" / "004_2317825042ac3b9f.txt"
HEADER = ["TT", "Nội dung", "Cơ quan chủ trì thực hiện", "Cơ quan phối hợp", "Thời gian thực hiện"]
TITLE = ("CÁC NHIỆM VỤ, GIẢI PHÁP TRIỂN KHAI THỰC HIỆN KẾ HOẠCH SỐ 740/KH-BCSD NGÀY 31/12/2024 "
         "CỦA BAN CÁN SỰ ĐẢNG UBND TỈNH LAI CHÂU")
ATTACHED = "(Kèm theo Kế hoạch số -/KH-UBND ngày tháng năm 2025 của UBND thành phố Lai Châu)"


@pytest.fixture(scope="module")
def lai_chau():
    return load("lai-chau-2025")


@pytest.fixture(scope="module")
def seed_matrix():
    return import_tasks(SEED_004)


@pytest.fixture(scope="module")
def matrix_files(lai_chau, tmp_path_factory):
    plan, roster = lai_chau
    folder = tmp_path_factory.mktemp("Phụ lục")
    paths = write_task_annexes(plan, roster, folder)
    return folder, [p.name for p in paths]


def seed_rows(matrix: dict) -> list[list[str]]:
    """The seed's matrix as printed rows: a group row, then its tasks."""
    rows = []
    for group in matrix["groups"]:
        rows.append([group["numeral"], group["title"], "", "", ""])
        rows.extend([t["tt"], t["content"], t["lead"], t["coordinating"], t["timeframe"]] for t in group["tasks"])
    return rows


def test_every_task_annex_in_three_formats(matrix_files):
    _, names = matrix_files
    assert names == ["Phu_luc_nhiem_vu.xlsx", "Phu_luc_nhiem_vu.docx", "Phu_luc_nhiem_vu.html",
                     "Phu_luc_tien_do.xlsx", "Phu_luc_tien_do.docx", "Phu_luc_tien_do.html"]


def test_xlsx_matrix_is_seed_004_row_for_row(matrix_files, seed_matrix):
    folder, _ = matrix_files
    sheet = openpyxl.load_workbook(folder / "Phu_luc_nhiem_vu.xlsx").worksheets[0]
    assert [sheet.cell(r, 1).value for r in (1, 2, 3)] == ["Phụ lục I", TITLE, ATTACHED]  # the plan has two annexes: each gets its numeral
    assert [c.value for c in sheet[5]] == HEADER
    assert sheet.print_title_rows == "$5:$5"  # the header repeats on every printed page
    body = [[c.value or "" for c in row] for row in sheet.iter_rows(min_row=6, max_col=5)]
    body = [row for row in body if any(row)]
    assert len(body) == 9 + 15
    assert body == seed_rows(seed_matrix)
    # Group rows: bold, the numeral on its own, the title across the other four columns.
    group_rows = [r for r in range(6, sheet.max_row + 1) if sheet.cell(r, 1).value in ("I", "IV", "IX")]
    assert len(group_rows) == 3
    for r in group_rows:
        assert sheet.cell(r, 1).font.b and sheet.cell(r, 2).font.b
        assert f"B{r}:E{r}" in {str(m) for m in sheet.merged_cells.ranges}
    assert not sheet.cell(7, 2).font.b  # a task row


def test_xlsx_and_docx_matrices_import_back_as_the_seed(matrix_files, seed_matrix):
    folder, _ = matrix_files
    for name in ("Phu_luc_nhiem_vu.xlsx", "Phu_luc_nhiem_vu.docx"):
        again = import_tasks(folder / name)
        assert again["groups"] == seed_matrix["groups"], name
        assert again["attached_to"] == ATTACHED


def test_docx_matrix_rows_and_repeated_header(matrix_files, seed_matrix):
    folder, _ = matrix_files
    document = docx.Document(str(folder / "Phu_luc_nhiem_vu.docx"))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[:3] == ["Phụ lục I", TITLE, ATTACHED]  # the plan has two annexes: each gets its numeral
    (table,) = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == HEADER
    header_flag = table.rows[0]._tr.trPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader")
    assert header_flag is not None
    # python-docx repeats a merged cell's text in each grid column it spans.
    expected = [[r[0], r[1], r[1], r[1], r[1]] if not r[2] and not r[4] else r for r in seed_rows(seed_matrix)]
    assert rows[1:] == expected
    group_run = table.rows[1].cells[1].paragraphs[0].runs[0]
    assert group_run.bold and group_run.text.startswith("Tăng cường sự lãnh đạo")


# The task sheet of a template: one row per task the unit leads or coordinates.

TASK_HEADER = ["TT", "Nội dung", "Vai trò", "Thời gian thực hiện", "Kết quả thực hiện", "Mức độ",
               "Khó khăn, vướng mắc", "Đề xuất"]


@pytest.fixture(scope="module")
def gddt_template(lai_chau, tmp_path_factory):
    plan, roster = lai_chau
    (path,) = write_templates(plan, roster, tmp_path_factory.mktemp("Biểu mẫu"), units=["PHONG_GDDT"])
    return path


def test_task_sheet_lists_the_units_tasks_with_its_role(gddt_template):
    book = openpyxl.load_workbook(gddt_template)
    assert book.sheetnames[:2] == ["Hướng dẫn", "Nhiệm vụ"]
    sheet = book["Nhiệm vụ"]
    assert [c.value for c in sheet[5]][1:9] == TASK_HEADER
    rows = [[c.value for c in row][1:5] for row in sheet.iter_rows(min_row=6)]
    groups = [r[0] for r in rows if r[0] and r[1] is None]
    assert groups[:2] == ["I. Tăng cường sự lãnh đạo, chỉ đạo của các cấp ủy đảng, sự quản lý của chính quyền các cấp "
                          "trong việc triển khai thực hiện Kết luận số 91-KL/TW",
                          "II. Hoàn thiện thể chế, chính sách; nâng cao hiệu quả quản lý nhà nước về giáo dục và đào tạo"]
    tasks = [r for r in rows if r[1]]
    assert len(tasks) == 15  # GD&ĐT leads 14 tasks and coordinates VII.1
    assert [(r[0], r[2], r[3]) for r in tasks[:3]] == [("1", "Chủ trì", "Thường xuyên"), ("2", "Chủ trì", "Năm 2025"),
                                                       ("1", "Chủ trì", "Giai đoạn 2025-2030")]
    assert [r[2] for r in tasks].count("Phối hợp") == 1
    (vii_1,) = [r for r in tasks if r[1].startswith("Đổi mới cơ chế quản lý")]
    assert vii_1[2] == "Phối hợp"


def test_task_inputs_are_named_validated_and_found_without_names(gddt_template, tmp_path):
    book = openpyxl.load_workbook(gddt_template)
    sheet = book["Nhiệm vụ"]
    (destination,) = book.defined_names["NV02_01__MUC_DO"].destinations
    assert destination[0] == "Nhiệm vụ"
    row = int(destination[1].split("$")[-1])
    assert sheet.cell(row, 3).value.startswith("Rà soát, sửa đổi, bổ sung")  # II.1
    assert destination[1] == f"$G${row}"
    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert rules[f"G{row}"].formula1 == '"Hoàn thành,Đang thực hiện,Chưa thực hiện"'
    # A workbook that lost its defined names still gives its answers through column A.
    sheet.cell(row, 6).value, sheet.cell(row, 9).value = "Đã tham mưu ban hành nghị quyết.", "Sớm ban hành."
    sheet.cell(row, 7).value = "Hoàn thành"
    for name in list(book.defined_names):
        del book.defined_names[name]
    book.save(tmp_path / "no_names.xlsx")
    raw = read_workbook(tmp_path / "no_names.xlsx")
    assert {k: raw.values[k] for k in ("NV02_01__KET_QUA", "NV02_01__MUC_DO", "NV02_01__DE_XUAT")} == {
        "NV02_01__KET_QUA": "Đã tham mưu ban hành nghị quyết.", "NV02_01__MUC_DO": "Hoàn thành",
        "NV02_01__DE_XUAT": "Sớm ban hành."}


# Progress: templates filled by a few agencies and one ward, collected, reported.

RESULT = "Đã ban hành Kế hoạch số 12/KH-PGDĐT; tổ chức quán triệt đến 100% cơ sở giáo dục."
LONG = ("Rà soát toàn bộ cơ sở vật chất của 24 trường; " * 40).strip()  # ~1.900 characters, never cut
TYPED_EQUALS = "=1+1 (gõ nhầm dấu bằng ở đầu)"  # must stay text everywhere
# A line break pasted from Word into Excel: a vertical tab, which Excel stores as _x000B_ and Word cannot hold.
WORD_LINE_BREAK = "Chưa đủ kinh phí._x000B_Đề nghị bổ sung."


def progress_values(roster) -> dict[str, dict[str, object]]:
    """What each unit typed, by unit code, written by hand from the scenario in the test below."""
    gddt = {}
    for task in ("NV01_01", "NV01_02", "NV02_01", "NV03_01", "NV04_01", "NV04_02", "NV06_01", "NV06_02",
                 "NV07_02", "NV08_01", "NV09_01"):
        gddt[f"{task}__MUC_DO"], gddt[f"{task}__KET_QUA"] = "Hoàn thành", RESULT
    gddt["NV02_01__KET_QUA"] = LONG
    gddt["NV04_03__MUC_DO"], gddt["NV04_03__KET_QUA"] = "Đang thực hiện", TYPED_EQUALS
    gddt["NV09_02__MUC_DO"], gddt["NV09_02__KET_QUA"] = "Chưa thực hiện", "Chờ hướng dẫn của tỉnh."
    gddt["NV07_01__MUC_DO"], gddt["NV07_01__KET_QUA"] = "Đang thực hiện", "Đã gửi dự toán."  # it only coordinates VII.1
    # V.1 (led by GD&ĐT alone) is left blank.
    tckh = {"NV07_01__MUC_DO": "Hoàn thành", "NV07_01__KET_QUA": "Đã bố trí kinh phí.",
            "NV07_01__DE_XUAT": "Tăng chi thường xuyên cho giáo dục.",
            "NV07_01__KHO_KHAN": WORD_LINE_BREAK,
            "NV01_01__MUC_DO": "Hoàn thành", "NV01_01__KET_QUA": "Đã quán triệt."}
    noi_vu = {"NV06_01__MUC_DO": "Chưa thực hiện", "NV06_01__KET_QUA": "Chưa có chỉ tiêu biên chế.",
              "NV06_01__KHO_KHAN": "Thiếu biên chế giáo viên.",
              "NV04_03__MUC_DO": "Hoàn thành", "NV04_03__KET_QUA": "Đã phối hợp tuyển sinh."}
    ward = {}
    for task in roster.get("P_TAN_PHONG").tasks:
        ward[f"{task}__MUC_DO"], ward[f"{task}__KET_QUA"] = "Hoàn thành", "Đã triển khai trên địa bàn phường."
    return {"PHONG_GDDT": gddt, "PHONG_TCKH": tckh, "PHONG_NOI_VU": noi_vu, "P_TAN_PHONG": ward}


@pytest.fixture(scope="module")
def progress_files(lai_chau, tmp_path_factory):
    plan, roster = lai_chau
    root = tmp_path_factory.mktemp("Tiến độ")
    typed = progress_values(roster)
    templates = write_templates(plan, roster, root / "bieu_mau", units=list(typed), workers=1)
    returns = root / "workbooks"
    returns.mkdir()
    for template in templates:
        values = typed[template.stem]
        out = fill_workbook(template, values, returns / template.name)
        if TYPED_EQUALS in values.values():  # a clerk's text starting with '=', stored as text
            book = openpyxl.load_workbook(out)
            for sheet, cell in book.defined_names["NV04_03__KET_QUA"].destinations:
                book[sheet][cell.replace("$", "")].data_type = "s"
            book.save(out)
    collection = collect(plan, roster, returns)
    paths = write_task_annexes(plan, roster, root / "out", collection.returns)
    return collection, {p.name: p for p in paths}


def progress_rows(path: Path) -> dict[str, list]:
    """Task rows of the progress sheet keyed 'numeral.TT' ('IV.3'; 'III.' for the unnumbered task)."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    keyed, group = {}, ""
    for row in sheet.iter_rows(min_row=6, max_col=9):
        values = [c.value for c in row]
        if values[8]:  # a task: its status is never blank
            keyed[f"{group}.{values[0] or ''}"] = values
        elif values[0] and values[1]:  # a group: numeral | title across
            group = values[0]
    return keyed


def test_collected_returns_carry_the_task_inputs(progress_files):
    collection, _ = progress_files
    assert sorted(collection.returns) == ["PHONG_GDDT", "PHONG_NOI_VU", "PHONG_TCKH", "P_TAN_PHONG"]
    assert collection.returns["PHONG_NOI_VU"].values["NV06_01__KHO_KHAN"] == "Thiếu biên chế giáo viên."


def test_progress_statuses_by_task(progress_files):
    _, paths = progress_files
    rows = progress_rows(paths["Phu_luc_tien_do.xlsx"])
    status = {key: row[8] for key, row in rows.items()}
    assert status == {
        "I.1": "Đang thực hiện",  # 18 leads; GD&ĐT, TC-KH and Tân Phong done, the others silent
        "I.2": "Đang thực hiện",
        "II.1": "Hoàn thành",
        "III.": "Đang thực hiện",  # the seed's task without a number
        "IV.1": "Đang thực hiện",
        "IV.2": "Hoàn thành",
        "IV.3": "Đang thực hiện",  # GD&ĐT still working, Nội vụ and Tân Phong done
        "V.1": "Chưa báo cáo",  # its only lead left it blank
        "VI.1": "Đang thực hiện",  # GD&ĐT done, Nội vụ not started
        "VI.2": "Hoàn thành",
        "VII.1": "Hoàn thành",  # led by TC-KH; GD&ĐT only coordinates
        "VII.2": "Đang thực hiện",
        "VIII.1": "Đang thực hiện",
        "IX.1": "Đang thực hiện",
        "IX.2": "Chưa thực hiện",
    }


def test_progress_lines_per_lead_and_silent_leads(progress_files):
    _, paths = progress_files
    rows = progress_rows(paths["Phu_luc_tien_do.xlsx"])
    # Eight leads: a count per status, and each unit's own line in the detail table at the end.
    assert rows["I.2"][5] == "2/8 đơn vị hoàn thành; 6 chưa báo cáo. Chi tiết từng đơn vị ở bảng cuối phụ lục."
    sheet = openpyxl.load_workbook(paths["Phu_luc_tien_do.xlsx"]).worksheets[0]
    values = [[c.value for c in row[:4]] for row in sheet.iter_rows()]
    start = values.index(["TT", "Đơn vị", "Mức độ", "Kết quả thực hiện"])
    assert values[start - 1][0] == "Chi tiết kết quả thực hiện theo đơn vị"
    task = next(i for i, row in enumerate(values) if i > start and row[0] == "I.2")
    assert values[task + 1:task + 4] == [
        ["1", "Phòng Giáo dục và Đào tạo", "Hoàn thành", RESULT],
        ["2", "UBND phường Tân Phong", "Hoàn thành", "Đã triển khai trên địa bàn phường."],
        ["3", "UBND phường Đoàn Kết", "Chưa báo cáo", ""],
    ]
    assert rows["V.1"][5] == "Phòng Giáo dục và Đào tạo: chưa báo cáo"
    assert rows["VII.1"][5] == "Phòng Tài chính - Kế hoạch: Hoàn thành – Đã bố trí kinh phí."
    assert rows["VII.1"][7] == "Phòng Tài chính - Kế hoạch: Tăng chi thường xuyên cho giáo dục."
    assert rows["VI.1"][6] == "Phòng Nội vụ: Thiếu biên chế giáo viên."
    # The matrix columns are the plan's texts as written.
    assert rows["VI.1"][2:5] == ["Phòng Giáo dục và Đào tạo, Phòng Nội vụ",
                                 "Phòng Nội vụ, các Phòng, ban, các cơ quan, đơn vị thành phố", "Hàng năm"]


def test_long_and_formula_like_text_stays_whole_text(progress_files):
    _, paths = progress_files
    sheet = openpyxl.load_workbook(paths["Phu_luc_tien_do.xlsx"]).worksheets[0]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    # Too long for one row (409 pt): it continues on the next rows of its column, every word kept, in order.
    column = " ".join(c.value for c in sheet["F"] if isinstance(c.value, str))
    assert " ".join(f"Phòng Giáo dục và Đào tạo: Hoàn thành – {LONG}".split()) in " ".join(column.split())
    (typed,) = [c for v, c in cells.items() if TYPED_EQUALS in v]
    assert typed.data_type == "s" and typed.value == TYPED_EQUALS  # IV.3 has 9 leads: its texts are in the detail table
    document = docx.Document(str(paths["Phu_luc_tien_do.docx"]))
    assert any(LONG in cell.text for cell in document.tables[0].columns[5].cells)
    html = paths["Phu_luc_tien_do.html"].read_text(encoding="utf-8")
    assert LONG in html and "<b>" not in html.split("<tbody>")[1]


def test_a_line_break_pasted_from_word_becomes_a_line_break(progress_files):
    collection, paths = progress_files
    assert collection.returns["PHONG_TCKH"].values["NV07_01__KHO_KHAN"] == "Chưa đủ kinh phí.\nĐề nghị bổ sung."
    document = docx.Document(str(paths["Phu_luc_tien_do.docx"]))
    assert any("Phòng Tài chính - Kế hoạch: Chưa đủ kinh phí.\nĐề nghị bổ sung." in cell.text
               for cell in document.tables[0].columns[6].cells)


def test_summary_table_counts_tasks_by_status(progress_files):
    _, paths = progress_files
    sheet = openpyxl.load_workbook(paths["Phu_luc_tien_do.xlsx"]).worksheets[0]
    values = [[c.value for c in row[:4]] for row in sheet.iter_rows()]
    start = values.index(["STT", "Tình trạng", "Số nhiệm vụ", "Tỷ lệ"])
    assert values[start - 1][0] == "Tổng hợp tình trạng thực hiện các nhiệm vụ"
    assert values[start + 1:start + 6] == [
        ["1", "Hoàn thành", "4", "26,7%"],
        ["2", "Đang thực hiện", "9", "60%"],
        ["3", "Chưa thực hiện", "1", "6,7%"],
        ["4", "Chưa báo cáo", "1", "6,7%"],
        ["", "Tổng số", "15", "100%"],
    ]
    document = docx.Document(str(paths["Phu_luc_tien_do.docx"]))
    summary = document.tables[1]
    assert [c.text for c in summary.rows[2].cells] == ["2", "Đang thực hiện", "9", "60%"]


def test_aggregate_with_no_returns_still_writes_the_task_annexes(lai_chau, tmp_path):
    plan, roster = lai_chau
    empty = tmp_path / "workbooks"
    empty.mkdir()
    outcome = aggregate(plan, roster, empty, tmp_path / "Kết quả")
    names = {p.name for p in outcome.annexes}
    assert {"Phu_luc_nhiem_vu.xlsx", "Phu_luc_nhiem_vu.docx", "Phu_luc_tien_do.xlsx"} <= names
    rows = progress_rows(tmp_path / "Kết quả" / "Phu_luc_tien_do.xlsx")
    assert {row[8] for row in rows.values()} == {"Chưa báo cáo"}
    assert outcome.checked.collection.statuses and all(s.status == "chua_nop" for s in outcome.checked.collection.statuses)


def write_task_annexes(plan, roster, folder, returns=None):
    """The task annexes alone (no results), as `aggregate` writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_annex_files(annex_tables(plan, roster, [], returns, kinds=("tasks", "progress")), folder)
