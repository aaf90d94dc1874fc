"""Data-collection templates: one protected, self-checking .xlsx per unit.

Contract (read back by `toolkit.collect.reader`): every input cell has a workbook-scoped defined name
(`plan.input_names(unit)`), the unit code cell is `MA_DON_VI`, the hidden sheet `_meta` holds the
plan code, template version, unit and generation time, and column A (hidden) of each sheet holds
the names of the input cells of its row, `|`-separated, from column E on, so a reader can still
find values in a file whose names were lost.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import os
from concurrent.futures import as_completed
from pathlib import Path
from typing import Callable, Iterable

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from toolkit import __version__
from toolkit.spec.names import META_SHEET
from toolkit.core.cells import column_name
from toolkit.core.errors import ToolkitError
from toolkit.core.files import atomic_write
from toolkit.spec.model import Field
from toolkit.spec.plan import Plan
from toolkit.spec.units import Roster, Unit
from toolkit.forms.answers import Answers
from toolkit.forms.rules import fits_inline
from toolkit.forms.stamp import Stamper, chunks_by_shape
from toolkit.forms.data_sheet import Status, write_data_sheet
from toolkit.forms.guide import GUIDE_SHEET, write_guide
from toolkit.forms.sheet import FilledSheet, FormSheet, print_setup
from toolkit.forms.task_sheet import takes as takes_task_field, write_task_sheet
from toolkit.core.workers import OnProgress, no_progress, shared, worker_pool

LISTS_SHEET = "_lists"
FONT = {"font_name": "Times New Roman", "font_size": 12}
INPUT_FILL = "#FFF2CC"  # light yellow: "type here"
MISSING_FILL = "#F8CBAD"  # orange: still empty
INVALID_FILL = "#FF7C80"  # red: breaks a check
DONE_FONT, DONE_FILL = "#006100", "#C6EFCE"  # green: nothing left to do
WRONG_FONT, WRONG_FILL = "#C00000", "#FFC7CE"  # red: missing or wrong
# Below this many units one process is faster: a stamped template costs about 2 ms, a spawned worker
# about 2 s before its first (importing the toolkit, writing its own masters).
SMALL_BATCH = 2000

# Sheets holding inputs, after the instructions, in tab order: (takes a field?, writer). A field
# goes on the first sheet that takes it; a sheet that takes none of a unit's fields is not written.
# A dedicated task-progress sheet belongs before the data sheet, which takes everything else.
InputSheet = tuple[Callable[[Field], bool], Callable[["Template", list[Field]], Status]]
INPUT_SHEETS: list[InputSheet] = [
    (takes_task_field, write_task_sheet),
    (lambda field: True, write_data_sheet),
]


BOX = {"valign": "vcenter", "text_wrap": True, "border": 1}
# The cells a clerk types in: their formats, also the base of the marked ones of a filled copy.
TYPED_LOOKS = {
    "input": {**BOX, "locked": False, "bg_color": INPUT_FILL, "align": "right"},
    "input_text": {**BOX, "locked": False, "bg_color": INPUT_FILL, "num_format": "@"},
    "note": {**BOX, "locked": False},
}


def _formats(book: xlsxwriter.Workbook) -> dict:
    return {
        "title": book.add_format({"bold": True, "font_size": 13, "align": "center", "valign": "vcenter", "text_wrap": True}),
        "italic": book.add_format({"italic": True, "align": "center", "valign": "vcenter", "text_wrap": True}),
        "identity": book.add_format({"bold": True, "valign": "vcenter"}),
        "status": book.add_format({"bold": True, "font_color": WRONG_FONT, "valign": "vcenter", "text_wrap": True}),
        "verdict": book.add_format({**BOX, "align": "center", "font_size": 11}),
        "done": book.add_format({"font_color": DONE_FONT, "bg_color": DONE_FILL}),
        "wrong": book.add_format({"font_color": WRONG_FONT, "bg_color": WRONG_FILL, "bold": True}),
        "header": book.add_format({**BOX, "bold": True, "align": "center", "bg_color": "#D9E1F2"}),
        "section": book.add_format({**BOX, "bold": True, "bg_color": "#EDEDED"}),
        "grid_label": book.add_format({**BOX, "bold": True}),
        "cell": book.add_format(BOX),
        "center": book.add_format({**BOX, "align": "center"}),
        **{look: book.add_format(properties) for look, properties in TYPED_LOOKS.items()},
        "label": book.add_format({"bold": True, "valign": "top", "text_wrap": True}),
        "value": book.add_format({"valign": "top", "text_wrap": True}),
        "sign_title": book.add_format({"bold": True, "align": "center"}),
        "sign_note": book.add_format({"italic": True, "align": "center"}),
        "missing": book.add_format({"bg_color": MISSING_FILL}),
        "invalid": book.add_format({"bg_color": INVALID_FILL, "bold": True}),
    }


@dataclasses.dataclass
class Template:
    """One workbook being written, and what its sheet writers share."""

    book: xlsxwriter.Workbook
    plan: Plan
    roster: Roster
    unit: Unit
    password: str
    formats: dict = dataclasses.field(default_factory=dict)
    _lists: dict[str, str] = dataclasses.field(default_factory=dict)
    lists_sheet: Worksheet | None = None
    answers: Answers | None = None  # a filled copy: what the cells the clerk types in hold

    def write_input(self, sheet: Worksheet, row: int, col: int, name: str, look: str) -> None:
        """The input cell `name`: blank in a template; in a filled copy its answer, marked."""
        if self.answers is None:
            sheet.write_blank(row, col, None, self.formats[look])
        else:
            self.answers.write_input(self.book, sheet, (row, col), name, TYPED_LOOKS[look])

    def write_note(self, sheet: Worksheet, row: int, col: int, key: str) -> None:
        """The unlocked note cell of the row whose key (column A) is `key`: blank, or the note the return holds there."""
        if self.answers is None:
            sheet.write_blank(row, col, None, self.formats["note"])
        else:
            self.answers.write_note(self.book, sheet, (row, col), key, TYPED_LOOKS["note"])

    def choice_range(self, field: Field) -> str | None:
        """A range on the hidden lists sheet for a dropdown too long to be inline, else None."""
        if field.kind != "choice" or fits_inline(field.choices):
            return None
        if field.code not in self._lists:
            if self.lists_sheet is None:
                self.lists_sheet = self.book.add_worksheet(LISTS_SHEET)
            column = column_name(len(self._lists))
            for row, choice in enumerate(field.choices):
                self.lists_sheet.write_string(row, len(self._lists), choice)
            self._lists[field.code] = f"='{LISTS_SHEET}'!${column}$1:${column}${len(field.choices)}"
        return self._lists[field.code]

    def plan_line(self) -> str:
        return plan_line(self.plan)

    def deadline_text(self) -> str:
        deadline = self.plan.deadlines.submission
        return deadline.strftime("%d/%m/%Y") if deadline else f"theo hướng dẫn của {self.plan.collector}"

    print_setup = staticmethod(print_setup)

    def protect(self, sheet: Worksheet, *, allow_resize: bool = False) -> None:
        """Lock every cell but the inputs; rows cannot be inserted or deleted."""
        options = {"format_columns": True, "format_rows": True} if allow_resize else {}
        sheet.protect(self.password, options)

def plan_line(plan: Plan) -> str:
    """'Kế hoạch <title> – năm 2022', without the period when the title already names its year."""
    document = plan.document
    dated = str(plan.plan_year) in document.title
    return f"{document.type} {document.title}" + ("" if dated else f" – {plan.period.label}")


# One template


def workbook_options() -> dict:
    """XlsxWriter's options for a template, new for each workbook: XlsxWriter adds the theme font to
    the default format properties it is given, and a later workbook given the same dictionary then
    marks its default font as the theme's (Excel shows Calibri instead of Times New Roman)."""
    return {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "default_format_properties": dict(FONT)}


