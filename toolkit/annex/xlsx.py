"""Annex tables as print-ready .xlsx (XlsxWriter): A4 landscape, repeated header, native charts.

Nothing a school typed can become a formula or a link: strings are always written as strings.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import xlsxwriter

from toolkit.annex.document import (
    FONT,
    MARGINS_MM,
    PAPER_A4,
    SIZE_TABLE,
    MERGE_UP,
    AnnexTable,
    header_spans,
)
from toolkit.core.files import atomic_write

MM = 1 / 25.4
MAX_ROW_HEIGHT = 409  # points; Excel's limit
# Printing, in points: the A4 landscape page inside the margins, and a column of width w (in
# characters) printing 6.0 w + 4 pt wide in Times New Roman 12 (measured on LibreOffice's PDF).
PRINTABLE_WIDTH = (297 - MARGINS_MM["left"] - MARGINS_MM["right"]) * 72 / 25.4
PRINTABLE_HEIGHT = (210 - MARGINS_MM["top"] - MARGINS_MM["bottom"]) * 72 / 25.4 - 24  # less the page number line
COLUMN_PT, COLUMN_PADDING_PT = 6.1, 4.5  # a little wide: a table must never spill onto a second page sideways
VIETNAMESE = "[$-42A]"  # the locale of a number format: decimal comma, thousands dot
CHART_ROWS = 25  # rows a chart (460 px high) and the gap after it take on the 'Biểu đồ' sheet


MAX_CELL_CHARS = 32767  # Excel's limit; a longer text is cut off silently
LINE_HEIGHT = 15.5  # points, a wrapped line of 12 pt text


def _lines(line: str, width: float) -> int:
    """Printed lines of one paragraph wrapped in a column `width` characters wide."""
    return max(1, -(-int(len(line) * 1.15) // max(int(width), 1)))


def _height(text: str, width: float) -> float:
    """Row height (points) for text wrapped in a column `width` characters wide; spreadsheet
    programs do not grow rows for wrapped text a library wrote."""
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * sum(_lines(line, width) for line in text.split("\n")))


def _pieces(text: str, width: float) -> list[str]:
    """`text` cut between words into pieces that each fit one row (409 pt) and one cell (32,767
    characters): a long text continues on the following rows instead of being cut off."""
    limit = int(MAX_ROW_HEIGHT // LINE_HEIGHT)
    chunk = max(1, int((limit - 1) * int(width) / 1.15))
    if "\n" not in text and len(text) <= chunk and _lines(text, width) <= limit:
        return [text]  # what almost every cell holds: one paragraph that fits (the walk below gives the same)
    pieces: list[str] = []
    done: list[str] = []  # the finished paragraphs of the piece being filled
    lines = size = 0  # their printed lines and characters
    paragraph: str | None = None  # the paragraph being filled; None before its first word
    for number, line in enumerate(text.split("\n")):
        if number:
            done.append(paragraph or "")
            lines, size, paragraph = lines + _lines(paragraph or "", width), size + len(paragraph or "") + 1, None
            if lines + _lines(line, width) > limit or size + len(line) > MAX_CELL_CHARS:  # a new row, not a cut paragraph
                pieces.append("\n".join(done))
                done, lines, size = [], 0, 0
        # A "word" longer than a row holds (hostile input) is cut, as nothing else can be.
        for word in (w[i:i + chunk] for w in line.split(" ") for i in range(0, max(len(w), 1), chunk)):
            trial = word if paragraph is None else f"{paragraph} {word}"
            if (lines + _lines(trial, width) > limit or size + len(trial) > MAX_CELL_CHARS) and (done or paragraph):
                pieces.append("\n".join(done + ([paragraph] if paragraph is not None else [])))
                done, lines, size, trial = [], 0, 0, word
            paragraph = trial
    return pieces + ["\n".join(done + [paragraph or ""])]


def write_annex_xlsx(table: AnnexTable, path: str | Path) -> Path:
    """Write one annex table to `path` atomically."""
    def write(temporary: str) -> None:
        book = xlsxwriter.Workbook(temporary, {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                                               "default_format_properties": {"font_name": FONT, "font_size": SIZE_TABLE}})
        _write(book, table)
        book.close()
        _no_page_number_on_first_page(temporary)

    return atomic_write(path, write)


def _no_page_number_on_first_page(path: str) -> None:
    """Mark the annex sheet's header 'different first page' (Nghị định 30: page 1 is unnumbered).

    XlsxWriter has no option for it; the first-page header is then simply absent, hence empty.
    """
    with zipfile.ZipFile(path) as source:
        parts = [(item, source.read(item)) for item in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item, data in parts:
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<headerFooter>", b'<headerFooter differentFirst="1">', 1)
            target.writestr(item, data)


def _write(book, table: AnnexTable) -> None:
    base = {"border": 1, "text_wrap": True, "valign": "vcenter", "font_name": FONT, "font_size": SIZE_TABLE}
    fmt = {
        "label": book.add_format({"bold": True, "font_size": 14, "align": "center", "font_name": FONT}),
        "title": book.add_format({"bold": True, "font_size": 14, "align": "center", "text_wrap": True, "valign": "vcenter", "font_name": FONT}),
        "attached": book.add_format({"italic": True, "font_size": 14, "align": "center", "text_wrap": True, "font_name": FONT}),
        "header": book.add_format({**base, "bold": True, "align": "center"}),
        "group": book.add_format({**base, "bold": True}),
        "group_numeral": book.add_format({**base, "bold": True, "align": "center"}),
        "total": book.add_format({**base, "bold": True}),
        "note": book.add_format({"italic": True, "font_name": FONT, "font_size": SIZE_TABLE, "text_wrap": True, "valign": "top"}),
        "caption": book.add_format({"bold": True, "font_name": FONT, "font_size": SIZE_TABLE + 1}),
        "sign_italic": book.add_format({"italic": True, "align": "center", "font_name": FONT, "font_size": 14}),
        "sign_bold": book.add_format({"bold": True, "align": "center", "font_name": FONT, "font_size": 14}),
        "sign_blank": book.add_format({"font_name": FONT, "font_size": 14}),
    }
    cell_formats: dict[tuple, object] = {}

    def cell_format(kind: str, align: str, number_format: str = ""):
        key = (kind, align, number_format)
        if key not in cell_formats:
            extra = {"num_format": number_format} if number_format else {}
            cell_formats[key] = book.add_format({**base, "align": align, "bold": kind == "total", "italic": kind == "sub", **extra})
        return cell_formats[key]

    sheet = book.add_worksheet(table.heading.label[:31])
    last = len(table.widths) - 1
    for col, width in enumerate(table.widths):
        sheet.set_column(col, col, width)
    total_width = sum(table.widths)
    sheet.merge_range(0, 0, 0, last, table.heading.label, fmt["label"])
    sheet.merge_range(1, 0, 1, last, table.heading.title, fmt["title"])
    sheet.set_row(1, _height(table.heading.title, total_width / 1.3))
    sheet.merge_range(2, 0, 2, last, table.heading.attached, fmt["attached"])
    sheet.set_row(2, _height(table.heading.attached, total_width / 1.2))

    top, layout = 4, []
    row = _write_table(sheet, fmt, cell_format, table, top, layout)
    header = sum(max(_height(text or "", table.widths[c]) for c, text in enumerate(cells) if text != MERGE_UP)
                 for cells in table.header_rows())
    above = LINE_HEIGHT * 2 + _height(table.heading.title, total_width / 1.3) + _height(table.heading.attached, total_width / 1.2)
    sheet.repeat_rows(top, top + len(table.header_rows()) - 1)
    sheet.freeze_panes(top + len(table.header_rows()), 0)
    for extra in table.extra:
        sheet.merge_range(row + 1, 0, row + 1, last, extra.heading.title, fmt["caption"])
        layout.append((row + 1, LINE_HEIGHT, True))  # the caption, like a group heading, goes with its table
        row = _write_table(sheet, fmt, cell_format, extra, row + 2, layout)
    if table.notes and layout:  # the notes never start a page alone: the table's last row goes with them
        layout[-1] = (*layout[-1][:2], True)
    for number, note in enumerate(table.notes, start=1):
        row += 1
        # Wrapped across the table's width: an unwrapped note runs on past the print area, onto a page of its own.
        sheet.merge_range(row, 0, row, last, note, fmt["note"])
        sheet.set_row(row, _height(note, total_width))
        layout.append((row, _height(note, total_width), number < len(table.notes)))
    if table.signature:
        _signature(sheet, fmt, table.signature, row + 2, len(table.widths))

    sheet.set_paper(PAPER_A4)
    sheet.set_landscape()
    # An explicit scale and page breaks, not "fit to width", which makes Excel ignore page breaks.
    scale = min(100, int(100 * PRINTABLE_WIDTH / sum(COLUMN_PT * w + COLUMN_PADDING_PT for w in table.widths)))
    sheet.set_print_scale(max(10, scale))
    sheet.set_h_pagebreaks(_page_breaks(layout, above + header, header, max(10, scale) / 100))
    sheet.set_margins(left=MARGINS_MM["left"] * MM, right=MARGINS_MM["right"] * MM,
                      top=MARGINS_MM["top"] * MM, bottom=MARGINS_MM["bottom"] * MM)
    # Page numbers centred in the header (Nghị định 30), hidden on page 1 once the file is closed.
    sheet.set_header('&C&"Times New Roman"&13&P')
    if table.charts:
        _charts(book, table)


def _write_table(sheet, fmt: dict, cell_format, table: AnnexTable, top: int, layout: list) -> int:
    """Header rows from row `top`, then the rows; return the row after the table. Columns take
    the sheet's widths; a table narrower than the sheet uses its first columns. Each body row's
    (row, height, is a group heading) goes to `layout`."""
    widths, last = table.widths, len(table.widths) - 1

    def size(row: int, height: float, group: bool = False) -> None:
        sheet.set_row(row, height)
        layout.append((row, height, group))

    headers = table.header_rows()
    for r, header_row in enumerate(headers):
        sheet.set_row(top + r, max(_height(text or "", widths[c]) for c, text in enumerate(header_row) if text != "^"))
    for r, c, rows, cols, text in header_spans(headers):
        if rows > 1 or cols > 1:
            sheet.merge_range(top + r, c, top + r + rows - 1, c + cols - 1, text, fmt["header"])
        else:
            sheet.write_string(top + r, c, text, fmt["header"])
    row = top + len(headers)
    for item in table.rows:
        if item.kind == "group":
            first = 1 if len(item.cells) > 1 else 0  # "IV" | title spanning the other columns
            if first:
                sheet.write_string(row, 0, item.cells[0].text, fmt["group_numeral"])
            sheet.merge_range(row, first, row, last, item.cells[first].text, fmt["group"])
            size(row, _height(item.cells[first].text, sum(widths[first:])), group=True)
            row += 1
            continue
        pieces = [_pieces(cell.text, widths[col]) for col, cell in enumerate(item.cells)]
        rows = max(len(p) for p in pieces)  # a text too long for one row continues on the next ones
        for col, cell in enumerate(item.cells):
            value, number_format = _number(cell) if cell.number is not None else (None, "")
            style = cell_format(item.kind, cell.align, number_format)
            if len(pieces[col]) == 1 and rows > 1:  # a short cell spans the continuation rows
                sheet.merge_range(row, col, row + rows - 1, col, "", style)
            if value is not None:
                sheet.write_number(row, col, value, style)
                continue
            for offset in range(len(pieces[col]) if len(pieces[col]) > 1 or rows == 1 else 1):
                sheet.write_string(row + offset, col, pieces[col][offset], style)
            for offset in range(len(pieces[col]), rows) if len(pieces[col]) > 1 else ():
                sheet.write_blank(row + offset, col, None, style)
        for offset in range(rows):
            spanning = rows > 1  # merged short cells spread over the rows; the long texts set the heights
            size(row + offset, max((_height(p[offset], widths[col]) for col, p in enumerate(pieces)
                                             if offset < len(p) and not (spanning and len(p) == 1)), default=LINE_HEIGHT))
        row += rows
    return row


def _page_breaks(layout: list[tuple[int, float, bool]], first: float, header: float, scale: float) -> list[int]:
    """The rows that start a page, printing at `scale`, so that no group heading ends a page.

    `first`: the height above the table's first row on page 1 (heading and header rows);
    `header`: the header rows repeated on every other page. Pages are planned a little short,
    so that the programs' own breaks never come before these.
    """
    capacity = PRINTABLE_HEIGHT * 0.94 / scale
    breaks, used, page_start = [], first, 0
    for index, (row, height, _) in enumerate(layout):
        if used + height > capacity and used > header:
            # Rows that keep with the next (a heading, a table's last row before its notes) move on with it.
            start = index
            while start - 1 > page_start and layout[start - 1][2]:
                start -= 1
            breaks.append(layout[start][0])
            used, page_start = header + sum(h for _, h, _ in layout[start:index]), start
        used += height
    return breaks


def _number(cell) -> tuple[float, str]:
    """The value and number format that show `cell.number` as `cell.text` shows it ("82,1%", "1.234").

    The format carries the Vietnamese locale ([$-42A]): LibreOffice then prints a decimal comma and
    a thousands dot on any machine; Excel uses the machine's separators, a comma on Vietnamese Windows.
    """
    percent = cell.text.endswith("%")
    decimals = len(cell.text.rstrip("%").partition(",")[2])
    number_format = VIETNAMESE + "#,##0" + ("." + "0" * decimals if decimals else "") + ("%" if percent else "")
    return (round(cell.number / 100, decimals + 2) if percent else cell.number), number_format


def _signature(sheet, fmt: dict, lines: list[tuple[str, str]], top: int, columns: int) -> None:
    """The place and date, the signature block and the signer, centred over the right half."""
    first = columns // 2 if columns > 1 else 0
    for offset, (style, text) in enumerate(lines):
        if first < columns - 1:
            sheet.merge_range(top + offset, first, top + offset, columns - 1, text, fmt[f"sign_{style}"])
        else:
            sheet.write_string(top + offset, first, text, fmt[f"sign_{style}"])


def _label(text: str, limit: int = 60) -> str:
    """A chart label of at most about `limit` characters, shortened between words ("…"), never inside one."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def _charts(book, table: AnnexTable) -> None:
    """One column chart of target vs result per section, data on a sheet of its own."""
    data = book.add_worksheet("Số liệu biểu đồ")
    charts = book.add_worksheet("Biểu đồ")
    row = 0
    for number, spec in enumerate(table.charts):
        names = list(spec["series"])
        data.write_string(row, 0, spec["title"])
        for i, category in enumerate(spec["categories"]):
            data.write_string(row + 1 + i, 0, _label(category))
        for j, name in enumerate(names):
            data.write_string(row, 1 + j, name)
            for i, value in enumerate(spec["series"][name]):
                data.write_number(row + 1 + i, 1 + j, value)
        # Bars across the page: each label gets a line of its own beside its bars, nothing overlaps.
        chart = book.add_chart({"type": "bar"})
        first, last = row + 1, row + len(spec["categories"])
        for j, name in enumerate(names):
            chart.add_series({"name": ["Số liệu biểu đồ", row, 1 + j], "categories": ["Số liệu biểu đồ", first, 0, last, 0],
                              "values": ["Số liệu biểu đồ", first, 1 + j, last, 1 + j], "gap": 60,
                              "data_labels": {"value": True, "num_format": VIETNAMESE + "#,##0.0#", "font": {"name": FONT, "size": 9}}})
        chart.set_title({"name": spec["title"], "name_font": {"name": FONT, "size": 12}})
        chart.set_x_axis({"name": "%", "min": 0, "num_format": VIETNAMESE + "#,##0", "num_font": {"name": FONT, "size": 9},
                          "name_font": {"name": FONT, "size": 10}, "major_gridlines": {"visible": True}})
        # Indicator 1 on top, as in the table; the value axis stays at the foot.
        chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": {"name": FONT, "size": 9}})
        chart.set_legend({"position": "bottom", "font": {"name": FONT, "size": 10}})
        chart.set_size({"width": 760, "height": 460})  # LibreOffice widens charts with the TNR 12 columns; 900 px spilled onto a second page
        charts.insert_chart(number * CHART_ROWS, 0, chart)
        row = last + 2
    data.hide()
    # Printed like the table, one chart a page; no fit-to-page, which would make Excel ignore the breaks.
    charts.set_paper(PAPER_A4)
    charts.set_landscape()
    charts.set_margins(left=MARGINS_MM["left"] * MM, right=MARGINS_MM["right"] * MM,
                       top=MARGINS_MM["top"] * MM, bottom=MARGINS_MM["bottom"] * MM)
    charts.set_h_pagebreaks([number * CHART_ROWS for number in range(1, len(table.charts))])
