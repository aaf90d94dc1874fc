"""Feedback copies: for each accepted return with problems, a workbook the sender can correct.

Every copy opens on a "Phản hồi" sheet (the unit, the round, what to do, one line per problem with
a link to its cell) and has the bad cells filled red (errors) or yellow (warnings), each with a
comment; a comment the clerk wrote on that cell is kept above ours. Formulas the sender typed, and
any formula reaching another file or program (external links, DDE), become plain text in a marked
cell, so that opening the copy runs nothing of theirs.

An .xlsx/.xlsm return is copied (the original is only ever read) and marked. An .ods or .xls
return, a return openpyxl cannot rewrite, and one too big to rewrite cheaply get a fresh copy of
their own template with the values they typed. Copies are written in the worker pool.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
from concurrent.futures import as_completed
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink

from toolkit.collect.folder import Collection
from toolkit.collect.reader import read_workbook
from toolkit.collect.records import Issue
from toolkit.core.errors import ToolkitError
from toolkit.core.files import atomic_write
from toolkit.core.text import printable
from toolkit.core.workers import shared, worker_pool
from toolkit.forms.writer import plan_line, write_template
from toolkit.spec.plan import Plan
from toolkit.spec.units import Roster, Unit

FEEDBACK_SHEET = "Phản hồi"
REWRITE_LIMIT = 5 * 1024 * 1024  # bytes: openpyxl needs ~70× a file's size in memory to rewrite it
SMALL_BATCH = 8  # fewer copies than this are written in this process: starting workers costs more
SEVERITY_WORDS = {"error": "Lỗi, phải sửa", "warning": "Cần xem lại"}
FILLS = {"error": PatternFill("solid", fgColor="FFFF7C80"), "warning": PatternFill("solid", fgColor="FFFFEB9C")}
NEUTRALISED_FILL = PatternFill("solid", fgColor="FFD9D9D9")
# A formula that reaches outside the workbook: an external reference ([1]Sheet!A1, 'C:\x\[a.xlsx]S'!A1),
# DDE (cmd|'/c calc'!A0), or a function that calls out.
_REACHES_OUT = re.compile(r"\[|\||\b(HYPERLINK|WEBSERVICE|FILTERXML|CALL|REGISTER|REGISTER\.ID|RTD|DDE|EXEC)\s*\(",
                          re.IGNORECASE)


def write_feedback(plan: Plan, roster: Roster, collection: Collection, folder: Path, *, workers: int = 2) -> list[Path]:
    """Write `folder/<unit code>.xlsx` (or .xlsm) for each accepted return with a problem on a cell."""
    by_unit: dict[str, list[Issue]] = {}
    for issue in collection.issues:
        accepted = collection.returns.get(issue.unit)
        if accepted is not None and issue.file == str(accepted.file):
            by_unit.setdefault(issue.unit, []).append(issue)
    todo = {code: issues for code, issues in by_unit.items() if any(i.cell for i in issues)}
    # A unit that fixed its file must not find last round's feedback still waiting for it.
    for code in collection.returns:
        if code not in todo:
            for stale in (folder / f"{code}.xlsx", folder / f"{code}.xlsm"):
                stale.unlink(missing_ok=True)
    if not todo:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    jobs = [(code, str(collection.returns[code].file), issues, str(folder)) for code, issues in todo.items()]
    if workers <= 1 or len(jobs) < SMALL_BATCH:
        return sorted(write_copy(plan, roster, *job) for job in jobs)
    size = max(1, min(10, math.ceil(len(jobs) / (workers * 4))))
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    written: list[Path] = []
    with worker_pool(workers, plan, roster) as pool:
        for done in as_completed([pool.submit(_worker_write, chunk) for chunk in chunks]):
            written.extend(done.result())
    return sorted(written)


def _worker_write(jobs: list[tuple]) -> list[Path]:
    plan, roster = shared()
    return [write_copy(plan, roster, *job) for job in jobs]


def write_copy(plan: Plan, roster: Roster, code: str, source: str, issues: list[Issue], folder: str) -> Path:
    """One unit's feedback copy; returns its path. The return at `source` is never opened for writing."""
    source_path, folder_path = Path(source), Path(folder)
    unit = roster.get(code)
    suffix = source_path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") and source_path.stat().st_size <= REWRITE_LIMIT:
        target = folder_path / f"{code}{suffix}"
        try:
            return atomic_write(target, lambda temporary: _mark_own(plan, unit, source_path, issues, temporary))
        except ToolkitError:
            raise  # the previous copy is open in Excel: the user can act on that
        except Exception:  # a workbook openpyxl cannot rewrite: the unit gets a fresh copy instead
            target.unlink(missing_ok=True)
    (folder_path / f"{code}.xlsm").unlink(missing_ok=True)
    return atomic_write(folder_path / f"{code}.xlsx",
                        lambda temporary: _mark_fresh(plan, roster, unit, source_path, issues, temporary))


