"""Plan spec loading: YAML file -> validated, frozen `Plan`.

`load_plan(path_or_name)` reads a YAML plan, validates it and returns a `Plan`. Every error names
the file and the key at fault, in Vietnamese. The format is documented by the bundled examples
(`toolkit/bundled/*/plan.yaml`) and the README. Every problem found is a `Problem` at its key path
(or, for a YAML mistake, its line and column), raised together as one `PlanError`.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from toolkit.core.errors import CATALOGUE, Location, PlanError, Problem
from toolkit.spec.bundled import BUNDLED, bundled_examples
from toolkit.spec.plan import Plan
from toolkit.spec.references import plan_error

PLAN_WORKBOOK = "ke_hoach.xlsx"  # the plan workbook's usual name


_TYPE_EXPECTED = {  # pydantic's error types -> what the value must be
    "string_type": "phải là chuỗi ký tự",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "float_type": "phải là số",
    "float_parsing": "phải là số",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "list_type": "phải là danh sách",
    "dict_type": "phải là bảng khóa: giá trị",
    "model_type": "phải là bảng khóa: giá trị",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
}
# Names pydantic puts in a location for the branch of a union it tried, not keys of the plan.
_UNION_BRANCHES = ("float", "int", "none", "dict[str,float]", "Eligible", "TaskList", "str")


def _key_path(loc: tuple, data: dict) -> tuple[str, str]:
    """pydantic's location -> ('fields[21].kind', the code of the innermost list entry: 'PH_TAM')."""
    parts, item, node = [], "", data
    for step in loc:
        if isinstance(step, int):
            parts.append(f"[{step}]")
            entry = node[step] if isinstance(node, list) and step < len(node) else None
            if isinstance(entry, dict) and entry.get("code"):
                item = str(entry["code"])
        else:
            parts.append(("." if parts else "") + str(step))
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
    return "".join(parts), item


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _problem(error: dict, where: Location) -> Problem:
    kind, ctx = error["type"], error.get("ctx", {})
    if kind in CATALOGUE:  # raised by the models with its own code (toolkit.spec.model.invalid)
        return Problem(kind, where, ctx)
    if kind == "missing":
        return Problem("plan-missing-key", where, {"key": error["loc"][-1]})
    if kind == "extra_forbidden":
        return Problem("plan-unknown-key", where, {"key": error["loc"][-1]})
    if kind == "literal_error":
        allowed = str(ctx["expected"]).replace(" or ", " hoặc ")  # pydantic joins with English "or"
        return Problem("plan-not-allowed", where, {"value": _shown(error["input"]), "allowed": allowed})
    if kind == "value_error":  # a model's own check that has no catalogue code yet
        return Problem("plan-invalid", where, {"detail": str(ctx["error"])})
    expected = _TYPE_EXPECTED.get(kind, "không đúng dạng của khóa này (xem các kế hoạch mẫu)")
    return Problem("plan-wrong-type", where, {"value": _shown(error["input"]), "expected": expected})


def validation_problems(exc: ValidationError, data: dict, file: str) -> list[Problem]:
    """pydantic's errors as problems, one per key at fault."""
    problems, seen = [], set()
    for error in exc.errors(include_url=False):
        # Unions report each branch; keep the first problem at each key.
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and ("[" in p or p in _UNION_BRANCHES)))
        key, item = _key_path(loc, data)
        if key in seen:
            continue
        seen.add(key)
        problems.append(_problem(error, Location(file=file, key=key, item=item)))
    return problems


class _DuplicateKey(yaml.constructor.ConstructorError):
    def __init__(self, key: object, mark: yaml.Mark):
        super().__init__(None, None, f"duplicate key {key!r}", mark)
        self.key = key


