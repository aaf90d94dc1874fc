"""Annex tables as Word documents, rendered from a template the user can edit in Word (docxtpl).

The template (report_templates/phu_luc.docx, or the workspace's templates/phu_luc.docx) holds
the page setup and heading; the table is built with python-docx and inserted as a subdocument.
Text goes into runs as text: nothing a school typed can become a field or markup.
"""

from __future__ import annotations

from pathlib import Path

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docxtpl import DocxTemplate

from toolkit.annex.document import FONT, MARGINS_MM, AnnexTable, header_spans
from toolkit.core.files import atomic_write

BUNDLED_TEMPLATE = Path(__file__).resolve().parents[1] / "report_templates" / "phu_luc.docx"
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}
TABLE_SIZE = 12
PAGE_WIDTH_MM = 297 - MARGINS_MM["left"] - MARGINS_MM["right"]


def _text(cell, text: str, *, bold=False, italic=False, align="left") -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = ALIGN[align]
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.font.name, run.font.size, run.font.bold, run.font.italic = FONT, Pt(TABLE_SIZE), bold, italic
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _borders(table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
            element.set(qn(key), value)
        borders.append(element)
    properties.append(borders)


def _repeat_as_header(row) -> None:
    """Mark a row 'repeat as header row at the top of each page' (w:tblHeader)."""
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


def _fixed_widths(grid, widths) -> None:
    """Word and LibreOffice honour column widths only from the table grid with a fixed layout."""
    grid.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    grid._tbl.tblPr.append(layout)
    for column, width in zip(grid._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        column.set(qn("w:w"), str(width.twips))
    for row in grid.rows:
        for index, cell in enumerate(row.cells):
            cell.width = widths[index]


def build_table(document, table: AnnexTable):
    headers = table.header_rows()
    columns = len(table.widths)
    grid = document.add_table(rows=len(headers) + len(table.rows), cols=columns)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(grid)
    widths = [Mm(w * PAGE_WIDTH_MM / sum(table.widths)) for w in table.widths]
    _fixed_widths(grid, widths)
    for r, c, rowspan, colspan, text in header_spans(headers):
        cell = grid.cell(r, c)
        if rowspan > 1 or colspan > 1:
            cell = cell.merge(grid.cell(r + rowspan - 1, c + colspan - 1))
        _text(cell, text, bold=True, align="center")
    for r in range(len(headers)):
        _repeat_as_header(grid.rows[r])
    for offset, item in enumerate(table.rows, start=len(headers)):
        if item.kind == "group":
            first = 1 if len(item.cells) > 1 else 0  # "IV" | title spanning the other columns
            if first:
                _text(grid.cell(offset, 0), item.cells[0].text, bold=True, align=item.cells[0].align)
            merged = grid.cell(offset, first).merge(grid.cell(offset, columns - 1))
            _text(merged, item.cells[first].text, bold=True)
            continue
        for c, cell in enumerate(item.cells[:columns]):
            _text(grid.cell(offset, c), cell.text, bold=item.kind == "total", italic=item.kind == "sub", align=cell.align)
    return grid


def build_signature(document, lines: list[tuple[str, str]]) -> None:
    """The place and date, the signature block and the signer in the right half of a borderless
    two-column table, as Nghị định 30 lays out the signature."""
    grid = document.add_table(rows=1, cols=2)
    _fixed_widths(grid, [Mm(PAGE_WIDTH_MM / 2)] * 2)
    right = grid.cell(0, 1)
    for index, (style, text) in enumerate(lines):
        paragraph = right.paragraphs[0] if index == 0 else right.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(text)
        run.font.name, run.font.size = FONT, Pt(14)
        run.font.bold, run.font.italic = style == "bold", style == "italic"


def write_annex_docx(table: AnnexTable, path: str | Path, *, template: Path | None = None) -> Path:
    """Render one annex into a .docx at `path` (atomically)."""
    document = DocxTemplate(str(template or BUNDLED_TEMPLATE))
    subdocument = document.new_subdoc()
    build_table(subdocument, table)
    for extra in table.extra:
        caption = subdocument.add_paragraph()
        caption.paragraph_format.space_before = Pt(12)
        run = caption.add_run(extra.heading.title)
        run.font.name, run.font.size, run.font.bold = FONT, Pt(TABLE_SIZE + 1), True
        build_table(subdocument, extra)
    signature = document.new_subdoc()
    if table.signature:
        build_signature(signature, table.signature)
    document.render({"heading": table.heading, "table": subdocument, "notes": table.notes, "signature": signature},
                    autoescape=True)
    return atomic_write(path, document.save)
