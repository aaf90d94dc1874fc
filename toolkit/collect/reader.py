"""Read one returned workbook, safely and fast, whatever program saved it.

Values are found through the workbook's own defined names (they follow inserted rows and
renamed sheets), checked against the key column of our templates, which also finds a name the
file lost (`toolkit.collect.keys`). Cell values come
from python-calamine (fast, all four formats); names, formulas and the save time are read from
the file's own parts. Nothing is ever written to the file.

Formulas are found in the file itself: `<f>` in xlsx sheet XML, `table:formula` in ods, FORMULA
records in the xls BIFF stream. Each format's scan records every formula cell; which names hold
one is decided once the names are final (defined names, then the key-column fallback).

Hostile files: the file is read once (at most MAX_FILE_BYTES); zip bombs, DTDs and grids too
big to build (all sheets of a file together) are refused before anything parses them (`toolkit.collect.parts`; the cells and
formulas of a sheet's raw records are found by `toolkit.collect.sheet_scan`). A failure is reported in
`RawWorkbook.failure`, never raised.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import DefusedXmlException, ElementTree
from python_calamine import CalamineError, CalamineWorkbook

from toolkit.core.cells import column_index
from toolkit.spec.names import META_SHEET
from toolkit.collect.parts import CellRef, Formulas, GridBudget, Parts, Rejected, guard_zip, zip_key
from toolkit.collect.keys import match_keys
from toolkit.collect.sheet_scan import biff_sheet, biff_sheets, ole_last_saved, xlsx_sheet

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_FILE_BYTES = 100 * 1024 * 1024  # a filled template is well under 1 MB
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]+)$")
ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_PREFIXES = {b"table": ODS_TABLE[1:-1].encode(), b"office": ODS_OFFICE[1:-1].encode()}


@dataclass
class RawWorkbook:
    """What one file holds, as typed; `failure` says why it could not be read."""

    path: Path
    format: str = ""  # xlsx, xlsm, xls or ods
    meta: dict[str, str] = field(default_factory=dict)  # the hidden _meta sheet
    names: dict[str, CellRef] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)  # name -> value as typed; None when blank
    formulas: set[str] = field(default_factory=set)  # names whose cell holds a formula
    deleted: set[str] = field(default_factory=set)  # names whose cell was deleted (`#REF!`)
    moved: dict[str, CellRef] = field(default_factory=dict)  # names not where their row's key says (see _find_by_keys)
    saved_at: dt.datetime | None = None  # the workbook's own last-saved time, else the file's mtime
    modified: float = 0.0  # the file's mtime when it was read (it may change or vanish afterwards)
    sha256: str = ""  # of the bytes read: the run record names exactly what was read
    failure: tuple[str, dict] | None = None  # (catalogue code, message parameters)
    data: bytes = field(default=b"", repr=False)  # the bytes read: what else is read from the file in the same pass reads these

    @property
    def ok(self) -> bool:
        return self.failure is None


# Read


def read_workbook(path: str | bytes | os.PathLike) -> RawWorkbook:
    """Read names, values, formulas, metadata and save time of one file; never raises."""
    # A file name that is not valid UTF-8 (bytes from an old zip tool) stays usable: Python keeps it
    # as a str with surrogate escapes, and the file is opened here, never by name in calamine.
    raw = RawWorkbook(Path(os.fsdecode(path)) if isinstance(path, bytes) else Path(path))
    try:
        data, raw.modified = _read_file(raw.path)
        raw.data, raw.sha256 = data, hashlib.sha256(data).hexdigest()
        if data.startswith(b"PK"):
            formulas = _read_zip(raw, data)
        elif data.startswith(OLE_MAGIC):
            formulas = _read_ole(raw, data)
        else:
            raise Rejected("not-a-workbook", detail="nội dung không phải định dạng bảng tính")
        _read_values(raw, tidy_ods(data) if raw.format == "ods" else data)
        # Only now are the names final (the key-column fallback adds some): flag every one on a formula.
        raw.formulas = {name for name, ref in raw.names.items() if formulas.holds(ref)}
        if raw.saved_at is None:
            raw.saved_at = dt.datetime.fromtimestamp(raw.modified).replace(microsecond=0)
    except Rejected as exc:
        raw.failure = (exc.code, exc.params)
    except DefusedXmlException:  # a DTD the prolog scan did not see
        raw.failure = ("unsafe-xml", {"detail": "khai báo DTD trong nội dung XML"})
    except MemoryError:  # past the worker's memory cap (toolkit.core.isolation)
        raw.failure = ("too-large", {"detail": "đọc tệp cần quá nhiều bộ nhớ"})
    except Exception as exc:  # any other surprise in a returned file is that file's problem only
        detail = f"lỗi không lường trước khi đọc tệp: {type(exc).__name__}: {str(exc)[:80]}"
        raw.failure = ("corrupt-file", {"detail": detail})
    except BaseException as exc:
        # A Rust panic inside calamine surfaces as pyo3's PanicException, a BaseException: still this file's problem.
        if type(exc).__name__ != "PanicException":
            raise
        raw.failure = ("corrupt-file", {"detail": "thư viện đọc bảng tính gặp lỗi nội bộ với nội dung tệp"})
    return raw


@functools.lru_cache(maxsize=8192)  # every return of a plan repeats the same name texts; CellRef is immutable
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
    return CellRef(sheet, int(match[2]) - 1, column_index(match[1]))


def _read_file(path: Path) -> tuple[bytes, float]:
    """The whole file, once (zipfile, xlrd and calamine all read these bytes), and its mtime."""
    try:
        stat = path.stat()
        size = stat.st_size
        if size > MAX_FILE_BYTES:
            raise Rejected("too-large", detail=f"tệp {size // (1024 * 1024)} MB")
        with path.open("rb") as handle:
            data = handle.read(size + 1)  # one byte more tells whether the file grew since stat
    except OSError:  # gone, not readable, or locked by the program that has it open
        detail = "không mở được tệp để đọc (tệp đã bị chuyển đi, bị khóa hoặc không có quyền đọc)"
        raise Rejected("corrupt-file", detail=detail) from None
    if len(data) > size:  # read no more than stat said, to allocate no more than the file
        raise Rejected("corrupt-file", detail="tệp đang được chép hoặc ghi dở; hãy chạy lại khi chép xong")
    if not data:
        raise Rejected("not-a-workbook", detail="tệp rỗng (0 byte)")
    return data, stat.st_mtime


# Zip containers: xlsx, xlsm, ods


def _read_zip(raw: RawWorkbook, data: bytes) -> Formulas:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Rejected("corrupt-file", detail="cấu trúc tệp nén bị hỏng, có thể tệp bị cắt cụt") from None
    with archive:
        members = archive.infolist()
        guard_zip(members)
        # Two members under one name (or one name in two cases): zipfile and calamine could each
        # take another one, and one of them would escape the checks. No program writes that.
        members_of = {zip_key(member.filename): member for member in members}
        if len(members_of) < len(members):
            raise Rejected("corrupt-file", detail="tệp nén có hai phần trùng tên")
        parts, names = Parts(archive), {member.filename for member in members}
        if "xl/workbook.xml" in names:
            raw.format = "xlsm" if raw.path.suffix.lower() == ".xlsm" else "xlsx"
            formulas = _xlsx_parts(raw, parts, names, members_of)
        elif "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype")[:100]:
            raw.format = "ods"
            formulas = _ods_parts(raw, parts, names)
        else:
            raise Rejected("not-a-workbook", detail="tệp nén không chứa bảng tính")
        parts.check_the_rest()
    return formulas


def _xlsx_parts(raw: RawWorkbook, parts: Parts, names: set[str], members_of: dict[str, zipfile.ZipInfo]) -> Formulas:
    workbook = ElementTree.fromstring(parts.read("xl/workbook.xml"))
    # Transitional OOXML, Excel's "Strict Open XML" (the same parts under http://purl.oclc.org/ooxml/...), or
    # any namespace: calamine reads elements by their names, and so must the scans that guard it.
    main = workbook.tag.rpartition("}")[0] + "}" if "}" in workbook.tag else ""
    for element in workbook.iter(f"{main}definedName"):
        if element.get("localSheetId") is None and element.text:
            _add_name(raw, element.get("name"), element.text)
    if "xl/_rels/workbook.xml.rels" not in names:
        raise Rejected("corrupt-file", detail="thiếu phần liên kết các trang (xl/_rels/workbook.xml.rels)")
    rels = ElementTree.fromstring(parts.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): _xl_part(rel.get("Target", "")) for rel in rels}
    sheets_in: dict[str, list[str]] = {}  # part, as zip_key -> the sheets it holds
    for sheet in workbook.iter(f"{main}sheet"):
        # r:id, in whatever namespace the file binds `r` to (calamine reads it by its prefix)
        part = targets.get(next((value for key, value in sheet.attrib.items() if key.endswith("}id")), None))
        if part:
            sheets_in.setdefault(zip_key(part), []).append(sheet.get("name"))
    # Every part a sheet may be read from is bounded, not only those our parse maps to a sheet:
    # calamine maps sheets to targets its own way, and any sheet-like target may be one of them.
    formulas, budget = Formulas(), GridBudget()
    for key in sorted({zip_key(part) for part in targets.values() if part.split("/")[1:2] in _SHEET_FOLDERS}):
        member, sheets = members_of.get(key), sheets_in.get(key, [])
        if member is None:
            continue  # calamine cannot read a missing part either
        label = sheets[0] if sheets else member.filename  # for messages
        rows, cols, cells, blocks = xlsx_sheet(parts.read(member.filename), label)
        budget.take(label, rows, cols, copies=len(sheets))
        for sheet in sheets:
            formulas.cells.update((sheet, row, col) for row, col in cells)
            formulas.blocks.extend((sheet, *block) for block in blocks)
    if "docProps/core.xml" in names:
        found = re.search(rb"<dcterms:modified[^>]*>([^<]+)<", parts.read("docProps/core.xml"))
        raw.saved_at = _parse_time(found[1].decode()) if found else None
    return formulas


_SHEET_FOLDERS = (["worksheets"], ["chartsheets"], ["dialogsheets"])  # xl/<folder>/...: what calamine takes for a sheet


def _add_name(raw: RawWorkbook, name: str | None, reference: str) -> None:
    ref = parse_reference(reference)
    if name and ref:
        raw.names[name] = ref
    elif name and "#REF" in reference:  # its row, column or cell was deleted
        raw.deleted.add(name)


def _xl_part(target: str) -> str:
    """A workbook relationship's target as calamine resolves it."""
    if target.startswith("/xl/"):
        return target[1:]
    return target if target.startswith("xl/") else "xl/" + target


