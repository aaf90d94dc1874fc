"""Make the command-line library speak Vietnamese.

click translates its own messages (usage errors, help headings) with `gettext`, bound in each of
its modules as `_` and `ngettext`. We compile our catalogue with Babel and rebind those names, so
the messages reach the user in Vietnamese whatever the system language is. A test fails if a
click release stops translating this way.
"""

from __future__ import annotations

import gettext
import importlib
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "click_vi.po"


def vietnamese_translations() -> gettext.GNUTranslations:
    """Compile the .po catalogue in memory (no binary file to keep in sync)."""
    with CATALOGUE.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


CLICK_MODULES = ("core", "exceptions", "parser", "decorators", "types", "formatting", "termui")


def install() -> None:
    """Rebind click's translation functions to the Vietnamese catalogue."""
    translations = vietnamese_translations()
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = translations.gettext
        if hasattr(module, "ngettext"):
            module.ngettext = translations.ngettext
