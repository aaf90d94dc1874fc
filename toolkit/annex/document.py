"""What every annex shares, per Nghị định 30/2020/NĐ-CP: its heading lines and page setup.

All names and numbers come from the plan's metadata (issuer, document symbol, date), never a
hard-coded "huyện": the same code serves a district plan of 2022 and a commune plan of 2026.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.core.numbers import NO_DATA, NOT_APPLICABLE, fmt_date_long
from toolkit.spec.model import Annex
from toolkit.spec.plan import Plan

FONT = "Times New Roman"
PAPER_A4 = 9  # Excel's paper code
# Margins in millimetres: top/bottom 20-25, left 30-35, right 15-20 (Phụ lục I, Mục I of the decree).
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
SIZE_TABLE = 12


@dataclass(frozen=True)
class Heading:
    label: str  # "Phụ lục I" (bold 14)
    title: str  # upper case (bold 14)
    attached: str  # "(Kèm theo Kế hoạch số …/KH-UBND ngày … của …)" (italic 14)


def annex_label(numeral: str) -> str:
    return f"Phụ lục {numeral}".strip()


# Annexes of results belong to the round's report; a plan's own annexes (the task matrix) to the plan.
RESULT_KINDS = ("targets", "breakdown", "progress")
BLANK = "…"  # a number or date not known yet, as Nghị định 30 drafts leave it: "Số: …/BC-UBND"
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
         "XVI", "XVII", "XVIII", "XIX", "XX"]


def annex_numeral(plan: Plan, annex: Annex) -> str:
    """The annex's numeral: its own, or, for an unnumbered annex of a plan with several, its place
    among the plan's annexes (I, II, …): every annex of a document has its numeral."""
    if annex.numeral or len(plan.annexes) < 2:
        return annex.numeral
    return ROMAN[plan.annexes.index(annex)]


def _number(number: str) -> str:
    if number.isdigit() and int(number) < 10:
        return f"{int(number):02d}"  # "Số: 05/KH-UBND": numbers below 10 get a leading zero
    return number or BLANK


def attached_line(plan: Plan, annex: Annex | None = None) -> str:
    """'(Kèm theo Kế hoạch số 141/KH-UBND ngày 29 tháng 4 năm 2022 của Ủy ban nhân dân huyện Chi Lăng)'
    for the plan's own annexes (and with no `annex`); '(Kèm theo Báo cáo số …/BC-UBND ngày … tháng …
    năm 2022 của …)' for an annex of results, which belongs to the round's report (`plan.report`).

    A number or date not known yet (an unsigned draft) is left as "…" to fill in by hand. An
    imported task matrix keeps the line of its own document.
    """
    if annex is not None and annex.kind == "tasks" and plan.tasks and plan.tasks.attached_to:
        return plan.tasks.attached_to
    if annex is not None and annex.kind in RESULT_KINDS:
        report = plan.report
        kind_part = plan.document.symbol.split("-", 1)[1] if "-" in plan.document.symbol else ""
        symbol = report.symbol or "-".join(part for part in ("BC", kind_part) if part)
        kind, number, date, year = report.type, report.number, report.date, plan.plan_year  # the round's year
        issuer = report.issuer or plan.issuer.name
    else:
        document = plan.document
        kind, number, symbol, date = document.type, document.number, document.symbol, document.date
        year, issuer = document.date.year if document.date else plan.period.year, plan.issuer.name  # the plan's year, not the round's
    kind = kind.strip().capitalize()  # "KẾ HOẠCH" or "kế hoạch" reads "Kế hoạch" mid-sentence
    return f"(Kèm theo {kind} số {_number(number)}/{symbol} {fmt_date_long(date, year)} của {issuer})"


