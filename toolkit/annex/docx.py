"""Annex tables as Word documents, rendered from a template the user can edit in Word (docxtpl).

The template (report_templates/phu_luc.docx, or the workspace's templates/phu_luc.docx) holds
the page setup and heading; the tables are written as WordprocessingML, one row after another in
one pass (python-docx's `Table.cell` rebuilds the whole grid on every call, #1209), and put where
the template's {{p table }} tag is. Text goes into runs as escaped text: nothing a school typed
becomes markup.

As printed: rows never split across pages (w:cantSplit), header rows repeat (w:tblHeader), a group
row keeps with the row after it (w:keepNext), and columns are as wide as their content needs so
that words wrap only between words (toolkit.annex.measure).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Iterator
from xml.sax.saxutils import escape

from docxtpl import DocxTemplate
from markupsafe import Markup

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
TABLE_MARKER = "\u2063annex-tables\u2063"  # where the rendered template gets the tables (U+2063: invisible)
_WORD_HYPHEN = re.compile(r"(?<=\S)-(?=\S)")  # in "15-18", "2021-2025": a line must not break there


def _twips(points: float) -> int:
    return round(points * 20)


def _paragraphs(text: str, *, bold=False, italic=False, align="left", keep_next=False, size: int = TABLE_SIZE) -> str:
    """One w:p per line of `text` (at least one: a Word cell must hold a paragraph); `size` in points."""
    size *= 2  # Word counts half-points
    properties = (("<w:keepNext/>" if keep_next else "") + '<w:spacing w:before="0" w:after="0"/>'
                  + f'<w:jc w:val="{align}"/>')
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


def _group_cells(item: Row) -> list[tuple[int, int, str]]:
    """A group row's (column, span, text): 'IV' in the first column and the title spanning the
    rest (span 0), or only the title."""
    return [(0, 1, item.cells[0].text), (1, 0, item.cells[1].text)] if len(item.cells) > 1 else [(0, 0, item.cells[0].text)]


def _style(kind: str) -> str:
    return {"total": "bold", "sub": "italic"}.get(kind, "regular")


def table_widths(table: AnnexTable) -> list[float]:
    """Column widths in points for `table` on the landscape page, from what its cells hold."""
    texts = [Text(r, c, text, "bold", span=colspan) for r, c, _, colspan, text in header_spans(table.header_rows())]
    for r, item in enumerate(table.rows, start=len(table.header_rows())):
        if item.kind == "group":
            texts += [Text(r, c, text, "bold", span) for c, span, text in _group_cells(item)]
        else:
            texts += [Text(r, c, cell.text, _style(item.kind)) for c, cell in enumerate(item.cells[:len(table.widths)])]
    return column_widths(len(table.widths), texts, PAGE_WIDTH_PT, size=TABLE_SIZE, padding=2 * CELL_MARGIN_PT,
                         header_rows=len(table.header_rows()))


def table_xml(table: AnnexTable) -> Iterator[str]:
    """The w:tbl of `table`, in pieces (a row at a time): borders, fixed column widths, repeated
    header rows, unsplittable rows."""
    columns = len(table.widths)
    widths = [_twips(width) for width in table_widths(table)]
    margin = _twips(CELL_MARGIN_PT)
    border = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
    yield from [f"<w:tbl {NAMESPACE}><w:tblPr>",
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
    yield from (_row("".join(cell for _, cell in sorted(cells)), header=True) for cells in by_row)

    for item in table.rows:
        if item.kind == "group":
            cells = []
            for column, span, text in _group_cells(item):
                span = span or columns - column
                content = _paragraphs(text, bold=True, align="center" if span == 1 else "left", keep_next=True)
                cells.append(_cell(sum(widths[column:column + span]), content, span=span))
            yield _row("".join(cells))
            continue
        style = _style(item.kind)
        yield _row("".join(
            _cell(widths[c], _paragraphs(cell.text, bold=style == "bold", italic=style == "italic", align=cell.align))
            for c, cell in enumerate(item.cells[:columns])))
    yield "</w:tbl>"


def _caption(text: str) -> str:
    """The bold title over a smaller table, kept with it."""
    size = (TABLE_SIZE + 1) * 2
    return (f'<w:p {NAMESPACE}><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="0"/></w:pPr><w:r><w:rPr>'
            f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/><w:b/>'
            f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr><w:t xml:space="preserve">{escape(_NOT_XML.sub("", text))}</w:t></w:r></w:p>')


def signature_xml(lines: list[tuple[str, str]]) -> str:
    """The place and date, the signature block and the signer in the right half of a borderless
    two-column table, as Nghị định 30 lays out the signature."""
    half = _twips(PAGE_WIDTH_PT / 2)
    right = "".join(_paragraphs(text, bold=style == "bold", italic=style == "italic", align="center", size=14)
                    for style, text in lines)
    return (f'<w:tbl {NAMESPACE}><w:tblPr><w:tblW w:w="{2 * half}" w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr>'
            f'<w:tblGrid><w:gridCol w:w="{half}"/><w:gridCol w:w="{half}"/></w:tblGrid>'
            + _row(_cell(half, _paragraphs("")) + _cell(half, right)) + "</w:tbl>")


def write_annex_docx(table: AnnexTable, path: str | Path, *, template: Path | None = None) -> Path:
    """Render one annex into a .docx at `path` (atomically).

    The template is rendered with a marker where the tables go, and the tables replace the marker
    afterwards: docxtpl post-processes everything it renders with regular expressions, which for a
    table of thousands of rows cost more than writing it. The marker and the signature go into the
    template's `{{p …}}` tags as WordprocessingML (Markup: Jinja inserts it as it is), as a docxtpl
    subdocument would put them there, without opening a document for each.
    """
    document = DocxTemplate(str(template or BUNDLED_TEMPLATE))
    marker = Markup(f"<w:p><w:r><w:t>{TABLE_MARKER}</w:t></w:r></w:p>")
    signature = Markup(signature_xml(table.signature) if table.signature else "")
    document.render({"heading": table.heading, "table": marker, "notes": table.notes, "signature": signature},
                    autoescape=True)
    rendered = io.BytesIO()
    document.save(rendered)
    return atomic_write(path, lambda temporary: _put_tables(rendered, table, temporary))


def _put_tables(rendered: io.BytesIO, table: AnnexTable, temporary: str) -> None:
    """The rendered document with the annex's tables in place of the marker paragraph, streamed into
    word/document.xml a row at a time: a table of thousands of rows is never held as one tree or
    one string (at province scale that took hundreds of megabytes)."""
    with zipfile.ZipFile(rendered) as source, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(item, source.read(item))
                continue
            body = source.read(item).decode("utf-8")
            marker = body.index(TABLE_MARKER)
            start = max(body.rfind("<w:p>", 0, marker), body.rfind("<w:p ", 0, marker))
            end = body.index("</w:p>", marker) + len("</w:p>")
            with target.open(item.filename, "w") as stream:
                stream.write(body[:start].encode("utf-8"))
                for piece in _tables(table):
                    stream.write(piece.encode("utf-8"))
                stream.write(body[end:].encode("utf-8"))


def _tables(table: AnnexTable) -> Iterator[str]:
    yield from table_xml(table)
    for extra in table.extra:
        yield _caption(extra.heading.title)
        yield from table_xml(extra)
