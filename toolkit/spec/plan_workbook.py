"""Reading a plan workbook (ke_hoach.xlsx, layout in `toolkit.spec.plan_sheets`) into a `Plan`.

The workbook becomes the same dict a plan.yaml gives, validated by the same pydantic model; every
problem, the reader's own and the model's, is a `Problem` citing sheet, row, column and header, and
all of them are reported together (cells are read by `toolkit.spec.plan_cells`).
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from toolkit.core.errors import CATALOGUE, Location, PlanError, Problem
from toolkit.core.text import fold
from toolkit.spec import plan_sheets as layout
from toolkit.spec.catalogue import inputs_of, standard_fields, standard_indicators
from toolkit.spec.plan import Plan
from toolkit.spec.plan_cells import KeyPath, SheetReader, Sheets, nearest, put

_ROMAN = re.compile(r"^[IVXLC]+\.?$")


# The plan dict, sheet by sheet


def _lists(reader: SheetReader, book, data: dict) -> None:
    data["unit_kinds"], data["levels"] = {}, {}
    periods = []
    for number, values, places in reader.table(book, layout.LISTS):
        kind, code = values.get("type"), values.get("code", "")
        if kind == layout.KIND_UNIT:
            data["unit_kinds"][code] = {k: values[k] for k in ("label", "plural") if k in values}
            path = ("unit_kinds", code)
        elif kind == layout.KIND_LEVEL:
            data["levels"][code] = values.get("label", "")
            path = ("levels", code)
        elif kind == layout.KIND_PERIOD:
            path = ("period", "targets", len(periods))
            periods.append({k: values[k] for k in ("code", "label") if k in values})
        else:
            reader.problem("workbook-required", places["type"], header=layout.LISTS.column("type").header)
            continue
        reader.origins[path] = places["code"]
        for key in ("label", "plural"):
            reader.origins[(*path, key)] = places.get(key, places["code"])
    if periods:
        data.setdefault("period", {})["targets"] = periods


def _target_columns(data: dict) -> dict[str, tuple[str | None, str | None]]:
    """Folded target header -> (level, period) for the plan's levels and periods."""
    periods = [p.get("code", "") for p in data.get("period", {}).get("targets", [])]
    levels = list(data.get("levels", {}))
    columns = {}
    for level in [None, *levels]:
        for period in periods or [None]:
            columns[fold(layout.target_header(level, period))] = (level, period)
    return columns


def _indicators(reader: SheetReader, book, data: dict) -> None:
    targets = _target_columns(data)
    standard = standard_indicators()
    indicators, from_catalogue, unknown_targets = [], [], set()
    section = ""
    for number, values, places in reader.table(book, layout.INDICATORS, extra=re.compile(rf"(?i)^\s*{layout.TARGET_HEADER}\b")):
        path = ("indicators", len(indicators))
        entry: dict = {}
        code = values.pop("catalogue", None)
        if code:
            if code in standard:
                entry = copy.deepcopy(standard[code])  # the row's cells may fill its nested keys
                from_catalogue.append((code, places["catalogue"]))
            else:
                hint = nearest(code, list(standard))
                reader.problem("workbook-unknown-standard", places["catalogue"], value=code, hint=hint)
                reader.refused_rows.add((layout.INDICATORS.name, number))  # its definition is unknown, not missing
        section = values.pop("section", section)
        if section:
            entry["section"] = section
        values.pop("stt", None)
        for header in [k for k in values if k not in {c.key for c in layout.INDICATORS.columns}]:
            level_period = targets.get(fold(header))
            value = values.pop(header)
            if level_period is None:
                if header not in unknown_targets:  # said once, at its first value
                    unknown_targets.add(header)
                    known = ", ".join(f"“{layout.target_header(*lp)}”" for lp in targets.values())
                    reader.problem("workbook-column-unknown", places[header], found=header, hint=f" (các cột chỉ tiêu: {known})")
                continue
            level, period = level_period
            key = ("target",) if level is None else ("target_by_level", level)
            holder = entry
            for part in key[:-1]:
                holder = holder.setdefault(part, {})
            if period is None:
                holder[key[-1]] = value
            else:
                holder.setdefault(key[-1], {})[period] = value
            reader.origins[(*path, *key, *([period] if period else []))] = places[header]
        for key, value in values.items():
            put(entry, key, value)
        for key, where in places.items():
            reader.origins[(*path, *key.split("."))] = where
        reader.origins[path] = places.get("code") or places.get("name") or next(iter(places.values()))
        indicators.append(entry)
    data["indicators"] = indicators
    data["_catalogue_inputs"] = from_catalogue


