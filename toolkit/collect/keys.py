"""The key that travels with each input row of our templates, and what it says about the cells.

Column A of a data sheet lists the row's input names, `|`-separated, for the cells from column E
on (`toolkit.spec.names`). A defined name follows its cell when rows are inserted or a sheet is
renamed; the key follows the row when rows are sorted. Where the two disagree, a cell has moved.
"""

from __future__ import annotations

import functools
import re

from toolkit.collect.parts import CellRef
from toolkit.spec.names import FIRST_INPUT_COLUMN, KEY_COLUMN


def match_keys(names: dict[str, CellRef], deleted: set[str], sheets: list[str], rows) -> dict[str, CellRef]:
    """Compare each input's defined name with the key that travels with its row (column A).

    A name the file lost is found by its key, unless its cell was deleted (`#REF!`) or another name
    holds that cell: then the key's cell may hold a neighbour's value. Names found are added to
    `names`; returned are the names whose cell is not where their key says (a row sorted, a cell
    deleted with "shift left"), with where the key says: such a value might belong to another
    field, and it is never guessed which. `rows(sheet)` gives a sheet's cells.
    """
    keyed: dict[str, list[CellRef]] = {}  # name -> the cells its key points at (a copied row repeats one)
    key_at: dict[CellRef, str] = {}
    for sheet in sheets:
        for row_index, row in enumerate(rows(sheet) or []):
            key = row[KEY_COLUMN] if row else ""
            if not isinstance(key, str) or not key:
                continue
            for offset, name in _key_names(key):
                ref = CellRef(sheet, row_index, FIRST_INPUT_COLUMN + offset)
                keyed.setdefault(name, []).append(ref)
                key_at[ref] = name
    named, moved = {ref: name for name, ref in names.items()}, {}
    for name, places in keyed.items():
        if name in names or name in deleted:
            continue
        if places[0] in named or len(places) > 1:
            moved[name] = places[0]
        else:
            names[name] = places[0]
    for name, ref in names.items():
        if name in keyed and ref not in keyed[name]:
            moved[name] = keyed[name][0]
        elif key_at.get(ref, name) != name:  # its row's key names another input there
            moved[name] = ref
    return moved


_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


@functools.lru_cache(maxsize=8192)  # every return of a plan holds the same keys
def _key_names(key: str) -> tuple[tuple[int, str], ...]:
    """(offset from the first input column, name) of each name a key lists."""
    return tuple((offset, name) for offset, name in enumerate(key.split("|")) if _NAME.fullmatch(name))
