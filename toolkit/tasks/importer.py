"""Import a task matrix (TT | Nội dung | chủ trì | phối hợp | Thời gian) from text, Word or Excel.

Every reader turns its source into the same stream of rows (location, cells by column key, whether a
page break preceded the row); `_build` then applies one set of rules to group and join them. A text
or Word file with no such table may give its tasks in prose, agency by agency (`prose`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from pathlib import Path

import yaml

from toolkit.core.errors import TasksImportError
from toolkit.core.files import atomic_write
from toolkit.core.text import clean_text, fold
from toolkit.tasks.prose import prose_tasks

FIELDS = ("tt", "content", "lead", "coordinating", "timeframe")

# Only markup seen in PDF/HTML extractions; a blanket <...> pattern would eat text such as "<5 tuổi>".
_BLOCK_TAG = re.compile(r"</?(?:p|br|div)\b[^>]*>", re.IGNORECASE)
_INLINE_TAG = re.compile(r"</?(?:i|b|u|em|strong|span|sup|sub)\b[^>]*>", re.IGNORECASE)
_ROMAN = re.compile(r"(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
# A group row typed into one merged cell: "IV. Đổi mới, ..."
_GROUP_IN_TT = re.compile(rf"({_ROMAN.pattern})[.:)]?(?:\s+(.*))?", re.DOTALL)
_COLUMN_NUMBER = re.compile(r"\(?\d{1,2}\)?")


def _clean(value: object) -> str:
    """Cell value -> NFC text without markup, with single spaces."""
    if isinstance(value, (dt.datetime, dt.date)):
        value = value.strftime("%d/%m/%Y")
    text = clean_text(value)
    text = _INLINE_TAG.sub("", _BLOCK_TAG.sub(" ", text))
    return " ".join(text.split())


def _column_key(header: str) -> str | None:
    folded = fold(header).strip(" .:")
    if folded in {"tt", "stt", "so tt", "so thu tu"}:
        return "tt"
    for key, needle in (("content", "noi dung"), ("lead", "chu tri"), ("coordinating", "phoi hop"),
                        ("timeframe", "thoi gian"), ("timeframe", "thoi han")):
        if needle in folded:
            return key
    return None


def _header_map(cells: list[str]) -> dict[str, int] | None:
    """Column positions if these cells form the header row (needs at least TT and Nội dung)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _column_key(cell)
        if key and key not in found:
            found[key] = index
    return found if {"tt", "content"} <= found.keys() else None


def _pick(cells: list[str], columns: dict[str, int]) -> dict[str, str]:
    return {key: cells[columns[key]] if key in columns and columns[key] < len(cells) else "" for key in FIELDS}


def _is_noise(cells: list[str]) -> bool:
    """Blank rows, a header repeated on a new page, or the "(1) (2) (3)" column-number row."""
    filled = [c for c in cells if c]
    if not filled or _header_map(cells):
        return True
    return len(filled) >= 3 and all(_COLUMN_NUMBER.fullmatch(c) for c in filled)


def _heading(lines: list[str]) -> tuple[str, str]:
    """(title, attached_to) from the lines above the table: after "Phụ lục", up to "(Kèm theo …)"."""
    lines = [_clean(line) for line in lines]
    starts = [i for i, line in enumerate(lines) if fold(line).startswith("phu luc")]
    if not starts:
        return "", ""
    first = lines[starts[-1]]
    parts = [first.split(":", 1)[1].strip()] if ":" in first else []
    for line in lines[starts[-1] + 1:]:
        if fold(line).lstrip("( ").startswith("kem theo"):
            return " ".join(p for p in parts if p), line
        parts.append(line)
    # No "Kèm theo" line: the title is the first block of non-blank lines only.
    block: list[str] = []
    for part in parts:
        if part:
            block.append(part)
        elif block:
            break
    return " ".join(block), ""


def _build(rows, name: str, continuation_needs_break: bool) -> dict:
    """Group rows and join broken ones. `rows` yields (where, cells, page_break_before)."""
    groups: list[dict] = []
    last = None  # kind of the previous row: "group" or "task"
    for where, cells, page_break in rows:
        tt, content = cells["tt"], cells["content"]
        match = _GROUP_IN_TT.fullmatch(tt)
        if match and (not content or not match.group(2)):
            groups.append({"numeral": match.group(1), "title": content or (match.group(2) or "").strip(), "tasks": []})
            last = "group"
            continue
        if not groups:
            raise TasksImportError(
                f"Tệp {name}, {where}: có nhiệm vụ nằm trước nhóm đầu tiên; phía trên phải có dòng nhóm "
                "đánh số La Mã (I, II, III, …).")
        tasks = groups[-1]["tasks"]
        # An empty TT right after a task is the rest of that task (a row broken at a page end);
        # right after a group row it is a task without a number.
        if not tt and last == "task" and (page_break or not continuation_needs_break):
            for key in FIELDS[1:]:
                if cells[key]:
                    tasks[-1][key] = f"{tasks[-1][key]} {cells[key]}".strip()
            continue
        tasks.append({"tt": tt.rstrip(".)"), **{key: cells[key] for key in FIELDS[1:]}})
        last = "task"
    if not groups:
        raise TasksImportError(f"Tệp {name}: bảng nhiệm vụ không có dòng nào sau dòng tiêu đề.")
    firsts = [next((t["tt"] for t in g["tasks"] if t["tt"]), "") for g in groups]
    firsts = [f for f in firsts if f]
    numbering = "continuous" if any(f != "1" for f in firsts[1:]) else "per_group"
    return {"numbering": numbering, "groups": groups}


