"""What a clerk wrote in a return besides its values: comments on input cells, and notes in the
unlocked "Ghi chú" cells, for a feedback copy to carry over.

Comments come from the file's own parts: an .xlsx/.xlsm sheet's comments part (xl/comments*.xml,
found through the sheet's relationships), an .ods cell's office:annotation, an .xls sheet's NOTE
records (as xlrd reads them). Notes, and comments on note cells, are found by the key of their row
(column A), so a sorted return still gives each its row.

Only a file `read_workbook` accepted is read here, from the bytes it read (their zip, XML prologs and
grids were bounded), in the same pass; whatever goes wrong, the copy goes without them.
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from defusedxml import ElementTree
from python_calamine import CalamineWorkbook

from toolkit.collect.parts import CellRef, Parts
from toolkit.collect.reader import ODS_OFFICE, ODS_TABLE, RawWorkbook, ods_repeat, parse_reference, tidy_ods
from toolkit.collect.records import Filled
from toolkit.forms.data_sheet import NOTE_HEADER
from toolkit.spec.names import KEY_COLUMN

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def filled_in(raw: RawWorkbook) -> Filled:
    """What the clerk put in the return `raw` holds: its values, the names on formulas, and the
    comments and notes read from its bytes (none, when they cannot be read)."""
    values, formulas = raw.values, frozenset(raw.formulas)
    try:
        sheets = {ref.sheet for ref in raw.names.values()}  # a notes column is beside inputs
        found = _comments(raw.format, raw.data, sheets)
        notes, note_cells = _notes(tidy_ods(raw.data) if raw.format == "ods" else raw.data, sheets)
    except Exception:  # a clerk's comments are worth keeping, never worth failing their feedback copy
        return Filled(values, formulas, {}, {}, {})
    at = {ref: name for name, ref in raw.names.items()}
    return Filled(values, formulas, {at[ref]: text for ref, text in found.items() if ref in at and text.strip()}, notes,
                  {note_cells[ref]: text for ref, text in found.items() if ref in note_cells and text.strip()})


def _notes(data: bytes, sheets: set[str]) -> tuple[dict[str, object], dict[CellRef, str]]:
    """Row key -> the note typed in that row, and the note cells' keys, on those of `sheets` with a notes column."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    notes, note_cells = {}, {}
    for sheet in sorted(sheets & set(book.sheet_names)):
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        header = next((i for i, row in enumerate(rows) if NOTE_HEADER in row), None)
        if header is None:
            continue
        column = rows[header].index(NOTE_HEADER)
        for index, row in enumerate(rows[header + 1:], start=header + 1):
            key = row[KEY_COLUMN] if len(row) > max(KEY_COLUMN, column) else ""
            if isinstance(key, str) and key:
                note_cells[CellRef(sheet, index, column)] = key
                if row[column] != "":
                    notes[key] = row[column]
    return notes, note_cells


# Comments


def _comments(kind: str, data: bytes, sheets: set[str]) -> dict[CellRef, str]:
    """Every comment of the file, by cell (of `sheets` only, for .xls)."""
    if kind == "xls":
        return _xls_comments(data, sheets)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return _ods_comments(Parts(archive)) if kind == "ods" else _xlsx_comments(Parts(archive))


def _xls_comments(data: bytes, sheets: set[str]) -> dict[CellRef, str]:
    """The NOTE records xlrd reads with each sheet (its grid was bounded when the file was read)."""
    import xlrd  # only .xls needs it

    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    try:
        return {CellRef(name, row, col): note.text for name in sorted(sheets & set(book.sheet_names()))
                for (row, col), note in book.sheet_by_name(name).cell_note_map.items()}
    finally:
        book.release_resources()


def _xlsx_comments(parts: Parts) -> dict[CellRef, str]:
    workbook = ElementTree.fromstring(parts.read("xl/workbook.xml"))
    targets = _relationships(parts, "xl/workbook.xml")
    found = {}
    for sheet in workbook.iter():
        if _local(sheet.tag) != "sheet":
            continue
        part = targets.get(next((value for key, value in sheet.attrib.items() if key.endswith("}id")), None))
        if part is None:
            continue
        for kind, comments_part in _relationships(parts, part[1]).values():
            if kind.endswith("/comments"):
                for element in ElementTree.fromstring(parts.read(comments_part)).iter():
                    if _local(element.tag) == "comment" and element.get("ref"):
                        text = "".join(t.text or "" for t in element.iter() if _local(t.tag) == "t")
                        quoted = sheet.get("name", "").replace("'", "''")
                        ref = parse_reference(f"'{quoted}'!{element.get('ref')}")
                        if ref:
                            found[ref] = text
    return found


def _relationships(parts: Parts, part: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, member) of a part's relationships; {} when it has none."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in parts.archive.namelist():
        return {}
    found = {}
    for rel in ElementTree.fromstring(parts.read(rels)):
        target = rel.get("Target", "")
        member = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        if member in parts.archive.namelist():
            found[rel.get("Id")] = (rel.get("Type", ""), member)
    return found


def _ods_comments(parts: Parts) -> dict[CellRef, str]:
    content = ElementTree.fromstring(parts.read("content.xml"))
    found = {}
    for table in content.iter(f"{ODS_TABLE}table"):
        sheet, row = table.get(f"{ODS_TABLE}name"), 0
        for row_element in table.iter(f"{ODS_TABLE}table-row"):
            col = 0
            for cell in row_element:  # table-cell and covered-table-cell
                annotation = cell.find(f"{ODS_OFFICE}annotation")
                if annotation is not None:
                    found[CellRef(sheet, row, col)] = "\n".join("".join(p.itertext()) for p in annotation.iter(f"{_TEXT}p"))
                col += ods_repeat(cell, "columns")
            row += ods_repeat(row_element, "rows")
    return found


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


__all__ = ["filled_in"]
