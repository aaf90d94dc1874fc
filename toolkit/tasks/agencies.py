"""Who does which task: the agency texts of a task list matched to the units of the roster.

Plans name agencies the way people write them: "Phòng GD&ĐT" or "Phòng Giáo dục và Đào tạo",
"Phòng Kế hoạch - Tài chính" for the unit "Phòng Tài chính - Kế hoạch", "phòng Nội vụ thành phố",
"Uỷ ban" or "Ủy ban", NFC or NFD, and PDF extraction glues cells together ("… đơn vị thành phố UBND
các xã, phường"). So a text is not split on commas: it is scanned, longest name first, for every
known name, alias and group phrase; words left over are reported, never dropped.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Mapping, Sequence

from toolkit.spec.names import task_id, task_label
from toolkit.spec.plan import Plan
from toolkit.spec.units import Roster, Unit

# Words that only join names: dropped from texts and names alike before comparing.
CONNECTORS = frozenset({"và", "các", "cùng", "với"})
# Abbreviations expanded before comparing, as token sequences (punctuation such as & - / is dropped).
ABBREVIATIONS = {
    ("gd", "đt"): "giáo dục đào tạo",
    ("gdđt",): "giáo dục đào tạo",
    ("tc", "kh"): "tài chính kế hoạch",
    ("lđ", "tb", "xh"): "lao động thương binh xã hội",
    ("lđtbxh",): "lao động thương binh xã hội",
    ("vh", "tt"): "văn hóa thông tin",
    ("tn", "mt"): "tài nguyên môi trường",
    ("kt", "ht"): "kinh tế hạ tầng",
    ("nn", "ptnt"): "nông nghiệp phát triển nông thôn",
    ("gdnn", "gdtx"): "giáo dục nghề nghiệp giáo dục thường xuyên",
    ("ubnd",): "ủy ban nhân dân",
    ("mttq",): "mặt trận tổ quốc",
    ("tt",): "trung tâm",
}
# Generic heads kept in front when the parts of a name are swapped ("Phòng" + "Kế hoạch - Tài chính").
HEADS = ("ủy ban nhân dân", "trung tâm", "văn phòng", "chi cục", "phòng", "ban", "sở")
# The issuer's own level after a name ("phòng Nội vụ thành phố", "… huyện Bảo Thắng", "… xã Long Hồ")
# may be dropped: districts before 1/7/2025, communes, wards, special zones and provinces after.
LEVEL_WORDS = ("thành phố", "thị xã", "thị trấn", "huyện", "quận", "xã", "phường", "đặc khu", "tỉnh")
_PART_SEPARATOR = re.compile(r"\s+-\s+|\s*[,;&]\s*|\s+và\s+", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_LIST_BREAK = re.compile(r"[,;]")
# Vietnamese tone marks (huyền, sắc, hỏi, ngã, nặng) as combining characters after NFD.
_TONES = {"\u0300": "1", "\u0301": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
# Said once under the notes on unmatched agency texts: how the user teaches the tool a name.
ALIAS_HINT = ("Cách sửa: nếu tên chưa nhận ra là một đơn vị trong danh sách, thêm tên đó vào plan.yaml, mục "
              "agencies → aliases, dưới mã đơn vị (ví dụ “PHONG_GDDT: [Phòng GD&ĐT huyện]”); nếu là cả một nhóm "
              "đơn vị, thêm vào agencies → groups (ví dụ “{phrase: các trường mầm non, kind: truong, levels: [MN]}”); "
              "cơ quan không báo cáo (ngoài danh sách) thì bỏ qua cảnh báo.")
ROLES = {"lead": "cơ quan chủ trì", "coordinating": "cơ quan phối hợp"}


@lru_cache(maxsize=4096)
def word_key(word: str) -> str:
    """A word in a form that ignores case, NFC/NFD and where the tone mark sits (hòa = hoà)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = "".join(_TONES[c] for c in decomposed if c in _TONES)
    bare = "".join(c for c in decomposed if c not in _TONES)
    return unicodedata.normalize("NFC", bare) + tones


@dataclass(frozen=True)
class _Token:
    key: str
    start: int  # span of the original word(s) in the text
    end: int


