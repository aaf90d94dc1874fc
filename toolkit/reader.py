"""Read one returned workbook, safely and fast, whatever program saved it.

Values are found through the workbook's own defined names (they follow inserted rows and
renamed sheets), falling back to the key column of our templates when a name was lost (column A
lists the row's input names, `|`-separated, for the cells from column E on). Cell values come
from python-calamine (fast, all four formats); names, formulas and the save time are read from
the file's own parts. Nothing is ever written to the file.

Formulas are found in the file itself: `<f>` in xlsx sheet XML, `table:formula` in ods, FORMULA
records in the xls BIFF stream. A failure is reported in `RawWorkbook.failure`, never raised.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import DefusedXmlException, ElementTree
from python_calamine import CalamineWorkbook

from toolkit.contract import FIRST_INPUT_COLUMN, KEY_COLUMN, META_SHEET

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_FILE_BYTES = 100 * 1024 * 1024  # a filled template is well under 1 MB
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # total inflated size of a zip container
MAX_RATIO, RATIO_FLOOR = 100, 10 * 1024 * 1024  # a member inflating > 100:1 past 10 MB is a zip bomb
MAX_MEMBERS = 2000
XML_HEAD = 4096  # a DOCTYPE must come before the root element
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]+)$")
_XLSX_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_XLSX_CELL_START = re.compile(rb"<(?:\w+:)?c\s[^>]*>\s*$")
_XLSX_CELL_ADDRESS = re.compile(rb'\sr="([A-Z]+[0-9]+)"')
_XLSX_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_ODS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


@dataclass(frozen=True)
class CellRef:
    """One cell of a sheet, 0-based."""

    sheet: str
    row: int
    col: int

    @property
    def a1(self) -> str:
        letters, number = "", self.col + 1
        while number:
            number, rest = divmod(number - 1, 26)
            letters = chr(65 + rest) + letters
        return f"{letters}{self.row + 1}"


@dataclass
class RawWorkbook:
    """What one file holds, as typed; `failure` says why it could not be read."""

    path: Path
    format: str = ""  # xlsx, xlsm, xls or ods
    meta: dict[str, str] = field(default_factory=dict)  # the hidden _meta sheet
    names: dict[str, CellRef] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)  # name -> value as typed; None when blank
    formulas: set[str] = field(default_factory=set)  # names whose cell holds a formula
    saved_at: dt.datetime | None = None  # the workbook's own last-saved time, else the file's mtime
    failure: tuple[str, dict] | None = None  # (catalogue code, message parameters)

    @property
    def ok(self) -> bool:
        return self.failure is None


class Rejected(Exception):
    """The file cannot be read; carries a catalogue code and its parameters."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


# Read


def read_workbook(path: str | Path) -> RawWorkbook:
    """Read names, values, formulas, metadata and save time of one file; never raises."""
    raw = RawWorkbook(Path(path))
    try:
        size = raw.path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise Rejected("too-large", detail=f"tệp {size // (1024 * 1024)} MB")
        with raw.path.open("rb") as handle:
            head = handle.read(8)
        if head.startswith(b"PK"):
            _read_zip(raw)
        elif head == OLE_MAGIC:
            _read_ole(raw)
        else:
            raise Rejected("not-a-workbook", detail="nội dung không phải định dạng bảng tính")
        _read_values(raw)
    except Rejected as exc:
        raw.failure = (exc.code, exc.params)
    except DefusedXmlException as exc:  # a DOCTYPE hidden past the first bytes of a part
        raw.failure = ("unsafe-xml", {"detail": type(exc).__name__})
    except Exception as exc:  # any other surprise in a returned file is that file's problem only
        raw.failure = ("corrupt-file", {"detail": f"{type(exc).__name__}: {str(exc)[:120]}"})
    if raw.failure is None and raw.saved_at is None:
        raw.saved_at = dt.datetime.fromtimestamp(raw.path.stat().st_mtime).replace(microsecond=0)
    return raw


def parse_reference(text: str) -> CellRef | None:
    """`'Số liệu'!$E$7` or `Sheet1!$E$7` -> CellRef; None for `#REF!`, ranges and lists."""
    if "!" not in text or "#REF" in text:
        return None
    sheet, cell = text.strip().lstrip("=").rsplit("!", 1)
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    match = _CELL.match(cell)
    if not match:
        return None
    col = 0
    for letter in match[1]:
        col = col * 26 + ord(letter) - 64
    return CellRef(sheet, int(match[2]) - 1, col - 1)


# Zip containers: xlsx, xlsm, ods


