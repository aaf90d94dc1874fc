"""Nothing a school sends stops the run or changes another unit's figure: one test per class of bad
file, each built for real, showing its message and that the other units' results are unchanged."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from hostile import assert_others_unchanged, collect_quietly, make_clean_returns, rewrite, sheet_part

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