# The two kinds of copy


def _mark_own(plan: Plan, unit: Unit, source: Path, issues: list[Issue], temporary: str) -> None:
    """The unit's own workbook, copied, with its problems marked."""
    shutil.copyfile(source, temporary)
    book = openpyxl.load_workbook(temporary, keep_vba=source.suffix.lower() == ".xlsm")
    neutralised = _neutralise(book)
    book._external_links = []  # opening the copy must not ask to update links to the sender's files
    marked = _mark(book, issues, lambda issue: _located(book, issue.sheet, issue.cell))
    _add_feedback_sheet(book, plan, unit, source, marked, neutralised, fresh=False)
    book.save(temporary)


def _mark_fresh(plan: Plan, roster: Roster, unit: Unit, source: Path, issues: list[Issue], temporary: str) -> None:
    """A fresh template of the unit with the values its return holds, the problems marked."""
    raw = read_workbook(source)
    with tempfile.TemporaryDirectory() as scratch:
        template = write_template(plan, roster, unit, Path(scratch) / f"{unit.code}.xlsx")
        book = openpyxl.load_workbook(template)
    neutralised = []
    for name, value in raw.values.items():
        cell = _named(book, name)
        if cell is None or value is None:
            continue
        cell.value = int(value) if isinstance(value, float) and value.is_integer() else value
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text that looks like a formula stays text
        if name in raw.formulas:  # its result is all the reader sees; the copy holds it as a value
            neutralised.append(cell)
    for cell in neutralised:
        _mark_neutralised(cell)
    # By name: the return's cells may sit elsewhere (rows inserted) than in the fresh template.
    marked = _mark(book, issues, lambda issue: _named(book, issue.field) or _located(book, issue.sheet, issue.cell))
    _add_feedback_sheet(book, plan, unit, source, marked, [_where(c) for c in neutralised], fresh=True)
    book.save(temporary)


# Marking


def _neutralise(book: Workbook) -> list[tuple[str, str]]:
    """Turn the sender's formulas into text: those in unlocked cells (only the sender could type
    there) and any that reaches outside the workbook. Returns (sheet, cell) of each."""
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type != "f" or not isinstance(cell.value, str):
                    continue
                if cell.protection.locked and not _REACHES_OUT.search(cell.value):
                    continue  # the template's own self-check
                cell.data_type = "s"
                _mark_neutralised(cell)
                found.append(_where(cell))
    return found


def _mark_neutralised(cell) -> None:
    cell.fill = NEUTRALISED_FILL
    _comment(cell, "Ô này có công thức; bản phản hồi giữ nguyên nội dung dưới dạng chữ và không chạy nó. "
                   "Hãy nhập số liệu trực tiếp, không dùng công thức.")


def _mark(book: Workbook, issues: list[Issue], locate) -> list[tuple[Issue, tuple[str, str]]]:
    """Fill and comment each issue's cell; returns each issue with where it is in this copy."""
    marked = []
    for issue in issues:
        cell = locate(issue) if issue.cell or issue.field else None
        if cell is not None:
            cell.fill = FILLS[issue.severity]
            _comment(cell, issue.message)
        marked.append((issue, _where(cell) if cell is not None else (issue.sheet, issue.cell)))
    return marked


def _comment(cell, text: str) -> None:
    """Ours below any comment already on the cell (the clerk's own, or an earlier problem's)."""
    earlier = cell.comment
    if earlier is not None and earlier.author != "Kiểm tra":
        text = f"{earlier.text}\n\n— Kiểm tra: {text}"
    elif earlier is not None:
        text = f"{earlier.text}\n{text}"
    cell.comment = Comment(printable(text), "Kiểm tra", width=320, height=140)


def _located(book: Workbook, sheet: str, address: str):
    """The cell at `address`; a merged cell's comment and fill belong to its range's top-left cell."""
    if sheet not in book.sheetnames or not address:
        return None
    worksheet = book[sheet]
    for merged in worksheet.merged_cells.ranges:
        if address in merged:
            return worksheet.cell(merged.min_row, merged.min_col)
    return worksheet[address]


def _named(book: Workbook, name: str):
    definition = book.defined_names.get(name) if name else None
    if definition is None:
        return None
    for sheet, address in definition.destinations:
        return _located(book, sheet, address.replace("$", ""))
    return None


