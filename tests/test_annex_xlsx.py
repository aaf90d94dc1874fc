"""Excel annexes print like the Word ones: long texts continue on the next rows, figures stay numbers."""

from __future__ import annotations

import openpyxl

from toolkit.annex.document import AnnexTable, Cell, Heading, Row
from toolkit.annex.xlsx import write_annex_xlsx

SCHOOLS = "\n".join(f"Trường Tiểu học số {i} xã Phong Hải: Hoàn thành – đã triển khai đầy đủ theo kế hoạch." for i in range(1, 61))
ESSAY = "Đã tổ chức tuyên truyền, quán triệt đến toàn thể cán bộ, giáo viên. " * 600  # 40,800 characters


def test_a_text_too_long_for_one_row_or_cell_continues_on_the_next_rows(tmp_path):
    table = AnnexTable("Phu_luc_IV", Heading("Phụ lục IV", "TIẾN ĐỘ", "(Kèm theo …)"),
                       [["TT", "Nội dung", "Kết quả thực hiện", "Khó khăn, vướng mắc"]], [6, 40, 50, 30])
    table.rows += [Row([Cell("1", "center"), Cell("Nhiệm vụ giao cho mọi trường"), Cell(SCHOOLS), Cell(ESSAY)]),
                   Row([Cell("2", "center"), Cell("Nhiệm vụ sau"), Cell("Hoàn thành"), Cell("")])]
    sheet = openpyxl.load_workbook(write_annex_xlsx(table, tmp_path / "a.xlsx")).worksheets[0]
    first = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "1")
    after = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "2")
    results = [sheet.cell(r, 3).value for r in range(first, after) if sheet.cell(r, 3).value]
    essay = [sheet.cell(r, 4).value for r in range(first, after) if sheet.cell(r, 4).value]
    assert "\n".join(results) == SCHOOLS  # whole schools' lines on each row, none cut
    assert " ".join(essay).split() == ESSAY.split()  # every word, in order
    assert all(len(text) <= 32767 for text in essay) and len(essay) > 2
    assert all(sheet.row_dimensions[r].height <= 409 for r in range(first, after))
    # The task's number and content span its rows: the rows read as one task.
    assert f"A{first}:A{after - 1}" in {str(m) for m in sheet.merged_cells.ranges}
    assert [sheet.cell(after, c).value for c in (2, 3)] == ["Nhiệm vụ sau", "Hoàn thành"]


def test_figures_are_numbers_printed_with_a_decimal_comma(tmp_path):
    table = AnnexTable("Phu_luc_II", Heading("Phụ lục II", "KẾT QUẢ", "(Kèm theo …)"),
                       [["STT", "Xã", "Tỷ lệ", "Số người"]], [6, 30, 12, 12])
    table.rows.append(Row([Cell("1", "center"), Cell("Xã Sơn Hà"), Cell("82,15%", "center", 82.15), Cell("4.512", "center", 4512)]))
    sheet = openpyxl.load_workbook(write_annex_xlsx(table, tmp_path / "b.xlsx")).worksheets[0]
    row = next(r for r in sheet.iter_rows() if r[1].value == "Xã Sơn Hà")
    assert (row[2].value, row[2].number_format) == (0.8215, "[$-42A]#,##0.00%")
    assert (row[3].value, row[3].number_format) == (4512, "[$-42A]#,##0")
