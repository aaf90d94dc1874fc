"""Read one returned workbook, safely and fast, whatever program saved it.

Values are found through the workbook's own defined names (they follow inserted rows and
renamed sheets), falling back to the key column of our templates when a name was lost. Cell
values come from python-calamine (fast, all four formats); names, formulas and the save time are
read from the file's own parts with defusedxml. Nothing is ever written to the file.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree
from python_calamine import CalamineWorkbook

from toolkit.contract import FIRST_INPUT_COLUMN, KEY_COLUMN, META_SHEET

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # a template is well under 1 MB; 200 MB is no school's data
MAX_RATIO = 100  # a member inflating more than 100:1 and past 10 MB is a zip bomb
MAX_MEMBERS = 2000
XML_HEAD = 4096  # a DOCTYPE must come before the root element
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARKER = "EncryptionInfo".encode("utf-16-le")  # an encrypted .xlsx is an OLE2 box with this stream
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]+)$")


@dataclass(frozen=True)
class CellRef:
    sheet: str
    row: int  # 0-based
    col: int  # 0-based

    @property
    def a1(self) -> str:
        letters, number = "", self.col + 1
        while number:
            number, rest = divmod(number - 1, 26)
            letters = chr(65 + rest) + letters
        return f"{letters}{self.row + 1}"


@dataclass
class RawWorkbook:
    path: Path
    format: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    names: dict[str, CellRef] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)  # as typed; None when blank
    formulas: set[str] = field(default_factory=set)
    saved_at: dt.datetime | None = None
    failure: tuple[str, dict] | None = None  # (catalogue code, params) when unreadable

    @property
    def ok(self) -> bool:
        return self.failure is None


class Rejected(Exception):
    """The file cannot be read; carries a catalogue code and its parameters."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


# Read


def read_workbook(path: str | Path, wanted: list[str] | None = None) -> RawWorkbook:
    """Read names, values, formulas and metadata; never raises for a bad file."""
    path = Path(path)
    raw = RawWorkbook(path)
    try:
        head = path.read_bytes()[:8] if path.stat().st_size < 8 else path.open("rb").read(8)
        if head.startswith(b"PK"):
            _read_zip(raw)
        elif head.startswith(OLE_MAGIC):
            _read_ole(raw)
        else:
            raise Rejected("not-a-workbook", detail="nội dung không phải định dạng bảng tính")
        _read_values(raw, wanted)
    except Rejected as exc:
        raw.failure = (exc.code, exc.params)
    except Exception as exc:  # any other surprise in a returned file is that file's problem only
        raw.failure = ("corrupt-file", {"detail": f"{type(exc).__name__}: {str(exc)[:120]}"})
    if raw.saved_at is None and raw.failure is None:
        raw.saved_at = dt.datetime.fromtimestamp(path.stat().st_mtime)
    return raw


