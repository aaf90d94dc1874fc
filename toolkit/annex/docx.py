"""Annex tables as Word documents, rendered from a template the user can edit in Word (docxtpl).

The template (report_templates/phu_luc.docx, or the workspace's templates/phu_luc.docx) holds
the page setup and heading; the tables are written as WordprocessingML, one row after another in
one pass (python-docx's `Table.cell` rebuilds the whole grid on every call, #1209), and inserted
as a subdocument. Text goes into runs as escaped text: nothing a school typed becomes markup.

As printed: rows never split across pages (w:cantSplit), header rows repeat (w:tblHeader), a group
row keeps with the row after it (w:keepNext), and columns are as wide as their content needs so
that words wrap only between words (toolkit.annex.measure).
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

from docx.oxml import parse_xml
from docx.shared import Pt
from docxtpl import DocxTemplate

from toolkit.annex.document import FONT, MARGINS_MM, AnnexTable, Row, header_spans
from toolkit.annex.measure import Text, column_widths
from toolkit.core.files import atomic_write

BUNDLED_TEMPLATE = Path(__file__).resolve().parents[1] / "report_templates" / "phu_luc.docx"
TABLE_SIZE = 12
PAGE_WIDTH_PT = (297 - MARGINS_MM["left"] - MARGINS_MM["right"]) * 72 / 25.4
CELL_MARGIN_PT = 4.25  # left and right, set on the table so the width computation knows it
NAMESPACE = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
# Characters XML 1.0 cannot hold (lxml refuses the whole document); none belongs in an annex.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_JUSTIFY = {"left": "left", "center": "center", "right": "right"}
_WORD_HYPHEN = re.compile(r"(?<=\S)-(?=\S)")  # in "15-18", "2021-2025": a line must not break there


def _twips(points: float) -> int:
    return round(points * 20)


def _paragraphs(text: str, *, bold=False, italic=False, align="left", keep_next=False, size: int = TABLE_SIZE) -> str:
    """One w:p per line of `text` (at least one: a Word cell must hold a paragraph); `size` in points."""
    size *= 2  # Word counts half-points
    properties = (("<w:keepNext/>" if keep_next else "") + '<w:spacing w:before="0" w:after="0"/>'
                  + f'<w:jc w:val="{_JUSTIFY[align]}"/>')
    run_properties = (f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
                      + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
                      + f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>')
    paragraphs = []
    for line in _NOT_XML.sub("", text).split("\n"):
        pieces = "<w:noBreakHyphen/>".join(f'<w:t xml:space="preserve">{escape(piece)}</w:t>' for piece in _WORD_HYPHEN.split(line))
        run = f"<w:r><w:rPr>{run_properties}</w:rPr>{pieces}</w:r>" if line else ""
        paragraphs.append(f"<w:p><w:pPr>{properties}<w:rPr>{run_properties}</w:rPr></w:pPr>{run}</w:p>")
    return "".join(paragraphs)


def _cell(width: int, content: str, *, span: int = 1, merge: str = "") -> str:
    """A w:tc `width` twips wide spanning `span` grid columns; `merge`: 'restart' or 'continue'
    for a header cell merged with the cells below it."""
    properties = f'<w:tcW w:w="{width}" w:type="dxa"/>' + (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "")
    if merge:
        properties += '<w:vMerge w:val="restart"/>' if merge == "restart" else "<w:vMerge/>"
    return f'<w:tc><w:tcPr>{properties}<w:vAlign w:val="center"/></w:tcPr>{content}</w:tc>'


def _row(cells: str, *, header: bool = False) -> str:
    return f'<w:tr><w:trPr><w:cantSplit/>{"<w:tblHeader/>" if header else ""}</w:trPr>{cells}</w:tr>'


def _group_cells(item: Row) -> list[tuple[Text, str]]:
    """A group row's texts: 'IV' in the first column and the title spanning the rest, or only the title."""
    return [(Text(0, item.cells[0].text, "bold"), "center"), (Text(1, item.cells[1].text, "bold", span=0), "left")] \
        if len(item.cells) > 1 else [(Text(0, item.cells[0].text, "bold", span=0), "left")]


def _style(kind: str) -> str:
    return {"total": "bold", "sub": "italic"}.get(kind, "regular")


def table_widths(table: AnnexTable) -> list[float]:
    """Column widths in points for `table` on the landscape page, from what its cells hold."""
    texts = [Text(c, text, "bold", span=colspan, header=True) for _, c, _, colspan, text in header_spans(table.header_rows())]
    for item in table.rows:
        if item.kind == "group":
            texts += [text for text, _ in _group_cells(item)]
        else:
            texts += [Text(c, cell.text, _style(item.kind)) for c, cell in enumerate(item.cells[:len(table.widths)])]
    return column_widths(len(table.widths), texts, PAGE_WIDTH_PT, size=TABLE_SIZE, padding=2 * CELL_MARGIN_PT)


