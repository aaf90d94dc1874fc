"""Reading the roster: the units that report (schools, communes, agencies), from CSV or XLSX,
checked against the plan."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from pathlib import Path

from python_calamine import CalamineError

from toolkit.core.cells import column_name
from toolkit.core.errors import Location, Problem, RosterError
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


def _read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header (column codes) and the rows of a .csv, or of an .xlsx/.xlsm (a plan workbook's Đơn vị
    sheet, else the first sheet), as cleaned text."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(_decode_csv(path.read_bytes(), path), newline=""))
        rows = [{clean_text(k).lower(): clean_text(v) for k, v in row.items() if k is not None} for row in reader]
        return [clean_text(h).lower() for h in reader.fieldnames or ()], rows
    # A plan workbook holds its roster on the Đơn vị sheet; a roster file on its first sheet.
    sheets = Sheets(path)
    rows = sheets[ROSTER.name if ROSTER.name in sheets else sheets.names[0]]
    if not rows:
        return [], []
    header = [_column_code(h) for h in rows[0]]
    return header, [dict(zip(header, map(clean_text, row))) for row in rows[1:] if any(v not in (None, "") for v in row)]


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
    raise RosterError([Problem("roster-not-unicode", Location(file=str(path)))], f"Danh sách đơn vị {path} có lỗi:")


def read_roster(path: str | Path, plan: Plan) -> Roster:
    """Read and check a roster against the plan's unit kinds and levels (tasks are given to units
    afterwards, by `toolkit.tasks.agencies.assign_tasks`). Every problem found is raised together
    as one `RosterError`, each at its row and column."""
    path = Path(path)
    file = str(path)

    def fail(code: str, /, **params: object) -> RosterError:
        return RosterError([Problem(code, Location(file=file), params)], f"Danh sách đơn vị {path} có lỗi:")

    if path.suffix.lower() not in (".csv", ".xlsx", ".xlsm"):
        raise fail("roster-bad-format", suffix=path.suffix or "(không có)")
    try:
        header, rows = _read_rows(path)
    # KeyError, BadZipFile: an .xlsx that is not one, or lacks a part
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, zipfile.BadZipFile, KeyError, CalamineError) as exc:
        raise fail("roster-unreadable", detail=exc) from None
    if not rows:
        raise fail("roster-empty")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise fail("roster-missing-columns", missing=", ".join(missing), columns=", ".join(COLUMNS))

    problems: list[Problem] = []

    def add(code: str, number: int, column: str, /, **params: object) -> None:
        letter = column_name(header.index(column)) if column in header else ""
        problems.append(Problem(code, Location(file=file, row=number, column=letter, header=column), params))

    units, seen = [], {}
    for number, row in enumerate(rows, start=2):  # line 1 is the header
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
            add("roster-bad-code", number, "code", code=code)
        elif code in seen:
            add("roster-duplicate-code", number, "code", code=code, first=seen[code])
        seen.setdefault(code, number)
        if not unit.name:
            add("roster-no-name", number, "name", code=code)
        if unit.kind not in plan.unit_kinds:
            add("roster-unknown-kind", number, "kind", kind=unit.kind, kinds=", ".join(plan.unit_kinds))
        for level in levels:
            if level not in plan.levels:
                add("roster-unknown-level", number, "levels", level=level, code=code, levels=", ".join(plan.levels))
        units.append(unit)

    group_kind = plan.area.group_kind
    groups = {u.code for u in units if u.kind == group_kind}
    for number, unit in enumerate(units, start=2):
        if unit.commune and not group_kind:
            add("roster-commune-ungrouped", number, "commune", code=unit.code, commune=unit.commune)
        elif unit.commune and unit.commune not in groups:
            add("roster-unknown-commune", number, "commune", code=unit.code, commune=unit.commune, kind=group_kind)
    # What the plan names in the roster: located at the plan's key, since that is what to correct.
    in_plan = str(plan.path)
    codes = {u.code: u for u in units}
    present = {tag for u in units for tag in u.tags}
    for i, indicator in enumerate(plan.indicators):
        where = Location(file=in_plan, key=f"indicators[{i}].eligible.tags", item=indicator.code)
        for tag in indicator.eligible.tags if indicator.eligible else ():
            if tag not in present:
                problems.append(Problem("roster-unused-tag", where, {"indicator": indicator.code, "tag": tag, "roster": path.name}))
    for i, field in enumerate(plan.fields):
        where = Location(file=in_plan, key=f"fields[{i}].units", item=field.code)
        for code in field.units:
            if code not in codes:
                problems.append(Problem("roster-unknown-unit", where, {"field": field.code, "code": code, "roster": path.name}))
            elif codes[code].kind != field.reporter:
                problems.append(Problem("roster-unit-other-kind", where,
                                        {"field": field.code, "code": code, "kind": codes[code].kind, "reporter": field.reporter}))
    if problems:
        raise RosterError(problems, f"Danh sách đơn vị {path} có lỗi:")
    return Roster(tuple(units), path)