def _fields(reader: SheetReader, book, data: dict) -> None:
    parts: dict[str, dict[str, list]] = defaultdict(lambda: {"rows": [], "columns": []})
    part_origin: dict[str, Location] = {}
    for number, values, places in reader.table(book, layout.GRIDS):
        grid, part = values.pop("field", ""), values.pop("part", None)
        if not part:
            reader.problem("workbook-required", places.get("part", places.get("field")), header=layout.GRIDS.column("part").header)
            continue
        if part == "columns":
            values.pop("level", None)
        parts[grid][part].append(values)
        part_origin.setdefault(grid, places.get("field"))
    rows, section = [], ""
    for number, values, places in reader.table(book, layout.FIELDS):
        section = values.pop("section", section)
        entry = {"section": section, **values} if section else values
        if entry.get("kind") == "grid" or entry.get("code") in parts:
            entry.update(parts.pop(entry.get("code"), {}))
        rows.append((entry, places))
    for grid, where in part_origin.items():
        if grid in parts:
            reader.problem("workbook-grid-orphan", where, value=grid)
    # The catalogue's inputs come first (in catalogue order), then the Số liệu rows; a Số liệu row
    # with a catalogue input's code replaces it.
    declared = {entry.get("code") for entry, _ in rows}
    wanted: dict[str, Location] = {}  # input code -> the Chỉ tiêu row that first needs it
    for code, where in data.pop("_catalogue_inputs"):
        for entry in inputs_of(code):
            wanted.setdefault(entry["code"], where)
    fields = []
    for code, entry in standard_fields().items():
        if code in wanted and code not in declared:
            reader.origins[("fields", len(fields))] = wanted[code]
            fields.append(dict(entry))
    for entry, places in rows:
        path = ("fields", len(fields))
        for key, where in places.items():
            reader.origins[(*path, key)] = where
        reader.origins[path] = places.get("code") or next(iter(places.values()))
        fields.append(entry)
    data["fields"] = fields


def _tasks(reader: SheetReader, book, data: dict) -> None:
    groups: list[dict] = []
    for number, values, places in reader.table(book, layout.TASKS):
        tt = values.get("tt", "")
        if _ROMAN.match(tt) and not any(values.get(k) for k in ("lead", "coordinating", "timeframe")):
            reader.origins[("tasks", "groups", len(groups))] = places["tt"]
            groups.append({"numeral": tt, "title": values.get("content", ""), "tasks": []})
            continue
        if not groups:
            reader.problem("workbook-task-before-group", places.get("tt") or places["content"])
            continue
        path = ("tasks", "groups", len(groups) - 1, "tasks", len(groups[-1]["tasks"]))
        for key, where in places.items():
            reader.origins[(*path, key)] = where
        reader.origins[path] = places.get("content")
        groups[-1]["tasks"].append(values)
    if groups or "tasks" in data:
        data.setdefault("tasks", {})["groups"] = groups


def _agencies(reader: SheetReader, book, data: dict) -> None:
    aliases: dict[str, list[str]] = {}
    groups: list[dict] = []
    for number, values, places in reader.table(book, layout.AGENCIES):
        phrase, unit, kind = values.get("phrase", ""), values.get("unit"), values.get("kind")
        if bool(unit) == bool(kind):
            reader.problem("workbook-agency-row", places.get("unit") or places["phrase"])
        elif unit:
            aliases.setdefault(unit, []).append(phrase)
        else:
            reader.origins[("agencies", "groups", len(groups))] = places["kind"]
            for key in ("kind", "levels", "phrase"):
                reader.origins[("agencies", "groups", len(groups), key)] = places.get(key)
            groups.append({k: v for k, v in values.items() if k != "unit"})
    if aliases or groups:
        data["agencies"] = {"aliases": aliases, "groups": groups}