def _no_table(name: str) -> TasksImportError:
    return TasksImportError(
        f"Tệp {name}: không tìm thấy bảng nhiệm vụ (cần một dòng tiêu đề có cột “TT” và cột “Nội dung”), "
        "cũng không thấy mục “TỔ CHỨC THỰC HIỆN” giao nhiệm vụ cho từng cơ quan (“1. Phòng Giáo dục và "
        "Đào tạo” rồi các dòng “- …”).")


def _read_text(path: Path, name: str) -> tuple[dict, list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TasksImportError(f"Tệp {name} không phải văn bản mã hóa UTF-8 (lỗi ở byte {exc.start}).") from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for start, line in enumerate(lines):
        columns = _header_map([_clean(c) for c in line.split("\t")]) if "\t" in line else None
        if columns:
            break
    else:
        matrix = prose_tasks([_clean(line) for line in lines], wrapped=True)
        if matrix is None:
            raise _no_table(name)
        return matrix, []

    def rows():
        page_break = False
        for number, line in enumerate(lines[start + 1:], start=start + 2):
            if "\t" not in line:
                # Not a table row (page number, footer); a blank line marks a page end.
                page_break = page_break or not line.strip()
                continue
            cells = [_clean(c) for c in line.split("\t")]
            if _is_noise(cells):  # empty cells, or the header repeated on the new page
                page_break = True
                continue
            yield f"dòng {number}", _pick(cells, columns), page_break
            page_break = False

    return _build(rows(), name, continuation_needs_break=True), lines[:start]


def _docx_cells(row) -> list[str]:
    """Texts by grid column; a merged cell's text is kept once, at its first column/row."""
    from docx.table import _Cell

    texts = [""] * (getattr(row, "grid_cols_before", 0) or 0)
    for tc in row._tr.tc_lst:
        span = tc.grid_span
        texts.append("" if tc.vMerge == "continue" else _clean(_Cell(tc, row.table).text))
        texts.extend([""] * (span - 1))
    return texts


def _read_docx(path: Path, name: str) -> tuple[dict, list[str]]:
    import docx
    from docx.opc.exceptions import OpcError
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError):  # what a non-Word file raises
        raise TasksImportError(f"Không đọc được tệp {name}: tệp không phải Word (.docx) hợp lệ hoặc đã bị hỏng.") from None
    for table in document.tables:
        table_rows = list(table.rows)
        for start, row in enumerate(table_rows[:5]):
            columns = _header_map(_docx_cells(row))
            if columns:
                break
        else:
            continue

        def rows(table_rows=table_rows, start=start, columns=columns):
            for number, row in enumerate(table_rows[start + 1:], start=start + 2):
                cells = _docx_cells(row)
                if not _is_noise(cells):
                    yield f"dòng {number} của bảng", _pick(cells, columns), False

        above = []
        for element in document.element.body.iterchildren():
            if element is table._tbl:
                break
            if element.tag.endswith("}p"):
                above.append(Paragraph(element, document).text)
        return _build(rows(), name, continuation_needs_break=False), above
    matrix = prose_tasks([_clean(p.text) for p in document.paragraphs], wrapped=False)
    if matrix is None:
        raise _no_table(name)
    return matrix, []


def _read_xlsx(path: Path, name: str) -> tuple[dict, list[str]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError):
        # openpyxl reports a Word file renamed .xlsx as OSError, a random file as BadZipFile
        raise TasksImportError(f"Không đọc được tệp {name}: tệp không phải Excel (.xlsx) hợp lệ hoặc đã bị hỏng.") from None
    try:
        for sheet in book.worksheets:
            above: list[str] = []
            sheet_rows = sheet.iter_rows(values_only=True)
            for number, values in enumerate(sheet_rows, start=1):
                cells = [_clean(v) for v in values]
                columns = _header_map(cells)
                if columns:
                    break
                above.append(" ".join(c for c in cells if c))
            else:
                continue

            def rows(sheet_rows=sheet_rows, number=number, columns=columns, title=sheet.title):
                for row_number, values in enumerate(sheet_rows, start=number + 1):
                    cells = [_clean(v) for v in values]
                    if not _is_noise(cells):
                        yield f"trang tính “{title}”, dòng {row_number}", _pick(cells, columns), False

            return _build(rows(), name, continuation_needs_break=False), above
    finally:
        book.close()
    raise _no_table(name)


_READERS = {".txt": _read_text, ".tsv": _read_text, ".docx": _read_docx, ".xlsx": _read_xlsx}


def import_tasks(path: str | os.PathLike) -> dict:
    """Read a task matrix into {title, attached_to, numbering, groups: [{numeral, title, tasks}]}."""
    path = Path(path)
    name = str(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        hint = " Hãy lưu lại thành .docx hoặc .xlsx." if path.suffix.lower() in {".doc", ".xls"} else ""
        raise TasksImportError(
            f"Tệp {name}: không hỗ trợ định dạng “{path.suffix or '(không có đuôi)'}”; chỉ nhập được tệp "
            f"Word (.docx), Excel (.xlsx) hoặc văn bản tách cột bằng Tab (.txt, .tsv).{hint}")
    if not path.is_file():
        raise TasksImportError(f"Không tìm thấy tệp {name}.")
    matrix, above = reader(path, name)
    title, attached_to = _heading(above)
    return {"title": title, "attached_to": attached_to, **matrix}


def dump_tasks_yaml(tasks: dict, path) -> Path:
    """Write the imported dict as YAML (atomically: a crash never leaves half a file)."""
    # No line folding: each value stays on one line, so a phrase can be found with grep.
    text = yaml.safe_dump(tasks, allow_unicode=True, sort_keys=False, width=10**6)
    return atomic_write(path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8", newline="\n"))