def _ods_parts(raw: RawWorkbook, parts: Parts, names: set[str]) -> Formulas:
    # A password to open encrypts content.xml and the other parts, and says so in the manifest.
    if "META-INF/manifest.xml" in names and b"encryption-data" in parts.read("META-INF/manifest.xml"):
        raise Rejected("encrypted-file")
    if "content.xml" not in names:
        raise Rejected("corrupt-file", detail="thiếu phần nội dung (content.xml)")
    xml = parts.read("content.xml")
    # calamine matches the literal prefixes `table:` and `office:`; this scan matches namespaces.
    # They agree as long as those prefixes mean what LibreOffice means by them.
    for prefix, uri in re.findall(rb"""xmlns:(table|office)\s*=\s*["']([^"']*)""", xml):
        if uri != _ODS_PREFIXES[prefix]:
            raise Rejected("corrupt-file", detail=f"content.xml dùng tiền tố “{prefix.decode()}” cho không gian tên lạ")
    content = ElementTree.fromstring(xml)
    for element in content.iter(f"{ODS_TABLE}named-range"):
        # $'Số liệu'.$E$7 -> 'Số liệu'!$E$7
        sheet, _, cell = element.get(f"{ODS_TABLE}cell-range-address", "").lstrip("$").rpartition(".")
        _add_name(raw, element.get(f"{ODS_TABLE}name"), f"{sheet}!{cell}" if sheet else element.get(f"{ODS_TABLE}cell-range-address", ""))
    formulas, budget = Formulas(), GridBudget()
    for table in content.iter(f"{ODS_TABLE}table"):
        sheet = table.get(f"{ODS_TABLE}name")
        row = rows = cols = 0
        for row_element in table.iter(f"{ODS_TABLE}table-row"):
            row_repeat, col = ods_repeat(row_element, "rows"), 0
            for cell in row_element:  # table-cell and covered-table-cell
                repeat, formula = ods_repeat(cell, "columns"), cell.get(f"{ODS_TABLE}formula")
                # LibreOffice repeats EMPTY rows and cells to the sheet's edge (1048576 × 16384):
                # only a cell with content (a child, an office: value or a formula) widens the grid.
                if formula or len(cell) or any(key.startswith(ODS_OFFICE) for key in cell.keys()):
                    rows, cols = max(rows, row + row_repeat), max(cols, col + repeat)
                if formula:
                    # A matrix formula's results fill the range it spans, in cells without a formula.
                    tall = max(row_repeat, int(cell.get(f"{ODS_TABLE}number-matrix-rows-spanned", 1)))
                    wide = max(repeat, int(cell.get(f"{ODS_TABLE}number-matrix-columns-spanned", 1)))
                    if tall == wide == 1:
                        formulas.cells.add((sheet, row, col))
                    else:
                        formulas.blocks.append((sheet, row, row + tall - 1, col, col + wide - 1))
                col += repeat
            row += row_repeat
        budget.take(sheet, rows, cols)
    if "meta.xml" in names:
        found = re.search(rb"<dc:date>([^<]+)<", parts.read("meta.xml"))
        raw.saved_at = _parse_time(found[1].decode()) if found else None
    return formulas


