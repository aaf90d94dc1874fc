"""What a returned file is checked with before anything reads it, and what its scans find.

Zip bombs are refused from the zip directory, every XML part's prolog is checked for a DTD before
anything parses it, and the grids of all its sheets together are bounded (MAX_CELLS) before calamine builds them:
calamine allocates the whole grid up to the farthest cell, and a failed allocation aborts the
process, uncatchably.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import NamedTuple

from toolkit.core.cells import cell_name

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # total inflated size of a zip container
MAX_RATIO, RATIO_FLOOR = 100, 10 * 1024 * 1024  # a member inflating > 100:1 past 10 MB is a zip bomb
MAX_MEMBERS = 2000
MAX_CELLS = 4_000_000  # rows × columns of a file's grids (A1 to each sheet's farthest cell); a template has ~2,000


class CellRef(NamedTuple):
    """One cell of a sheet, 0-based (a tuple: hashed a hundred times a file, in C)."""

    sheet: str
    row: int
    col: int

    @property
    def a1(self) -> str:
        return cell_name(self.row, self.col)


class Rejected(Exception):
    """The file cannot be read; carries a catalogue code and its parameters."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


@dataclass
class Formulas:
    """Every formula cell a format's scan found, whatever name (if any) points at it."""

    cells: set[tuple[str, int, int]] = field(default_factory=set)  # (sheet, row, col)
    # Ranges holding one formula's results (array formulas, repeated ods cells): (sheet, row0, row1, col0, col1)
    blocks: list[tuple[str, int, int, int, int]] = field(default_factory=list)

    def holds(self, ref: CellRef) -> bool:
        return (ref.sheet, ref.row, ref.col) in self.cells or any(
            sheet == ref.sheet and row0 <= ref.row <= row1 and col0 <= ref.col <= col1
            for sheet, row0, row1, col0, col1 in self.blocks)


class GridBudget:
    """The cells calamine may build for one file, all its sheets together: 60 small sheets each
    reaching row 1,999,999 cost as much memory as one sheet that size, and are refused alike."""

    def __init__(self, cells: int = MAX_CELLS):
        self.left = cells

    def take(self, sheet: str, rows: int, cols: int, copies: int = 1) -> None:
        """Count a sheet's grid, from A1 to its farthest cell (`copies`: sheets reading the same part)."""
        self.left -= rows * cols * max(copies, 1)
        if self.left < 0:
            farthest = CellRef(sheet, rows - 1, cols - 1).a1
            raise Rejected("too-large", detail=f"trang “{sheet}” rộng tới ô {farthest}; các trang của tệp cộng lại "
                                               f"vượt {MAX_CELLS:,} ô".replace(",", "."))


# Zip containers and their XML parts


def guard_zip(members: list[zipfile.ZipInfo]) -> None:
    """Reject a zip bomb from its directory, before inflating anything."""
    total = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or total > MAX_UNCOMPRESSED:
        raise Rejected("too-large", detail=f"{len(members)} phần, {total // (1024 * 1024)} MB khi giải nén")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise Rejected("too-large", detail=f"{member.filename} nén {ratio:.0f}:1")


_XML_SPACE = re.compile(rb"[ \t\r\n]*")
_PROLOG_CHUNK = 512  # a prolog written by Excel or LibreOffice is under 100 bytes


def check_prolog(name: str, read) -> None:
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


class Parts:
    """A zip's members, read whole at most once; each XML part is checked before anyone parses it."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive, self.read_parts = archive, {}

    def read(self, name: str) -> bytes:
        if name not in self.read_parts:
            with unzipping(name):
                data = self.archive.read(name)
            check_prolog(name, io.BytesIO(data).read)
            self.read_parts[name] = data
        return self.read_parts[name]

    def check_the_rest(self) -> None:
        """Check the prolog of every other XML part (calamine parses some), streaming a few bytes of each."""
        for member in self.archive.infolist():
            if member.filename not in self.read_parts and member.filename.lower().endswith((".xml", ".rels")):
                with unzipping(member.filename), self.archive.open(member) as handle:
                    check_prolog(member.filename, handle.read)


@contextlib.contextmanager
def unzipping(name: str):
    """A member that cannot be inflated: damaged (bad CRC, cut short), zip-encrypted, or compressed
    with a method zipfile lacks (Deflate64 from some Windows tools)."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        raise Rejected("corrupt-file", detail=f"không giải nén được phần “{name}” của tệp") from None


def zip_key(name: str) -> str:
    """A member name as calamine looks parts up: `\\` as `/`, ASCII letters in any case."""
    return name.replace("\\", "/").translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
