"""Reading the cells and table sheets of a plan workbook as people type them: decimal commas, dates
as 10/12/2024 or real date cells, numbers stored as text, stray and non-breaking spaces, smart quotes
in codes and expressions; columns found by header. Used by `toolkit.spec.plan_workbook`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path

from toolkit.core.cells import column_name
from toolkit.core.errors import Location, Problem
from toolkit.core.text import clean_text, fold
from toolkit.spec import plan_sheets as layout

KeyPath = tuple  # a key path in the plan dict: ("indicators", 3, "numerator")
_SMART = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " "})
_COLUMN_NUMBERS = re.compile(r"^\(?\d{1,2}\)?$")  # the "(1) (2) (3)" row under a header pasted from Word
_EXPRESSIONS = {"numerator", "denominator", "checks", "required_if"}


class Sheets:
    """A workbook's sheets as lists of rows of values, read by python-calamine (the plan workbook
    may hold a province's roster: openpyxl takes seconds over its shared strings)."""

    def __init__(self, path: Path):
        from python_calamine import CalamineWorkbook

        self._book = CalamineWorkbook.from_path(str(path))
        self.names = list(self._book.sheet_names)

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def __getitem__(self, name: str) -> list[list]:
        # Empty edge rows and columns kept: row and column numbers are the ones the user sees.
        return self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)

    def height(self, name: str) -> int:
        return self._book.get_sheet_by_name(name).height


