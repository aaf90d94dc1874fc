"""Feedback copies: for each accepted return with problems, a workbook the sender can correct.

A copy is the unit's own template, written by the template writer (`write_template(answers=...)`),
holding every input value the return holds (found by defined name, so rows the clerk inserted do
not matter; numbers as numbers, text as text even when it looks like a formula), the notes typed
in its "Ghi chú" cells (found by their row's key, so a sorted return still puts each on its row),
and the clerk's own comments on input and note cells. Bad cells are filled red (errors) or yellow
(warnings) with the problem as a comment, below the clerk's own. A cell the sender filled by a
formula holds the formula's result as a plain value, in grey, with a comment saying so: opening the
copy runs nothing of the sender's. Its own self-check formulas are cached empty, so Excel and
LibreOffice compute them on opening.

Every copy opens on a "Phản hồi" sheet (the unit, the round, what to do, one line per problem with
a link to its cell). What a copy holds was read in the same pass as the check (`Collection.filled`):
it shows the file that was checked, and the return is not read again. Copies are written in the
worker pool.
"""

from __future__ import annotations

import functools
import math
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from toolkit.collect.folder import Collection
from toolkit.collect.records import Filled, Issue
from toolkit.core.text import printable
from toolkit.core.workers import shared, worker_pool
from toolkit.forms.answers import Answers
from toolkit.forms.writer import plan_line, write_template
from toolkit.spec.plan import Plan
from toolkit.spec.units import Roster, Unit

FEEDBACK_SHEET = "Phản hồi"
# From this many copies on, a worker on the other core writes them beside this process (which joins in
# once its own work is done): that pays for the worker's start, about a second.
OVERLAP_BATCH = 8
BATCH = 4  # copies a worker is sent at a time: about 0.2 s of work
SEVERITY_WORDS = {"error": "Lỗi, phải sửa", "warning": "Cần xem lại"}
COMPUTED_NOTE = ("Đơn vị đã điền ô này bằng công thức; bản phản hồi chỉ giữ kết quả của công thức dưới dạng "
                 "số liệu. Hãy nhập số liệu trực tiếp, không dùng công thức.")


class PendingCopies:
    """Feedback copies already `written` here, or being written in worker processes (`batches`: each
    future with the jobs it writes): `wait()` gives their paths once written. Leaving it (`with`)
    without waiting cancels what has not started."""

    def __init__(self, pool: ProcessPoolExecutor | None = None, batches: tuple = (), written: tuple = (),
                 plan: Plan | None = None, roster: Roster | None = None):
        self._pool, self._batches, self._written = pool, batches, written
        self._plan, self._roster = plan, roster

    def wait(self) -> list[Path]:
        written = list(self._written)
        # This process is free now: it writes the batches no worker has started, from the last one back,
        # while the workers finish theirs. (A pool starts its batches in order: once one has started,
        # so have all before it.)
        for future, jobs in reversed(self._batches):
            if not future.cancel():
                break
            written += [write_copy(self._plan, self._roster, *job) for job in jobs]
        written += [path for future, _ in self._batches if not future.cancelled() for path in future.result()]
        return sorted(written)

    def __enter__(self) -> "PendingCopies":
        return self

    def __exit__(self, *_) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def start_feedback(plan: Plan, roster: Roster, collection: Collection, folder: Path, *, workers: int = 1) -> PendingCopies:
    """Start writing `folder/<unit code>.xlsx` for each accepted return with a problem on a cell, in
    `workers` processes, and return at once: the aggregate computes its results and annexes in this
    process meanwhile, and `wait()` writes what is left here. A few copies are written here and now
    (a worker's start costs more)."""
    jobs = _jobs(collection, folder)
    if workers < 1 or len(jobs) < OVERLAP_BATCH:
        return PendingCopies(written=tuple(write_copy(plan, roster, *job) for job in jobs))
    return _in_workers(plan, roster, jobs, workers)


def _in_workers(plan: Plan, roster: Roster, jobs: list[tuple], workers: int) -> PendingCopies:
    # Small batches: whoever is free last takes what is left, one batch at a time.
    size = max(1, min(BATCH, math.ceil(len(jobs) / (workers * 4))))
    pool = worker_pool(workers, plan, roster)
    batches = tuple((pool.submit(_worker_write, jobs[i:i + size]), jobs[i:i + size]) for i in range(0, len(jobs), size))
    return PendingCopies(pool, batches, plan=plan, roster=roster)


def _jobs(collection: Collection, folder: Path) -> list[tuple]:
    """(unit code, return, its problems, folder, what it holds) of each copy to write; stale copies removed."""
    by_unit: dict[str, list[Issue]] = {}
    for issue in collection.issues:
        accepted = collection.returns.get(issue.unit)
        if accepted is not None and issue.file == str(accepted.file):
            by_unit.setdefault(issue.unit, []).append(issue)
    todo = {code: issues for code, issues in by_unit.items() if code in collection.filled}
    # A unit that fixed its file must not find last round's feedback still waiting for it.
    for code in collection.returns:
        if code not in todo:
            for stale in (folder / f"{code}.xlsx", folder / f"{code}.xlsm"):
                stale.unlink(missing_ok=True)
    if todo:
        folder.mkdir(parents=True, exist_ok=True)
    return [(code, str(collection.returns[code].file), issues, str(folder), collection.filled[code])
            for code, issues in todo.items()]


def _worker_write(jobs: list[tuple]) -> list[Path]:
    plan, roster = shared()
    return [write_copy(plan, roster, *job) for job in jobs]


