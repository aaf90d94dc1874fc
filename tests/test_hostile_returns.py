"""Nothing a school sends stops the run or changes another unit's figure: one test per class of bad
file, each built for real, showing its message and that the other units' results are unchanged."""

from __future__ import annotations

import os
import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from toolkit.core.errors import render

from hostile import (add_sheets, assert_others_unchanged, collect_quietly, make_clean_returns, one_cell_sheet, rewrite,
                     sheet_part)

BAD = "XA_BAN_CAM"  # the unit whose file is spoiled in each test


@pytest.fixture(scope="module")
def clean(plan, roster, tmp_path_factory):
    """(folder of clean returns, their collection, the files by unit)."""
    root = tmp_path_factory.mktemp("clean")
    sent = make_clean_returns(plan, roster, root)
    return root / "returns", collect_quietly(plan, roster, root / "returns"), sent


@pytest.fixture
def folder(clean, tmp_path) -> Path:
    """A fresh copy of the clean returns, to add or spoil files in."""
    return shutil.copytree(clean[0], tmp_path / "workbooks")


def issues_of(collection, file_name: str) -> list[tuple[str, str, str, str]]:
    return [(i.code, i.sheet, i.cell, i.field) for i in collection.issues if Path(i.file).name == file_name]


# A value that cannot be converted is that cell's error


@pytest.mark.parametrize("stored", ["NaN", "inf", "1e400", "-INF"])
def test_a_number_cell_holding_no_finite_number_is_that_cells_error(plan, roster, clean, folder, stored):
    baseline = clean[1]
    part = sheet_part(folder / f"{BAD}.xlsx", "Số liệu")
    number = baseline.returns[BAD].values["DS_0_2"]
    rewrite(clean[2][BAD], folder / f"{BAD}.xlsx", part,
            lambda xml: re.sub(rb'(<c r="E7"[^>]*><v>)%d(</v>)' % number, rb"\g<1>" + stored.encode() + rb"\g<2>", xml))
    collection = collect_quietly(plan, roster, folder)
    assert issues_of(collection, f"{BAD}.xlsx") == [("not-a-number", "Số liệu", "E7", "DS_0_2")]
    message = next(i.message for i in collection.issues if i.code == "not-a-number")
    assert message == f'Số trẻ 0-2 tuổi trên địa bàn: "{stored.upper().replace("1E400", "INF")}" không phải là số.'
    # The unit sent its file: every other value of it still counts.
    accepted = collection.returns[BAD]
    assert "DS_0_2" in accepted.failed
    assert {k: v for k, v in accepted.values.items()} == {k: v for k, v in baseline.returns[BAD].values.items() if k != "DS_0_2"}
    assert_others_unchanged(plan, roster, collection, baseline, {BAD})


@pytest.mark.parametrize("zone", ["UTC", "Asia/Ho_Chi_Minh"])
def test_a_save_time_of_year_9999_is_flagged_not_fatal(plan, roster, clean, folder, zone, monkeypatch):
    import time

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        rewrite(clean[2][BAD], folder / f"{BAD}.xlsx", "docProps/core.xml",
                lambda xml: re.sub(rb"(<dcterms:modified[^>]*>)[^<]+", rb"\g<1>9999-12-31T23:59:59Z", xml))
        collection = collect_quietly(plan, roster, folder)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert issues_of(collection, f"{BAD}.xlsx") == [("future-save-time", "", "", "")]
    assert dict(collection.returns[BAD].values) == dict(clean[1].returns[BAD].values)
    assert_others_unchanged(plan, roster, collection, clean[1], {BAD})


# Outputs carry nothing a submitter typed as a formula


