"""What a template promises: the defined names, metadata sheet and task columns that the template
writer, the reader and the checks agree on."""

from __future__ import annotations

UNIT_CODE_NAME = "MA_DON_VI"  # defined name of the cell holding the unit code
META_SHEET = "_meta"  # hidden sheet of key/value rows (column A key, column B value)
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


def task_label(numeral: str, tt: str, task_index: int) -> str:
    """'I.1': how messages name a task, by its group's numeral and its number in the matrix (its
    position in the group when the matrix numbers none)."""
    return f"{numeral}.{tt or task_index}"