_ODS_LAYOUT_SPACE = re.compile(rb">\s+(?=</?table:)")


def tidy_ods(data: bytes) -> bytes:
    """The package with content.xml's indentation between table elements removed: Gnumeric indents it,
    LibreOffice ignores that, calamine refuses it ("Expecting 'table-cell', found Text"). No cell moves."""
    tidy = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(tidy, "w") as target:
        for item in source.infolist():  # sizes already bounded by guard_zip
            part = source.read(item)
            target.writestr(item, _ODS_LAYOUT_SPACE.sub(b">", part) if item.filename == "content.xml" else part)
    return tidy.getvalue()


def ods_repeat(element, what: str) -> int:
    """number-rows-repeated / number-columns-repeated; at least 1 (calamine counts a bad one as 1 or refuses it)."""
    return max(1, int(element.get(f"{ODS_TABLE}number-{what}-repeated", 1)))


# OLE2 containers: xls, and xlsx encrypted with a password to open


def _read_ole(raw: RawWorkbook, data: bytes) -> Formulas:
    import xlrd  # only .xls needs it
    from xlrd.compdoc import CompDoc, CompDocError
    from xlrd.formula import oREF

    try:
        streams = {entry.name for entry in CompDoc(data).dirlist}
    except (CompDocError, IndexError, struct.error):
        raise Rejected("corrupt-file", detail="cấu trúc tệp Office (OLE2) bị hỏng") from None
    if {"EncryptionInfo", "EncryptedPackage"} & streams:
        raise Rejected("encrypted-file")
    if not {"Workbook", "Book"} & streams:
        raise Rejected("not-a-workbook", detail="tệp Office nhưng không phải bảng tính")
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:  # xlrd meets broken records with any exception (even AssertionError)
        if "encrypted" in str(exc).lower():
            raise Rejected("encrypted-file") from None
        raise Rejected("corrupt-file", detail="nội dung bảng tính .xls bị hỏng") from None
    raw.format = "xls"
    sheet_names = book.sheet_names()
    for name in book.name_obj_list:
        result = name.result
        if name.scope != -1 or name.builtin or result is None or result.kind != oREF or not result.value:
            continue
        sheet_low, sheet_high, row_low, row_high, col_low, col_high = result.value[0].coords
        if sheet_high - sheet_low == 1 and row_high - row_low == 1 and col_high - col_low == 1:
            raw.names[name.name] = CellRef(sheet_names[sheet_low], row_low, col_low)
    # calamine builds every sheet when it opens the file, charts and macro sheets too (xlrd skips
    # those): bound every sheet the workbook's BOUNDSHEET records point at.
    formulas, budget = Formulas(), GridBudget()
    for offset, sheet in biff_sheets(book).items():
        rows, cols, cells = biff_sheet(book.mem, offset, sheet)
        budget.take(sheet, rows, cols)
        formulas.cells.update((sheet, row, col) for row, col in cells)
    summary = CompDoc(data).get_named_stream("\x05SummaryInformation")
    raw.saved_at = ole_last_saved(summary) if summary else None
    book.release_resources()
    return formulas