def _annexes(reader: SheetReader, book, data: dict) -> None:
    annexes = []
    for number, values, places in reader.table(book, layout.ANNEXES):
        path = ("annexes", len(annexes))
        for key, where in places.items():
            reader.origins[(*path, key)] = where
        reader.origins[path] = places.get("numeral") or places.get("kind")
        annexes.append({"numeral": "", **values})
    data["annexes"] = annexes


def _roster(reader: SheetReader, book, data: dict) -> None:
    has_rows = layout.ROSTER.name in book and book.height(layout.ROSTER.name) > 1
    if not data.get("roster") and has_rows:
        data["roster"] = reader.path.name  # the roster reader reads the Đơn vị sheet of this file


# The whole workbook


def read_plan_dict(path: Path) -> tuple[dict, dict[KeyPath, Location], list[Problem], set[tuple[str, int]]]:
    """The plan dict of a workbook, where each key came from, the problems met reading it, and the
    rows (sheet, row) refused as a whole."""
    reader = SheetReader(path)
    try:
        book = Sheets(path)
    except Exception as exc:  # a zip, XML or format error: whatever made the file unreadable
        reader.problem("workbook-file-unreadable", Location(file=path.name), detail=type(exc).__name__)
        return {}, {}, reader.problems, set()
    for name in [n for n in book.names if not n.startswith("_")]:
        if not any(layout.same_header(name, known) for known in layout.SHEETS):
            reader.problem("workbook-sheet-unknown", Location(file=path.name, sheet=name), sheet=name,
                           hint=nearest(name, list(layout.SHEETS)))
    if layout.INFO.name not in book:
        reader.problem("workbook-sheet-missing", Location(file=path.name), sheet=layout.INFO.name)
        return {}, {}, reader.problems, set()
    data = reader.info(book)
    for read in (_lists, _indicators, _fields, _tasks, _agencies, _annexes, _roster):
        read(reader, book, data)
    return data, reader.origins, reader.problems, reader.refused_rows


_BRANCHES = {"float", "int", "none", "str", "dict[str,float]", "Eligible", "TaskList"}


def _where(loc: tuple, origins: dict[KeyPath, Location], path: Path) -> Location:
    """The cell a pydantic error location points to: its longest prefix the reader placed."""
    loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in _BRANCHES)))
    for end in range(len(loc), 0, -1):
        if loc[:end] in origins and origins[loc[:end]] is not None:
            return origins[loc[:end]]
    dotted = ".".join(map(str, loc))
    item = next((c for c in layout.INFO.columns if c.key == dotted), None)  # a Thông tin row deleted
    return Location(file=path.name, sheet=layout.INFO.name, header=item.header) if item else Location(file=path.name)


def _key_path(text: str) -> tuple:
    """'indicators[3] (PH_TAM).eligible.kind' -> ('indicators', 3, 'eligible', 'kind')."""
    text = re.sub(r" \([^)]*\)", "", text)
    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", text))


def _relocated(error: PlanError, origins: dict, path: Path) -> list[Problem]:
    """The plan's cross-reference problems (found at key paths, `indicators[1].numerator`) at the
    sheet, row and column the reader took that key from."""
    return [replace(p, location=replace(_where(_key_path(p.location.key), origins, path), item=p.location.item))
            for p in error.problems]