def signature_block(plan: Plan) -> list[tuple[str, str]]:
    """(style, text) lines under a signed annex: 'Bảo Thắng, ngày … tháng … năm 2022' (italic), the
    issuer's signature lines (bold), room for the signature and seal, the signer's name (bold)."""
    document, issuer = plan.document, plan.issuer
    year = document.date.year if document.date else plan.period.year  # the plan's year, not the round's
    lines = [("italic", f"{document.place}, {fmt_date_long(document.date, year)}")]
    lines += [("bold", line) for line in issuer.signature]
    lines += [("blank", "")] * 4
    return lines + ([("bold", issuer.signer)] if issuer.signer else [])


def heading(plan: Plan, numeral: str, title: str) -> Heading:
    return Heading(annex_label(numeral), title.upper(), attached_line(plan))


def annex_heading(plan: Plan, annex: Annex) -> Heading:
    """The heading an annex prints: its numeral among the plan's annexes, its title, the document it
    is attached to."""
    return Heading(annex_label(annex_numeral(plan, annex)), annex.title.upper(), attached_line(plan, annex))


# The table every annex writer renders

MERGE_LEFT = None  # a header cell merged into the cell on its left
MERGE_UP = "^"  # a header cell merged into the cell above


@dataclass
class Cell:
    """One table cell; figures are already Vietnamese text ("82,1%"): annexes are for printing,
    the raw numbers are in ket_qua.csv."""

    text: str
    align: str = "left"  # 'left' | 'center' | 'right'
    number: float | None = None  # the figure as printed ("82,1%": 82.1), so a spreadsheet keeps a number


@dataclass
class Row:
    cells: list[Cell]
    kind: str = "item"  # 'group' (bold, spans the table), 'item', 'sub' (italic indent), 'total' (bold)
    # A 'group' row of two cells keeps its first (a numeral, "IV") in the first column; the second spans the rest.


@dataclass
class AnnexTable:
    """A titled table ready for any writer; header rows repeat on every printed page."""

    stem: str  # output file name without extension, ASCII: "Phu_luc_I"
    heading: Heading
    header: list[list[str | None]]  # rows of header texts; MERGE_LEFT / MERGE_UP mark merges
    widths: list[float]  # column widths in characters
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # lines under the table
    charts: list[dict] = field(default_factory=list)  # xlsx only: {'title', 'categories', 'series': {name: values}}
    number_row: bool = True  # the (1), (2), … row under the header
    extra: list["AnnexTable"] = field(default_factory=list)  # smaller tables under this one, each after its heading.title
    signature: list[tuple[str, str]] = field(default_factory=list)  # signature_block lines, last of all; empty: unsigned

    def header_rows(self) -> list[list[str | None]]:
        numbers = [f"({i})" for i in range(1, len(self.widths) + 1)]
        return self.header + ([numbers] if self.number_row else [])


MARK_NOTES = {
    NO_DATA: f"Dấu {NO_DATA} : chưa có số liệu (đơn vị chưa báo cáo hoặc số liệu lỗi).",
    NOT_APPLICABLE: f"Dấu {NOT_APPLICABLE} : không áp dụng (không có đơn vị thuộc diện, hoặc không có gì để tính).",
}


def mark_notes(table: AnnexTable) -> list[str]:
    """The footnote of each mark the table prints in place of a figure, in MARK_NOTES order."""
    printed = {cell.text for row in table.rows for cell in row.cells}
    return [note for mark, note in MARK_NOTES.items() if mark in printed]


def header_spans(rows: list[list[str | None]]) -> list[tuple[int, int, int, int, str]]:
    """(row, col, rowspan, colspan, text) of each header cell, resolving MERGE_LEFT / MERGE_UP."""
    spans = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text is MERGE_LEFT or text == MERGE_UP:
                continue
            colspan = 1
            while c + colspan < len(row) and row[c + colspan] is MERGE_LEFT:
                colspan += 1
            rowspan = 1
            while r + rowspan < len(rows) and rows[r + rowspan][c] == MERGE_UP:
                rowspan += 1
            spans.append((r, c, rowspan, colspan, text))
    return spans