def _parse_time(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    try:
        moment = moment.astimezone() if moment.tzinfo else moment
    except OverflowError:  # 9999-12-31 in UTC is past year 9999 here: keep it as written (and flagged as future)
        pass
    return moment.replace(tzinfo=None, microsecond=0)


# Values


def _read_values(raw: RawWorkbook, data: bytes) -> None:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise Rejected("encrypted-file") from None
        raise Rejected("corrupt-file", detail="không đọc được nội dung bảng tính") from None
    sheet_names = book.sheet_names
    rows_of: dict[str, list[list] | None] = {}

    def rows(sheet: str) -> list[list] | None:
        if sheet not in rows_of:
            # skip_empty_area=False keeps row/column indexes equal to the sheet's own addresses.
            # Every sheet's grid was bounded by the format's scan before calamine was opened.
            try:
                rows_of[sheet] = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False) if sheet in sheet_names else None
            except CalamineError:
                raise Rejected("corrupt-file", detail=f"trang “{sheet}” bị hỏng, không đọc được") from None
        return rows_of[sheet]

    if META_SHEET in sheet_names:
        raw.meta = {_as_text(row[0]): _as_text(row[1]) for row in rows(META_SHEET) if len(row) > 1 and row[0] != ""}
    if any(ref.sheet not in sheet_names for ref in raw.names.values()):
        raw.names = {name: ref for name, ref in raw.names.items() if ref.sheet in sheet_names}
    raw.moved = match_keys(raw.names, raw.deleted, [sheet for sheet in sheet_names if sheet != META_SHEET], rows)
    for name, ref in raw.names.items():
        cells = rows(ref.sheet)
        value = cells[ref.row][ref.col] if ref.row < len(cells) and ref.col < len(cells[ref.row]) else None
        raw.values[name] = None if value == "" else value


def _as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()