def write_copy(plan: Plan, roster: Roster, code: str, source: str, issues: list[Issue], folder: str,
               filled: Filled) -> Path:
    """One unit's feedback copy, of the return at `source` as it was checked (`filled`); returns its path."""
    source_path, target = Path(source), Path(folder) / f"{code}.xlsx"
    (Path(folder) / f"{code}.xlsm").unlink(missing_ok=True)  # an earlier round's copy of an .xlsm return
    unit = roster.get(code)
    answers = filled_answers(filled, issues)
    answers.write_cover = functools.partial(_write_cover, plan, unit, source_path, issues, answers)
    return write_template(plan, roster, unit, target, answers=answers)


def filled_answers(filled: Filled, issues: list[Issue]) -> Answers:
    """The return's values, notes and comments, and its problems as marks, by defined name."""
    comments = dict(filled.comments)
    ours: dict[str, list[str]] = {name: [COMPUTED_NOTE] for name in filled.formulas}
    marks = {}
    for severity in ("warning", "error"):  # an error's red wins over a warning's yellow
        marks.update((i.field, severity) for i in issues if i.field and i.severity == severity)
    marks.update(dict.fromkeys(filled.formulas, "computed"))  # and the grey says why: its value is a formula's result
    for issue in issues:
        if issue.field:
            ours.setdefault(issue.field, []).append(issue.message)
    for name, lines in ours.items():
        theirs, mine = comments.get(name, ""), "\n".join(lines)
        comments[name] = f"{theirs}\n\n— Kiểm tra: {mine}" if theirs else mine
    return Answers(values=dict(filled.values), marks=marks, comments={n: printable(t) for n, t in comments.items()},
                   notes=dict(filled.notes), note_comments={k: printable(t) for k, t in filled.note_comments.items()},
                   cover_sheet=FEEDBACK_SHEET)


# The "Phản hồi" sheet


def _counted(errors: int, warnings: int) -> str:
    parts = ([f"{errors} lỗi phải sửa"] if errors else []) + ([f"{warnings} điểm cần xem lại"] if warnings else [])
    return " và ".join(parts)


def _write_cover(plan: Plan, unit: Unit, source: Path, issues: list[Issue], answers: Answers, book, sheet) -> None:
    """The first sheet, open on arrival: who, which round, what to do, one line per problem."""
    deadline = plan.deadlines.submission
    errors = sum(1 for i in issues if i.severity == "error")
    lines = [
        ("PHẢN HỒI KẾT QUẢ KIỂM TRA BÁO CÁO", {"bold": True, "font_size": 14}),
        (f"Đơn vị: {unit.name} (mã {unit.code})", {"bold": True}),
        (f"Báo cáo: {plan_line(plan)}", {}),
        (f"Đây là biểu mẫu của đơn vị, đã điền sẵn số liệu trong tệp đơn vị đã gửi ({printable(source.name)}) "
         "và đánh dấu các ô cần sửa. Hãy sửa ngay trên tệp này và gửi lại dạng .xlsx.", {}),
        (f"Phát hiện {_counted(errors, len(issues) - errors)}. Bấm vào địa chỉ ở cột “Ô” "
         "để đến đúng ô; ô nền đỏ là lỗi, ô nền vàng cần xem lại, ô nền xám đơn vị đã điền bằng công thức "
         "(bản này chỉ giữ kết quả). "
         f"Sửa xong, lưu tệp và gửi lại cho {plan.collector}"
         + (f" trước ngày {deadline.strftime('%d/%m/%Y')}." if deadline else "."), {}),
    ]
    wrap = {"text_wrap": True, "valign": "top"}
    for row, (text, look) in enumerate(lines):
        sheet.merge_range(row, 0, row, 3, printable(text), book.add_format({**wrap, **look}))
        sheet.set_row(row, 18 * max(1, math.ceil(len(text) / 110)))
    header_row = len(lines) + 1
    box = {**wrap, "border": 1}
    header = book.add_format({**box, "bold": True, "bg_color": "#D9E1F2"})
    for col, title in enumerate(("STT", "Trang", "Ô", "Vấn đề cần sửa", "Mức độ")):
        sheet.write_string(header_row, col, title, header)
    # (sheet, cell, message, severity, whether the cell is in this copy); the return's address otherwise
    problems = [(*answers.placed.get(i.field, (i.sheet, i.cell)), i.message, SEVERITY_WORDS[i.severity],
                 i.field in answers.placed) for i in issues]
    listed = {i.field for i in issues}
    problems += [(*answers.placed[name], COMPUTED_NOTE, SEVERITY_WORDS["warning"], True)
                 for name, mark in sorted(answers.marks.items())
                 if mark == "computed" and name not in listed and name in answers.placed]
    plain, link = book.add_format(box), book.add_format({**box, "font_color": "#0563C1", "underline": 1})
    for number, (where, address, message, severity, here) in enumerate(problems, start=1):
        row = header_row + number
        sheet.write_number(row, 0, number, plain)
        sheet.write_string(row, 1, printable(where), plain)
        if here:
            quoted = where.replace("'", "''")
            sheet.write_url(row, 2, f"internal:'{quoted}'!{address}", link, address)
        else:
            sheet.write_string(row, 2, address or "", plain)
        sheet.write_string(row, 3, printable(message), plain)
        sheet.write_string(row, 4, severity, plain)
        sheet.set_row(row, 16.5 * max(1, math.ceil(len(message) * 1.1 / 70)))
    for col, width in enumerate((6, 12, 8, 72, 16)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_paper(9)
    sheet.set_portrait()
    sheet.fit_to_pages(1, 0)


__all__ = ["FEEDBACK_SHEET", "PendingCopies", "start_feedback", "write_copy"]