def write_template(plan: Plan, roster: Roster, unit: Unit, path: str | Path, *, password: str | None = None,
                   generated_at: dt.datetime | None = None, answers: Answers | None = None) -> Path:
    """Write one unit's template to `path`, atomically (a temporary file, then a rename).

    With `answers`, a filled copy: the cells hold what a return held, marked, and the answers'
    cover sheet comes first and is the one that opens.
    """
    generated_at = (generated_at or dt.datetime.now()).replace(microsecond=0)

    def write(temporary: str) -> None:
        book = xlsxwriter.Workbook(temporary, workbook_options())
        book.worksheet_class = FormSheet if answers is None else FilledSheet
        cover = book.add_worksheet(answers.cover_sheet) if answers is not None else None  # the first tab
        _write_book(Template(book, plan, roster, unit, password or "", answers=answers), generated_at)
        if cover is not None:
            answers.write_cover(book, cover)  # now that every input's place in the copy is known
        book.close()

    return atomic_write(path, write)


def _write_book(template: Template, generated_at: dt.datetime) -> None:
    book, plan, unit = template.book, template.plan, template.unit
    template.formats = _formats(book)
    guide = book.add_worksheet(GUIDE_SHEET)
    statuses = []
    remaining = plan.fields_for(unit)
    for takes, write in INPUT_SHEETS:
        mine = [f for f in remaining if takes(f)]
        remaining = [f for f in remaining if not takes(f)]
        if mine:
            statuses.append(write(template, mine))
    write_guide(template, guide, statuses)
    if template.lists_sheet is not None:
        template.lists_sheet.hide()
        template.protect(template.lists_sheet)
    _write_meta(template, generated_at)
    book.set_properties({"title": f"Biểu mẫu báo cáo – {unit.name}", "subject": template.plan_line(),
                         "author": plan.collector, "comments": f"{plan.code} {plan.version} {unit.code}",
                         "created": generated_at.astimezone(dt.timezone.utc)})
    if template.answers is None:  # a filled copy opens on its cover, the first sheet
        guide.activate()


