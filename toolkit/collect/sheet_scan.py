"""Where a sheet's cells and formulas are, from its raw records (xlsx sheet XML, xls BIFF records).

Each scan gives the extent of the grid calamine will build from the sheet (so that it can be
bounded first) and every formula cell, whatever name points at it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import struct

from toolkit.collect.parts import Rejected

MAX_SHEETS = 1000  # of an xls workbook


# Sheet XML is scanned with regular expressions over bytes: parsing every cell in Python would cost
# more than calamine reading the whole file. Each piece of an attribute (space, name, `=`, quoted
# value) is a character class the next one excludes, and names stop at `<`, so a malformed part
# cannot make a pattern backtrack more than once per attribute (Python 3.10 has no possessive
# quantifiers); a quoted value may hold anything, as in calamine.
_NAME = rb"[A-Za-z_][\w.-]*"
_ATTRS = rb"""(?:\s+[^\s=/<>]+\s*=\s*(?:"[^"]*"|'[^']*'))*"""
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


def xlsx_sheet(xml: bytes, sheet: str) -> tuple[int, int, list[tuple[int, int]], list[tuple[int, int, int, int]]]:
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
        return xlsx_sheet_walk(xml, sheet)
    if _ADDRESS_PAST_Z9999.search(xml, start, end):  # a big sheet, or a hostile one: measure it exactly
        rows, cols, _, _ = xlsx_sheet_walk(xml, sheet)
    else:
        rows, cols = _FAST_BOUND
    found = _FORMULA_CELL.findall(xml, start, end)  # (quote, letters, digits, other attributes, <f> attributes)
    if _SECOND_ADDRESS.search(b" ".join(match[3] for match in found)):
        return xlsx_sheet_walk(xml, sheet)  # an address given twice: calamine takes the last one
    cells = [(int(digits) - 1, _column(letters)) for _, letters, digits, _, _ in found]
    blocks = [block for *_, f_attrs in found if b"array" in f_attrs for block in _array_block(f_attrs, sheet)]
    return rows, cols, cells, blocks


def xlsx_sheet_walk(xml: bytes, sheet: str) -> tuple[int, int, list[tuple[int, int]], list[tuple[int, int, int, int]]]:
    """`xlsx_sheet` for any sheet, tag by tag as calamine reads it: a cell without an address
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


# xls: BIFF records


def biff_sheets(book) -> dict[int, str]:
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


def biff_sheet(stream: bytes, offset: int, sheet: str) -> tuple[int, int, list[tuple[int, int]]]:
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


def ole_last_saved(summary: bytes) -> dt.datetime | None:
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
