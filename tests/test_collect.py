"""Collecting a folder of returns: who sent what, every problem, and nobody's data spoiled by another's file."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import random
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from toolkit.collect.folder import collect
from toolkit.jobs.pipeline import load_roster
from toolkit.forms.samples import fill_workbook, make_returns, sample_values, set_saved_at
from toolkit.spec.load import load_plan
from toolkit.forms.writer import write_template, write_templates


@pytest.fixture(scope="module")
def templates(plan, roster, tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("templates")


@pytest.fixture(scope="module")
def all_templates(plan, roster, templates) -> Path:
    write_templates(plan, roster, templates, workers=1)
    return templates


def expected_count(plan, roster) -> int:
    """Units of the example that have something to fill in."""
    return sum(1 for unit in roster if plan.input_names(unit))


def values_of(plan, roster, code: str, seed: int = 1) -> dict:
    return sample_values(plan, roster.get(code), random.Random(seed))


def codes(collection) -> list[tuple[str, str, str]]:
    """(code, unit, file name) of every problem, sorted."""
    return sorted((i.code, i.unit, Path(i.file).name if i.file else "") for i in collection.issues)


def test_clean_returns_of_every_unit_are_all_accepted(plan, roster, all_templates, tmp_path):
    # Real files from every template of the example, filled with sample values: nothing to report.
    make_returns(plan, roster, all_templates, tmp_path / "returns", seed=5, mistakes=False)
    reported = []
    collection = collect(plan, roster, tmp_path / "returns", on_progress=lambda *report: reported.append(report))
    assert collection.issues == [] and collection.skipped == []
    files = len(list((tmp_path / "returns").iterdir()))  # read in worker processes, reported as each one is done
    assert reported == [("returns", done, files) for done in range(files + 1)]
    assert len(collection.returns) == expected_count(plan, roster)
    assert collections.Counter(s.status for s in collection.statuses) == {"da_nop": expected_count(plan, roster)}


def test_make_returns_plants_the_mistakes_pgds_meet(plan, roster, all_templates, tmp_path):
    make_returns(plan, roster, all_templates, tmp_path / "returns", seed=2022)
    collection = collect(plan, roster, tmp_path / "returns")
    assert collections.Counter(i.code for i in collection.issues) == {
        "not-submitted": 4, "number-as-text": 1, "check-broken": 1, "required": 1, "bad-choice": 1, "duplicate-file": 1}
    assert sorted(Path(i.file).name for i in collection.skipped) == ["Thumbs.db", "~$MN_PHO_LU_1.xlsx"]
    sent_clean = expected_count(plan, roster) - 3 - 4
    assert collections.Counter(s.status for s in collection.statuses) == {"da_nop": sent_clean, "co_loi": 3, "chua_nop": 4}
    # One file is named after the school, not its code: it is recognised by its content.
    renamed = [s for s in collection.statuses if s.file and Path(s.file).stem == s.unit.name]
    assert len(renamed) == 1 and renamed[0].status == "da_nop"


def other_plan(plan, tmp_path: Path, old: str, new: str):
    """The bundled plan with one line of its spec changed."""
    folder = shutil.copytree(plan.path.parent, tmp_path / "plan")
    spec = folder / "plan.yaml"
    text = spec.read_text(encoding="utf-8")
    assert old in text
    spec.write_text(text.replace(old, new, 1), encoding="utf-8")
    changed = load_plan(spec)
    return changed, load_roster(changed.roster_path, changed)


def test_bad_files_are_reported_on_their_own_and_spoil_nobody_else(plan, roster, templates, tmp_path):
    folder = tmp_path / "returns"
    (folder / "Zalo").mkdir(parents=True)
    good = values_of(plan, roster, "XA_BAN_CAM")
    fill_workbook(write_template(plan, roster, roster.get("XA_BAN_CAM"), templates / "XA_BAN_CAM.xlsx"), good,
                  folder / "XA_BAN_CAM.xlsx")
    nested = values_of(plan, roster, "XA_GIA_PHU")
    fill_workbook(write_template(plan, roster, roster.get("XA_GIA_PHU"), templates / "XA_GIA_PHU.xlsx"), nested,
                  folder / "Zalo" / "Báo cáo xã Gia Phú.xlsx")

    plain = openpyxl.Workbook()
    plain.active["A1"] = "Danh sách học sinh"
    plain.save(folder / "danh_sach.xlsx")
    next_year, next_roster = other_plan(plan, tmp_path / "next", "code: bao-thang-2022", "code: bao-thang-2023")
    write_template(next_year, next_roster, next_roster.get("XA_THAI_NIEN"), folder / "XA_THAI_NIEN_2023.xlsx")
    edited, edited_roster = other_plan(plan, tmp_path / "edited", "label: Số trẻ 0-2 tuổi trên địa bàn",
                                       "label: Số trẻ từ 0 đến 2 tuổi trên địa bàn")
    write_template(edited, edited_roster, edited_roster.get("XA_PHONG_NIEN"), folder / "XA_PHONG_NIEN.xlsx")
    stranger = dataclasses.replace(roster.get("XA_BAN_CAM"), code="XA_KHONG_CO")
    write_template(plan, roster, stranger, folder / "XA_KHONG_CO.xlsx")
    whole = (folder / "XA_BAN_CAM.xlsx").read_bytes()
    (folder / "XA_XUAN_QUANG.xlsx").write_bytes(whole[: len(whole) // 2])
    (folder / "phan_hoi").mkdir()  # last round's feedback copies, left in the returns folder
    shutil.copyfile(folder / "XA_BAN_CAM.xlsx", folder / "phan_hoi" / "XA_BAN_CAM.xlsx")
    for junk in ("~$XA_BAN_CAM.xlsx", ".~lock.XA_BAN_CAM.xlsx#", "Thumbs.db", "desktop.ini", "Công văn.pdf"):
        (folder / junk).write_bytes(b"%PDF-1.4" if junk.endswith(".pdf") else b"\0" * 32)

    collection = collect(plan, roster, folder)

    assert [i for i in codes(collection) if i[0] != "not-submitted"] == [
        ("corrupt-file", "", "XA_XUAN_QUANG.xlsx"),
        ("foreign-workbook", "", "danh_sach.xlsx"),
        ("other-plan", "", "XA_THAI_NIEN_2023.xlsx"),
        ("outdated-template", "XA_PHONG_NIEN", "XA_PHONG_NIEN.xlsx"),
        ("unknown-unit", "XA_KHONG_CO", "XA_KHONG_CO.xlsx"),
    ]
    messages = {i.code: i.message for i in collection.issues}
    assert messages["other-plan"] == "Biểu mẫu thuộc kế hoạch khác (bao-thang-2023), không phải kế hoạch bao-thang-2022."
    assert edited.version in messages["outdated-template"] and plan.version in messages["outdated-template"]
    assert messages["unknown-unit"] == "Mã đơn vị XA_KHONG_CO trong ô MA_DON_VI không có trong danh sách đơn vị."
    assert sorted(Path(i.file).name for i in collection.skipped) == [
        ".~lock.XA_BAN_CAM.xlsx#", "Công văn.pdf", "Thumbs.db", "XA_BAN_CAM.xlsx", "desktop.ini", "~$XA_BAN_CAM.xlsx"]
    assert {i.severity for i in collection.skipped} == {"warning"}

    # The two good files count in full, the sub-folder one too.
    assert dict(collection.returns["XA_BAN_CAM"].values) == good
    assert dict(collection.returns["XA_GIA_PHU"].values) == nested
    assert set(collection.returns) == {"XA_BAN_CAM", "XA_GIA_PHU"}
    status = {s.unit.code: s.status for s in collection.statuses}
    assert (status["XA_BAN_CAM"], status["XA_GIA_PHU"], status["XA_PHONG_NIEN"], status["XA_THAI_NIEN"]) == (
        "da_nop", "da_nop", "co_loi", "chua_nop")


def test_an_empty_or_missing_folder_means_nobody_has_sent_anything(plan, roster, tmp_path):
    (tmp_path / "empty").mkdir()
    for folder in (tmp_path / "empty", tmp_path / "missing"):
        collection = collect(plan, roster, folder)
        everyone = expected_count(plan, roster)
        assert collections.Counter(s.status for s in collection.statuses) == {"chua_nop": everyone}
        assert collections.Counter(i.code for i in collection.issues) == {"not-submitted": everyone}
        assert collection.issues[0].message == "Đơn vị chưa gửi báo cáo."


def test_of_two_files_for_one_unit_the_one_saved_last_counts(plan, roster, templates, tmp_path):
    template = write_template(plan, roster, roster.get("XA_BAN_CAM"), templates / "XA_BAN_CAM.xlsx")
    values = values_of(plan, roster, "XA_BAN_CAM")
    first = fill_workbook(template, {**values, "XMC_SO_NGUOI": 5}, tmp_path / "XA_BAN_CAM.xlsx")
    second = fill_workbook(template, {**values, "XMC_SO_NGUOI": 9}, tmp_path / "XA_BAN_CAM (1).xlsx")
    set_saved_at(first, dt.datetime(2022, 12, 8, 16, 30))
    set_saved_at(second, dt.datetime(2022, 12, 5, 9, 0))
    # Copied around by Zalo, the older file got the newer modification time on disk.
    (tmp_path / "XA_BAN_CAM (1).xlsx").touch()

    collection = collect(plan, roster, tmp_path)
    assert collection.returns["XA_BAN_CAM"].values["XMC_SO_NGUOI"] == 5
    assert collection.returns["XA_BAN_CAM"].saved_at == "2022-12-08T16:30:00"
    (duplicate,) = [i for i in collection.issues if i.code == "duplicate-file"]
    assert (Path(duplicate.file).name, duplicate.severity) == ("XA_BAN_CAM (1).xlsx", "warning")
    assert duplicate.message == "Đơn vị XA_BAN_CAM gửi nhiều tệp; dùng tệp lưu sau cùng XA_BAN_CAM.xlsx, bỏ qua tệp này."


def test_what_a_clerk_does_to_the_identity_of_a_file(plan, roster, templates, tmp_path):
    made = {code: write_template(plan, roster, roster.get(code), templates / f"{code}.xlsx")
            for code in ("XA_BAN_CAM", "XA_GIA_PHU", "XA_SON_HA")}
    # The unit code typed over in lower case: still XA_BAN_CAM.
    fill_workbook(made["XA_BAN_CAM"], {**values_of(plan, roster, "XA_BAN_CAM"), "MA_DON_VI": "xa_ban_cam"},
                  tmp_path / "ban_cam.xlsx")
    # The hidden _meta sheet deleted: the file says whose it is, but not which plan or version.
    book = openpyxl.load_workbook(fill_workbook(made["XA_GIA_PHU"], values_of(plan, roster, "XA_GIA_PHU"),
                                                tmp_path / "gia_phu.xlsx"))
    del book["_meta"]
    book.save(tmp_path / "gia_phu.xlsx")
    # Saved on a computer whose clock runs a year ahead.
    ahead = fill_workbook(made["XA_SON_HA"], values_of(plan, roster, "XA_SON_HA"), tmp_path / "son_ha.xlsx")
    set_saved_at(ahead, dt.datetime.now() + dt.timedelta(days=365))

    collection = collect(plan, roster, tmp_path)
    assert sorted(collection.returns) == ["XA_BAN_CAM", "XA_SON_HA"]
    assert [i for i in codes(collection) if i[0] != "not-submitted"] == [
        ("future-save-time", "XA_SON_HA", "son_ha.xlsx"),
        ("missing-meta", "XA_GIA_PHU", "gia_phu.xlsx"),
    ]
    assert next(s for s in collection.statuses if s.unit.code == "XA_GIA_PHU").status == "co_loi"  # sent, but unusable
    message = {i.code: i.message for i in collection.issues}["missing-meta"]
    assert message.startswith("Tệp đã mất trang thông tin ẩn “_meta” của biểu mẫu")


@pytest.mark.libreoffice
def test_returns_saved_as_ods_and_xls_by_libreoffice_are_collected(soffice, plan, roster, templates, tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    for code in ("XA_BAN_CAM", "XA_GIA_PHU"):
        template = write_template(plan, roster, roster.get(code), templates / f"{code}.xlsx")
        fill_workbook(template, {**values_of(plan, roster, code), "RL_0_2": 100000}, sources / f"{code}.xlsx")
    returns = tmp_path / "returns"
    for code, target_format in (("XA_BAN_CAM", "ods"), ("XA_GIA_PHU", "xls")):
        subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                        "--convert-to", target_format, "--outdir", str(returns), str(sources / f"{code}.xlsx")],
                       check=True, capture_output=True, timeout=180)

    collection = collect(plan, roster, returns)
    assert set(collection.returns) == {"XA_BAN_CAM", "XA_GIA_PHU"}
    assert [(i.code, i.unit, i.field) for i in collection.issues if i.code != "not-submitted"] == [
        ("check-broken", "XA_BAN_CAM", "RL_0_2"), ("check-broken", "XA_GIA_PHU", "RL_0_2")]
    assert collection.returns["XA_GIA_PHU"].values["DS_15_60"] == values_of(plan, roster, "XA_GIA_PHU")["DS_15_60"]
