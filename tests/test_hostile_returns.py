"""Nothing a school sends stops the run or changes another unit's figure: one test per class of bad
file, each built for real, showing its message and that the other units' results are unchanged."""

from __future__ import annotations

import re
import shutil
import time
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
    check(plan, roster, tmp_path / "workbooks", tmp_path / "output", progress=False)  # everyone: not submitted
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