_EXPANSIONS = {tuple(word_key(w) for w in short): [word_key(w) for w in long.split()]
               for short, long in ABBREVIATIONS.items()}
_LONGEST_ABBREVIATION = max(len(short) for short in _EXPANSIONS)
_ABBREVIATION_STARTS = frozenset(short[0] for short in _EXPANSIONS)  # most words start none: skip them fast
_CONNECTOR_KEYS = frozenset(word_key(w) for w in CONNECTORS)


def tokens(text: str) -> list[_Token]:
    """The words of a text as comparison keys, abbreviations expanded, connectors dropped."""
    words = [_Token(word_key(m.group()), m.start(), m.end()) for m in _WORD.finditer(unicodedata.normalize("NFC", text))]
    found: list[_Token] = []
    i = 0
    while i < len(words):
        sizes = range(min(_LONGEST_ABBREVIATION, len(words) - i), 0, -1) if words[i].key in _ABBREVIATION_STARTS else ()
        for size in sizes:
            expansion = _EXPANSIONS.get(tuple(w.key for w in words[i:i + size]))
            if expansion:
                start, end = words[i].start, words[i + size - 1].end
                found.extend(_Token(key, start, end) for key in expansion)
                i += size
                break
        else:
            found.append(words[i])
            i += 1
    return [t for t in found if t.key not in _CONNECTOR_KEYS]


@lru_cache(maxsize=65536)  # the same heads and phrases are asked for each of a province's units
def _keys(text: str) -> tuple[str, ...]:
    return tuple(t.key for t in tokens(text))


def _spelling(text: str) -> str:
    """A text's words as comparison keys, as written (no abbreviation expanded): cheap enough to
    compare a fragment letter by letter with every name of a province."""
    return " ".join(word_key(m.group()) for m in _WORD.finditer(unicodedata.normalize("NFC", text)))


def name_variants(name: str) -> set[tuple[str, ...]]:
    """Comparison keys of a unit name: as written, its parts in any order, without 'UBND'."""
    text = unicodedata.normalize("NFC", name).strip()
    variants = {_keys(text)}
    parts = [p for p in _PART_SEPARATOR.split(text) if p.strip()]
    if 1 < len(parts) <= 4:
        head = next((h for h in HEADS if _keys(parts[0])[:len(_keys(h))] == _keys(h)), "")
        first = _keys(parts[0])[len(_keys(head)):]
        rest = [first] + [_keys(p) for p in parts[1:]]
        for order in itertools.permutations(rest):
            variants.add(_keys(head) + tuple(itertools.chain.from_iterable(order)))
    council = _keys("ủy ban nhân dân")
    for variant in list(variants):
        if variant[:len(council)] == council and len(variant) > len(council):
            variants.add(variant[len(council):])  # "xã Xuân Quang" for "UBND xã Xuân Quang"
    return {v for v in variants if v}