def _write_meta(template: Template, generated_at: dt.datetime) -> None:
    """The hidden sheet and document properties that identify a returned file."""
    meta = template.book.add_worksheet(META_SHEET)
    values = {"plan_code": template.plan.code, "plan_version": template.plan.version, "unit_code": template.unit.code,
              "generated_at": generated_at.isoformat(), "toolkit_version": __version__}
    for row, (key, value) in enumerate(values.items()):
        meta.write_string(row, 0, key)
        meta.write_string(row, 1, value)
        template.book.set_custom_property(key, value)
    meta.hide()
    template.protect(meta)


# Many templates


def write_templates(plan: Plan, roster: Roster, output_dir: str | Path, *, password: str | None = None,
                    units: Iterable[Unit | str] | None = None, on_progress: OnProgress = no_progress,
                    workers: int | None = None) -> list[Path]:
    """Write `<unit code>.xlsx` into `output_dir` for every unit with anything to fill.

    Units of one shape are stamped from a master (`toolkit.forms.stamp`): the same workbooks,
    written several times faster.

    Args:
        units: only these units (Unit objects or codes); default: the whole roster.
        on_progress: told ("templates", done, total) as templates are written.
        workers: processes to use; default: up to two (the PGD laptop has two cores). Fewer than
            SMALL_BATCH units are written in this process.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    todo = [u for u in _chosen(roster, units) if plan.input_names(u)]
    generated_at = dt.datetime.now().replace(microsecond=0)
    workers = max(1, workers or min(2, os.cpu_count() or 1))
    paths: list[Path] = []
    on_progress("templates", 0, len(todo))
    if workers == 1 or len(todo) < SMALL_BATCH:
        stamper = stamper_for(plan, roster, password, generated_at)
        for unit in todo:
            paths.append(stamper.write(unit, output_dir / f"{unit.code}.xlsx"))
            on_progress("templates", len(paths), len(todo))
    else:
        # Chunks of units keep the progress moving; each worker keeps the masters it wrote.
        size = max(1, min(25, math.ceil(len(todo) / (workers * 4))))
        chunks = [[u.code for u in chunk] for chunk in chunks_by_shape(plan, roster, todo, size)]
        with worker_pool(workers, plan, roster) as pool:
            jobs = [pool.submit(_worker_write, chunk, str(output_dir), password, generated_at) for chunk in chunks]
            for job in as_completed(jobs):
                paths.extend(Path(p) for p in job.result())
                on_progress("templates", len(paths), len(todo))
    return sorted(paths)


def stamper_for(plan: Plan, roster: Roster, password: str | None, generated_at: dt.datetime) -> Stamper:
    """A Stamper writing `write_template`'s workbooks for one run."""

    def write_master(unit: Unit, stand_in_roster: Roster, target) -> list[FormSheet]:
        book = xlsxwriter.Workbook(target, workbook_options())
        book.worksheet_class = FormSheet
        _write_book(Template(book, plan, stand_in_roster, unit, password or ""), generated_at)
        book.close()
        return book.worksheets()

    def write_direct(unit: Unit, path: Path) -> Path:
        return write_template(plan, roster, unit, path, password=password, generated_at=generated_at)

    return Stamper(plan, roster, write_master, write_direct)


def _chosen(roster: Roster, units: Iterable[Unit | str] | None) -> list[Unit]:
    if units is None:
        return list(roster)
    chosen = []
    for unit in units:
        found = roster.get(unit) if isinstance(unit, str) else unit
        if found is None:
            raise ToolkitError(f"Không có đơn vị mã '{unit}' trong danh sách đơn vị.")
        chosen.append(found)
    return chosen


def _worker_write(codes: list[str], output_dir: str, password: str | None, generated_at: dt.datetime) -> list[str]:
    stamper = _worker_stamper(password, generated_at)
    return [str(stamper.write(stamper.roster.get(code), Path(output_dir) / f"{code}.xlsx")) for code in codes]


@functools.lru_cache(maxsize=1)
def _worker_stamper(password: str | None, generated_at: dt.datetime) -> Stamper:
    """A worker's stamper for its run (a pool serves one plan and roster), so its masters last."""
    return stamper_for(*shared(), password, generated_at)
