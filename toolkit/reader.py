"""Read one returned workbook, safely and fast, whatever program saved it.

Values are found through the workbook's own defined names (they follow inserted rows and
renamed sheets), falling back to the key column of our templates when a name was lost (column A
lists the row's input names, `|`-separated, for the cells from column E on). Cell values come
from python-calamine (fast, all four formats); names, formulas and the save time are read from
the file's own parts. Nothing is ever written to the file.

Formulas are found in the file itself: `<f>` in xlsx sheet XML, `table:formula` in ods, FORMULA
records in the xls BIFF stream. Each format's scan records every formula cell; which names hold
one is decided once the names are final (defined names, then the key-column fallback).

Hostile files: the file is read once (at most MAX_FILE_BYTES), zip bombs are refused from the
zip directory, every XML part's prolog is checked for a DOCTYPE before anything parses it, and
every sheet's grid is bounded (MAX_CELLS) before calamine builds it: calamine allocates the whole
grid up to the farthest cell, and a failed allocation aborts the process, uncatchably.
A failure is reported in `RawWorkbook.failure`, never raised.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import DefusedXmlException, ElementTree
from python_calamine import CalamineError, CalamineWorkbook

from toolkit.contract import FIRST_INPUT_COLUMN, KEY_COLUMN, META_SHEET

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_FILE_BYTES = 100 * 1024 * 1024  # a filled template is well under 1 MB
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # total inflated size of a zip container
MAX_RATIO, RATIO_FLOOR = 100, 10 * 1024 * 1024  # a member inflating > 100:1 past 10 MB is a zip bomb
MAX_MEMBERS = 2000
MAX_SHEETS = 1000  # of an xls workbook
MAX_CELLS = 2_000_000  # rows × columns of one sheet's grid, from A1 to its farthest cell; a template has ~2,000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]+)$")
_XLSX_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_ODS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_PREFIXES = {b"table": _ODS[1:-1].encode(), b"office": _OFFICE[1:-1].encode()}


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


@dataclass
class _Formulas:
    """Every formula cell a format's scan found, whatever name (if any) points at it."""

    cells: set[tuple[str, int, int]] = field(default_factory=set)  # (sheet, row, col)
    # Ranges holding one formula's results (array formulas, repeated ods cells): (sheet, row0, row1, col0, col1)
    blocks: list[tuple[str, int, int, int, int]] = field(default_factory=list)

    def holds(self, ref: CellRef) -> bool:
        return (ref.sheet, ref.row, ref.col) in self.cells or any(
            sheet == ref.sheet and row0 <= ref.row <= row1 and col0 <= ref.col <= col1
            for sheet, row0, row1, col0, col1 in self.blocks)


# Read


def read_workbook(path: str | bytes | os.PathLike) -> RawWorkbook:
    """Read names, values, formulas, metadata and save time of one file; never raises."""
    # A file name that is not valid UTF-8 (bytes from an old zip tool) stays usable: Python keeps it
    # as a str with surrogate escapes, and the file is opened here, never by name in calamine.
    raw = RawWorkbook(Path(os.fsdecode(path)) if isinstance(path, bytes) else Path(path))
    try:
        data = _read_file(raw.path)
        if data.startswith(b"PK"):
            formulas = _read_zip(raw, data)
        elif data.startswith(OLE_MAGIC):
            formulas = _read_ole(raw, data)
        else:
            raise Rejected("not-a-workbook", detail="nội dung không phải định dạng bảng tính")
        _read_values(raw, data)
        # Only now are the names final (the key-column fallback adds some): flag every one on a formula.
        raw.formulas = {name for name, ref in raw.names.items() if formulas.holds(ref)}
        if raw.saved_at is None:
            raw.saved_at = dt.datetime.fromtimestamp(raw.path.stat().st_mtime).replace(microsecond=0)
    except Rejected as exc:
        raw.failure = (exc.code, exc.params)
    except DefusedXmlException:  # a DTD the prolog scan did not see
        raw.failure = ("unsafe-xml", {"detail": "khai báo DTD trong nội dung XML"})
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
    col = 0
    for letter in match[1]:
        col = col * 26 + ord(letter) - 64
    return CellRef(sheet, int(match[2]) - 1, col - 1)


