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
HEADER_LINES = 3  # a header may wrap into this many lines before its column asks for more room


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
    """A cell's text as it prints: its column, how many columns it spans, its style, header or body."""

    column: int
    text: str
    style: str = "regular"
    span: int = 1
    header: bool = False


def _longest_word(text: str, style: str, size: float) -> float:
    return max((text_width(word, style, size) for word in text.split()), default=0.0)


def _longest_line(text: str, style: str, size: float) -> float:
    return max((text_width(" ".join(line.split()), style, size) for line in text.split("\n")), default=0.0)


def column_widths(columns: int, texts: Iterable[Text], available: float, *, size: float = 12,
                  padding: float = 9) -> list[float]:
    """Widths in points, summing to `available`, for `columns` columns holding `texts`.

    Every column is at least as wide as its longest word (so words only wrap between words);
    the room left goes to columns in proportion to how much more their longest lines want, as
    browsers lay out tables. A header wants only 1/HEADER_LINES of its length: headers wrap.
    Texts spanning several columns (group titles) ask nothing of single columns.
    `padding` is the cell's left plus right margin.
    """
    minimum, natural = [padding] * columns, [padding] * columns
    for item in texts:
        if item.span != 1:
            continue
        word = _longest_word(item.text, item.style, size) * 1.04 + padding + 1  # 4 %: rendering differs a little
        line = _longest_line(item.text, item.style, size) / (HEADER_LINES if item.header else 1) + padding + 1
        minimum[item.column] = max(minimum[item.column], word)
        natural[item.column] = max(natural[item.column], line, word)
    if sum(natural) <= available:
        return [width * available / sum(natural) for width in natural]
    if sum(minimum) >= available:  # words too long for the page: they must break somewhere
        return [width * available / sum(minimum) for width in minimum]
    spare, wants = available - sum(minimum), [n - m for n, m in zip(natural, minimum)]
    return [m + spare * want / sum(wants) for m, want in zip(minimum, wants)]
