"""What a template promises and what reading one returns: the names, metadata and records
that the template writer, the reader, the checks and the aggregation agree on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from toolkit.roster import Unit

UNIT_CODE_NAME = "MA_DON_VI"  # defined name of the cell holding the unit code
META_SHEET = "_meta"  # hidden sheet of key/value rows (column A key, column B value)
META_KEYS = ("plan_code", "plan_version", "unit_code", "generated_at", "toolkit_version")
# Fallback when names are lost: column A of a data sheet lists the row's input names, `|`-separated,
# for the cells from FIRST_INPUT_COLUMN on (0-based columns).
KEY_COLUMN, FIRST_INPUT_COLUMN = 0, 4

# Task progress inputs: one row per task, named TASK_ID__COLUMN; column -> (label, required).
TASK_COLUMNS = {
    "KET_QUA": ("Kết quả thực hiện", True),
    "MUC_DO": ("Mức độ", True),
    "KHO_KHAN": ("Khó khăn, vướng mắc", False),
    "DE_XUAT": ("Đề xuất", False),
}
TASK_STATUSES = ("Hoàn thành", "Đang thực hiện", "Chưa thực hiện")


def grid_name(field_code: str, row: str, column: str) -> str:
    """The defined name of one grid cell: FIELD__ROW__COL."""
    return f"{field_code}__{row}__{column}"


def task_id(group_index: int, task_index: int) -> str:
    """Stable id of the n-th task of the n-th group (1-based), usable in a defined name."""
    return f"NV{group_index:02d}_{task_index:02d}"


@dataclass(frozen=True)
class Issue:
    """One problem found in the returns; never raised, always reported."""

    code: str  # catalogue code in toolkit.errors
    severity: str  # 'error' or 'warning'
    message: str  # Vietnamese, complete on its own
    file: str = ""
    unit: str = ""
    sheet: str = ""
    cell: str = ""  # A1 address
    field: str = ""  # defined name or field code


@dataclass(frozen=True)
class UnitReturn:
    """One unit's accepted workbook, after checking."""

    unit: Unit
    file: Path
    values: Mapping[str, object]  # defined name -> clean value (int, float or str); blanks absent
    failed: frozenset[str] = field(default_factory=frozenset)  # names whose value failed a check
    saved_at: str = ""  # ISO time the workbook was last saved