def _read_file(path: Path) -> bytes:
    """The whole file, once: zipfile, xlrd and calamine all read these bytes."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise Rejected("too-large", detail=f"tệp {size // (1024 * 1024)} MB")
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat
    except OSError:  # gone, not readable, or locked by the program that has it open
        detail = "không mở được tệp để đọc (tệp đã bị chuyển đi, bị khóa hoặc không có quyền đọc)"
        raise Rejected("corrupt-file", detail=detail) from None
    if len(data) > MAX_FILE_BYTES:
        raise Rejected("too-large", detail=f"tệp hơn {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not data:
        raise Rejected("not-a-workbook", detail="tệp rỗng (0 byte)")
    return data


def _bound(sheet: str, rows: int, cols: int) -> None:
    """Refuse a sheet whose grid, from A1 to its farthest cell, is too big to build."""
    if rows * cols > MAX_CELLS:
        raise Rejected("too-large", detail=f"trang “{sheet}” rộng tới ô {CellRef(sheet, rows - 1, cols - 1).a1}")


# XML prologs

_XML_SPACE = re.compile(rb"[ \t\r\n]*")
_PROLOG_CHUNK = 512  # a prolog written by Excel or LibreOffice is under 100 bytes


def _check_prolog(name: str, read) -> None:
    """Refuse a part whose prolog declares a DTD (entities: billion laughs, external files).

    A DOCTYPE may only come before the root element, after the BOM, the XML declaration,
    whitespace, comments and processing instructions; those are skipped, reading on with `read(n)`
    (n bytes unless the part ends, as a file's read) however long they are, and the scan stops at
    the first element start tag.
    """
    buffer = read(_PROLOG_CHUNK)
    # UTF-16 or UTF-32 (BOM or NUL bytes) would hide markup from this byte scan; no spreadsheet
    # program writes it. (Expat takes no other encoding that moves ASCII: `<!DOCTYPE` stays visible.)
    if buffer[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in buffer[:4]:
        raise Rejected("unsafe-xml", detail=f"{name} mã hóa UTF-16/UTF-32")
    at = 3 if buffer.startswith(b"\xef\xbb\xbf") else 0
    while True:
        at = _XML_SPACE.match(buffer, at).end()
        if len(buffer) - at < 16:  # what comes next may be cut off: read on
            more = read(_PROLOG_CHUNK)
            if more:
                buffer, at = buffer[at:] + more, 0
                continue
        if buffer.startswith(b"<?", at):
            closing, at = b"?>", at + 2
        elif buffer.startswith(b"<!--", at):
            closing, at = b"-->", at + 4
        else:
            if buffer[at:at + 9].upper() == b"<!DOCTYPE" or buffer[at:at + 8].upper() == b"<!ENTITY":
                raise Rejected("unsafe-xml", detail=name)
            return  # the root element (or no XML at all, which its parser will refuse)
        end = buffer.find(closing, at)
        while end < 0:  # a long comment: read on, keeping only what could begin its end
            more = read(_PROLOG_CHUNK)
            if not more:
                return  # unterminated: not well-formed, its parser will refuse it
            buffer, at = buffer[max(at, len(buffer) - len(closing) + 1):] + more, 0
            end = buffer.find(closing)
        at = end + len(closing)


class _Parts:
    """A zip's members, read whole at most once; each XML part is checked before anyone parses it."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive, self.read_parts = archive, {}

    def read(self, name: str) -> bytes:
        if name not in self.read_parts:
            with _unzipping(name):
                data = self.archive.read(name)
            _check_prolog(name, io.BytesIO(data).read)
            self.read_parts[name] = data
        return self.read_parts[name]

    def check_the_rest(self) -> None:
        """Check the prolog of every other XML part (calamine parses some), streaming a few bytes of each."""
        for member in self.archive.infolist():
            if member.filename not in self.read_parts and member.filename.lower().endswith((".xml", ".rels")):
                with _unzipping(member.filename), self.archive.open(member) as handle:
                    _check_prolog(member.filename, handle.read)


@contextlib.contextmanager
def _unzipping(name: str):
    """A member that cannot be inflated: damaged (bad CRC, cut short), zip-encrypted, or compressed
    with a method zipfile lacks (Deflate64 from some Windows tools)."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        raise Rejected("corrupt-file", detail=f"không giải nén được phần “{name}” của tệp") from None


def _zip_key(name: str) -> str:
    """A member name as calamine looks parts up: `\\` as `/`, ASCII letters in any case."""
    return name.replace("\\", "/").translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


# Zip containers: xlsx, xlsm, ods


def _read_zip(raw: RawWorkbook, data: bytes) -> _Formulas:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Rejected("corrupt-file", detail="cấu trúc tệp nén bị hỏng, có thể tệp bị cắt cụt") from None
    with archive:
        members = archive.infolist()
        _guard_zip(members)
        # Two members under one name (or one name in two cases): zipfile and calamine could each
        # take another one, and one of them would escape the checks. No program writes that.
        members_of = {_zip_key(member.filename): member for member in members}
        if len(members_of) < len(members):
            raise Rejected("corrupt-file", detail="tệp nén có hai phần trùng tên")
        parts, names = _Parts(archive), {member.filename for member in members}
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


def _guard_zip(members: list[zipfile.ZipInfo]) -> None:
    """Reject a zip bomb from its directory, before inflating anything."""
    total = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or total > MAX_UNCOMPRESSED:
        raise Rejected("too-large", detail=f"{len(members)} phần, {total // (1024 * 1024)} MB khi giải nén")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise Rejected("too-large", detail=f"{member.filename} nén {ratio:.0f}:1")


def _xlsx_parts(raw: RawWorkbook, parts: _Parts, names: set[str], members_of: dict[str, zipfile.ZipInfo]) -> _Formulas:
    workbook = ElementTree.fromstring(parts.read("xl/workbook.xml"))
    for element in workbook.iter(f"{_XLSX_NS}definedName"):
        if element.get("localSheetId") is None and element.text:
            ref = parse_reference(element.text)
            if ref:
                raw.names[element.get("name")] = ref
    if "xl/_rels/workbook.xml.rels" not in names:
        raise Rejected("corrupt-file", detail="thiếu phần liên kết các trang (xl/_rels/workbook.xml.rels)")
    rels = ElementTree.fromstring(parts.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): _xl_part(rel.get("Target", "")) for rel in rels}
    sheets_in: dict[str, list[str]] = {}  # part, as _zip_key -> the sheets it holds
    for sheet in workbook.iter(f"{_XLSX_NS}sheet"):
        part = targets.get(sheet.get(_REL_ID))
        if part:
            sheets_in.setdefault(_zip_key(part), []).append(sheet.get("name"))
    # Every part a sheet may be read from is bounded, not only those our parse maps to a sheet:
    # calamine maps sheets to targets its own way, and any sheet-like target may be one of them.
    formulas = _Formulas()
    for key in {_zip_key(part) for part in targets.values() if part.split("/")[1:2] in _SHEET_FOLDERS}:
        member, sheets = members_of.get(key), sheets_in.get(key, [])
        if member is None:
            continue  # calamine cannot read a missing part either
        label = sheets[0] if sheets else member.filename  # for messages
        rows, cols, cells, blocks = _xlsx_sheet(parts.read(member.filename), label)
        _bound(label, rows, cols)
        for sheet in sheets:
            formulas.cells.update((sheet, row, col) for row, col in cells)
            formulas.blocks.extend((sheet, *block) for block in blocks)
    if "docProps/core.xml" in names:
        found = re.search(rb"<dcterms:modified[^>]*>([^<]+)<", parts.read("docProps/core.xml"))
        raw.saved_at = _parse_time(found[1].decode()) if found else None
    return formulas


_SHEET_FOLDERS = (["worksheets"], ["chartsheets"], ["dialogsheets"])  # xl/<folder>/...: what calamine takes for a sheet


def _xl_part(target: str) -> str:
    """A workbook relationship's target as calamine resolves it."""
    if target.startswith("/xl/"):
        return target[1:]
    return target if target.startswith("xl/") else "xl/" + target


# Sheet XML is scanned with regular expressions over bytes: parsing every cell in Python would cost
# more than calamine reading the whole file. Possessive quantifiers, and attribute names that stop
# at `<`, keep the patterns linear on a malformed part; a quoted value may hold anything, as in calamine.
_NAME = rb"[A-Za-z_][\w.-]*+"
_ATTRS = rb"""(?:\s++[^\s=/<>]++\s*+=\s*+(?:"[^"]*+"|'[^']*+'))*+"""
_ATTR = re.compile(rb"""([^\s=/<>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ADDRESS = re.compile(rb"([A-Za-z]+)([0-9]+)")
_ROW_NUMBER = re.compile(rb"[A-Za-z]*([0-9]+)")
# Fast path, for cells written as every program writes them: unprefixed, address first, no comments.
# Its checks look between the first and the last `sheetData`, where calamine reads cells: there only
# rows and cells carry attributes, so a literal `r` starts an address (text may raise a false alarm,
# which only costs the exact walk).
_CELL_WITHOUT_LEADING_ADDRESS = re.compile(rb"<c(?=[\s/>])(?!\s+r\s*=)")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_ADDRESS_PAST_Z9999 = re.compile(rb"""r\s*=\s*["'](?:[A-Za-z]{2}|[A-Za-z]?[0-9]{5})""")
_FAST_BOUND = (9999, 26)  # rows, columns: no address past Z9999 means a grid of at most 259,974 cells
_FORMULA_CELL = re.compile(  # a cell whose first child is <f>: address, other attributes, <f>'s attributes
    rb"<c\s+r\s*=\s*([\"'])([A-Za-z]+)([0-9]+)\1(" + _ATTRS + rb")\s*>\s*<(?:" + _NAME + rb":)?f(?=[\s/>])(" + _ATTRS + rb")")
_SECOND_ADDRESS = re.compile(rb"(?<![\w:.-])r\s*=")
# Slow path, every other sheet: a walk over the tags as calamine reads them.
_TAG = re.compile(
    rb"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<\?.*?(?:\?>|\Z)"  # skipped, however long or unterminated
    rb"|<(/?)(?:" + _NAME + rb":)?(" + _NAME + rb")(" + _ATTRS + rb")\s*(/?)>", re.S)


def _xlsx_sheet(xml: bytes, sheet: str) -> tuple[int, int, list[tuple[int, int]], list[tuple[int, int, int, int]]]:
    """(rows, cols, formula cells, array formula blocks) of one sheet part; rows × cols is at least
    the grid calamine builds from it. `<dimension>` is not trusted: it can lie, and calamine ignores it.

    A formula is an `<f>` that is the cell's first child (OOXML's order, which every program writes),
    after whitespace or comments; quotes may be single or double.
    """
    start, end = xml.find(b"sheetData"), xml.rfind(b"sheetData")
    if start < 0:
        return 0, 0, [], []  # no cells (a chart sheet)
    if (xml.find(b"<!--", start, end) >= 0 or _PREFIXED_CELL.search(xml, start, end)
            or _CELL_WITHOUT_LEADING_ADDRESS.search(xml, start, end)):
        return _xlsx_sheet_walk(xml, sheet)
    if _ADDRESS_PAST_Z9999.search(xml, start, end):  # a big sheet, or a hostile one: measure it exactly
        rows, cols, _, _ = _xlsx_sheet_walk(xml, sheet)
    else:
        rows, cols = _FAST_BOUND
    found = _FORMULA_CELL.findall(xml, start, end)  # (quote, letters, digits, other attributes, <f> attributes)
    if _SECOND_ADDRESS.search(b" ".join(match[3] for match in found)):
        return _xlsx_sheet_walk(xml, sheet)  # an address given twice: calamine takes the last one
    cells = [(int(digits) - 1, _column(letters)) for _, letters, digits, _, _ in found]
    blocks = [block for *_, f_attrs in found if b"array" in f_attrs for block in _array_block(f_attrs, sheet)]
    return rows, cols, cells, blocks


def _xlsx_sheet_walk(xml: bytes, sheet: str) -> tuple[int, int, list[tuple[int, int]], list[tuple[int, int, int, int]]]:
    """`_xlsx_sheet` for any sheet, tag by tag as calamine reads it: a cell without an address
    (optional in OOXML, written by no program we know) comes after the previous cell of its row;
    a cell without a child (`<c r="XFD1048576" s="1"/>`, only a format) holds no value and, as in
    calamine, does not widen the grid."""
    row = col = rows = cols = 0
    cells, blocks, cell = [], [], None  # `cell`: the position of a cell whose first child comes next
    for match in _TAG.finditer(xml):
        closing, name, attrs, empty = match.groups()
        if name is None:
            continue  # a comment, CDATA section or processing instruction
        if cell is not None:
            if not closing:  # the cell has a child: a value, a formula or a string
                rows, cols = max(rows, cell[0] + 1), max(cols, cell[1] + 1)
                if name == b"f":
                    cells.append(cell)
                    blocks.extend(_array_block(attrs, sheet))
            cell = None
        if name == b"row":
            if not closing:
                number = _attribute(attrs, b"r")
                if number is not None:
                    found = _ROW_NUMBER.fullmatch(number)
                    if not found or int(found[1]) == 0:  # calamine refuses it too
                        number = number.decode(errors="replace")
                        raise Rejected("corrupt-file", detail=f"trang “{sheet}”: số dòng “{number}” không hợp lệ")
                    row = int(found[1]) - 1
            if closing or empty:
                row, col = row + 1, 0
        elif name == b"c" and not closing:
            address = _attribute(attrs, b"r")
            position = (row, col) if address is None else _cell_address(address, sheet, strict=True)
            col = position[1] + 1
            cell = None if empty else position
    return rows, cols, cells, blocks


def _attribute(attrs: bytes, wanted: bytes) -> bytes | None:
    """The value of an unprefixed attribute; the last one wins when repeated, as in calamine."""
    value = None
    for name, double, single in _ATTR.findall(attrs):
        if name == wanted:
            value = double or single
    return value


def _cell_address(address: bytes | None, sheet: str, strict: bool = False) -> tuple[int, int] | None:
    """`E9` (any case, as calamine reads it) -> (row, col), 0-based; None (or refused, if strict) when invalid."""
    found = _ADDRESS.fullmatch(address) if address is not None else None
    if not found or int(found[2]) == 0:
        if strict:  # calamine refuses it too
            address = (address or b"").decode(errors="replace")
            raise Rejected("corrupt-file", detail=f"trang “{sheet}”: địa chỉ ô “{address}” không hợp lệ")
        return None
    return int(found[2]) - 1, _column(found[1])


@functools.lru_cache(maxsize=1024)
def _column(letters: bytes) -> int:
    """b"E" (or b"e") -> 4."""
    col = 0
    for letter in letters.upper():
        col = col * 26 + letter - 64
    return col - 1


def _array_block(f_attrs: bytes, sheet: str) -> list[tuple[int, int, int, int]]:
    """The range of an array formula (`<f t="array" ref="E9:E12">`): its other cells hold results only."""
    if _attribute(f_attrs, b"t") != b"array":
        return []
    ends = [_cell_address(end, sheet) for end in (_attribute(f_attrs, b"ref") or b"").split(b":")]
    if not ends or None in ends or len(ends) > 2:
        return []
    (row0, col0), (row1, col1) = ends[0], ends[-1]
    return [(min(row0, row1), max(row0, row1), min(col0, col1), max(col0, col1))]


def _ods_parts(raw: RawWorkbook, parts: _Parts, names: set[str]) -> _Formulas:
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
    for element in content.iter(f"{_ODS}named-range"):
        # $'Số liệu'.$E$7 -> 'Số liệu'!$E$7
        sheet, _, cell = element.get(f"{_ODS}cell-range-address", "").lstrip("$").rpartition(".")
        ref = parse_reference(f"{sheet}!{cell}") if sheet else None
        if ref:
            raw.names[element.get(f"{_ODS}name")] = ref
    formulas = _Formulas()
    for table in content.iter(f"{_ODS}table"):
        sheet = table.get(f"{_ODS}name")
        row = rows = cols = 0
        for row_element in table.iter(f"{_ODS}table-row"):
            row_repeat, col = _repeat(row_element, "rows"), 0
            for cell in row_element:  # table-cell and covered-table-cell
                repeat, formula = _repeat(cell, "columns"), cell.get(f"{_ODS}formula")
                # LibreOffice repeats EMPTY rows and cells to the sheet's edge (1048576 × 16384):
                # only a cell with content (a child, an office: value or a formula) widens the grid.
                if formula or len(cell) or any(key.startswith(_OFFICE) for key in cell.keys()):
                    rows, cols = max(rows, row + row_repeat), max(cols, col + repeat)
                if formula:
                    # A matrix formula's results fill the range it spans, in cells without a formula.
                    tall = max(row_repeat, int(cell.get(f"{_ODS}number-matrix-rows-spanned", 1)))
                    wide = max(repeat, int(cell.get(f"{_ODS}number-matrix-columns-spanned", 1)))
                    if tall == wide == 1:
                        formulas.cells.add((sheet, row, col))
                    else:
                        formulas.blocks.append((sheet, row, row + tall - 1, col, col + wide - 1))
                col += repeat
            row += row_repeat
        _bound(sheet, rows, cols)
    if "meta.xml" in names:
        found = re.search(rb"<dc:date>([^<]+)<", parts.read("meta.xml"))
        raw.saved_at = _parse_time(found[1].decode()) if found else None
    return formulas


def _repeat(element, what: str) -> int:
    """number-rows-repeated / number-columns-repeated; at least 1 (calamine counts a bad one as 1 or refuses it)."""
    return max(1, int(element.get(f"{_ODS}number-{what}-repeated", 1)))


# OLE2 containers: xls, and xlsx encrypted with a password to open


def _read_ole(raw: RawWorkbook, data: bytes) -> _Formulas:
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
    formulas = _Formulas()
    for offset, sheet in _biff_sheets(book).items():
        rows, cols, cells = _biff_sheet(book.mem, offset, sheet)
        _bound(sheet, rows, cols)
        formulas.cells.update((sheet, row, col) for row, col in cells)
    summary = CompDoc(data).get_named_stream("\x05SummaryInformation")
    raw.saved_at = _ole_last_saved(summary) if summary else None
    book.release_resources()
    return formulas


def _biff_sheets(book) -> dict[int, str]:
    """Stream offset -> name of every sheet: BOUNDSHEET records of the workbook globals, and xlrd's list."""
    from xlrd.biffh import unpack_string, unpack_unicode

    sheets = dict(zip(book._sh_abs_posn, book.sheet_names()))
    stream, position = book.mem, 0
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        record = stream[position + 4:position + 4 + length]
        if kind == 0x0085 and length >= 8:  # BOUNDSHEET: offset, visibility, type, name
            offset = struct.unpack_from("<I", record)[0]
            try:
                name = (unpack_unicode(record, 6, lenlen=1) if book.biff_version >= 80
                        else unpack_string(record, 6, book.encoding, lenlen=1))
            except Exception:  # only a refusal message would show it
                name = f"thứ {len(sheets) + 1}"
            for start in (offset, offset + book.base):  # calamine's offset, and xlrd's
                sheets.setdefault(start, name)
        elif kind == 0x000A:  # EOF of the globals
            break
        position += 4 + length
    if len(sheets) > MAX_SHEETS:  # each is walked record by record: keep the walks bounded
        raise Rejected("too-large", detail=f"{len(sheets)} trang")
    return sheets


_BIFF_CELLS = frozenset({0x0006, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E})  # formula, labelsst, number, label, boolerr, rk


def _biff_sheet(stream: bytes, offset: int, sheet: str) -> tuple[int, int, list[tuple[int, int]]]:
    """(rows, cols, formula cells) of the sheet substream at `offset`. rows × cols is at least the
    grid calamine builds: up to its farthest cell (the records it reads), and what DIMENSIONS
    declares, which calamine reserves up front."""
    rows = cols = 0
    cells = []
    position = offset
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        if kind in _BIFF_CELLS and length >= 4:
            row, col = struct.unpack_from("<HH", stream, position + 4)
            rows, cols = max(rows, row + 1), max(cols, col + 1)
            if kind == 0x0006:
                cells.append((row, col))
        elif kind == 0x00BD and length >= 6:  # MULRK: row, first column, RK values, last column
            row, first = struct.unpack_from("<HH", stream, position + 4)
            last = struct.unpack_from("<H", stream, position + 4 + length - 2)[0]
            rows, cols = max(rows, row + 1), max(cols, first + (length - 6) // 6, last + 1)
        elif kind == 0x0200 and length in (10, 14):  # DIMENSIONS: first row, last row + 1, first col, last col + 1
            # calamine reserves room for this many cells before reading any: past the BIFF8 grid
            # (65536 × 256, no real file goes there) or inverted (it wraps around), that aborts.
            layout = "<IIHH" if length == 14 else "<HHHH"  # BIFF8, or BIFF5 and older
            first_row, end_row, first_col, end_col = struct.unpack_from(layout, stream, position + 4)
            if end_row and end_col:  # calamine's arithmetic, in unsigned 32 bits
                tall, wide = (end_row - first_row) % 2**32, (end_col - first_col) % 2**32
                if tall > 65536 or wide > 256:
                    detail = f"trang “{sheet}” khai báo vùng dữ liệu {tall} dòng × {wide} cột"
                    raise Rejected("too-large", detail=detail)
        elif kind == 0x000A:  # EOF of this sheet
            break
        position += 4 + length
    return rows, cols, cells


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
    _find_by_keys(raw, sheet_names, rows)
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