class SheetReader:
    """One pass over a workbook: the plan dict, where each of its keys came from, the problems."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []
        self.origins: dict[KeyPath, Location] = {}
        self.refused_rows: set[tuple[str, int]] = set()

    def problem(self, code: str, where: Location, **params) -> None:
        self.problems.append(Problem(code, where, params))

    def at(self, sheet: str, row: int | None = None, column: int | None = None, header: str = "") -> Location:
        return Location(file=self.path.name, sheet=sheet, row=row,
                        column=column_name(column - 1) if column else "", header=header)

    # Cells

    def value(self, raw: object, column: layout.Column, where: Location) -> object:
        """A cell's value as the plan stores it; None when blank or unreadable (a problem then)."""
        if raw is None or (isinstance(raw, str) and not clean_text(raw.replace("\u00a0", " "))):
            return None
        kind = column.kind
        if kind == "date":
            return self._date(raw, where)
        if kind == "integer":
            return self._integer(raw, where, column)
        if kind in ("choice", "bool"):
            return self._choice(raw, column, where)
        text = clean_text(raw if isinstance(raw, str) else clean_text(raw)).replace("\u00a0", " ")
        if column.key in _EXPRESSIONS or kind in ("code", "codes"):
            text = text.translate(_SMART)
        if kind == "lines" or column.key == "checks":
            return [line.strip() for line in text.split("\n") if line.strip()]
        if kind == "codes":
            separators = r"[;\n]" if column.key == "choices" else r"[;,\s]"  # a choice may hold a comma
            return [part.strip() for part in re.split(separators, text) if part.strip()]
        return " ".join(text.split()) if column.key not in ("title", "content", "document.title") else text

    def _date(self, raw: object, where: Location) -> dt.date | None:
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, (int, float)) and 20000 < raw < 80000:  # a date cell read as its serial number
            from openpyxl.utils.datetime import from_excel  # rare: not worth openpyxl's import on every run

            return from_excel(raw).date()
        text = clean_text(raw).replace("\u00a0", " ")
        if fold(text).endswith("hang nam"):
            return text  # a recurring deadline ("10/12 hằng năm"), read by the plan model
        for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        self.problem("workbook-not-date", where, value=text)
        return None

    def _integer(self, raw: object, where: Location, column: layout.Column) -> int | str | None:
        if column.key == "max" and fold(str(raw)) in {fold(w) for w in layout.PLAN_YEAR_WORDS}:
            return "plan year"
        text = clean_text(raw).replace("\u00a0", "").replace(" ", "")
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        self.problem("workbook-not-integer", where, value=clean_text(raw))
        return None

    def _choice(self, raw: object, column: layout.Column, where: Location) -> object:
        text = clean_text(raw).replace("\u00a0", " ")
        if column.key == "catalogue":
            return text.translate(_SMART).upper()
        for label, stored in column.choices:
            if fold(text) in (fold(label), fold(stored)):
                return stored == "true" if column.kind == "bool" else stored
        if column.kind == "bool" and fold(text) in ("x", "co", "yes", "1"):
            return True
        self.problem("workbook-not-choice", where, value=text, choices="; ".join(label for label, _ in column.choices))
        return None

    @staticmethod
    def target(raw: object) -> float | str:
        """A number cell's number, or the text as the plan writes it ("98,5%", "trên 99,7%"), kept as
        written for the target parser (toolkit.spec.targets), which prints it the same way."""
        if isinstance(raw, (int, float)):
            return float(raw)
        return " ".join(clean_text(raw).replace("\u00a0", " ").split())

    # Sheets

    def table(self, book, sheet: layout.Sheet, extra: re.Pattern | None = None) -> list[tuple[int, dict, dict]]:
        """Rows of a table sheet: (row number, {key: value}, {key: Location}); `extra` matches
        headers read as they are (the target columns), keyed by their text."""
        if sheet.name not in book:
            return []
        rows = iter(book[sheet.name])
        header_cells = [clean_text(c) for c in next(rows, ())]
        columns: dict[int, layout.Column | str] = {}
        for index, header in enumerate(header_cells, start=1):
            if not header:
                continue
            found = next((c for c in sheet.columns if layout.same_header(c.header, header)), None)
            if found is None and extra is not None and extra.match(header):
                found = header
            if found is None:
                hint = nearest(header, [c.header for c in sheet.columns])
                self.problem("workbook-column-unknown", self.at(sheet.name, 1, index, header), found=header, hint=hint)
            elif found in columns.values():
                other = next(i for i, c in columns.items() if c == found)
                self.problem("workbook-column-twice", self.at(sheet.name, 1, index, header), found=header,
                             other=column_name(other - 1))
            else:
                columns[index] = found
        made = []
        folded_headers = {fold(h) for h in header_cells if h}
        for number, cells in enumerate(rows, start=2):
            texts = [clean_text(c) for c in cells]
            filled = [t for t in texts if t]
            if not filled or {fold(t) for t in filled} <= folded_headers or all(_COLUMN_NUMBERS.match(t) for t in filled):
                continue  # blank, a header repeated on a new page, or the column-number row
            values, places = {}, {}
            for index, column in columns.items():
                header = column if isinstance(column, str) else column.header
                where = self.at(sheet.name, number, index, header)
                raw = cells[index - 1] if index - 1 < len(cells) else None
                key = column if isinstance(column, str) else column.key
                places[key] = where
                if raw is None or not clean_text(raw):
                    continue
                value = self.target(raw) if isinstance(column, str) else self.value(raw, column, where)
                if value is not None:
                    values[key] = value
            if values:
                made.append((number, values, places))
        return made

    def info(self, book) -> dict:
        data: dict = {}
        if layout.INFO.name not in book:
            return data
        seen: dict[str, int] = {}
        for number, cells in enumerate(book[layout.INFO.name], start=1):
            label = clean_text(cells[0]) if cells else ""
            if not label or number == 1 and layout.same_header(label, "Mục"):
                continue
            column = next((c for c in layout.INFO.columns if layout.same_header(c.header, label)), None)
            if column is None:
                hint = nearest(label, [c.header for c in layout.INFO.columns])
                self.problem("workbook-item-unknown", self.at(layout.INFO.name, number, 1, label), found=label, hint=hint)
                continue
            if column.key in seen:
                self.problem("workbook-item-twice", self.at(layout.INFO.name, number, 1, label), found=label, other=seen[column.key])
                continue
            seen[column.key] = number
            where = self.at(layout.INFO.name, number, 2, label)
            self.origins[tuple(column.key.split("."))] = where
            value = self.value(cells[1] if len(cells) > 1 else None, column, where)
            if value is not None:
                put(data, column.key, value)
        return data


def put(data: dict, dotted: str, value: object) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def nearest(found: str, known: list[str]) -> str:
    """' (có phải “Mẫu số”?)' for a near miss, else ''."""
    folded = {fold(k): k for k in known}
    match = difflib.get_close_matches(fold(found), list(folded), n=1, cutoff=0.6)
    return f" (có phải “{folded[match[0]]}”?)" if match else ""
