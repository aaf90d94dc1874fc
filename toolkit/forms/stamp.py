"""Templates at province scale: one master workbook per shape of template, each unit's file stamped from it.

Most units of a province fill in the same template: same kind, levels, tasks, fields and checks.
Their workbooks differ only in the unit's identity texts (code, name, its upper-case form in the
headings, the place line of the instructions). A master is written through the normal writer for a
stand-in unit whose texts are private-use-area placeholders of the unit's lengths; a unit's file is
the master with its own texts put in place of the placeholders. It is the same workbook as
`write_template` writes for that unit:

* the shape key holds everything the writer reads from the unit and the roster but those texts, and
  the master's fields must be the unit's (a field may name the units it applies to);
* the heights of the rows a unit's texts size (`FormSheet.fitted`), hence the page breaks, are part
  of the key: units whose texts wrap onto as many lines share a master;
* texts XlsxWriter would write otherwise than plainly escaped (control characters, `_xHHHH_`,
  leading or trailing spaces) and texts that would become equal to another shared string (the
  writer keeps one copy of equal strings) are written directly.

Zips: the parts that hold no identity text are compressed once per master into a base archive; a
unit's file is that archive opened in append mode, to which its parts with identity texts are added
(the standard library's `zipfile` then rewrites the central directory after them), so those parts
come last in the archive, which neither Excel nor LibreOffice minds.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from pathlib import Path
from typing import Callable, Iterator

from toolkit.core.files import atomic_write
from toolkit.core.text import place_name
from toolkit.forms.data_sheet import row_height
from toolkit.spec.plan import Plan
from toolkit.spec.units import Roster, Unit

# write_master(unit, roster, target): writes the unit's workbook to `target` (a binary file object)
# and returns its sheets (FormSheet objects, which remember the rows their texts sized).
WriteMaster = Callable[[Unit, Roster, io.BytesIO], list]
# write_direct(unit, path): the normal writer, for a unit that cannot be stamped.
WriteDirect = Callable[[Unit, Path], Path]

# Each placeholder is a private-use character, lower-case letters, another private-use character:
# its upper-case form (the headings) is told apart from it, and no plan text contains it.
MARKS = {"code": ("\ue000", "c", "\ue001"), "name": ("\ue002", "n", "\ue003"), "place": ("\ue004", "p", "\ue005")}
STAND_IN = re.compile("[\ue000-\ue005]")
NOT_PLAIN = re.compile(r"[\x00-\x1f\ue000-\uf8ff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
SHARED_STRING = re.compile(r"<si>.*?</si>", re.DOTALL)
STRINGS_PART = "xl/sharedStrings.xml"


@dataclasses.dataclass(frozen=True)
class Identity:
    """The texts of a unit's own that its template shows."""

    code: str
    name: str
    place: str  # its commune's place name; "" when the instructions name the area

    def replacements(self, stand_in: "Identity") -> list[tuple[str, str]]:
        pairs = [(stand_in.code, self.code), (stand_in.name.upper(), self.name.upper()), (stand_in.name, self.name)]
        return pairs + ([(stand_in.place, self.place)] if self.place else [])


def identity(roster: Roster, unit: Unit) -> Identity:
    commune = roster.get(unit.commune) if unit.commune else None
    place = place_name(commune.name) if commune and commune.code != unit.code else ""
    return Identity(unit.code, unit.name, place)


def stampable(texts: Identity) -> bool:
    """Whether placeholders can stand for a unit's texts: each at least two characters long (or no
    place), and written by XlsxWriter merely escaped."""
    return (len(texts.code) >= 2 and len(texts.name) >= 2 and len(texts.place) != 1
            and not any(NOT_PLAIN.search(text) for text in (texts.code, texts.name, texts.place)))


def stand_in(texts: Identity) -> Identity:
    """Placeholders as long as the unit's texts (lengths decide row heights)."""
    def placeholder(kind: str, text: str) -> str:
        start, letter, end = MARKS[kind]
        return start + letter * (len(text) - 2) + end if text else ""
    return Identity(placeholder("code", texts.code), placeholder("name", texts.name), placeholder("place", texts.place))


def shape(plan: Plan, roster: Roster, unit: Unit) -> tuple:
    """Everything the template writer reads from a unit and the roster, but its identity texts: the
    template's shape (`Plan.template_shape`: hence its fields), tags, the tasks it leads, its commune."""
    commune = roster.get(unit.commune) if unit.commune else None
    where = "none" if commune is None else "self" if commune.code == unit.code else "other"
    return plan.template_shape(unit), unit.tags, unit.leads, where


def _fill(text: str, pairs: list[tuple[str, str]]) -> str:
    for placeholder, value in pairs:
        text = text.replace(placeholder, value)
    return text


