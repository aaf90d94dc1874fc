"""Task import: the PDF-extracted matrix of seed 004, the same matrix rebuilt as .docx and .xlsx; the
prose "TỔ CHỨC THỰC HIỆN" sections of seeds 000 and 003, as text and as Word paragraphs; errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from toolkit.core.errors import TasksImportError
from toolkit.tasks.importer import dump_tasks_yaml, import_tasks

SEEDS = Path(__file__).resolve().parent / "data" / "seeds"  # copies of ../shared/seeds
SEED = SEEDS / "004_2317825042ac3b9f.txt"
HEADER = ["TT", "Nội dung", "Cơ quan chủ trì thực hiện", "Cơ quan phối hợp", "Thời gian thực hiện"]

PGD = "Phòng Giáo dục và Đào tạo"
PGD_UBND = "Phòng Giáo dục và Đào tạo, UBND các xã, phường"
# (group, tt, lead, timeframe) of all 15 tasks, copied by hand from the seed.
EXPECTED = [
    ("I", "1", "Các phòng, ban, cơ quan, đơn vị thành phố UBND các xã, phường", "Thường xuyên"),
    ("I", "2", PGD_UBND, "Năm 2025"),
    ("II", "1", PGD, "Giai đoạn 2025-2030"),
    ("III", "", PGD_UBND, "Hằng năm"),
    ("IV", "1", PGD_UBND, "Thường xuyên"),
    ("IV", "2", PGD, "Hằng năm"),
    ("IV", "3", "Phòng Giáo dục và Đào tạo, phòng Nội vụ thành phố UBND các xã, phường", "Hằng năm"),
    ("V", "1", PGD, "Hàng năm"),
    ("VI", "1", "Phòng Giáo dục và Đào tạo, Phòng Nội vụ", "Hàng năm"),
    ("VI", "2", PGD, "Hằng năm"),
    ("VII", "1", "Phòng Tài chính - Kế hoạch", "Hằng năm"),
    ("VII", "2", PGD_UBND, "Hằng năm"),
    ("VIII", "1", PGD_UBND, "Thường xuyên"),
    ("IX", "1", PGD_UBND, "Thường xuyên"),
    ("IX", "2", PGD, "Theo kế hoạch của Trung ương, tỉnh"),
]
GROUP_STARTS = {
    "I": "Tăng cường sự lãnh đạo",
    "II": "Hoàn thiện thể chế",
    "III": "Phát triển mạng lưới",
    "IV": "Đổi mới, nâng cao",
    "V": "Đẩy mạnh chuyển đổi số",
    "VI": "Phát triển, nâng cao",
    "VII": "Đổi mới cơ chế",
    "VIII": "Đẩy mạnh hội nhập",
    "IX": "Công tác thanh tra",
}


@pytest.fixture(scope="module")
def seed() -> dict:
    return import_tasks(SEED)


def task(data: dict, numeral: str, index: int) -> dict:
    return next(g for g in data["groups"] if g["numeral"] == numeral)["tasks"][index]


# The text extracted from the PDF


def test_groups_and_tasks(seed):
    assert [g["numeral"] for g in seed["groups"]] == list(GROUP_STARTS)
    for group in seed["groups"]:
        assert group["title"].startswith(GROUP_STARTS[group["numeral"]])
    assert [len(g["tasks"]) for g in seed["groups"]] == [2, 1, 1, 3, 1, 2, 2, 1, 2]
    assert sum(len(g["tasks"]) for g in seed["groups"]) == 15
    assert seed["numbering"] == "per_group"


def test_tt_lead_and_timeframe_of_every_task(seed):
    found = [(g["numeral"], t["tt"], t["lead"], t["timeframe"]) for g in seed["groups"] for t in g["tasks"]]
    assert found == EXPECTED


def test_rows_broken_at_page_ends_are_joined(seed):
    ii1 = task(seed, "II", 0)
    assert ii1["content"].endswith("trên địa bản tỉnh; chính sách về phổ cập giáo dục, xóa mù chữ giai đoạn 2025-2030.")
    iv3 = task(seed, "IV", 2)
    assert iv3["content"].startswith("Tập trung đào tạo các ngành nghề gắn với nhu cầu thị trường lao động của địa phương;")
    assert iv3["coordinating"] == "Các Phòng, ban, các cơ quan, đơn vị thành phố"
    viii1 = task(seed, "VIII", 0)
    assert viii1["timeframe"] == "Thường xuyên"
    assert viii1["content"].startswith("Tiếp tục phối hợp với các tổ chức phi chính phủ để hỗ trợ, thúc đẩy phát triển của giáo dục")


def test_markup_is_stripped(seed):
    vi1 = task(seed, "VI", 0)["content"]
    assert not any(tag in vi1 for tag in ("<p>", "</p>", "<i>", "</i>"))
    assert "nguyên tắc “ có học sinh phải có giáo viên đứng lớp ” phù hợp" in vi1
    assert "chuyên môn nghiệp vụ. Tiếp tục triển khai lộ trình nâng trình độ chuẩn" in vi1
    assert "mầm non, phổ thông. Thực hiện đầy đủ các chính sách đối với nhà giáo" in vi1
    assert vi1.endswith("cho giáo viên theo quy định.")


def test_unnumbered_task_right_after_group_row(seed):
    group = next(g for g in seed["groups"] if g["numeral"] == "III")
    assert len(group["tasks"]) == 1
    assert group["tasks"][0]["tt"] == ""
    assert group["tasks"][0]["content"].startswith("Xây dựng kế hoạch phát triển giáo dục giai đoạn 2026-2030")
    assert group["tasks"][0]["content"].endswith("các trường mầm non, phổ thông.")


def test_heading_above_the_table(seed):
    assert seed["title"] == ("CÁC NHIỆM VỤ, GIẢI PHÁP TRIỂN KHAI THỰC HIỆN KẾ HOẠCH SỐ 740/KH-BCSD NGÀY 31/12/2024 "
                             "CỦA BAN CÁN SỰ ĐẢNG UBND TỈNH LAI CHÂU")
    assert seed["attached_to"] == "(Kèm theo Kế hoạch số -/KH-UBND ngày tháng năm 2025 của UBND thành phố Lai Châu)"


def test_bom_and_crlf_are_tolerated(seed, tmp_path):
    copy = tmp_path / "ma_tran.tsv"
    copy.write_bytes(b"\xef\xbb\xbf" + SEED.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8"))
    assert import_tasks(copy) == seed


def test_yaml_round_trip(seed, tmp_path):
    out = tmp_path / "sub" / "plan-tasks.yaml"
    dump_tasks_yaml(seed, out)
    text = out.read_text(encoding="utf-8")
    assert "Tăng cường sự lãnh đạo" in text  # allow_unicode: no \u escapes
    assert text.index("title:") < text.index("numbering:") < text.index("groups:")
    assert yaml.safe_load(text) == seed
    assert [p.name for p in out.parent.iterdir()] == ["plan-tasks.yaml"]  # no temp file left


# The same matrix typed into Word and Excel


def write_docx(data: dict, path: Path, extra_rows: list[list[str]] = ()) -> None:
    import docx

    document = docx.Document()
    for line in ("Phụ lục:", data["title"], data["attached_to"]):
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=5)
    for cell, text in zip(table.rows[0].cells, HEADER):
        cell.text = text
    for group in data["groups"]:
        cells = table.add_row().cells
        cells[0].text = group["numeral"]
        cells[1].merge(cells[4]).text = group["title"]
        for item in group["tasks"]:
            row = table.add_row().cells
            for cell, key in zip(row, ("tt", "content", "lead", "coordinating", "timeframe")):
                cell.text = item[key]
    for values in extra_rows:
        for cell, text in zip(table.add_row().cells, values):
            cell.text = text
    document.save(str(path))


def write_xlsx(data: dict, path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])
    sheet.append([data["title"]])
    sheet.append(HEADER)
    for group in data["groups"]:
        sheet.append([group["numeral"], group["title"]])
        sheet.merge_cells(start_row=sheet.max_row, start_column=2, end_row=sheet.max_row, end_column=5)
        for item in group["tasks"]:
            tt = int(item["tt"]) if item["tt"].isdigit() else None  # Excel users type numbers
            sheet.append([tt, item["content"], item["lead"], item["coordinating"], item["timeframe"]])
    book.save(str(path))


def test_docx_gives_the_same_matrix(seed, tmp_path):
    path = tmp_path / "phu_luc.docx"
    write_docx(seed, path)
    imported = import_tasks(path)
    assert imported["groups"] == seed["groups"]
    assert imported["numbering"] == "per_group"
    assert (imported["title"], imported["attached_to"]) == (seed["title"], seed["attached_to"])


def test_xlsx_gives_the_same_matrix(seed, tmp_path):
    path = tmp_path / "phu_luc.xlsx"
    write_xlsx(seed, path)
    imported = import_tasks(path)
    assert imported["groups"] == seed["groups"]
    assert imported["numbering"] == "per_group"


def test_docx_row_without_tt_after_a_task_continues_it(tmp_path):
    data = {"title": "Nhiệm vụ", "attached_to": "", "groups": [
        {"numeral": "I", "title": "Nhóm một", "tasks": [
            {"tt": "1", "content": "Phần đầu", "lead": "Phòng Giáo", "coordinating": "", "timeframe": "Thường"}]}]}
    path = tmp_path / "noi_dong.docx"
    write_docx(data, path, extra_rows=[["", "phần sau.", "dục và Đào tạo", "UBND các xã", "xuyên"]])
    assert import_tasks(path)["groups"][0]["tasks"] == [
        {"tt": "1", "content": "Phần đầu phần sau.", "lead": "Phòng Giáo dục và Đào tạo",
         "coordinating": "UBND các xã", "timeframe": "Thường xuyên"}]


def test_xlsx_columns_are_found_by_header_text(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Ghi chú"
    sheet = book.create_sheet("Nhiệm vụ")
    sheet.append(["THỜI GIAN", "CƠ QUAN PHỐI HỢP", "NOI DUNG", "STT", "Cơ quan chủ trì"])
    sheet.append([None, None, "Nhóm một", "I", None])
    sheet.append(["Quý I", "Các trường", "Rà soát", 1, "Phòng Giáo dục và Đào tạo"])
    sheet.append(["Quý II", None, "Tổng kết", 2, "Phòng Nội vụ"])
    sheet.append([None, None, "Nhóm hai", "II", None])
    sheet.append(["Năm 2026", None, "Báo cáo", 3, "Phòng Giáo dục và Đào tạo"])
    path = tmp_path / "dao_cot.xlsx"
    book.save(str(path))
    imported = import_tasks(path)
    assert imported["numbering"] == "continuous"
    assert imported["groups"][0]["tasks"][0] == {
        "tt": "1", "content": "Rà soát", "lead": "Phòng Giáo dục và Đào tạo",
        "coordinating": "Các trường", "timeframe": "Quý I"}
    assert [t["tt"] for g in imported["groups"] for t in g["tasks"]] == ["1", "2", "3"]


# Tasks given in prose: section "TỔ CHỨC THỰC HIỆN", agency by agency (seeds 000 and 003)

# (agency heading, number of dash bullets) of seed 000 §III, typed from the seed.
SEED_000_AGENCIES = [
    ("Phòng Giáo dục và Đào tạo", 3), ("Phòng Kinh tế và Hạ tầng", 2), ("Phòng Tài Chính - Kế hoạch", 2),
    ("Phòng Tài nguyên và Môi trường", 1), ("Phòng Nội vụ", 3), ("Phòng Lao động - Thương binh và Xã hội", 4),
    ("Phòng Nông nghiệp và Phát triển nông thôn", 3), ("Trung tâm Y tế", 1),
    ("Phòng Văn hóa và Thông tin; Trung tâm Văn hóa, Thể thao - Truyền thông huyện", 2),
    ("UBND các xã, thị trấn", 4), ("Trung tâm Giáo dục nghề nghiệp và Giáo dục thường xuyên huyện", 1),
    ("Các trường THPT, PTDTNT THCS&THPT trên địa bàn huyện", 1),
    ("Đề nghị Ủy ban MTTQ Việt Nam và các tổ chức đoàn thể huyện", 2),
]
# Seed 003 §IV (markdown headings "##### **1. Phòng …**"), typed from the seed.
SEED_003_AGENCIES = [
    ("Phòng Giáo dục và Đào tạo", 6), ("Phòng Lao động - Thương binh và Xã hội", 2), ("Phòng Tài chính - Kế hoạch", 3),
    ("Phòng Nội vụ", 2), ("Phòng Nông nghiệp và Phát triển nông thôn", 3), ("Phòng Tài nguyên và Môi trường", 2),
    ("Phòng Văn hóa - Thông tin huyện", 1), ("Đề nghị các Đồn Biên phòng đóng trên địa bàn huyện", 2),
    ("Đề nghị Đoàn Kinh tế - Quốc phòng 356", 1), ("Các trường mầm non, tiểu học, trung học cơ sở", 4),
    ("Các trường trung học phổ thông", 1), ("Trung tâm Giáo dục nghề nghiệp và Giáo dục thường xuyên", 1),
    ("Ủy ban nhân dân các xã, thị trấn", 3), ("Các phòng, ban, ngành, đoàn thể, các tổ chức có liên quan", 1),
    ("Đề nghị Liên đoàn Lao động huyện", 2), ("Đề nghị Hội Liên hiệp Phụ nữ huyện", 2), ("Hội Khuyến học huyện", 3),
    ("Đề nghị Đoàn Thanh niên cộng sản Hồ Chí Minh huyện", 2), ("Chế độ thông tin, báo cáo", 1),
]


@pytest.fixture(scope="module")
def prose_000() -> dict:
    return import_tasks(SEEDS / "000_0bc486564d99e410.txt")


def test_prose_section_gives_one_group_per_agency_and_one_task_per_bullet(prose_000):
    assert [(g["title"], len(g["tasks"])) for g in prose_000["groups"]] == SEED_000_AGENCIES
    assert [g["numeral"] for g in prose_000["groups"][:4]] == ["I", "II", "III", "IV"]
    assert prose_000["groups"][-1]["numeral"] == "XIII"
    assert [t["tt"] for t in prose_000["groups"][5]["tasks"]] == ["1", "2", "3", "4"]
    assert prose_000["numbering"] == "per_group"


def test_each_task_is_led_by_its_agency_and_a_request_names_the_body_asked(prose_000):
    for group in prose_000["groups"][:12]:
        assert {t["lead"] for t in group["tasks"]} == {group["title"]}
    assert {t["lead"] for t in prose_000["groups"][12]["tasks"]} == {"Ủy ban MTTQ Việt Nam và các tổ chức đoàn thể huyện"}


def test_the_bodies_a_task_works_with_coordinate_it(prose_000):
    coordinating = [(g["numeral"], t["tt"], t["coordinating"]) for g in prose_000["groups"] for t in g["tasks"] if t["coordinating"]]
    assert coordinating[:3] == [
        ("I", "1", "Phòng Kinh tế - Hạ tầng và các Phòng, ban, ngành, UBND các xã, thị trấn"),  # "… chủ trì phối hợp với … triển khai"
        ("II", "1", "Phòng GD&ĐT"),  # "Phối hợp với Phòng GD&ĐT tham mưu …"
        ("III", "1", "Phòng Giáo dục và Đào tạo, Phòng Kinh tế - Hạ tầng"),
    ]
    assert ("X", "4", "Phòng Lao động, Thương binh và Xã hội") in coordinating
    # "Tuyên truyền, vận động nhân dân …" works with no one named.
    assert prose_000["groups"][0]["tasks"][1]["coordinating"] == ""
    phong_tho = import_tasks(SEEDS / "003_5df4422a17ba763e.txt")
    # "các tổ chức đoàn thể" names bodies: "tổ chức" is not the verb that ends the list here.
    assert phong_tho["groups"][9]["tasks"][1]["coordinating"] == "các cấp chính quyền, các tổ chức đoàn thể"


def test_lines_wrapped_by_the_pdf_extraction_are_joined(prose_000):
    noi_vu = prose_000["groups"][4]["tasks"]
    assert noi_vu[2]["content"] == (
        "Thực hiện tốt các chế độ chính sách đối với viên chức, tham mưu cho UBND huyện xây dựng cơ chế, "
        "chính sách thu hút nguồn nhân lực có chất lượng cao, trọng dụng nhân tài, sử dụng hiệu quả nguồn nhân "
        "lực hiện có của địa phương.")
    # A paragraph without dashes is the agency's one task; a task on the heading line too.
    assert prose_000["groups"][7]["tasks"][0]["content"].startswith("Chủ trì xây dựng kế hoạch thực hiện chương trình")
    assert prose_000["groups"][3]["tasks"][0]["content"].startswith("Chủ trì, phối hợp với các ngành chức năng tham mưu")
    # The closing paragraph ("Trên đây là kế hoạch…") and the signature are no task.
    last = prose_000["groups"][-1]["tasks"][-1]["content"]
    assert last.endswith("gia đình và học sinh.") and "Trên đây" not in last and "Nơi nhận" not in last


def test_markdown_headings_and_emphasis_are_read_as_text():
    imported = import_tasks(SEEDS / "003_5df4422a17ba763e.txt")
    assert [(g["title"], len(g["tasks"])) for g in imported["groups"]] == SEED_003_AGENCIES
    khuyen_hoc = imported["groups"][16]["tasks"][2]["content"]
    assert "xếp loại “Công dân học tập”, “Gia đình học tập”" in khuyen_hoc and "*" not in khuyen_hoc
    assert imported["groups"][7]["tasks"][0]["lead"] == "Các Đồn Biên phòng đóng trên địa bàn huyện"


def test_the_prose_section_typed_into_word_gives_the_same_tasks(prose_000, tmp_path):
    import docx

    document = docx.Document()
    for line in ("KẾ HOẠCH", "II. NỘI DUNG KẾ HOẠCH", "1. Một số chỉ tiêu chính phấn đấu năm 2022", "III. TỔ CHỨC THỰC HIỆN"):
        document.add_paragraph(line)
    for number, group in enumerate(prose_000["groups"], start=1):
        document.add_paragraph(f"{number}. {group['title']}")
        for item in group["tasks"]:
            document.add_paragraph(f"- {item['content']}")
    document.add_paragraph("Trên đây là kế hoạch năm 2022.")
    path = tmp_path / "ke_hoach.docx"
    document.save(str(path))
    assert import_tasks(path)["groups"] == prose_000["groups"]


# Errors name the file and, where it applies, the line


def import_error(path: Path) -> str:
    with pytest.raises(TasksImportError) as caught:
        import_tasks(path)
    return str(caught.value)


def test_text_without_header(tmp_path):
    path = tmp_path / "khong_tieu_de.txt"
    path.write_text("I\tNhóm một\t\t\t\n1\tViệc một\tPhòng Giáo dục và Đào tạo\t\tHằng năm\n", encoding="utf-8")
    message = import_error(path)
    assert "khong_tieu_de.txt" in message
    assert "không tìm thấy bảng nhiệm vụ" in message
    assert "“TT”" in message and "“Nội dung”" in message
    assert "“TỔ CHỨC THỰC HIỆN”" in message


def test_task_before_any_group(tmp_path):
    path = tmp_path / "thieu_nhom.txt"
    path.write_text("\t".join(HEADER) + "\n1\tViệc một\tPhòng Giáo dục và Đào tạo\t\tHằng năm\n", encoding="utf-8")
    message = import_error(path)
    assert "thieu_nhom.txt" in message
    assert "dòng 2" in message
    assert "nhiệm vụ nằm trước nhóm đầu tiên" in message


def test_docx_without_table(tmp_path):
    import docx

    path = tmp_path / "khong_bang.docx"
    document = docx.Document()
    document.add_paragraph("Kế hoạch không có phụ lục nhiệm vụ.")
    document.save(str(path))
    message = import_error(path)
    assert "khong_bang.docx" in message
    assert "không tìm thấy bảng nhiệm vụ" in message


def test_unreadable_files(tmp_path):
    broken = tmp_path / "hong.docx"
    broken.write_bytes(b"not a zip file")
    message = import_error(broken)
    assert "hong.docx" in message and "Không đọc được tệp" in message

    legacy = tmp_path / "cu.doc"
    legacy.write_bytes(b"")
    message = import_error(legacy)
    assert "cu.doc" in message and "không hỗ trợ định dạng “.doc”" in message

    latin = tmp_path / "ma_khac.txt"
    latin.write_bytes("TT\tNôi dung\n".encode("latin-1"))  # an old 8-bit encoding
    message = import_error(latin)
    assert "ma_khac.txt" in message and "UTF-8" in message
