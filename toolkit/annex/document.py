"""What every annex shares, per Nghị định 30/2020/NĐ-CP: its heading lines and page setup.

All names and numbers come from the plan's metadata (issuer, document symbol, date), never a
hard-coded "huyện": the same code serves a district plan of 2022 and a commune plan of 2026.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.core.numbers import fmt_date_long
from toolkit.spec.plan import Plan

FONT = "Times New Roman"
PAPER_A4 = 9  # Excel's paper code
# Margins in millimetres: top/bottom 20-25, left 30-35, right 15-20 (Phụ lục I, Mục I of the decree).
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
SIZE_LABEL, SIZE_TITLE, SIZE_ATTACHED, SIZE_TABLE = 14, 14, 14, 12


@dataclass(frozen=True)
class Heading:
    label: str  # "Phụ lục I" (bold 14)
    title: str  # upper case (bold 14)
    attached: str  # "(Kèm theo Kế hoạch số …/KH-UBND ngày … của …)" (italic 14)


def annex_label(numeral: str) -> str:
    return f"Phụ lục {numeral}".strip()


def attached_line(plan: Plan) -> str:
    """'(Kèm theo Kế hoạch số 141/KH-UBND ngày 29 tháng 4 năm 2022 của Ủy ban nhân dân huyện Chi Lăng)'.

    Blank number and date (an unsigned draft) leave room to fill in by hand.
    """
    document = plan.document
    number = document.number or "       "
    if number.isdigit() and int(number) < 10:
        number = f"{int(number):02d}"  # "Số: 05/KH-UBND": numbers below 10 get a leading zero
    kind = document.type.strip().capitalize()  # "KẾ HOẠCH" or "kế hoạch" reads "Kế hoạch" mid-sentence
    year = document.date.year if document.date else plan.period.year  # the plan's year, not the round's
    return f"(Kèm theo {kind} số {number}/{document.symbol} {fmt_date_long(document.date, year)} của {plan.issuer.name})"



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


# The table every annex writer renders

MERGE_LEFT = None  # a header cell merged into the cell on its left
MERGE_UP = "^"  # a header cell merged into the cell above


@dataclass
class Cell:
    """One table cell; figures are already Vietnamese text ("82,1%"): annexes are for printing,
    the raw numbers are in ket_qua.csv."""

    text: str
    align: str = "left"  # 'left' | 'center' | 'right'


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
