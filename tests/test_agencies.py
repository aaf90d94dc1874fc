"""Agency texts of task matrices matched to roster units, as people and PDF extraction write them."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml

from toolkit.tasks.agencies import match_agencies, match_tasks
from toolkit.spec.model import TaskList
from toolkit.jobs.pipeline import load_roster
from toolkit.spec.load import load_plan
from toolkit.tasks.importer import import_tasks

HERE = Path(__file__).resolve().parent
SEED_004 = HERE / "data" / "seeds" / "004_2317825042ac3b9f.txt"
BUNDLED = HERE.parent / "toolkit" / "bundled"

AGENCIES = ["PHONG_GDDT", "PHONG_TCKH", "PHONG_NOI_VU", "PHONG_VHTT", "TT_VHTTTT", "PHONG_TNMT", "TT_PTQD",
            "PHONG_LDTBXH", "PHONG_KINH_TE", "PHONG_QLDT", "PHONG_Y_TE"]
WARDS = ["P_TAN_PHONG", "P_DOAN_KET", "P_QUYET_THANG", "P_QUYET_TIEN", "P_DONG_PHONG", "XA_SAN_THANG", "XA_SUNG_PHAI"]


@pytest.fixture(scope="module")
def lai_chau():
    plan = load_plan("lai-chau-2025")
    return plan, list(load_roster(plan.roster_path, plan))


def codes(text, plan, units):
    found, fragments = match_agencies(text, plan, units)
    return [u.code for u in found], fragments


def test_bundled_task_list_is_the_seed_imported():
    committed = yaml.safe_load((BUNDLED / "lai-chau-2025" / "plan-tasks.yaml").read_text(encoding="utf-8"))
    assert committed == import_tasks(SEED_004)


def test_seed_004_leads_and_coordinators(lai_chau):
    plan, units = lai_chau
    assignment = match_tasks(plan, units)
    assert assignment.unmatched == ()
    # I.1: two glued group phrases, "… đơn vị thành phố UBND các xã, phường": everyone leads.
    assert assignment.leads["NV01_01"] == tuple(AGENCIES + WARDS)
    assert assignment.coordinators["NV01_01"] == ()
    # I.2: no coordinating agency at all.
    assert assignment.leads["NV01_02"] == tuple(["PHONG_GDDT"] + WARDS)
    assert assignment.coordinators["NV01_02"] == ()
    # III: "Phòng Kế hoạch - Tài chính" is the unit "Phòng Tài chính - Kế hoạch"; "trung tâm phát
    # triển quỹ đất" in lower case; "các phòng ban, ban, địa phương" are the plan's group phrases.
    assert assignment.coordinators["NV03_01"][:3] == ("PHONG_TCKH", "PHONG_TNMT", "TT_PTQD")
    assert set(assignment.coordinators["NV03_01"]) == set(AGENCIES) - {"PHONG_GDDT"}
    # IV.3: "Phòng Giáo dục và Đào tạo, phòng Nội vụ thành phố UBND các xã, phường".
    assert assignment.leads["NV04_03"] == tuple(["PHONG_GDDT", "PHONG_NOI_VU"] + WARDS)
    # V.1: "Phòng Văn hóa và Thông tin thành phố, Trung tâm Văn hoá, Thể thao và Truyền thông - thành
    # phố Lai Châu; các Phòng, ban, các cơ quan, đơn vị thành phố, UBND các xã/phường".
    assert assignment.leads["NV05_01"] == ("PHONG_GDDT",)
    assert assignment.coordinators["NV05_01"][:2] == ("PHONG_VHTT", "TT_VHTTTT")
    assert set(assignment.coordinators["NV05_01"]) == set(AGENCIES + WARDS) - {"PHONG_GDDT"}
    # VI.1: Phòng Nội vụ is named as lead and as coordinator: it leads.
    assert assignment.leads["NV06_01"] == ("PHONG_GDDT", "PHONG_NOI_VU")
    assert "PHONG_NOI_VU" not in assignment.coordinators["NV06_01"]
    # VII.1: led by Phòng Tài chính - Kế hoạch, GD&ĐT coordinates.
    assert assignment.leads["NV07_01"] == ("PHONG_TCKH",)
    assert assignment.role("NV07_01", "PHONG_GDDT") == "Phối hợp"
    assert assignment.role("NV07_01", "PHONG_TCKH") == "Chủ trì"


def test_units_carry_their_tasks_in_plan_order(lai_chau):
    plan, units = lai_chau
    by_code = {u.code: u for u in units}
    # A ward leads or coordinates everything but II.1 and VI.1 (agencies only).
    assert by_code["XA_SUNG_PHAI"].tasks == ("NV01_01", "NV01_02", "NV03_01", "NV04_01", "NV04_02", "NV04_03",
                                             "NV05_01", "NV06_02", "NV07_01", "NV07_02", "NV08_01", "NV09_01", "NV09_02")
    # Phòng Y tế is named only through the group phrases: everything but I.2.
    assert "NV01_02" not in by_code["PHONG_Y_TE"].tasks and len(by_code["PHONG_Y_TE"].tasks) == 14


def test_a_name_written_almost_like_a_unit_says_which_alias_to_add(lai_chau):
    plan, units = lai_chau
    tasks = TaskList(groups=[{"numeral": "I", "title": "Nhóm", "tasks": [
        {"tt": "1", "content": "Việc một", "lead": "Phòng Tài nguyen và Môi trường", "coordinating": ""}]}])
    assignment = match_tasks(plan.model_copy(update={"tasks": tasks}), units)
    assert assignment.unmatched == (
        "Nhiệm vụ I.1, cơ quan chủ trì: không nhận ra “Phòng Tài nguyen và Môi trường”; nếu đó là "
        "Phòng Tài nguyên và Môi trường, thêm vào plan.yaml, mục agencies → aliases: "
        "“PHONG_TNMT: [Phòng Tài nguyen và Môi trường]”",)


def test_unmatched_fragments_are_listed_with_task_and_role(lai_chau):
    plan, units = lai_chau
    tasks = TaskList(groups=[{"numeral": "I", "title": "Nhóm", "tasks": [
        {"tt": "1", "content": "Việc một", "lead": "Ban Dân tộc, Phòng GD&ĐT", "coordinating": "Công an thành phố, Phòng Nội vụ; Hội Khuyến học"},
        {"tt": "2", "content": "Việc hai", "lead": "", "coordinating": "Phòng Nội vụ"},
    ]}])
    plan = plan.model_copy(update={"tasks": tasks})
    assignment = match_tasks(plan, units)
    assert assignment.leads == {"NV01_01": ("PHONG_GDDT",), "NV01_02": ()}
    assert assignment.unmatched == (
        "Nhiệm vụ I.1, cơ quan chủ trì: không nhận ra “Ban Dân tộc”",
        "Nhiệm vụ I.1, cơ quan phối hợp: không nhận ra “Công an thành phố”",
        "Nhiệm vụ I.1, cơ quan phối hợp: không nhận ra “Hội Khuyến học”",
        "Nhiệm vụ I.2: chưa ghi cơ quan chủ trì",
    )


@pytest.mark.parametrize("text, expected", [
    ("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", ["PHONG_GDDT"]),
    ("Phòng GD&ĐT", ["PHONG_GDDT"]),
    ("Phòng GD-ĐT", ["PHONG_GDDT"]),
    ("Phòng Giáo dục", ["PHONG_GDDT"]),  # the plan's alias
    ("Phòng TC-KH", ["PHONG_TCKH"]),
    ("Phòng Kế hoạch và Tài chính huyện", ["PHONG_TCKH"]),
    ("Phòng Văn hoá - Thông tin", ["PHONG_VHTT"]),  # hoá: tone on the other vowel
    ("phòng VH&TT thành phố Lai Châu", ["PHONG_VHTT"]),
    ("Phòng LĐ-TB&XH", ["PHONG_LDTBXH"]),
    ("TT Văn hóa, Thể thao - Truyền thông", ["TT_VHTTTT"]),
    ("Uỷ ban nhân dân phường Tân Phong", ["P_TAN_PHONG"]),  # Uỷ/Ủy
    ("phường Quyết Thắng; xã Sùng Phài", ["P_QUYET_THANG", "XA_SUNG_PHAI"]),
])
def test_ways_of_writing_a_name(lai_chau, text, expected):
    plan, units = lai_chau
    assert codes(text, plan, units) == (expected, [])


def test_decomposed_unicode_matches(lai_chau):
    plan, units = lai_chau
    decomposed = unicodedata.normalize("NFD", "Phòng Tài nguyên và Môi trường, UBND xã San Thàng")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    assert codes(decomposed, plan, units) == (["PHONG_TNMT", "XA_SAN_THANG"], [])


def test_words_that_only_join_names_are_not_reported(lai_chau):
    plan, units = lai_chau
    assert codes("Phòng Nội vụ; và các Phòng Y tế, ", plan, units) == (["PHONG_NOI_VU", "PHONG_Y_TE"], [])
    # A level word alone, not after a name, is not the issuer's suffix of anything.
    assert codes("thành phố", plan, units) == ([], ["thành phố"])


def test_bao_thang_agencies_and_communes_get_their_tasks(plan, roster):
    """Seed 000 §III: every agency of the roster and every commune has tasks; the two
    paragraphs naming bodies outside the roster (THPT schools, MTTQ) are reported."""
    for unit in roster:
        if unit.kind in ("co_quan", "xa"):
            assert unit.tasks, unit.code
        else:
            assert unit.tasks == (), unit.code
    notes = roster.unmatched_agencies
    assert [n for n in notes if "XII" in n or "XIII" in n] == list(notes)
    assert any("“Các trường THPT”" in n for n in notes) and any("Ủy ban MTTQ" in n for n in notes)
    by_code = {u.code: u for u in roster}
    # "Phối hợp với Phòng GD&ĐT …" (paragraph 2, Phòng Kinh tế và Hạ tầng): GD&ĐT coordinates II.1.
    assert "NV02_01" in by_code["PHONG_GDDT"].tasks
    # Paragraph 10 "UBND các xã, thị trấn": every commune leads its tasks.
    assert by_code["TT_PHO_LU"].tasks[:1] == ("NV01_01",)  # coordinates I.1 (GD&ĐT's first bullet)
    assert "NV10_01" in by_code["XA_XUAN_GIAO"].tasks


@pytest.mark.parametrize(("level", "place"), [("xã", "Long Hồ"), ("phường", "Tân Phong"), ("đặc khu", "Côn Đảo"),
                                             ("tỉnh", "Lai Châu")])
def test_after_the_2025_reform_the_issuers_own_commune_or_province_follows_a_name(lai_chau, level, place):
    plan, units = lai_chau
    issued_by = plan.model_copy(update={"area": plan.area.model_copy(update={"name": f"{level} {place}"})})
    assert codes(f"Phòng Nội vụ {level} {place}", issued_by, units) == (["PHONG_NOI_VU"], [])
    assert codes(f"Phòng Nội vụ {level}, Phòng Giáo dục và Đào tạo", issued_by, units) == (["PHONG_NOI_VU", "PHONG_GDDT"], [])