def test_roster_names_starting_like_a_formula_reach_no_csv_output_as_one(edited_example, tmp_path):
    import csv

    from toolkit.aggregate.compute import compute
    from toolkit.annex.write import write_results_csv
    from toolkit.jobs.pipeline import check, load

    plan_path = edited_example(lambda data: None)
    roster_file = plan_path.parent / "units.csv"
    names = {"XA_BAN_CAM": '=HYPERLINK("http://example.invalid","Bấm")', "XA_GIA_PHU": "+84 xã", "XA_XUAN_QUANG": "-1 xã",
             "TT_PHO_LU": "@SUM(1)"}
    rows = list(csv.DictReader(roster_file.read_text(encoding="utf-8").splitlines()))
    for row in rows:
        row["name"] = names.get(row["code"], row["name"])
    with roster_file.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    plan, roster = load(plan_path)
    (tmp_path / "workbooks").mkdir()
    check(plan, roster, tmp_path / "workbooks", tmp_path / "output")  # everyone: not submitted
    write_results_csv(plan, compute(plan, roster, {}), tmp_path / "output" / "ket_qua.csv")
    for output, column in (("ket_qua.csv", "scope_name"), ("kiem_tra.csv", "unit_name")):
        found = list(csv.DictReader((tmp_path / "output" / output).read_text(encoding="utf-8-sig").splitlines()))
        shown = {row[column] for row in found}
        assert {"'" + name for name in names.values()} <= shown, output
        assert not [value for row in found for value in row.values() if value and value[0] in "=+@"], output
    # Numbers stay numbers: only text columns are escaped.
    results = list(csv.DictReader((tmp_path / "output" / "ket_qua.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert {row["expected"] for row in results} <= {str(n) for n in range(100)}


# Bounded cost per file, whatever its shape


def test_a_worker_that_dies_or_hangs_is_one_items_problem():
    from misbehaving import misbehave
    from toolkit.core.isolation import isolated_map

    items = ["a", "die", "b", "hang", "c", "d"]
    started = time.monotonic()
    got = {index: (result, failure) for index, result, failure in
           isolated_map(misbehave, items, (), workers=2, seconds=3, memory=1 << 30)}
    assert got == {0: ("A", None), 1: (None, "worker-died"), 2: ("B", None), 3: (None, "worker-timeout"),
                   4: ("C", None), 5: ("D", None)}
    assert time.monotonic() - started < 30


def test_workers_started_early_do_the_work_and_one_that_died_meanwhile_is_replaced():
    import multiprocessing
    import signal

    from misbehaving import misbehave
    from toolkit.core.isolation import isolated_map, start_early

    before = set(multiprocessing.active_children())
    start_early(misbehave, 2, memory=1 << 30)
    dead, alive = [process for process in multiprocessing.active_children() if process not in before]
    os.kill(dead.pid, signal.SIGKILL)
    dead.join()
    answers = [(result, failure) for _, result, failure in
               isolated_map(misbehave, ["pid"] * 16, (), workers=2, seconds=30, memory=1 << 30)]
    assert all(failure is None for _, failure in answers) and len(answers) == 16
    pids = {int(result) for result, _ in answers}
    assert alive.pid in pids and dead.pid not in pids and len(pids) == 2  # the dead one's place taken by a new worker


def test_a_worker_handed_over_to_the_next_task_does_it_without_starting_a_process(monkeypatch):
    import multiprocessing

    from misbehaving import misbehave, pid_and
    from toolkit.core.isolation import isolated_map

    def maps_handing_over() -> set[str]:
        return {result for _, result, _ in isolated_map(misbehave, ["pid"] * 40, (), workers=2, seconds=30,
                                                        memory=1 << 30, then=pid_and)}

    before = set(multiprocessing.active_children())
    readers = maps_handing_over() | maps_handing_over()
    assert len(set(multiprocessing.active_children()) - before) == 1  # mapped twice: still one worker kept

    def no_new_process(*_):
        raise AssertionError("a new worker was started")

    monkeypatch.setattr("toolkit.core.isolation._spawn", no_new_process)
    answers = [result for _, result, _ in isolated_map(pid_and, ["x", "y", "z"], (), workers=1, seconds=30, memory=1 << 30)]
    assert [answer.split(":")[1] for answer in answers] == ["X", "Y", "Z"]
    assert {answer.split(":")[0] for answer in answers} <= readers


def test_a_command_reads_even_a_few_returns_in_the_one_worker_it_started_early(plan, roster, clean, monkeypatch):
    import multiprocessing

    from toolkit.collect import start_readers

    before = set(multiprocessing.active_children())
    start_readers(clean[0])  # as `toolkit check` does before loading its plan
    assert len(set(multiprocessing.active_children()) - before) == 1  # a few files: one worker is enough

    def not_here(*_):
        raise AssertionError("read in the main process, without the worker's time and memory budget")

    monkeypatch.setattr("toolkit.collect.folder.check_unit", not_here)  # here only: the worker has its own
    in_worker = collect_quietly(plan, roster, clean[0])
    assert {code: dict(sent.values) for code, sent in in_worker.returns.items()} == \
        {code: dict(sent.values) for code, sent in clean[1].returns.items()} and in_worker.returns
    assert sorted(i.message for i in in_worker.issues) == sorted(i.message for i in clean[1].issues)


@pytest.fixture
def in_workers(monkeypatch):
    """Read even a handful of files in worker processes, as a province-sized folder is read."""
    monkeypatch.setattr("toolkit.collect.folder.SMALL_BATCH", 0)


def test_sixty_tiny_sheets_reaching_row_1999999_are_refused_by_the_files_budget(plan, roster, clean, folder, in_workers):
    sheets = {f"Trang {n}": one_cell_sheet("A1999999") for n in range(60)}
    bad = add_sheets(clean[2][BAD], folder / "sixty.xlsx", sheets)
    assert bad.stat().st_size < 100_000
    started = time.monotonic()
    collection = collect_quietly(plan, roster, folder)
    assert time.monotonic() - started < 60
    (refusal,) = [i for i in collection.issues if Path(i.file).name == "sixty.xlsx"]
    assert refusal.code == "too-large"
    assert re.search(r"trang “Trang \d+” rộng tới ô A1999999; các trang của tệp cộng lại vượt 4\.000\.000 ô", refusal.message)
    # The unit's clean file in the same folder is still its return.
    assert dict(collection.returns[BAD].values) == dict(clean[1].returns[BAD].values)
    assert_others_unchanged(plan, roster, collection, clean[1], set())


def test_a_file_past_its_workers_memory_is_reported_and_the_run_goes_on(plan, roster, clean, folder, in_workers, monkeypatch):
    # Within the cell budget but past the worker's memory: calamine's allocation aborts the process.
    monkeypatch.setattr("toolkit.collect.folder.WORKER_MEMORY", 200 << 20)
    monkeypatch.setattr("toolkit.collect.folder.FILE_SECONDS", 20)
    (folder / f"{BAD}.xlsx").unlink()
    add_sheets(clean[2][BAD], folder / f"{BAD}.xlsx", {"Dài": one_cell_sheet("D700000")})
    collection = collect_quietly(plan, roster, folder)
    (failure,) = [i for i in collection.issues if i.unit == "" and Path(i.file).name == f"{BAD}.xlsx"]
    # Where the allocation fails decides how: Python's MemoryError, calamine's abort, or its panic that never returns.
    assert (failure.code, failure.message) in {
        ("too-large", "Tệp có nội dung giải nén quá lớn (đọc tệp cần quá nhiều bộ nhớ), có thể là tệp độc hại; đã bỏ qua."),
        ("worker-died", render("worker-died")), ("worker-timeout", render("worker-timeout", seconds=20))}
    assert BAD not in collection.returns
    assert_others_unchanged(plan, roster, collection, clean[1], {BAD})


# The folder as it really is


def test_copies_saved_at_the_same_moment_are_a_tie_named_with_both_files(plan, roster, clean, folder):
    import datetime as dt

    from toolkit.forms.samples import fill_workbook, set_saved_at

    moment = dt.datetime(2022, 12, 10, 9, 30)
    sent = clean[2][BAD]
    changed = dict(clean[1].returns[BAD].values, DS_0_2=clean[1].returns[BAD].values["DS_0_2"] + 1)
    set_saved_at(shutil.copyfile(sent, folder / f"{BAD}.xlsx"), moment)
    set_saved_at(fill_workbook(sent, changed, folder / "ban_sua.xlsx"), moment)
    shutil.copyfile(folder / f"{BAD}.xlsx", folder / "ban_chep.xlsx")  # the same file again, from another e-mail
    collection = collect_quietly(plan, roster, folder)
    tied = sorted((Path(i.file).name, i.code, i.severity) for i in collection.issues if i.unit == BAD)
    assert tied == [(f"{BAD}.xlsx", "tied-copies", "error"), ("ban_chep.xlsx", "tied-copies", "error"),
                    ("ban_sua.xlsx", "tied-copies", "error")]
    message = next(i.message for i in collection.issues if i.code == "tied-copies")
    assert message.startswith(f"Đơn vị {BAD} gửi các tệp ") and "cùng ghi thời điểm lưu 09:30:00 10/12/2022" in message
    assert all(name in message for name in (f"{BAD}.xlsx", "ban_sua.xlsx", "ban_chep.xlsx"))
    assert BAD not in collection.returns
    assert {s.unit.code: s.label for s in collection.statuses}[BAD] == "Nộp nhưng có lỗi"
    assert_others_unchanged(plan, roster, collection, clean[1], {BAD})

    (folder / "ban_sua.xlsx").unlink()  # identical copies only: no doubt which data, one is used
    collection = collect_quietly(plan, roster, folder)
    (same,) = [i for i in collection.issues if i.unit == BAD]
    used = collection.returns[BAD].file.name
    assert same.code == "same-copy" and {Path(same.file).name, used} == {f"{BAD}.xlsx", "ban_chep.xlsx"}
    assert same.message == f"Đơn vị {BAD} gửi nhiều bản giống hệt nhau (cùng thời điểm lưu, cùng số liệu); dùng {used}, bỏ qua bản này."
    assert dict(collection.returns[BAD].values) == dict(clean[1].returns[BAD].values)


def test_files_that_vanish_or_change_while_the_folder_is_read_end_nothing(plan, roster, clean, folder, monkeypatch):
    from toolkit.collect import folder as folder_module

    copy = shutil.copyfile(clean[2][BAD], folder / "A_ban_sao.xlsx")  # read first
    gone = (folder / "TH_PHO_LU_1.xlsx").rename(folder / "zz_TH_PHO_LU_1.xlsx")  # read last
    real_read = folder_module.read_workbook

    def sync_client_meanwhile(path):  # as OneDrive or Google Drive moves files while the run reads them
        if Path(path) == folder / f"{BAD}.xlsx":
            copy.unlink()  # already read: it vanishes before the choice between the unit's copies
            gone.unlink()  # listed, not yet read
        return real_read(path)

    monkeypatch.setattr(folder_module, "read_workbook", sync_client_meanwhile)
    collection = collect_quietly(plan, roster, folder)
    assert [(i.code, i.message) for i in collection.issues if Path(i.file).name == gone.name] == [(
        "corrupt-file", "Tệp bị hỏng hoặc không đầy đủ, không mở được (không mở được tệp để đọc (tệp đã bị chuyển đi, "
        "bị khóa hoặc không có quyền đọc)). Đề nghị đơn vị gửi lại tệp.")]
    assert BAD in collection.returns
    assert_others_unchanged(plan, roster, collection, clean[1], {"TH_PHO_LU_1"})


def sha256_of(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_runs_outputs_are_one_set_with_its_record_even_inside_the_workbooks_folder(plan, roster, clean, folder):
    import json

    from toolkit.forms.samples import fill_workbook
    from toolkit.jobs.pipeline import check

    output = folder / "ket_qua_kiem_tra"  # the office put the output folder among the returns
    spoiled = fill_workbook(clean[2][BAD], {"DS_0_2": "nhiều"}, folder / f"{BAD}.xlsx")
    first = check(plan, roster, folder, output)
    assert (output / "phan_hoi" / f"{BAD}.xlsx") in first.reports  # its bad cell is marked for the unit
    record = json.loads((output / "lan_chay.json").read_text(encoding="utf-8"))
    assert record["command"] == "check" and record["plan"]["version"] == plan.version
    assert record["inputs"] == {path.name: sha256_of(path) for path in sorted(folder.glob("*.xlsx"))}
    assert record["outputs"] == {p.relative_to(output).as_posix(): sha256_of(p) for p in sorted(first.reports)}

    # A run killed while writing leaves its staging folder; the next run clears it and reads none of its outputs.
    (output / ".dang_ghi.killed").mkdir()
    (output / ".dang_ghi.killed" / "kiem_tra.csv").write_text("nửa chừng", encoding="utf-8")
    shutil.copyfile(clean[2][BAD], spoiled)  # the unit sent its corrected file
    second = check(plan, roster, folder, output)
    skipped = [(i.code, i.message) for i in second.collection.skipped]
    assert skipped == [("skipped-folder", f"Bỏ qua thư mục {output} ({len(first.reports) + 1} tệp): đây là thư mục kết quả "
                        "do công cụ ghi ra, không phải báo cáo đơn vị gửi; nên để thư mục kết quả ngoài thư mục báo cáo nhận về.")]
    assert [i for i in second.collection.issues if i.file] == []
    assert_others_unchanged(plan, roster, second.collection, clean[1], set())
    # Last run's feedback copy is gone with it: the folder holds exactly this run's outputs, as its record says.
    left = sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file())
    record = json.loads((output / "lan_chay.json").read_text(encoding="utf-8"))
    assert left == sorted([*record["outputs"], "lan_chay.json"]) == ["Kiem_tra.xlsx", "kiem_tra.csv", "lan_chay.json"]
    assert all(sha256_of(output / name) == digest for name, digest in record["outputs"].items())


# Cells that moved are never read as another field


@pytest.fixture(scope="module")
def rearranged(clean, soffice, lo_profile, tmp_path_factory):
    """The kindergarten's clean return, changed in the real LibreOffice as clerks change it:
    name -> the file saved as .xlsx."""
    import json
    import subprocess

    from test_libreoffice_roundtrip import LO_FILL, python_with_uno
    from toolkit.collect.reader import read_workbook

    python = python_with_uno()
    if python is None:
        pytest.skip("no Python with LibreOffice's uno module (install python3-uno)")
    source = clean[2][SCHOOL]
    names = read_workbook(source).names
    grid_row = names["GV__MN__TONG"].row + 1
    first, last = names["HS__NT__TONG"].row + 1, names["HS__MG5__TONG"].row + 1
    edits = {
        "column_deleted": [["delete_column", "Số liệu", "F"]],
        "cell_shifted_left": [["delete_cell", "Số liệu", f"F{grid_row}"]],
        "rows_sorted": [["sort", "Số liệu", f"A{first}:H{last}", 5, False]],  # fewest girls first, as a clerk might
    }
    folder = tmp_path_factory.mktemp("rearranged")
    fills = [{"template": str(source), "values": {}, "edits": steps, "save": {"xlsx": str(folder / f"{label}.xlsx")}}
             for label, steps in edits.items()]
    job = folder / "job.json"
    job.write_text(json.dumps({"soffice": soffice, "profile": str(lo_profile), "fills": fills}), encoding="utf-8")
    done = subprocess.run([python, str(LO_FILL), str(job)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return {label: folder / f"{label}.xlsx" for label in edits}


SCHOOL = "MN_PHO_LU_1"


@pytest.mark.libreoffice
@pytest.mark.parametrize("edit", ["column_deleted", "cell_shifted_left", "rows_sorted"])
def test_cells_moved_in_libreoffice_are_reported_never_read_as_another_field(plan, roster, clean, folder, rearranged, edit):
    shutil.copyfile(rearranged[edit], folder / f"{SCHOOL}.xlsx")
    collection = collect_quietly(plan, roster, folder)
    found = {(i.code, i.field) for i in collection.issues if i.unit == SCHOOL}
    clean_values = clean[1].returns[SCHOOL].values
    accepted = collection.returns[SCHOOL]
    girls, minorities = ({("deleted-cell" if edit == "column_deleted" else "moved-cell", f"HS__{row}__{column}")
                          for row in ("NT", "MG3", "MG4", "MG5")} for column in ("NU", "DTTS"))
    assert found == {
        "column_deleted": {("deleted-cell", "GV__MN__DAT_CHUAN"), ("moved-cell", "GV__MN__TREN_CHUAN"), *girls,
                           *{("moved-cell", name) for _, name in minorities}},
        "cell_shifted_left": {("deleted-cell", "GV__MN__DAT_CHUAN"), ("moved-cell", "GV__MN__TREN_CHUAN")},
        "rows_sorted": {("moved-cell", f"HS__{row}__{column}") for row in ("NT", "MG3", "MG4", "MG5")
                        for column in ("TONG", "NU", "DTTS")},
    }[edit]
    # Whatever is still taken from the file is exactly what the clerk typed for that field.
    assert all(clean_values[name] == value for name, value in accepted.values.items())
    assert {name for _, name in found} <= accepted.failed
    assert_others_unchanged(plan, roster, collection, clean[1], {SCHOOL})


# Text no writer can carry


def test_characters_no_writer_can_carry_are_cleaned_with_a_warning_and_long_texts_kept_whole(plan, roster, clean, folder, tmp_path):
    from toolkit.annex.docx import write_annex_docx
    from toolkit.annex.write import annex_tables
    from toolkit.collect.checks import input_cells
    from toolkit.forms.samples import fill_workbook

    values = clean[1].returns[BAD].values
    task, other = sorted(name for name in values if name.endswith("__KET_QUA"))[:2]
    long_text = "Kết quả thực hiện chi tiết theo từng thôn, bản. " * 800  # 38,400 characters: past Excel's 32,767
    # openpyxl refuses these characters and cuts long texts: they are put into the file's strings as Excel writes them.
    placed = fill_workbook(clean[2][BAD], {task: "PLACE_1", other: "PLACE_2"}, tmp_path / "placed.xlsx")
    rewrite(placed, folder / f"{BAD}.xlsx", sheet_part(placed, "Nhiệm vụ"), lambda xml: xml.replace(
        "PLACE_1".encode(), "Đã hoàn thành\ufffe kế hoạch\uffff_x0001_ năm".encode()).replace("PLACE_2".encode(), long_text.encode()))
    collection = collect_quietly(plan, roster, folder)
    issues = {(i.code, i.field): i.message for i in collection.issues if i.unit == BAD}
    label = next(label for name, _, label in input_cells(plan, roster.get(BAD)) if name == task)
    assert issues[("unwritable-text", task)] == (f"{label}: nội dung có 3 ký tự điều khiển hoặc ký tự không in được (thường do "
                                                 "chép từ phần mềm khác); đã bỏ các ký tự này, giữ phần còn lại.")
    assert ("long-text", other) in issues
    accepted = collection.returns[BAD].values
    assert accepted[task] == "Đã hoàn thành kế hoạch năm" and accepted[other] == long_text.strip()
    assert_others_unchanged(plan, roster, collection, clean[1], {BAD})
    # The Word annex of task progress, which lxml refused to write with those characters, is written.
    (table,) = annex_tables(plan, roster, [], collection.returns, kinds=("progress",))
    assert write_annex_docx(table, tmp_path / "tien_do.docx").stat().st_size > 0


# Roster files as offices save them


def windows_1258(text: str) -> bytes:
    """Text as Excel's "CSV" writes it on a Vietnamese Windows: Windows-1258 has â, ê, ô, ơ, ư, ă, đ
    precomposed and the five tones as combining marks."""
    import unicodedata

    tones = "\u0300\u0301\u0303\u0309\u0323"
    encoded = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        encoded.append((base + "".join(c for c in parts if c in tones)).encode("cp1258"))
    return b"".join(encoded)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom", "windows-1258", "utf-8"])
def test_roster_csvs_saved_as_offices_save_them_are_read(plan, roster, tmp_path, encoding):
    from toolkit.spec.roster import read_roster

    text = plan.roster_path.read_text(encoding="utf-8")
    data = {"utf-16": text.encode("utf-16"), "utf-16-be-bom": "\ufeff".encode("utf-16-be") + text.encode("utf-16-be"),
            "windows-1258": windows_1258(text), "utf-8": text.encode("utf-8")}[encoding]
    (tmp_path / "units.csv").write_bytes(data)
    assert read_roster(tmp_path / "units.csv", plan).units == read_roster(plan.roster_path, plan).units


def test_a_roster_in_an_encoding_that_could_only_be_guessed_says_how_to_save_it(plan, tmp_path):
    from toolkit.core.errors import RosterError
    from toolkit.spec.roster import read_roster

    # TCVN3 (ABC fonts) bytes for "Trường": still found in old offices, and no detector tells it apart.
    (tmp_path / "units.csv").write_bytes(b"code,name,kind\nTH_1,Tr\xad\xeanng Ti\xd6u h\xe4c,truong\n")
    with pytest.raises(RosterError) as refused:
        read_roster(tmp_path / "units.csv", plan)
    [problem] = refused.value.problems
    assert (problem.code, problem.location.file) == ("roster-not-unicode", str(tmp_path / "units.csv"))
    assert problem.message == ("Danh sách đơn vị không ở dạng chữ Unicode (UTF-8) nên không đọc được tiếng Việt. Hãy mở tệp "
                               "bằng Excel, chọn Lưu thành (Save As) kiểu “CSV UTF-8 (Comma delimited)”, hoặc dùng tệp "
                               ".xlsx, rồi chạy lại.")


def test_a_yaml_complex_key_is_a_vietnamese_message_not_a_traceback(edited_example):
    from toolkit.core.errors import SpecError
    from toolkit.spec.load import load_plan

    path = edited_example(lambda data: None)
    path.write_text(path.read_text(encoding="utf-8") + "? [a, b]\n: 1\n", encoding="utf-8")
    with pytest.raises(SpecError, match="khóa phải là một tên, không được là danh sách hay bảng"):
        load_plan(path)


# Every format real programs write


STRICT = [(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
          (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
           b"http://purl.oclc.org/ooxml/officeDocument/relationships")]


def as_strict(source: Path, target: Path) -> Path:
    """The workbook as Excel saves it as "Strict Open XML": the same parts under purl.oclc.org namespaces."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item)
            for old, new in STRICT if item.filename.endswith((".xml", ".rels")) else []:
                data = data.replace(old, new)
            copy.writestr(item, data)
    return target


def test_strict_open_xml_is_read_with_its_names_and_formulas(plan, roster, clean, folder, tmp_path):
    from toolkit.forms.samples import fill_workbook

    typed = fill_workbook(clean[2][BAD], {"RL_0_2": "=DS_0_2/3"}, tmp_path / "formula.xlsx")
    as_strict(typed, folder / f"{BAD}.xlsx")
    collection = collect_quietly(plan, roster, folder)
    assert issues_of(collection, f"{BAD}.xlsx") == [("formula", "Số liệu", "E8", "RL_0_2")]
    expected = {k: v for k, v in clean[1].returns[BAD].values.items() if k != "RL_0_2"}
    assert dict(collection.returns[BAD].values) == expected
    assert_others_unchanged(plan, roster, collection, clean[1], {BAD})


def test_gnumerics_ods_is_read(plan, roster, clean, folder):
    import subprocess

    if shutil.which("ssconvert") is None:
        pytest.skip("Gnumeric (ssconvert) is not installed")
    (folder / f"{BAD}.xlsx").unlink()
    done = subprocess.run(["ssconvert", str(clean[2][BAD]), str(folder / f"{BAD}.ods")], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    collection = collect_quietly(plan, roster, folder)
    assert issues_of(collection, f"{BAD}.ods") == []
    assert dict(collection.returns[BAD].values) == dict(clean[1].returns[BAD].values)
    assert_others_unchanged(plan, roster, collection, clean[1], {BAD})


@pytest.mark.parametrize("name", [BAD, f"{BAD}.xltx", "bao_cao.XLSX.tmp"])
def test_a_workbook_is_recognised_by_its_content_whatever_its_name(plan, roster, clean, folder, name):
    (folder / f"{BAD}.xlsx").rename(folder / name)
    (folder / "cong_van.docx").write_bytes(b"PK\x03\x04 not a workbook")  # sits in the same folder
    collection = collect_quietly(plan, roster, folder)
    assert collection.returns[BAD].file.name == name and issues_of(collection, name) == []
    assert dict(collection.returns[BAD].values) == dict(clean[1].returns[BAD].values)
    assert [Path(i.file).name for i in collection.skipped] == ["cong_van.docx"]
    assert_others_unchanged(plan, roster, collection, clean[1], {BAD})