def _where(cell) -> tuple[str, str]:
    return cell.parent.title, cell.coordinate


# The "Phản hồi" sheet


def _counted(errors: int, warnings: int) -> str:
    parts = ([f"{errors} lỗi phải sửa"] if errors else []) + ([f"{warnings} điểm cần xem lại"] if warnings else [])
    return " và ".join(parts) or "công thức cần thay bằng số liệu"


def _add_feedback_sheet(book: Workbook, plan: Plan, unit: Unit, source: Path,
                        marked: list[tuple[Issue, tuple[str, str]]], neutralised: list[tuple[str, str]], *,
                        fresh: bool) -> None:
    """The first sheet, open on arrival: who, which round, what to do, one line per problem."""
    sheet = book.create_sheet(FEEDBACK_SHEET, 0)
    for other in book.worksheets:
        other.sheet_view.tabSelected = False  # else Excel opens with the sheets grouped
    book.active = 0
    sheet.sheet_view.tabSelected = True
    deadline = plan.deadlines.submission
    errors = sum(1 for i, _ in marked if i.severity == "error")
    if fresh:
        how = (f"Tệp đơn vị gửi ({printable(source.name)}) không sửa trực tiếp được, nên đây là biểu mẫu mới của "
               "đơn vị, đã điền sẵn số liệu trong tệp đó. Hãy sửa ngay trên tệp này và gửi lại dạng .xlsx.")
    else:
        how = f"Đây là bản sao tệp đơn vị đã gửi ({printable(source.name)}), đã đánh dấu các ô cần sửa."
    lines = [
        ("PHẢN HỒI KẾT QUẢ KIỂM TRA BÁO CÁO", Font(name="Times New Roman", size=14, bold=True)),
        (f"Đơn vị: {unit.name} (mã {unit.code})", Font(name="Times New Roman", size=12, bold=True)),
        (f"Báo cáo: {plan_line(plan)}", None),
        (how, None),
        (f"Phát hiện {_counted(errors, len(marked) - errors)}. Bấm vào địa chỉ ở cột “Ô” "
         "để đến đúng ô; ô nền đỏ là lỗi, ô nền vàng cần xem lại, ô nền xám có công thức đã chuyển thành chữ. "
         f"Sửa xong, lưu tệp và gửi lại cho {plan.collector}"
         + (f" trước ngày {deadline.strftime('%d/%m/%Y')}." if deadline else "."), None),
    ]
    plain = Font(name="Times New Roman", size=12)
    wrap = Alignment(wrap_text=True, vertical="top")
    side = Side(style="thin")
    box = Border(left=side, right=side, top=side, bottom=side)
    for row, (text, font) in enumerate(lines, start=1):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        cell = sheet.cell(row, 1, printable(text))
        cell.font, cell.alignment = font or plain, wrap
        sheet.row_dimensions[row].height = 18 * max(1, math.ceil(len(text) / 110))
    header_row = len(lines) + 2
    bold = Font(name="Times New Roman", size=12, bold=True)
    for col, title in enumerate(("STT", "Trang", "Ô", "Vấn đề cần sửa", "Mức độ"), start=1):
        cell = sheet.cell(header_row, col, title)
        cell.font, cell.fill, cell.border = bold, PatternFill("solid", fgColor="FFD9E1F2"), box
    problems = [(*where, i.message, SEVERITY_WORDS[i.severity]) for i, where in marked]
    reported = {where for _, where in marked}
    problems += [(s, c, "Ô có công thức, đã chuyển thành chữ; hãy nhập số liệu trực tiếp.", SEVERITY_WORDS["warning"])
                 for s, c in neutralised if (s, c) not in reported]
    link = Font(name="Times New Roman", size=12, color="FF0563C1", underline="single")
    for number, (where, address, message, severity) in enumerate(problems, start=1):
        row = header_row + number
        cells = [sheet.cell(row, col, value) for col, value in
                 enumerate((number, printable(where), address or "", printable(message), severity), start=1)]
        for cell in cells:
            cell.font, cell.alignment, cell.border = plain, wrap, box
        if where in book.sheetnames and address:
            cells[2].hyperlink = Hyperlink(ref=cells[2].coordinate, location=f"'{where}'!{address}", display=address)
            cells[2].font = link
        sheet.row_dimensions[row].height = 16.5 * max(1, math.ceil(len(message) * 1.1 / 70))
    for col, width in zip("ABCDE", (6, 12, 8, 72, 16)):
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


__all__ = ["FEEDBACK_SHEET", "write_copy", "write_feedback"]