class _PlanLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key written twice in one mapping: plain YAML keeps the last
    one silently, so a target or a level typed twice would change the plan without a word."""


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):  # a complex key (`? [a, b]`): no plan key is one, and it cannot be compared
            raise yaml.constructor.ConstructorError(None, None, "khóa phải là một tên, không được là danh sách hay bảng", key_node.start_mark)
        if key in seen:
            raise _DuplicateKey(key, key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


class _FastPlanLoader(getattr(yaml, "CSafeLoader", _PlanLoader)):
    """The same with libyaml's parser, where PyYAML has it: several times faster on a province's plan.
    Its error texts differ, so a file it refuses is read again by `_PlanLoader` for the message."""


for _loader in (_PlanLoader, _FastPlanLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def yaml_problem(exc: yaml.YAMLError, text: str, file: str) -> Problem:
    """A YAML syntax error as a problem saying what to do, at its line and column."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem, context = str(getattr(exc, "problem", "") or exc), str(getattr(exc, "context", "") or "")
    params: dict[str, object] = {}
    if isinstance(exc, _DuplicateKey):
        code, params = "yaml-duplicate-key", {"key": exc.key}
    elif "'\\t'" in problem:
        code = "yaml-tab"
    elif "quoted scalar" in context:
        mark = exc.context_mark  # where the quote opens, not the end of the file
        code, params = "yaml-unclosed-quote", {"opened": mark.line + 1}
    elif "mapping values are not allowed" in problem:
        # "title: Kế hoạch: năm 2025": a second colon after a key on the line is a colon in the
        # value; a line with only its own key's colon is a key indented under a plain value.
        line = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
        code = "yaml-colon" if ": " in line[:mark.column] else "yaml-indentation"
    elif "expected <block end>" in problem:
        code = "yaml-indentation"
    else:
        code, params = "yaml-syntax", {"detail": problem}
    where = Location(file=file, line=mark.line + 1, char=mark.column + 1) if mark else Location(file=file)
    return Problem(code, where, params)


def read_yaml(path: Path) -> object:
    """Parse a human-edited YAML file (a plan or its task list); a mistake raises `PlanError`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise plan_error([Problem("plan-unreadable", Location(file=str(path)), {"detail": exc})], path) from None
    try:
        return yaml.load(text, Loader=_FastPlanLoader)
    except yaml.YAMLError:
        pass
    try:
        return yaml.load(text, Loader=_PlanLoader)
    except yaml.YAMLError as exc:
        raise plan_error([yaml_problem(exc, text, str(path))], path) from None


def resolve_plan_path(plan: str | Path) -> Path:
    """A plan path (plan.yaml or a plan workbook), a plan folder, or the name of a bundled example."""
    path = Path(plan)
    if path.is_dir():  # a workspace folder holds the workbook users edit; a contributor's, plan.yaml
        path = path / PLAN_WORKBOOK if (path / PLAN_WORKBOOK).exists() else path / "plan.yaml"
    if path.exists():
        return path
    bundled = BUNDLED / str(plan) / "plan.yaml"
    if bundled.exists():
        return bundled
    raise PlanError([Problem("plan-not-found", params={"plan": plan, "examples": ", ".join(bundled_examples())})])


def load_plan(plan: str | Path, *, year: int | None = None) -> Plan:
    """Load and validate a plan spec: a plan.yaml or a plan workbook (.xlsx), a folder holding one,
    or a bundled example name.

    `year`: the round reported on, instead of the plan's `period.round` (a later year of a multi-year plan).
    """
    path = resolve_plan_path(plan)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from toolkit.spec.plan_workbook import load_plan_workbook

        return load_plan_workbook(path, year=year)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise plan_error([Problem("plan-not-mapping", Location(file=str(path)))], path)
    if isinstance(data.get("tasks"), str):
        # Tasks may live in their own file, e.g. one written by `toolkit import-tasks`.
        data["tasks"] = read_yaml(path.parent / data["tasks"])
    if year is not None and isinstance(data.get("period"), dict):
        data["period"]["round"] = year
    try:
        return Plan.model_validate(data, context={"path": path})
    except ValidationError as exc:
        raise plan_error(validation_problems(exc, data, str(path)), path) from None


__all__ = ["Plan", "bundled_examples", "load_plan", "resolve_plan_path"]
