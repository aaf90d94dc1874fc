"""Roster: the units that report (schools, communes, agencies), from CSV or XLSX."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import RosterError
from toolkit.text import clean_text

if TYPE_CHECKING:
    from toolkit.plan import Plan

COLUMNS = ("code", "name", "kind", "levels", "commune", "contact_name", "phone", "email", "tags")
REQUIRED = ("code", "name", "kind")
_CODE = re.compile(r"^[A-Za-z0-9_.-]+$")  # ASCII: it becomes a file name on every system


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    levels: tuple[str, ...]
    commune: str = ""
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    tags: tuple[str, ...] = ()  # the roster's own groupings ("DBKK": a commune in extreme difficulty)
    tasks: tuple[str, ...] = ()  # ids of the plan's tasks this unit leads or coordinates
    leads: tuple[str, ...] = ()  # those of them it leads (chủ trì); it coordinates the others


@dataclass(frozen=True)
class Roster:
    units: tuple[Unit, ...]
    path: Path
    unmatched_agencies: tuple[str, ...] = ()  # Vietnamese notes: task agency texts matching no unit

    def __iter__(self):
        return iter(self.units)

    def __len__(self) -> int:
        return len(self.units)

    def get(self, code: str) -> Unit | None:
        return self._by_code.get(code)

    @property
    def _by_code(self) -> dict[str, Unit]:
        cached = self.__dict__.get("_cache")
        if cached is None:
            cached = {u.code: u for u in self.units}
            object.__setattr__(self, "_cache", cached)
        return cached

    def of_kind(self, kind: str) -> list[Unit]:
        return [u for u in self.units if u.kind == kind]


def _codes(text: str) -> tuple[str, ...]:
    """'TH;THCS' or 'TH, THCS' -> ('TH', 'THCS')."""
    return tuple(code for code in re.split(r"[;,]\s*", text) if code)


def _read_rows(path: Path) -> list[dict[str, str]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [{clean_text(k).lower(): clean_text(v) for k, v in row.items() if k is not None} for row in csv.DictReader(handle)]
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows = list(workbook.worksheets[0].iter_rows(values_only=True))
        finally:
            workbook.close()
        if not rows:
            return []
        header = [clean_text(h).lower() for h in rows[0]]
        return [dict(zip(header, map(clean_text, row))) for row in rows[1:] if any(v not in (None, "") for v in row)]
    raise RosterError(f"Danh sách đơn vị {path}: chỉ nhận tệp .csv hoặc .xlsx.")


def load_roster(path: str | Path, plan: "Plan") -> Roster:
    """Read and check a roster against the plan's unit kinds and levels."""
    path = Path(path)
    try:
        rows = _read_rows(path)
    except RosterError:
        raise
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
        raise RosterError(f"Không đọc được danh sách đơn vị {path}: {exc}") from None
    if not rows:
        raise RosterError(f"Danh sách đơn vị {path} không có đơn vị nào.")
    missing = [c for c in REQUIRED if c not in rows[0]]
    if missing:
        raise RosterError(f"Danh sách đơn vị {path} thiếu cột: {', '.join(missing)} (cần các cột {', '.join(COLUMNS)}).")

    problems, units, seen = [], [], {}
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        where = f"dòng {number}"
        code = row.get("code", "")
        levels, tags = _codes(row.get("levels", "")), _codes(row.get("tags", ""))
        unit = Unit(
            code=code,
            name=row.get("name", ""),
            kind=row.get("kind", ""),
            levels=levels,
            tags=tags,
            **{key: row.get(key, "") for key in ("commune", "contact_name", "phone", "email")},
        )
        if not _CODE.match(code):
            problems.append(f"{where}: mã đơn vị '{code}' chỉ được gồm chữ không dấu, chữ số, '_', '-', '.'")
        elif code in seen:
            problems.append(f"{where}: mã đơn vị '{code}' trùng với dòng {seen[code]}")
        seen.setdefault(code, number)
        if not unit.name:
            problems.append(f"{where}: đơn vị '{code}' chưa có tên")
        if unit.kind not in plan.unit_kinds:
            problems.append(f"{where}: loại đơn vị '{unit.kind}' không có trong kế hoạch ({', '.join(plan.unit_kinds)})")
        for level in levels:
            if level not in plan.levels:
                problems.append(f"{where}: cấp học '{level}' của đơn vị '{code}' không có trong kế hoạch ({', '.join(plan.levels)})")
        units.append(unit)

    group_kind = plan.area.group_kind
    groups = {u.code for u in units if u.kind == group_kind}
    for number, unit in enumerate(units, start=2):
        if unit.commune and not group_kind:
            problems.append(f"dòng {number}: đơn vị '{unit.code}' ghi thuộc '{unit.commune}' nhưng kế hoạch không chia "
                            "đơn vị theo xã (area.group_kind để trống); hãy để trống cột commune")
        elif unit.commune and unit.commune not in groups:
            problems.append(f"dòng {number}: đơn vị '{unit.code}' thuộc '{unit.commune}' nhưng không có đơn vị loại '{group_kind}' nào mã này")
    codes = {u.code: u for u in units}
    present = {tag for u in units for tag in u.tags}
    for indicator in plan.indicators:
        for tag in indicator.eligible.tags if indicator.eligible else ():
            if tag not in present:
                problems.append(f"chỉ tiêu '{indicator.code}' (eligible.tags) tính các đơn vị có nhãn '{tag}', "
                                "nhưng không đơn vị nào trong danh sách có nhãn này (cột tags)")
    for field in plan.fields:
        for code in field.units:
            if code not in codes:
                problems.append(f"trường '{field.code}' (units) ghi đơn vị '{code}', không có trong danh sách")
            elif codes[code].kind != field.reporter:
                problems.append(f"trường '{field.code}' (units): đơn vị '{code}' là loại '{codes[code].kind}', "
                                f"không phải '{field.reporter}' (reporter)")
    if problems:
        shown = "\n  - ".join(problems[:50])
        more = f"\n  … và {len(problems) - 50} lỗi khác" if len(problems) > 50 else ""
        raise RosterError(f"Danh sách đơn vị {path} có lỗi:\n  - {shown}{more}")
    if not plan.tasks:
        return Roster(tuple(units), path)
    from toolkit.agencies import assign_tasks

    assignment = assign_tasks(plan, units)
    units = [replace(u, tasks=assignment.tasks_of(u.code), leads=assignment.led_by(u.code)) for u in units]
    return Roster(tuple(units), path, tuple(assignment.unmatched))