def _model_problems(exc: ValidationError, data: dict, origins: dict, path: Path) -> list[Problem]:
    problems, seen = [], set()
    for error in exc.errors(include_url=False):
        kind = error["type"]
        where = _where(error["loc"], origins, path)
        if where in seen:
            continue  # a union reports each of its branches
        seen.add(where)
        if kind == "missing":
            problems.append(Problem("workbook-required", where, {"header": where.header or error["loc"][-1]}))
        elif kind in CATALOGUE:  # the model's own problem (toolkit.spec.model.invalid), now at its cell
            problems.append(Problem(kind, where, error.get("ctx") or {}))
        elif kind == "value_error":
            problems.append(Problem("workbook-rule-broken", where, {"detail": str(error["ctx"]["error"])}))
        elif kind == "literal_error":
            expected = str(error["ctx"]["expected"]).replace(" or ", " hoặc ")
            problems.append(Problem("workbook-not-choice", where, {"value": error["input"], "choices": expected}))
        elif kind in ("float_parsing", "float_type"):
            problems.append(Problem("workbook-not-number", where, {"value": error["input"]}))
        else:
            problems.append(Problem("workbook-cell-invalid", where, {"value": error.get("input", ""), "detail": error["msg"]}))
    return problems


_LISTS = ("fields", "indicators", "annexes")


def _cross_references_without(exc: ValidationError, data: dict, origins: dict, path: Path) -> list[Problem]:
    """The plan's cross-reference problems, which pydantic checks only once every entry is valid:
    found again on the plan without its broken entries, so that `plan check` lists them at once."""
    broken = {tuple(e["loc"][:2]) for e in exc.errors() if len(e["loc"]) >= 2 and e["loc"][0] in _LISTS}
    if not broken or any(not e["loc"] or e["loc"][0] not in _LISTS for e in exc.errors()):
        return []
    kept = {key: [i for i in range(len(data.get(key, []))) if (key, i) not in broken] for key in _LISTS}
    trimmed = {**data, **{key: [data[key][i] for i in kept[key]] for key in _LISTS if key in data}}
    moved = {}
    for key_path, where in origins.items():
        if key_path[:1] and key_path[0] in _LISTS and len(key_path) > 1:
            if key_path[1] in kept[key_path[0]]:
                moved[(key_path[0], kept[key_path[0]].index(key_path[1]), *key_path[2:])] = where
        else:
            moved[key_path] = where
    removed = {str(data[key][i].get("code", "")) for key, i in broken if isinstance(data[key][i], dict)}
    try:
        Plan.model_validate(trimmed, context={"path": path})
    except PlanError as again:
        # A reference to an entry left out is not broken: that entry's own problem is reported.
        return [p for p in _relocated(again, moved, path) if not removed & {str(v) for v in p.params.values()}]
    except ValidationError:
        pass  # only the cross-references are looked for here; the entries' own problems are reported already
    return []


def check_plan_workbook(path: str | Path, *, year: int | None = None) -> tuple[Plan | None, list[Problem]]:
    """Read and validate a plan workbook: the plan (None when it has errors) and every problem;
    `year`: the round reported on, instead of the workbook's own."""
    path = Path(path)
    data, origins, problems, refused = read_plan_dict(path)
    if not data:
        return None, problems
    if year is not None and isinstance(data.get("period"), dict):
        data["period"]["round"] = year
    try:
        plan = Plan.model_validate(data, context={"path": path})
    except PlanError as exc:
        return None, problems + _relocated(exc, origins, path)
    except ValidationError as exc:
        # A cell the reader refused is missing from the dict: the model need not say so again.
        reported = {p.location for p in problems}
        found = [p for p in _model_problems(exc, data, origins, path) if p.location not in reported
                 and (p.location.sheet, p.location.row) not in refused]
        return None, problems + found + _cross_references_without(exc, data, origins, path)
    if any(p.severity == "error" for p in problems):
        return None, problems
    return plan, problems


def load_plan_workbook(path: str | Path, *, year: int | None = None) -> Plan:
    """A validated `Plan` from a workbook; a `PlanError` listing every problem otherwise."""
    plan, problems = check_plan_workbook(path, year=year)
    if plan is None:
        raise PlanError(problems, heading=f"Tệp kế hoạch {Path(path).name} có lỗi:")
    return plan
