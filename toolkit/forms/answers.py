"""What a filled copy of a template holds in the cells a clerk types in (`write_template(answers=...)`).

A feedback copy is the unit's own template, written by the template writer, with the values of the
file the unit sent: each input found by its defined name, each note by its row's key (column A), so
a return with rows inserted or sorted still lands on the right cells. Marks fill a cell and give it
a comment; where each input landed is recorded for the copy's cover sheet to link to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from toolkit.core.cells import cell_name

MARK_FILLS = {"error": "#FF7C80", "warning": "#FFEB9C", "computed": "#D9D9D9"}  # red, yellow, grey
DATE_FORMAT = "dd/mm/yyyy"
CELL_LIMIT = 32767  # characters an Excel cell or comment holds
COMMENT_BOX = {"author": "Kiểm tra", "width": 320, "height": 140}


@dataclass
class Answers:
    """A return's answers and marks, by defined name and by row key."""

    values: dict[str, object] = field(default_factory=dict)  # name -> value as read (number, text, date, bool)
    marks: dict[str, str] = field(default_factory=dict)  # name -> a key of MARK_FILLS
    comments: dict[str, str] = field(default_factory=dict)  # name -> the comment its cell gets
    notes: dict[str, object] = field(default_factory=dict)  # row key -> what the row's note cell held
    note_comments: dict[str, str] = field(default_factory=dict)  # row key -> the comment its note cell gets
    cover_sheet: str = ""  # the first sheet's name
    write_cover: Callable[[object, object], None] | None = None  # (book, sheet): writes it once `placed` is complete
    placed: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (sheet, A1) in the copy
    _formats: dict = field(default_factory=dict)

    def write_input(self, book, sheet, at: tuple[int, int], name: str, look: dict) -> None:
        self.placed[name] = (sheet.name, cell_name(*at))
        self._write(book, sheet, at, self.values.get(name), look, self.marks.get(name))
        if self.comments.get(name):
            sheet.write_comment(*at, self.comments[name][:CELL_LIMIT], COMMENT_BOX)

    def write_note(self, book, sheet, at: tuple[int, int], key: str, look: dict) -> None:
        self._write(book, sheet, at, self.notes.get(key), look, None)
        if self.note_comments.get(key):
            sheet.write_comment(*at, self.note_comments[key][:CELL_LIMIT], COMMENT_BOX)

    def _write(self, book, sheet, at: tuple[int, int], value: object, look: dict, mark: str | None) -> None:
        dated = isinstance(value, (dt.date, dt.datetime))
        cell_format = self._format(book, look, mark, dated)
        if value is None or value == "":
            sheet.write_blank(*at, None, cell_format)
        elif isinstance(value, bool):
            sheet.write_boolean(*at, value, cell_format)
        elif isinstance(value, (int, float)):
            sheet.write_number(*at, value, cell_format)
        elif dated:
            sheet.write_datetime(*at, value, cell_format)
        else:  # text stays text, even when it looks like a formula (the book writes no string as one)
            sheet.write_string(*at, str(value)[:CELL_LIMIT], cell_format)

    def _format(self, book, look: dict, mark: str | None, dated: bool):
        key = (tuple(look.items()), mark, dated)
        if key not in self._formats:
            properties = {**look, **({"bg_color": MARK_FILLS[mark]} if mark else {}),
                          **({"num_format": DATE_FORMAT} if dated else {})}
            self._formats[key] = book.add_format(properties)
        return self._formats[key]
