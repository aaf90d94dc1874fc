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
it shows the file that was checked, and the return is not read again. Copies are written by a worker
process, the one that read the returns when there was one (it already holds the plan and roster).
"""

from __future__ import annotations

import functools
import math
import threading
from collections import deque
from pathlib import Path
from typing import NamedTuple

from toolkit.collect import WORKER_MEMORY, WRITE_COPY
from toolkit.collect.folder import Collection
from toolkit.collect.records import Filled, Issue
from toolkit.core.isolation import isolated_map, started_early
from toolkit.core.text import printable
from toolkit.forms.answers import Answers
from toolkit.forms.writer import plan_line, write_template
from toolkit.spec.plan import Plan
from toolkit.spec.units import Roster, Unit

FEEDBACK_SHEET = "Phản hồi"
# From this many copies on, a worker on the other core writes them beside this process (which joins in
# once its own work is done): that pays for the worker's start, about a second.
OVERLAP_BATCH = 8
COPY_SECONDS = 60  # a copy takes a few hundredths of a second: past this, its worker is stopped
SEVERITY_WORDS = {"error": "Lỗi, phải sửa", "warning": "Cần xem lại"}
COMPUTED_NOTE = ("Đơn vị đã điền ô này bằng công thức; bản phản hồi chỉ giữ kết quả của công thức dưới dạng "
                 "số liệu. Hãy nhập số liệu trực tiếp, không dùng công thức.")


class PendingCopies:
    """Feedback copies being written: by a worker process, which a thread here feeds and hears from,
    and, once `wait()` is called, by this process too, taking the jobs from the other end. `wait()`
    gives their paths once all are written; leaving it (`with`) without waiting drops what has not started."""

    def __init__(self, plan: Plan, roster: Roster, jobs: list[CopyJob], workers: int):
        self._plan, self._roster, self._jobs = plan, roster, jobs
        self._left = deque(range(len(jobs)))  # not yet given to the worker: whoever is free takes the next
        self._written: dict[int, Path] = {}
        self._feeder = threading.Thread(target=self._feed, args=(workers,), daemon=True) if workers and jobs else None
        if self._feeder is not None:
            self._feeder.start()

    def _feed(self, workers: int) -> None:
        try:
            for index, path, failure in isolated_map(WRITE_COPY, self._jobs, (self._plan, self._roster), workers=workers,
                                                     seconds=COPY_SECONDS, memory=WORKER_MEMORY, left=self._left):
                if failure is None:
                    self._written[index] = path
        except Exception:  # no worker could start, or one failed: what it did not write, `wait()` writes here
            pass

    def wait(self) -> list[Path]:
        self._write_left()
        if self._feeder is not None:
            self._feeder.join()
        for index, job in enumerate(self._jobs):  # a copy its worker died or stalled on, or never got to
            if index not in self._written:
                self._written[index] = write_copy(self._plan, self._roster, job)
        return sorted(self._written.values())

    def _write_left(self) -> None:
        while True:
            try:
                index = self._left.pop()
            except IndexError:
                return
            self._written[index] = write_copy(self._plan, self._roster, self._jobs[index])

    def __enter__(self) -> "PendingCopies":
        return self

    def __exit__(self, *_) -> None:
        self._left.clear()
        if self._feeder is not None:
            self._feeder.join()


def start_feedback(plan: Plan, roster: Roster, collection: Collection, folder: Path, *, workers: int = 1) -> PendingCopies:
    """Start writing `folder/<unit code>.xlsx` for each accepted return with a problem on a cell, in
    `workers` processes, and return at once: the aggregate computes its results and annexes in this
    process meanwhile. The worker the reading handed over (`toolkit.collect.folder.collect`) writes even
    one copy; a new one is started for OVERLAP_BATCH copies or more (its start costs about a second)."""
    jobs = _jobs(collection, folder)
    worth_a_worker = started_early(WRITE_COPY, WORKER_MEMORY) or len(jobs) >= OVERLAP_BATCH
    return PendingCopies(plan, roster, jobs, workers if worth_a_worker else 0)


class CopyJob(NamedTuple):
    """One feedback copy to write: the unit, the return as checked, its problems, where the copy goes."""

    code: str
    source: str  # the return's path
    issues: list[Issue]
    folder: str
    filled: Filled


def _jobs(collection: Collection, folder: Path) -> list[CopyJob]:
    """The copies to write; stale copies removed."""
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
    return [CopyJob(code, str(collection.returns[code].file), issues, str(folder), collection.filled[code])
            for code, issues in todo.items()]


def write_copy(plan: Plan, roster: Roster, job: CopyJob) -> Path:
    """One unit's feedback copy, of the return as it was checked (`job.filled`); returns its path."""
    source_path, target = Path(job.source), Path(job.folder) / f"{job.code}.xlsx"
    (Path(job.folder) / f"{job.code}.xlsm").unlink(missing_ok=True)  # an earlier round's copy of an .xlsm return
    unit = roster.get(job.code)
    answers = filled_answers(job.filled, job.issues)
    answers.write_cover = functools.partial(_write_cover, plan, unit, source_path, job.issues, answers)
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
