"""Reading the roster: the units that report (schools, communes, agencies), from CSV or XLSX,
checked against the plan."""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from toolkit.core.errors import RosterError
from toolkit.core.text import clean_text

from toolkit.spec.plan import Plan
from toolkit.spec.units import Roster, Unit

COLUMNS = ("code", "name", "kind", "levels", "commune", "contact_name", "phone", "email", "tags")
REQUIRED = ("code", "name", "kind")
_CODE = re.compile(r"^[A-Za-z0-9_.-]+$")  # ASCII: it becomes a file name on every system


def _codes(text: str) -> tuple[str, ...]:
    """'TH;THCS' or 'TH, THCS' -> ('TH', 'THCS')."""
    return tuple(code for code in re.split(r"[;,]\s*", text) if code)


def _read_rows(path: Path) -> list[dict[str, str]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = csv.DictReader(io.StringIO(_decode_csv(path.read_bytes(), path), newline=""))
        return [{clean_text(k).lower(): clean_text(v) for k, v in row.items() if k is not None} for row in rows]
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


def _decode_csv(data: bytes, path: Path) -> str:
    """A CSV as offices save it: UTF-8 (with or without BOM), UTF-16 with its BOM (Excel's "Unicode
    text"), or Windows-1258 (Excel's "CSV" on a Vietnamese Windows), recognised by charset-normalizer.
    Anything else (TCVN3, VNI fonts' encodings) could only be guessed: the user is told how to save it."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding == "cp1258" and b"\x00" not in data:
        return data.decode("cp1258")
    raise RosterError(f"Danh sách đơn vị {path} không ở dạng chữ Unicode (UTF-8) nên không đọc được tiếng Việt. "
                      "Hãy mở tệp bằng Excel, chọn Lưu thành (Save As) kiểu “CSV UTF-8 (Comma delimited)”, "
                      "hoặc dùng tệp .xlsx, rồi chạy lại.")


def read_roster(path: str | Path, plan: Plan) -> Roster:
    """Read and check a roster against the plan's unit kinds and levels (tasks are given to units
    afterwards, by `toolkit.tasks.agencies.assign_tasks`)."""
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
    return Roster(tuple(units), path)
