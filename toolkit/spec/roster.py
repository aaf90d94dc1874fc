"""Reading the roster: the units that report (schools, communes, agencies), from CSV or XLSX,
checked against the plan."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from python_calamine import CalamineError

from toolkit.core.errors import RosterError
from toolkit.core.text import clean_text

from toolkit.spec.plan import Plan
from toolkit.spec.plan_cells import Sheets
from toolkit.spec.plan_sheets import ROSTER, same_header
from toolkit.spec.units import Roster, Unit

COLUMNS = ("code", "name", "kind", "levels", "commune", "contact_name", "phone", "email", "tags")
REQUIRED = ("code", "name", "kind")
_CODE = re.compile(r"^[A-Za-z0-9_.-]+$")  # ASCII: it becomes a file name on every system


def _codes(text: str) -> tuple[str, ...]:
    """'TH;THCS' or 'TH, THCS' -> ('TH', 'THCS')."""
    return tuple(code for code in re.split(r"[;,]\s*", text) if code)


def _column_code(header: object) -> str:
    """'code', or the code of a Vietnamese header of the plan workbook's Đơn vị sheet ('Mã đơn vị')."""
    text = clean_text(header)
    return next((c.key for c in ROSTER.columns if same_header(c.header, text)), text.lower())


def _read_rows(path: Path) -> list[dict[str, str]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [{clean_text(k).lower(): clean_text(v) for k, v in row.items() if k is not None} for row in csv.DictReader(handle)]
    if suffix in (".xlsx", ".xlsm"):
        # A plan workbook holds its roster on the Đơn vị sheet; a roster file on its first sheet.
        sheets = Sheets(path)
        rows = sheets[ROSTER.name if ROSTER.name in sheets else sheets.names[0]]
        if not rows:
            return []
        header = [_column_code(h) for h in rows[0]]
        return [dict(zip(header, map(clean_text, row))) for row in rows[1:] if any(v not in (None, "") for v in row)]
    raise RosterError(f"Danh sách đơn vị {path}: chỉ nhận tệp .csv hoặc .xlsx.")


def read_roster(path: str | Path, plan: Plan) -> Roster:
    """Read and check a roster against the plan's unit kinds and levels (tasks are given to units
    afterwards, by `toolkit.tasks.agencies.assign_tasks`)."""
    path = Path(path)
    try:
        rows = _read_rows(path)
    except RosterError:
        raise
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, CalamineError) as exc:
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
    return Roster(tuple(units), path)
