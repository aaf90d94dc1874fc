"""How wide annex text prints, and column widths computed from it, so no word breaks inside a word.

Widths come from the advance widths of Times New Roman, or of Liberation Serif (its metric twin,
what LibreOffice prints with where Times New Roman is missing), read with fontTools. Liberation
Serif 1.x lacks most Vietnamese letters (ư, ơ, ệ …): LibreOffice prints those from DejaVu Serif, so
they are measured there. Without any font an average glyph width stands in, on the wide side.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy
from fontTools.ttLib import TTFont

# File names per style: Liberation (Linux), Times New Roman (Windows, macOS).
_FONT_FILES = {
    "regular": ("LiberationSerif-Regular.ttf", "times.ttf", "Times New Roman.ttf"),
    "bold": ("LiberationSerif-Bold.ttf", "timesbd.ttf", "Times New Roman Bold.ttf"),
    "italic": ("LiberationSerif-Italic.ttf", "timesi.ttf", "Times New Roman Italic.ttf"),
}
_FALLBACK_FILES = {"regular": ("DejaVuSerif.ttf",), "bold": ("DejaVuSerif-Bold.ttf",), "italic": ("DejaVuSerif-Italic.ttf",)}
_FONT_FOLDERS = (
    "/usr/share/fonts/truetype/liberation", "/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/liberation-serif",
    "/usr/share/fonts/liberation", os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts"),
    "/Library/Fonts", "/System/Library/Fonts/Supplemental", "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
)
_AVERAGE_EM = 0.55  # a generous average glyph width of a serif font, when no font file is found
SAMPLE_ROWS = 200  # rows the column widths are judged on
STEPS = 40  # the room beyond the longest words is handed out in this many steps
LOOKAHEAD = 8  # steps a column may need before one of its cells loses a line
CELL_WEIGHT = 0.3  # a line saved in one cell, against a line saved off a row's height
HEADER_WEIGHT = 4  # a line saved in a header row, which repeats on every page


def _read_advances(names: tuple[str, ...]) -> dict[str, float]:
    """Character -> advance width in em of the first font file found; empty when none is."""
    for folder in _FONT_FOLDERS:
        for name in names:
            path = Path(folder) / name
            if path.is_file():
                font = TTFont(path, lazy=True)
                metrics, per_em = font["hmtx"].metrics, font["head"].unitsPerEm
                return {chr(code): metrics[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}
    return {}


@lru_cache(maxsize=None)
def _advances(style: str) -> dict[str, float] | None:
    """Character -> advance width in em (the fallback font's for letters the font lacks), or None
    without a font file."""
    advances = _read_advances(_FONT_FILES[style])
    return {**_read_advances(_FALLBACK_FILES[style]), **advances} if advances else None


@lru_cache(maxsize=65536)
def text_width(text: str, style: str = "regular", size: float = 12) -> float:
    """Width in points of `text` on one line; 'bold_italic' measures as bold."""
    advances = _advances("bold" if style.startswith("bold") else style)
    if advances is None:
        return len(text) * _AVERAGE_EM * size
    default = advances.get("n", _AVERAGE_EM)
    total = 0.0
    for character in text:
        width = advances.get(character)
        if width is None:  # a letter the font lacks precomposed prints as its base letter
            width = advances.get(unicodedata.normalize("NFD", character)[:1], default)
        total += width
    return total * size


@dataclass(frozen=True)
class Text:
    """A cell's text as it prints: its row and column, how many columns it spans, its style."""

    row: int
    column: int
    text: str
    style: str = "regular"
    span: int = 1


def _line_count(text: str, width: float, style: str, size: float) -> int:
    """Lines `text` takes in `width` points, wrapped between words as a word processor wraps it."""
    space = text_width(" ", style, size)
    lines = 0
    for paragraph in _word_widths(text, style, size):
        lines += 1
        filled = None
        for needed in paragraph:
            if filled is not None and filled + space + needed > width:
                lines, filled = lines + 1, needed
            else:
                filled = needed if filled is None else filled + space + needed
    return lines


@lru_cache(maxsize=65536)  # column_widths tries each text at many widths
def _word_widths(text: str, style: str, size: float) -> tuple[tuple[float, ...], ...]:
    """The widths of the words of each paragraph of `text`."""
    return tuple(tuple(text_width(word, style, size) for word in paragraph.split()) for paragraph in text.split("\n"))


def column_widths(columns: int, texts: Iterable[Text], available: float, *, size: float = 12,
                  padding: float = 9, header_rows: int = 0) -> list[float]:
    """Widths in points, summing to `available`, for `columns` columns holding `texts`.

    Every column is at least as wide as its longest word, so words wrap only between words. The
    room left is handed out in small steps, each to the column where it saves the most printed
    lines (a row is as tall as its tallest cell; a cell's own lines count a little), judged on up
    to SAMPLE_ROWS rows: a table of 2,000 rows costs no more than one of 200. Texts spanning
    several columns (group titles) ask nothing of single columns. `padding` is a cell's left plus
    right margin; the first `header_rows` rows are the header, printed on every page, so a line
    saved there weighs more.
    """
    texts = [t for t in texts if t.span == 1 and t.text.strip()]
    minimum = [padding + 1] * columns
    for item in texts:
        word = max(text_width(w, item.style, size) for w in item.text.split()) * 1.04  # 4 %: renderers differ a little
        minimum[item.column] = max(minimum[item.column], word + padding + 1)
    if sum(minimum) >= available:  # words too long for the page: they must break somewhere
        return [width * available / sum(minimum) for width in minimum]
    rows = sorted({t.row for t in texts})
    kept = set(rows[::max(1, -(-len(rows) // SAMPLE_ROWS))]) | set(range(header_rows))
    cells: list[list[tuple[int, Text]]] = [[] for _ in range(columns)]  # per column: (sampled row index, text)
    order = {row: index for index, row in enumerate(sorted(kept))}
    weights = [HEADER_WEIGHT if row < header_rows else 1 for row in sorted(kept)]
    for item in texts:
        if item.row in kept:
            cells[item.column].append((order[item.row], item))

    step = (available - sum(minimum)) / STEPS

    @lru_cache(maxsize=None)  # a column's lines at each width tried: every later step asks for some again
    def lines(column: int, steps: int) -> tuple[int, ...]:
        """The lines of each sampled row's cell of `column`, were it `steps` steps wider than its minimum."""
        counts = [1] * len(order)
        width = minimum[column] + steps * step - padding - 1
        for index, item in cells[column]:
            counts[index] = max(counts[index], _line_count(item.text, width, item.style, size))
        return tuple(counts)

    taken = [0] * columns  # steps given to each column
    weight = numpy.array(weights, dtype=float)
    lookahead = numpy.arange(1, LOOKAHEAD + 1)
    while (steps_left := STEPS - sum(taken)) > 0:
        current = numpy.array([lines(c, taken[c]) for c in range(columns)])  # columns × rows
        # ahead[c, k]: column c's lines were it k + 1 steps wider; a move is judged by its gain per step.
        ahead = numpy.array([[lines(c, taken[c] + k) for k in lookahead] for c in range(columns)])
        # Per row its height and, per column, the height without that column (the tallest other cell).
        ordered = numpy.sort(current, axis=0)
        heights = ordered[-1]
        second = ordered[-2] if columns > 1 else numpy.ones_like(heights)
        others = numpy.where(current == heights, second, heights)  # columns × rows
        # Rows shorter, and, a little, cells shorter: a row shrinks only once all its tall cells have.
        rows_saved = (weight * (heights - numpy.maximum(others[:, None, :], ahead))).sum(axis=2)
        cells_saved = current.sum(axis=1)[:, None] - ahead.sum(axis=2)
        gain = (rows_saved + CELL_WEIGHT * cells_saved) / lookahead
        gain[:, steps_left:] = -1.0  # no more steps than are left
        best, best_steps = numpy.unravel_index(numpy.argmax(gain), gain.shape)
        if gain[best, best_steps] <= 0:  # every text is as short as it gets
            break
        taken[best] += int(best_steps) + 1
    widths = [minimum[c] + taken[c] * step for c in range(columns)]
    remaining = available - sum(widths)  # room no text needs: shared in proportion to the widths
    return [w + remaining * w / sum(widths) for w in widths]