def _patterns(plan: Plan, units: Sequence[Unit], texts: Sequence[str]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Every way the `texts` may write an agency or a group, as keys -> unit codes it stands for."""
    found: dict[tuple[str, ...], dict[str, None]] = {}  # keys -> codes, an ordered set (a group has thousands)

    def add(keys: tuple[str, ...], codes: list[str]) -> None:
        found.setdefault(keys, {}).update(dict.fromkeys(codes))

    written = {key for text in texts for key in _keys(text)}
    for unit in units:
        if not _may_be_named(unit.name, written):
            continue
        for variant in name_variants(unit.name):
            add(variant, [unit.code])
    known = {u.code for u in units}
    for code, aliases in plan.agencies.aliases.items():
        for alias in aliases if code in known else ():  # an alias of no unit stays unmatched, hence reported
            for variant in name_variants(alias):
                add(variant, [code])
    for group in plan.agencies.groups:
        add(_keys(group.phrase), [u.code for u in units if u.kind == group.kind
                                  and (not group.levels or set(group.levels) & set(u.levels))])
    return {keys: tuple(codes) for keys, codes in found.items()}


# Words of a name that its comparison keys may lack: consumed by an abbreviation, dropped as connectors,
# or left out with "Ủy ban nhân dân" (`name_variants`).
_MAY_VANISH = (frozenset(key for short in _EXPANSIONS for key in short) | _CONNECTOR_KEYS
               | frozenset(word_key(w) for w in "ủy ban nhân dân".split()))


def _may_be_named(name: str, written: set[str]) -> bool:
    """False when no text can name the unit: a word its every variant keeps is in none of them. A
    province's thousands of schools are mostly never named in a task list; their variants are skipped."""
    return all(key in written or key in _MAY_VANISH
               for key in (word_key(m.group()) for m in _WORD.finditer(unicodedata.normalize("NFC", name))))


def _level_suffixes(plan: Plan) -> list[tuple[str, ...]]:
    """'thành phố', 'thành phố Lai Châu', …: the issuer's level, optionally with its place name."""
    area = _keys(plan.area.name)
    place = next((area[len(_keys(w)):] for w in LEVEL_WORDS if area[:len(_keys(w))] == _keys(w)), ())
    suffixes = [_keys(w) + place for w in LEVEL_WORDS if place] + [_keys(w) for w in LEVEL_WORDS]
    return sorted(suffixes, key=len, reverse=True)


class Matcher:
    """Scans agency texts for the roster's units; built once per plan and roster."""

    def __init__(self, plan: Plan, units: Sequence[Unit], texts: Sequence[str]):
        """A matcher for the agency `texts` (every one it will be asked to match)."""
        self.units = {u.code: u for u in units}
        self.patterns = _patterns(plan, units, texts)
        self._closest: dict[str, Unit | None] = {}
        self.longest = max((len(k) for k in self.patterns), default=0)
        self.suffixes = _level_suffixes(plan)

    def match(self, text: str) -> tuple[list[str], list[str]]:
        """(codes of the units a text names, in order; fragments of it that name nothing)."""
        text = unicodedata.normalize("NFC", text)
        words = tokens(text)
        keys = [w.key for w in words]
        codes: dict[str, None] = {}  # an ordered set: "UBND các xã" alone names every commune of a province
        unmatched: list[tuple[int, int]] = []  # runs of words naming nothing, as word indexes
        i = 0
        while i < len(words):
            size = next((n for n in range(min(self.longest, len(words) - i), 0, -1)
                         if tuple(keys[i:i + n]) in self.patterns), 0)
            if not size:
                # A run goes on until a matched name or a comma/semicolon (one fragment per item).
                if unmatched and unmatched[-1][1] == i and not _LIST_BREAK.search(text[words[i - 1].end:words[i].start]):
                    unmatched[-1] = (unmatched[-1][0], i + 1)
                else:
                    unmatched.append((i, i + 1))
                i += 1
                continue
            codes.update(dict.fromkeys(self.patterns[tuple(keys[i:i + size])]))
            i += size
            if i < len(words) and not _LIST_BREAK.search(text[words[i - 1].end:words[i].start]):
                # "… phòng Nội vụ thành phố", but not the "xã" of the next item in "phường A; xã B"
                i += next((len(s) for s in self.suffixes if tuple(keys[i:i + len(s)]) == s), 0)
        return list(codes), [self._fragment(text, words, a, b) for a, b in unmatched]

    def closest(self, fragment: str) -> Unit | None:
        """The unit whose name is written almost like `fragment` (a typo, a word changed), if any."""
        if fragment not in self._closest:  # a fragment left over is often the same in many tasks
            names = self._written_names
            found = difflib.get_close_matches(_spelling(fragment), list(names), n=1, cutoff=0.8)
            self._closest[fragment] = names[found[0]] if found else None
        return self._closest[fragment]

    @cached_property
    def _written_names(self) -> dict[str, Unit]:
        return {_spelling(u.name): u for u in self.units.values()}  # once: a province has thousands

    @staticmethod
    def _fragment(text: str, words: list[_Token], first: int, end: int) -> str:
        """The text of words[first:end]; at the start of a list item, with the connectors before it
        ("Các trường THPT", not "trường THPT")."""
        start = words[first].start
        before = text[words[first - 1].end if first else 0:start]
        if not first or _LIST_BREAK.search(before):
            start -= len(_LIST_BREAK.split(before)[-1].lstrip(" -"))
        return text[start:words[end - 1].end]


def match_agencies(text: str, plan: Plan, units: Sequence[Unit]) -> tuple[list[Unit], list[str]]:
    """Units an agency text names (a group phrase names all units of its kind), and the
    fragments of the text that name no unit."""
    matcher = Matcher(plan, units, [text])
    codes, fragments = matcher.match(text)
    return [matcher.units[c] for c in codes], fragments


@dataclass(frozen=True)
class Assignment:
    """Who leads and who coordinates each task of a plan (by task id, in plan order)."""

    leads: Mapping[str, tuple[str, ...]]  # task id -> unit codes that lead it
    coordinators: Mapping[str, tuple[str, ...]]  # task id -> unit codes that coordinate it (leads excluded)
    unmatched: tuple[str, ...] = ()  # Vietnamese notes on agency texts that name no unit
    _by_unit: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def tasks_of(self, unit_code: str) -> tuple[str, ...]:
        """Ids of the tasks a unit leads or coordinates, in plan order."""
        return self._by_unit.get(unit_code, ())

    def led_by(self, unit_code: str) -> tuple[str, ...]:
        """Ids of the tasks a unit leads, in plan order."""
        return tuple(t for t in self.tasks_of(unit_code) if unit_code in self._lead_sets[t])

    @cached_property
    def _lead_sets(self) -> dict[str, frozenset[str]]:
        return {task: frozenset(codes) for task, codes in self.leads.items()}  # a task may have thousands of leads

    def role(self, task: str, unit_code: str) -> str:
        """'Chủ trì', 'Phối hợp' or '' for a unit and a task id."""
        if unit_code in self.leads.get(task, ()):
            return "Chủ trì"
        return "Phối hợp" if unit_code in self.coordinators.get(task, ()) else ""


def match_tasks(plan: Plan, units: Sequence[Unit]) -> Assignment:
    """Match every task's lead and coordinating texts to the roster's units.

    A unit named both as lead and as coordinator of a task leads it. A group phrase ("UBND các
    xã, phường") gives the task to every unit of its kind.
    """
    tasks = [task for group in (plan.tasks.groups if plan.tasks else []) for task in group.tasks]
    matcher = Matcher(plan, units, [getattr(task, role) for task in tasks for role in ROLES])
    leads: dict[str, tuple[str, ...]] = {}
    coordinators: dict[str, tuple[str, ...]] = {}
    notes: list[str] = []
    for group_number, group in enumerate(plan.tasks.groups if plan.tasks else [], start=1):
        for task_number, task in enumerate(group.tasks, start=1):
            identifier = task_id(group_number, task_number)
            label = task_label(group.numeral, task.tt, task_number)
            found = {}
            for role in ROLES:
                codes, fragments = matcher.match(getattr(task, role))
                found[role] = codes
                notes.extend(f"Nhiệm vụ {label}, {ROLES[role]}: không nhận ra “{f}”{_alias_hint(matcher, f)}" for f in fragments)
            if not task.lead.strip():
                notes.append(f"Nhiệm vụ {label}: chưa ghi cơ quan chủ trì")
            leads[identifier] = tuple(found["lead"])
            lead = set(found["lead"])
            coordinators[identifier] = tuple(c for c in found["coordinating"] if c not in lead)
    by_unit: dict[str, list[str]] = {}
    for identifier in leads:
        for code in (*leads[identifier], *coordinators[identifier]):
            by_unit.setdefault(code, []).append(identifier)
    return Assignment(leads, coordinators, tuple(notes), {c: tuple(ids) for c, ids in by_unit.items()})


def _alias_hint(matcher: Matcher, fragment: str) -> str:
    unit = matcher.closest(fragment)
    return (f"; nếu đó là {unit.name}, thêm vào plan.yaml, mục agencies → aliases: “{unit.code}: [{fragment}]”"
            if unit else "")


def assign_tasks(plan: Plan, roster: Roster) -> Roster:
    """The roster with each unit's tasks (those it leads and those it coordinates), matched once
    for the whole pipeline: the templates, the checks and the progress matrix all read them here."""
    if not plan.tasks:
        return roster
    assignment = match_tasks(plan, roster.units)
    units = tuple(replace(u, tasks=assignment.tasks_of(u.code), leads=assignment.led_by(u.code)) for u in roster.units)
    return replace(roster, units=units, unmatched_agencies=assignment.unmatched,
                   task_leads=assignment.leads, task_coordinators=assignment.coordinators)