def _read_zip(raw: RawWorkbook) -> None:
    try:
        archive = zipfile.ZipFile(raw.path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Rejected("corrupt-file", detail=str(exc)[:120]) from None
    with archive:
        members = archive.infolist()
        _guard_zip(members)
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                with archive.open(member) as handle:
                    start = handle.read(XML_HEAD)
                if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
                    raise Rejected("unsafe-xml", detail=member.filename)
        names = set(archive.namelist())
        if "xl/workbook.xml" in names:
            raw.format = "xlsm" if raw.path.suffix.lower() == ".xlsm" else "xlsx"
            _xlsx_parts(raw, archive, names)
        elif "content.xml" in names and "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype")[:100]:
            raw.format = "ods"
            _ods_parts(raw, archive, names)
        else:
            raise Rejected("not-a-workbook", detail="tệp nén không chứa bảng tính")


def _guard_zip(members: list[zipfile.ZipInfo]) -> None:
    """Reject a zip bomb from its directory, before inflating anything."""
    total = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or total > MAX_UNCOMPRESSED:
        raise Rejected("too-large", detail=f"{len(members)} phần, {total // (1024 * 1024)} MB khi giải nén")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise Rejected("too-large", detail=f"{member.filename} nén {ratio:.0f}:1")


def _xlsx_parts(raw: RawWorkbook, archive: zipfile.ZipFile, parts: set[str]) -> None:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    for element in workbook.iter(f"{_XLSX_NS}definedName"):
        if element.get("localSheetId") is None and element.text:
            ref = parse_reference(element.text)
            if ref:
                raw.names[element.get("name")] = ref
    # Which part holds which sheet, to look for formulas in the named cells.
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    sheet_parts = {}
    for sheet in workbook.iter(f"{_XLSX_NS}sheet"):
        target = targets.get(sheet.get(_REL_ID), "")
        sheet_parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    named_cells: dict[str, dict[str, str]] = {}
    for name, ref in raw.names.items():
        named_cells.setdefault(ref.sheet, {})[ref.a1] = name
    for sheet, cells in named_cells.items():
        part = sheet_parts.get(sheet)
        if part in parts:
            for address in _xlsx_formula_cells(archive.read(part)):
                if address in cells:
                    raw.formulas.add(cells[address])
    if "docProps/core.xml" in parts:
        found = re.search(rb"<dcterms:modified[^>]*>([^<]+)<", archive.read("docProps/core.xml"))
        raw.saved_at = _parse_time(found[1].decode()) if found else None


def _xlsx_formula_cells(xml: bytes):
    """Addresses of the cells holding a formula: a cell's <f> is its first child, right after <c ...>."""
    for match in _XLSX_FORMULA.finditer(xml):
        start = xml.rfind(b"<", 0, match.start())  # the start tag just before, if nothing lies between
        cell = _XLSX_CELL_START.match(xml, start, match.start()) if start >= 0 else None
        address = _XLSX_CELL_ADDRESS.search(cell[0]) if cell else None
        if address:
            yield address[1].decode()


def _ods_parts(raw: RawWorkbook, archive: zipfile.ZipFile, parts: set[str]) -> None:
    content = ElementTree.fromstring(archive.read("content.xml"))
    for element in content.iter(f"{_ODS}named-range"):
        # $'Số liệu'.$E$7 -> 'Số liệu'!$E$7
        sheet, _, cell = element.get(f"{_ODS}cell-range-address", "").lstrip("$").rpartition(".")
        ref = parse_reference(f"{sheet}!{cell}") if sheet else None
        if ref:
            raw.names[element.get(f"{_ODS}name")] = ref
    named = {(ref.sheet, ref.row, ref.col): name for name, ref in raw.names.items()}
    for table in content.iter(f"{_ODS}table"):
        sheet = table.get(f"{_ODS}name")
        row = 0
        for row_element in table.iter(f"{_ODS}table-row"):
            col = 0
            for cell in row_element:
                if cell.get(f"{_ODS}formula") and (sheet, row, col) in named:
                    raw.formulas.add(named[(sheet, row, col)])
                col += int(cell.get(f"{_ODS}number-columns-repeated", 1))
            row += int(row_element.get(f"{_ODS}number-rows-repeated", 1))
    if "meta.xml" in parts:
        found = re.search(rb"<dc:date>([^<]+)<", archive.read("meta.xml"))
        raw.saved_at = _parse_time(found[1].decode()) if found else None


# OLE2 containers: xls, and xlsx encrypted with a password to open