def _read_zip(raw: RawWorkbook) -> None:
    try:
        archive = zipfile.ZipFile(raw.path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Rejected("corrupt-file", detail=str(exc)[:120]) from None
    with archive:
        members = archive.infolist()
        _guard_zip(members)
        names = {m.filename for m in members}
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                with archive.open(member) as handle:
                    start = handle.read(XML_HEAD)
                if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
                    raise Rejected("unsafe-xml", detail=member.filename)
        if "xl/workbook.xml" in names:
            raw.format = "xlsm" if raw.path.suffix.lower() == ".xlsm" else "xlsx"
            _xlsx_parts(raw, archive)
        elif "content.xml" in names and archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            raw.format = "ods"
            _ods_parts(raw, archive)
        else:
            raise Rejected("not-a-workbook", detail="tệp nén không chứa bảng tính")


def _guard_zip(members: list[zipfile.ZipInfo]) -> None:
    """Reject a zip bomb from its directory, before inflating anything."""
    total = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or total > MAX_UNCOMPRESSED:
        raise Rejected("too-large", detail=f"{len(members)} phần, {total // (1024 * 1024)} MB khi giải nén")
    for member in members:
        if member.file_size > 10 * 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise Rejected("too-large", detail=f"{member.filename} nén {member.file_size // max(member.compress_size, 1)}:1")


def _split_reference(text: str) -> CellRef | None:
    """'Số liệu'!$E$7 or Sheet1!$E$7 -> CellRef; None for #REF! or ranges."""
    if "!" not in text or "#REF" in text:
        return None
    sheet, cell = text.rsplit("!", 1)
    sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
    match = _CELL.match(cell)
    if not match:
        return None
    col = 0
    for letter in match[1]:
        col = col * 26 + ord(letter) - 64
    return CellRef(sheet, int(match[2]) - 1, col - 1)


XLSX_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _xlsx_parts(raw: RawWorkbook, archive: zipfile.ZipFile) -> None:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    for element in workbook.iter(f"{XLSX_NS}definedName"):
        if element.get("localSheetId") is None and element.text:
            ref = _split_reference(element.text.strip())
            if ref:
                raw.names[element.get("name")] = ref
    # Which sheet part holds which sheet, to find formulas in named cells.
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    parts = {}
    for sheet in workbook.iter(f"{XLSX_NS}sheet"):
        target = targets.get(sheet.get(rel_ns), "")
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    by_sheet: dict[str, dict[str, str]] = {}
    for name, ref in raw.names.items():
        by_sheet.setdefault(ref.sheet, {})[ref.a1] = name
    for sheet, cells in by_sheet.items():
        part = parts.get(sheet)
        if part and part in archive.namelist():
            # In SpreadsheetML a cell's <f> comes first inside <c>: a cheap scan finds them.
            for match in re.finditer(rb'<c r="([A-Z]+[0-9]+)"[^>]*>\s*<f[ >/]', archive.read(part)):
                name = cells.get(match[1].decode())
                if name:
                    raw.formulas.add(name)
    if "docProps/core.xml" in archive.namelist():
        core = archive.read("docProps/core.xml")
        found = re.search(rb"<dcterms:modified[^>]*>([^<]+)<", core)
        raw.saved_at = _parse_time(found[1].decode()) if found else None


ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_parts(raw: RawWorkbook, archive: zipfile.ZipFile) -> None:
    content = ElementTree.fromstring(archive.read("content.xml"))
    for element in content.iter(f"{ODS_TABLE}named-range"):
        address = element.get(f"{ODS_TABLE}cell-range-address", "")
        # $'Số liệu'.$E$7 -> 'Số liệu'!$E$7
        sheet, _, cell = address.lstrip("$").rpartition(".")
        ref = _split_reference(f"{sheet}!{cell}") if sheet else None
        if ref:
            raw.names[element.get(f"{ODS_TABLE}name")] = ref
    if "meta.xml" in archive.namelist():
        found = re.search(rb"<dc:date>([^<]+)<", archive.read("meta.xml"))
        raw.saved_at = _parse_time(found[1].decode()) if found else None


def _read_ole(raw: RawWorkbook) -> None:
    data = raw.path.read_bytes()
    if ENCRYPTED_MARKER in data:
        raise Rejected("encrypted-file")
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise Rejected("encrypted-file") from None
        raise Rejected("corrupt-file", detail=str(exc)[:120]) from None
    raw.format = "xls"
    for name in book.name_obj_list:
        if name.scope != -1 or name.name.startswith("_xlnm"):
            continue
        try:
            sheet_index, row, _, col, _ = name.area2d(clipped=False)
        except Exception:  # a name that is not a single cell, or #REF!
            continue
        raw.names[name.name] = CellRef(book.sheet_names()[sheet_index], row, col)
    book.release_resources()


def _parse_time(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


# Values


def _read_values(raw: RawWorkbook, wanted: list[str] | None) -> None:
    try:
        book = CalamineWorkbook.from_path(str(raw.path))
    except Exception as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise Rejected("encrypted-file") from None
        raise Rejected("corrupt-file", detail=str(exc)[:120]) from None
    grids: dict[str, list[list]] = {}

    def grid(sheet: str) -> list[list] | None:
        if sheet not in grids:
            grids[sheet] = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False) if sheet in book.sheet_names else None
        return grids[sheet]

    if META_SHEET in book.sheet_names:
        raw.meta = {str(row[0]).strip(): _as_text(row[1]) for row in grid(META_SHEET) if len(row) > 1 and row[0] != ""}
    wanted_names = set(wanted or raw.names) | {"MA_DON_VI"}
    lost = [n for n in wanted_names if n not in raw.names or raw.names[n].sheet not in book.sheet_names]
    if lost:
        _find_by_keys(raw, book.sheet_names, grid, set(lost))
    for name in wanted_names:
        ref = raw.names.get(name)
        rows = grid(ref.sheet) if ref else None
        if rows is None:
            continue
        value = rows[ref.row][ref.col] if ref.row < len(rows) and ref.col < len(rows[ref.row]) else None
        raw.values[name] = None if value == "" else value


def _find_by_keys(raw: RawWorkbook, sheets: list[str], grid, lost: set[str]) -> None:
    """Our templates list each row's input names in column A: recover lost names from it."""
    for sheet in sheets:
        if sheet == META_SHEET:
            continue
        for row_index, row in enumerate(grid(sheet) or []):
            key = row[KEY_COLUMN] if row else ""
            if not isinstance(key, str) or not key:
                continue
            for offset, name in enumerate(key.split("|")):
                if name in lost:
                    raw.names[name] = CellRef(sheet, row_index, FIRST_INPUT_COLUMN + offset)


def _as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()
