"""What reading and checking the returns produce: problems found, and each unit's accepted values."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from toolkit.spec.units import Unit


@dataclass(frozen=True)
class Issue:
    """One problem found in the returns; never raised, always reported."""

    code: str  # catalogue code in toolkit.core.errors
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


@dataclass(frozen=True)
class Filled:
    """What the clerk put in a return with problems on cells, as its feedback copy carries it over:
    read in the same pass as the check, so the copy shows exactly the file that was checked."""

    values: Mapping[str, object]  # defined name -> the value as read, before any check
    formulas: frozenset[str]  # names whose cell the clerk filled with a formula
    comments: Mapping[str, str]  # defined name -> the clerk's comment on that cell
    notes: Mapping[str, object]  # row key -> the note typed in its "Ghi chú" cell
    note_comments: Mapping[str, str]  # row key -> the clerk's comment on that note cell
