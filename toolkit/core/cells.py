"""A1 cell addresses, 0-based rows and columns: the one conversion every stage uses (XlsxWriter's)."""

from __future__ import annotations

from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name, xl_rowcol_to_cell


def cell_name(row: int, col: int, *, absolute: bool = False) -> str:
    """(6, 4) -> 'E7' ('$E$7' when absolute, as formulas and validations name a fixed cell)."""
    return xl_rowcol_to_cell(row, col, row_abs=absolute, col_abs=absolute)


def column_name(col: int) -> str:
    """4 -> 'E'."""
    return xl_col_to_name(col)


def column_index(letters: str) -> int:
    """'E' -> 4 (the letters of a column, without row or '$')."""
    return xl_cell_to_rowcol(f"{letters}1")[1]