def _read_ole(raw: RawWorkbook) -> None:
    import xlrd  # only .xls needs it
    from xlrd.compdoc import CompDoc, CompDocError
    from xlrd.formula import oREF

    data = raw.path.read_bytes()
    try:
        streams = {entry.name for entry in CompDoc(data).dirlist}
    except (CompDocError, IndexError, struct.error) as exc:
        raise Rejected("corrupt-file", detail=str(exc)[:120]) from None
    if {"EncryptionInfo", "EncryptedPackage"} & streams:
        raise Rejected("encrypted-file")
    if not {"Workbook", "Book"} & streams:
        raise Rejected("not-a-workbook", detail="tệp Office nhưng không phải bảng tính")
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise Rejected("encrypted-file") from None
        raise Rejected("corrupt-file", detail=str(exc)[:120]) from None
    raw.format = "xls"
    sheet_names = book.sheet_names()
    for name in book.name_obj_list:
        result = name.result
        if name.scope != -1 or name.builtin or result is None or result.kind != oREF or not result.value:
            continue
        sheet_low, sheet_high, row_low, row_high, col_low, col_high = result.value[0].coords
        if sheet_high - sheet_low == 1 and row_high - row_low == 1 and col_high - col_low == 1:
            raw.names[name.name] = CellRef(sheet_names[sheet_low], row_low, col_low)
    named = {(ref.sheet, ref.row, ref.col): name for name, ref in raw.names.items()}
    for index, offset in enumerate(book._sh_abs_posn):
        for row, col in _biff_formula_cells(book.mem, offset):
            if (sheet_names[index], row, col) in named:
                raw.formulas.add(named[(sheet_names[index], row, col)])
    summary = CompDoc(data).get_named_stream("\x05SummaryInformation")
    raw.saved_at = _ole_last_saved(summary) if summary else None
    book.release_resources()


def _biff_formula_cells(stream: bytes, offset: int):
    """(row, col) of every FORMULA record of the sheet substream starting at `offset`."""
    position = offset
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        if kind == 0x0006 and length >= 4:  # FORMULA: row, column, ...
            yield struct.unpack_from("<HH", stream, position + 4)
        elif kind == 0x000A:  # EOF of this sheet
            return
        position += 4 + length


def _ole_last_saved(summary: bytes) -> dt.datetime | None:
    """PIDSI_LASTSAVE_DTM (13) of a SummaryInformation property set, as local time."""
    try:
        section = struct.unpack_from("<I", summary, 44)[0]
        count = struct.unpack_from("<I", summary, section + 4)[0]
        for index in range(min(count, 100)):
            pid, where = struct.unpack_from("<II", summary, section + 8 + 8 * index)
            if pid == 13 and struct.unpack_from("<I", summary, section + where)[0] == 0x40:  # VT_FILETIME
                ticks = struct.unpack_from("<Q", summary, section + where + 4)[0]
                moment = dt.datetime(1601, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=ticks // 10)
                return moment.astimezone().replace(tzinfo=None, microsecond=0)
    except (struct.error, OverflowError):
        return None
    return None


def _parse_time(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment
    return moment.replace(microsecond=0)


# Values


def _read_values(raw: RawWorkbook) -> None:
    try:
        book = CalamineWorkbook.from_path(str(raw.path))
    except Exception as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise Rejected("encrypted-file") from None
        raise Rejected("corrupt-file", detail=str(exc)[:120]) from None
    rows_of: dict[str, list[list] | None] = {}

    def rows(sheet: str) -> list[list] | None:
        if sheet not in rows_of:
            # skip_empty_area=False keeps row/column indexes equal to the sheet's own addresses.
            found = sheet in book.sheet_names
            rows_of[sheet] = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False) if found else None
        return rows_of[sheet]

    if META_SHEET in book.sheet_names:
        raw.meta = {_as_text(row[0]): _as_text(row[1]) for row in rows(META_SHEET) if len(row) > 1 and row[0] != ""}
    if any(ref.sheet not in book.sheet_names for ref in raw.names.values()):
        raw.names = {name: ref for name, ref in raw.names.items() if ref.sheet in book.sheet_names}
    _find_by_keys(raw, book.sheet_names, rows)
    for name, ref in raw.names.items():
        cells = rows(ref.sheet)
        value = cells[ref.row][ref.col] if ref.row < len(cells) and ref.col < len(cells[ref.row]) else None
        raw.values[name] = None if value == "" else value


def _find_by_keys(raw: RawWorkbook, sheets: list[str], rows) -> None:
    """Names listed in a template's key column but missing from the file's names: find them there."""
    for sheet in sheets:
        if sheet == META_SHEET:
            continue
        for row_index, row in enumerate(rows(sheet) or []):
            key = row[KEY_COLUMN] if row else ""
            if not isinstance(key, str) or not key:
                continue
            for offset, name in enumerate(key.split("|")):
                if name and name not in raw.names and re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
                    raw.names[name] = CellRef(sheet, row_index, FIRST_INPUT_COLUMN + offset)


def _as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()