def _escaped(text: str) -> str:
    """As XlsxWriter escapes text in elements (plain texts only, see NOT_PLAIN)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclasses.dataclass
class Master:
    """A template written for a stand-in unit, ready to stamp."""

    stand_in: Identity
    base: bytes  # a zip of the parts that hold no identity text
    parts: list[tuple[zipfile.ZipInfo, str]]  # the others, with placeholders
    fitted: list[tuple[str, float]]  # (text, width) of each row a placeholder's text sized

    def heights(self, texts: Identity) -> tuple[float, ...]:
        """The heights of those rows with a unit's own texts."""
        pairs = texts.replacements(self.stand_in)
        return tuple(row_height(_fill(text, pairs), width) for text, width in self.fitted)

    def stamp(self, texts: Identity) -> bytes | None:
        """The unit's workbook, or None when one of its texts would equal another shared string."""
        pairs = [(placeholder, _escaped(value)) for placeholder, value in texts.replacements(self.stand_in)]
        buffer = io.BytesIO(self.base)
        with zipfile.ZipFile(buffer, "a") as book:
            for info, text in self.parts:
                filled = _fill(text, pairs)
                if info.filename == STRINGS_PART:
                    strings = SHARED_STRING.findall(filled)
                    if len(set(strings)) < len(strings):
                        return None
                book.writestr(zipfile.ZipInfo(info.filename, info.date_time), filled.encode("utf-8"),
                              compress_type=zipfile.ZIP_DEFLATED)
        return buffer.getvalue()


class Stamper:
    """Writes the templates of one run (plan, roster, password, time), keeping a master per shape."""

    def __init__(self, plan: Plan, roster: Roster, write_master: WriteMaster, write_direct: WriteDirect):
        self.plan, self.roster = plan, roster
        self.write_master, self.write_direct = write_master, write_direct
        self._first: dict[tuple, Master] = {}  # shape -> its first master, whose rows tell the heights key
        self._masters: dict[tuple, Master] = {}  # (shape, heights of the rows the unit's texts size) -> master

    def write(self, unit: Unit, path: Path) -> Path:
        """Write one unit's template to `path`, stamped when it can be."""
        texts = identity(self.roster, unit)
        master = self._master(unit, texts) if stampable(texts) else None
        stamped = master.stamp(texts) if master else None
        if stamped is None:
            return self.write_direct(unit, path)
        return atomic_write(path, lambda temporary: Path(temporary).write_bytes(stamped))

    def _master(self, unit: Unit, texts: Identity) -> Master | None:
        key = shape(self.plan, self.roster, unit)
        first = self._first.get(key)
        if first is not None and (key, first.heights(texts)) in self._masters:
            return self._masters[key, first.heights(texts)]
        master = self._write(unit, texts)
        if master is None:
            return None
        first = self._first.setdefault(key, master)
        heights = first.heights(texts)
        # The master's rows are sized for its placeholders; a text whose upper-case form is longer
        # or shorter than itself may wrap otherwise.
        if not master.heights(texts) == heights == master.heights(master.stand_in):
            return None
        self._masters[key, heights] = master
        return master

    def _write(self, unit: Unit, texts: Identity) -> Master | None:
        stand = stand_in(texts)
        fake = dataclasses.replace(unit, code=stand.code, name=stand.name,
                                   commune=stand.code if unit.commune == unit.code else "")
        roster = Roster((), self.roster.path)
        if texts.place:
            commune = self.roster.get(unit.commune)
            fake = dataclasses.replace(fake, commune=stand.code + "_")
            roster = Roster((dataclasses.replace(commune, code=fake.commune, name=stand.place),), self.roster.path)
        if [f.code for f in self.plan.fields_for(fake)] != [f.code for f in self.plan.fields_for(unit)]:
            return None  # a field applies to this unit by its code
        target = io.BytesIO()
        sheets = self.write_master(fake, roster, target)
        fitted = [(text, width) for sheet in sheets for text, width in sheet.fitted.values() if STAND_IN.search(text)]
        return _split(stand, target.getvalue(), fitted)


def _split(stand: Identity, workbook: bytes, fitted: list[tuple[str, float]]) -> Master:
    """A master from its workbook: the parts without placeholders compressed once into the base."""
    base, parts = io.BytesIO(), []
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(base, "w", zipfile.ZIP_DEFLATED) as plain:
        for info in source.infolist():
            data = source.read(info)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = ""
            if STAND_IN.search(text):
                parts.append((info, text))
            else:
                plain.writestr(info, data)
    return Master(stand, base.getvalue(), parts, fitted)


def chunks_by_shape(plan: Plan, roster: Roster, units: list[Unit], size: int) -> Iterator[list[Unit]]:
    """Units in chunks of `size`, those of one shape together, so that a worker writes few masters."""
    ordered = sorted(units, key=lambda unit: repr(shape(plan, roster, unit)))
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]
