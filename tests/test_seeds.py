"""Every seed, exactly: each bundled example's Phụ lục I prints every target of its signed plan, in
the plan's wording, in its period's column, and no target the plan did not set.

The expected targets are typed from the seed texts (tests/data/seed_targets/<example>.txt), never
generated; the annex is read as a reader reads it: the row's printed label and its target cell.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from toolkit.aggregate.compute import compute
from toolkit.annex.write import annex_tables
from toolkit.collect.folder import collect
from toolkit.core.numbers import NO_DATA
from toolkit.forms.samples import make_returns
from toolkit.jobs.pipeline import load, make_templates

TYPED = Path(__file__).resolve().parent / "data" / "seed_targets"
EXAMPLES = ["bao-thang-2022", "chi-lang-2021-2030", "muong-te-2022-2023", "phong-tho-2024-2030"]


def reading(text: str) -> str:
    """Text as a reader compares it: case, spacing and Unicode form aside; a sub-row's dash or
    "Trong đó:" is layout, not wording."""
    text = " ".join(unicodedata.normalize("NFC", text).split()).casefold()
    return re.sub(r"^(?:[-–+•]\s*)?(?:trong đó\s*:\s*)?", "", text)


def typed_targets(example: str) -> list[tuple[list[str], list[str]]]:
    """(label path, target per period column) for each line of the example's typed list."""
    entries = []
    for line in (TYPED / f"{example}.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            label, *targets = (part.strip() for part in line.split("|"))
            entries.append(([part.strip() for part in label.split("›")], targets))
    return entries


def targets_annex(example: str, tmp_path: Path | None):
    """Phụ lục I of the example: with no returns (tmp_path None), or with the demo's sample returns."""
    plan, roster = load(example)
    returns = {}
    if tmp_path is not None:
        make_templates(plan, roster, tmp_path / "bieu_mau")
        make_returns(plan, roster, tmp_path / "bieu_mau", tmp_path / "nhan_ve", mistakes=False)
        returns = collect(plan, roster, tmp_path / "nhan_ve").returns
    (table,) = annex_tables(plan, roster, compute(plan, roster, returns), returns, kinds=("targets",))
    return plan, table


def target_columns(plan, table) -> list[int]:
    """The column of each target period, found by its printed header ("Giai đoạn 2021-2025")."""
    labels = [reading(p.label) for p in plan.period.target_periods]
    for header in reversed(table.header):
        texts = [reading(str(cell)) for cell in header]
        if all(label in texts for label in labels):
            return [texts.index(label) for label in labels]
    raise AssertionError(f"no header row names the target periods {labels}: {table.header}")


def find_row(rows, path: list[str]):
    """The row a reader finds by reading down: the first row labelled path[0], then the first row
    below it labelled path[1], and so on, without passing the next numbered item."""
    start, found = 0, None
    for depth, label in enumerate(path):
        for index in range(start, len(rows)):
            row = rows[index]
            if depth and index > start and (row.kind == "group" or row.cells[0].text.strip()):
                return None  # the next numbered item or section: no such sub-row under this one
            if row.kind != "group" and reading(row.cells[1].text) == reading(label):
                start, found = index + 1, row
                break
        else:
            return None
    return found


@pytest.fixture(scope="module", params=EXAMPLES)
def example(request):
    return request.param


@pytest.fixture(scope="module")
def without_returns(example):
    return targets_annex(example, None)


@pytest.fixture(scope="module")
def with_returns(example, tmp_path_factory):
    return targets_annex(example, tmp_path_factory.mktemp(example))


def assert_every_target_printed(example: str, plan, table) -> None:
    columns = target_columns(plan, table)
    missing = []
    for path, targets in typed_targets(example):
        row = find_row(table.rows, path)
        if row is None:
            missing.append(f"{' › '.join(path)}: no such row")
            continue
        assert len(targets) == len(columns), f"{path}: {len(targets)} targets typed, {len(columns)} periods"
        for column, target in zip(columns, targets):
            printed = row.cells[column].text
            if reading(printed) != reading(target):
                missing.append(f"{' › '.join(path)}: printed {printed!r}, the plan says {target!r}")
    assert not missing, "\n".join(missing)
    # Nothing the plan did not set: as many target cells filled as targets typed.
    printed = sum(1 for row in table.rows if row.kind != "group" for c in columns if len(row.cells) > c and row.cells[c].text.strip())
    typed = sum(1 for _, targets in typed_targets(example) for t in targets if t)
    assert printed == typed


def test_every_target_of_the_seed_is_printed_before_any_return(example, without_returns):
    plan, table = without_returns
    assert_every_target_printed(example, plan, table)


def test_every_target_of_the_seed_is_printed_beside_its_result(example, with_returns):
    plan, table = with_returns
    assert_every_target_printed(example, plan, table)
    result = len(table.header[0]) - 3  # "Thực hiện …" precedes "Đánh giá" and "Ghi chú"
    assert reading(str(table.header[0][result])).startswith("thực hiện")
    empty = [" › ".join(path) for path, _ in typed_targets(example)
             if find_row(table.rows, path).cells[result].text.strip() in ("", NO_DATA)]
    assert not empty, f"no result computed from the sample returns for: {empty}"
