"""The worksheets templates are written on, and how they print: rows that grow with their text,
formulas stored as written, the heights remembered for the page breaks, A4 as Nghị định 30 sets it."""

from __future__ import annotations

from typing import Iterable

from xlsxwriter.worksheet import Worksheet

from toolkit.forms.data_sheet import PORTRAIT_WIDTH, row_height

MM = 1 / 25.4  # inches per millimetre (XlsxWriter margins are in inches)
PAGE_MM = {True: (210 - 45, 297 - 40), False: (297 - 45, 210 - 40)}  # portrait?: A4 inside the margins
CHARACTER_MM = 2.2  # printed width of a character of column width at 100% (LibreOffice, Times New Roman 12)
DEFAULT_ROW_HEIGHT = 15  # points: a row we did not size
SLACK = 0.04  # of a page: our row heights and scale are estimates


class FormSheet(Worksheet):
    """A worksheet that stores formulas exactly as written, lets rows grow, and remembers row heights.

    XlsxWriter runs ~100 regular expressions over every formula to prefix newer Excel functions
    with `_xlfn.`; our formulas use only classic functions, and that scan took two thirds of the
    time to write a template.
    """

    def __init__(self):
        super().__init__()
        self.heights: dict[int, float] = {}  # row -> height in points, as set; for the page breaks
        self.fitted: dict[int, tuple[str, float]] = {}  # row -> (text, width) its height was fitted to

    def fit_row(self, row: int, text: str, width: float) -> None:
        """Make a row as high as `text` needs, wrapped in a column `width` characters wide.

        The stamping of templates (`toolkit.forms.stamp`) reads `fitted` to know which rows a
        unit's own texts size.
        """
        self.fitted[row] = (text, width)
        self.set_row(row, row_height(text, width))

    def set_row_pixels(self, row, height=None, cell_format=None, options=None):
        if height is not None:
            self.heights[row] = height * 0.75
        return super().set_row_pixels(row, height, cell_format, options)

    def _prepare_formula(self, formula, expand_future_functions=False):
        return formula[1:] if formula.startswith("=") else formula

    # Rows keep the heights we estimate for their text but are not marked custom-height: then
    # LibreOffice (which refuses to resize rows of a protected sheet) and Excel grow a row to fit
    # what the clerk types in it, and it prints whole.
    def _xml_start_tag_unencoded(self, tag, attributes=None):
        super()._xml_start_tag_unencoded(tag, _growing(tag, attributes))

    def _xml_empty_tag_unencoded(self, tag, attributes=None):
        super()._xml_empty_tag_unencoded(tag, _growing(tag, attributes))


class FilledSheet(FormSheet):
    """A FormSheet of a filled copy: every formula is cached empty, because LibreOffice does not
    recalculate on load but computes a formula whose cached value is empty (FIELD-NOTES); the empty
    template's cached results would contradict the values the copy holds."""

    def _write_formula(self, row, col, formula, cell_format=None, value=0):
        return super()._write_formula(row, col, formula, cell_format, "")


def _growing(tag: str, attributes: list | None) -> list | None:
    if tag != "row" or not attributes:
        return attributes
    return [(key, value) for key, value in attributes if key != "customHeight"]


def print_setup(sheet: Worksheet, *, width: float, last_row: int, last_col: int,
                header_row: int | None = None, headings: Iterable[int] = ()) -> None:
    """A4, one page wide, margins of Nghị định 30/2020, page numbers, repeated header.

    `width` is the printed columns' width in characters: a sheet too wide for a portrait page
    at about 88% prints landscape, so 12 pt never prints much smaller than 10.5 pt. A page
    break goes before any of the `headings` rows that would otherwise end a page.
    """
    portrait = width <= PORTRAIT_WIDTH
    sheet.set_paper(9)
    sheet.set_portrait() if portrait else sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=30 * MM, right=15 * MM, top=20 * MM, bottom=20 * MM)
    sheet.set_footer('&C&"Times New Roman,Regular"Trang &P/&N')
    sheet.print_area(0, 0, last_row, last_col)
    if header_row is not None:
        sheet.repeat_rows(header_row)
    page = PAGE_MM[portrait]
    scale = min(1.0, page[0] / (width * CHARACTER_MM))
    known = getattr(sheet, "heights", {})  # a FormSheet records the heights it set; a plain sheet has none
    heights = [known.get(row, DEFAULT_ROW_HEIGHT) for row in range(last_row + 1)]
    capacity = page[1] * MM * 72 / scale  # the sheet's points one page holds
    breaks = keep_with_next(heights, set(headings), capacity, 0 if header_row is None else heights[header_row])
    if breaks:
        sheet.set_h_pagebreaks(breaks)


def keep_with_next(heights: list[float], headings: set[int], capacity: float, repeated: float) -> list[int]:
    """Rows to break the page before, so that no heading row is the last of a page (nor followed
    only by other headings).

    Follows the program's own breaks: a page holds `capacity` points of rows, each page after
    the first starts with the `repeated` header row's height.
    """
    breaks, used = [], 0.0
    for row, height in enumerate(heights):
        following, below = 0.0, row + 1  # the headings right below it, and the first row they head
        while below < len(heights):
            following += heights[below]
            if below not in headings:
                break
            below += 1
        if used and used + height > capacity:
            used = repeated  # the program breaks here by itself
        elif row in headings and used > repeated and used + height + following > capacity * (1 - SLACK):
            breaks.append(row)
            used = repeated
        used += height
    return breaks
