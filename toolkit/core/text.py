"""Text that came from outside (returned workbooks, rosters): one clean form before anything uses it."""

from __future__ import annotations

import re
import unicodedata

# Characters no writer can carry: C0 control characters other than tab and newline, the
# noncharacters U+FFFE and U+FFFF and lone surrogates (XML, so docx and xlsx, cannot hold them at
# all), and the invisible zero-width characters a copy and paste brings along.
UNWRITABLE = re.compile("[\x00-\x08\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_CONTROL = re.compile(UNWRITABLE.pattern[:-1] + "\u200b-\u200d\ufeff]")


def clean_text(value: object) -> str:
    """NFC text with line breaks as '\\n', no control or zero-width characters, no surrounding spaces.

    Vietnamese typed on different keyboards mixes NFC and NFD; a line break pasted from Word into
    Excel arrives as a vertical tab (\\x0b), which would make the Word annex unwritable.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheet readers give every number as a float
    text = str(value)
    if text.isascii() and text.isprintable():  # most codes and numbers: nothing to normalise or remove
        return text.strip()
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    return _CONTROL.sub("", text).strip()


def printable(text: str) -> str:
    """A file name as it can be printed and saved: bytes that were not UTF-8 (a zip made on another
    system) become '\ufffd' instead of making the report unwritable."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def csv_cell(text: str) -> str:
    """A CSV cell no spreadsheet will run: text from a return or a roster may start with = + - @
    (OWASP's rule for CSV injection); a leading apostrophe makes Excel and LibreOffice show it as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def place_name(name: str) -> str:
    """'UBND xã Xuân Quang' -> 'Xã Xuân Quang': a commune row names the place, not its committee."""
    for prefix in ("UBND ", "Ủy ban nhân dân ", "Uỷ ban nhân dân "):
        if name.startswith(prefix) and len(name) > len(prefix):
            rest = name[len(prefix):]
            return rest[0].upper() + rest[1:]
    return name


def fold(text: str) -> str:
    """Lower-case, diacritic-free, single-spaced form of a header or label typed in any style
    ('Mẫu  số' = 'mau so' = 'MẪU SỐ'), for matching, never for display."""
    text = unicodedata.normalize("NFD", clean_text(text).replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())
