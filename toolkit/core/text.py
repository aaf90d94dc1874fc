"""Text that came from outside (returned workbooks, rosters): one clean form before anything uses it."""

from __future__ import annotations

import re
import unicodedata

# C0 control characters other than tab and newline (XML, so docx and xlsx, cannot hold them at all),
# and the invisible zero-width characters a copy and paste brings along.
_CONTROL = re.compile("[\x00-\x08\x0c\x0e-\x1f\x7f\u200b-\u200d\ufeff]")


def clean_text(value: object) -> str:
    """NFC text with line breaks as '\\n', no control or zero-width characters, no surrounding spaces.

    Vietnamese typed on different keyboards mixes NFC and NFD; a line break pasted from Word into
    Excel arrives as a vertical tab (\\x0b), which would make the Word annex unwritable.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheet readers give every number as a float
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    return _CONTROL.sub("", text).strip()


def printable(text: str) -> str:
    """A file name as it can be printed and saved: bytes that were not UTF-8 (a zip made on another
    system) become '\ufffd' instead of making the report unwritable."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def place_name(name: str) -> str:
    """'UBND xã Xuân Quang' -> 'Xã Xuân Quang': a commune row names the place, not its committee."""
    for prefix in ("UBND ", "Ủy ban nhân dân ", "Uỷ ban nhân dân "):
        if name.startswith(prefix) and len(name) > len(prefix):
            rest = name[len(prefix):]
            return rest[0].upper() + rest[1:]
    return name


def fold(text: str) -> str:
    """Lower-case, diacritic-free, single-spaced form for matching headings typed in any style."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())