def table_xml(table: AnnexTable) -> str:
    """The w:tbl of `table`: borders, fixed column widths, repeated header rows, unsplittable rows."""
    columns = len(table.widths)
    widths = [_twips(width) for width in table_widths(table)]
    margin = _twips(CELL_MARGIN_PT)
    border = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
    parts = [f"<w:tbl {NAMESPACE}><w:tblPr>",
             f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>',
             "<w:tblBorders>" + "".join(f"<w:{edge} {border}/>" for edge in ("top", "left", "bottom", "right", "insideH", "insideV"))
             + "</w:tblBorders>",
             '<w:tblLayout w:type="fixed"/>',
             f'<w:tblCellMar><w:left w:w="{margin}" w:type="dxa"/><w:right w:w="{margin}" w:type="dxa"/></w:tblCellMar>',
             "</w:tblPr><w:tblGrid>", *(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>"]

    headers = table.header_rows()
    by_row: list[list[tuple[int, str]]] = [[] for _ in headers]  # (column, w:tc) of each header row
    for r, c, rowspan, colspan, text in header_spans(headers):
        width = sum(widths[c:c + colspan])
        for offset in range(rowspan):
            merge = "" if rowspan == 1 else ("restart" if offset == 0 else "continue")
            content = _paragraphs(text, bold=True, align="center", keep_next=True) if offset == 0 else _paragraphs("")
            by_row[r + offset].append((c, _cell(width, content, span=colspan, merge=merge)))
    parts += [_row("".join(cell for _, cell in sorted(cells)), header=True) for cells in by_row]

    for item in table.rows:
        if item.kind == "group":
            cells = []
            for text, align in _group_cells(item):
                span = columns - text.column if text.span == 0 else 1
                content = _paragraphs(text.text, bold=True, align=align, keep_next=True)
                cells.append(_cell(sum(widths[text.column:text.column + span]), content, span=span))
            parts.append(_row("".join(cells)))
            continue
        style = _style(item.kind)
        parts.append(_row("".join(
            _cell(widths[c], _paragraphs(cell.text, bold=style == "bold", italic=style == "italic", align=cell.align))
            for c, cell in enumerate(item.cells[:columns]))))
    parts.append("</w:tbl>")
    return "".join(parts)


def _append(document, xml: str) -> None:
    """Add a body element to `document` (a python-docx Document or a docxtpl Subdoc), before its section properties."""
    body, element = document.element.body, parse_xml(xml)
    if body.sectPr is not None:
        body.sectPr.addprevious(element)
    else:
        body.append(element)


def build_table(document, table: AnnexTable) -> None:
    _append(document, table_xml(table))


def build_signature(document, lines: list[tuple[str, str]]) -> None:
    """The place and date, the signature block and the signer in the right half of a borderless
    two-column table, as Nghị định 30 lays out the signature."""
    half = _twips(PAGE_WIDTH_PT / 2)
    right = "".join(_paragraphs(text, bold=style == "bold", italic=style == "italic", align="center", size=14)
                    for style, text in lines)
    xml = (f'<w:tbl {NAMESPACE}><w:tblPr><w:tblW w:w="{2 * half}" w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr>'
           f'<w:tblGrid><w:gridCol w:w="{half}"/><w:gridCol w:w="{half}"/></w:tblGrid>'
           + _row(_cell(half, _paragraphs("")) + _cell(half, right)) + "</w:tbl>")
    _append(document, xml)


def write_annex_docx(table: AnnexTable, path: str | Path, *, template: Path | None = None) -> Path:
    """Render one annex into a .docx at `path` (atomically)."""
    document = DocxTemplate(str(template or BUNDLED_TEMPLATE))
    subdocument = document.new_subdoc()
    build_table(subdocument, table)
    for extra in table.extra:
        caption = subdocument.add_paragraph()
        caption.paragraph_format.space_before = Pt(12)
        caption.paragraph_format.keep_with_next = True
        run = caption.add_run(extra.heading.title)
        run.font.name, run.font.size, run.font.bold = FONT, Pt(TABLE_SIZE + 1), True
        build_table(subdocument, extra)
    signature = document.new_subdoc()
    if table.signature:
        build_signature(signature, table.signature)
    document.render({"heading": table.heading, "table": subdocument, "notes": table.notes, "signature": signature},
                    autoescape=True)
    return atomic_write(path, document.save)
