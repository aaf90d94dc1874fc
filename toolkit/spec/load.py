"""Plan spec loading: YAML file -> validated, frozen `Plan`.

`load_plan(path_or_name)` reads a YAML plan, validates it and returns a `Plan`. Every error names
the file and the key at fault, in Vietnamese. The format is documented by the bundled examples
(`toolkit/bundled/*/plan.yaml`) and the README.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from toolkit.core.errors import SpecError
from toolkit.spec.plan import Plan

BUNDLED = Path(__file__).resolve().parents[1] / "bundled"


def _location(loc: tuple, data: dict) -> str:
    parts, node = [], data
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
            code = node[item].get("code") if isinstance(node, list) and item < len(node) and isinstance(node[item], dict) else None
            if code:
                parts.append(f" ({code})")
        else:
            parts.append(("." if parts else "") + str(item))
        try:
            node = node[item]
        except (KeyError, IndexError, TypeError):
            node = None
    return "".join(parts)


_PYDANTIC_VI = {
    "missing": "thiếu khóa bắt buộc",
    "extra_forbidden": "khóa không được phép (kiểm tra chính tả)",
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


def _vietnamese(error: dict) -> str:
    kind = error["type"]
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "literal_error":
        expected = str(error["ctx"]["expected"]).replace(" or ", " hoặc ")  # pydantic joins with English "or"
        return f"giá trị phải là một trong: {expected}"
    return _PYDANTIC_VI.get(kind, error["msg"])


def spec_errors(exc: ValidationError, data: dict, path: Path) -> SpecError:
    """Turn pydantic's errors into one SpecError listing every key at fault, in Vietnamese."""
    seen, lines = set(), []
    for error in exc.errors(include_url=False):
        # Unions report each branch; keep the first message for each location.
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and ("[" in p or p in ("float", "int", "none", "dict[str,float]", "Eligible", "TaskList", "str"))))
        where = _location(loc, data)
        if where in seen:
            continue
        seen.add(where)
        # Cross-reference problems come from the root and carry their own key in the text.
        lines.append(f"  - {where}: {_vietnamese(error)}" if where else f"  - {_vietnamese(error)}")
    return SpecError(f"Tệp kế hoạch {path} không hợp lệ:\n" + "\n".join(lines))


class _PlanLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key written twice in one mapping: plain YAML keeps the last
    one silently, so a target or a level typed twice would change the plan without a word."""


def _unique_mapping(loader: _PlanLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):  # a complex key (`? [a, b]`): no plan key is one, and it cannot be compared
            raise yaml.constructor.ConstructorError(None, None, "khóa phải là một tên, không được là danh sách hay bảng", key_node.start_mark)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"khóa '{key}' được ghi hai lần", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


_PlanLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def read_yaml(path: Path) -> object:
    """Parse a human-edited YAML file (a plan or its task list)."""
    return yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_PlanLoader)


def resolve_plan_path(plan: str | Path) -> Path:
    """A plan path, a plan folder, or the name of a bundled example."""
    path = Path(plan)
    if path.is_dir():
        path = path / "plan.yaml"
    if path.exists():
        return path
    bundled = BUNDLED / str(plan) / "plan.yaml"
    if bundled.exists():
        return bundled
    raise SpecError(f"Không tìm thấy kế hoạch '{plan}': không có tệp này, cũng không phải ví dụ có sẵn "
                    f"({', '.join(bundled_examples())}).")


def bundled_examples() -> list[str]:
    """Names of the example plans shipped with the toolkit."""
    return sorted(p.name for p in BUNDLED.iterdir() if (p / "plan.yaml").exists())


def load_plan(plan: str | Path) -> Plan:
    """Load and validate a plan spec (a path or a bundled example name)."""
    path = resolve_plan_path(plan)
    try:
        data = read_yaml(path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
        raise SpecError(f"Tệp kế hoạch {path} sai cú pháp YAML{where}: {getattr(exc, 'problem', exc)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"Không đọc được tệp kế hoạch {path}: {exc}") from None
    if not isinstance(data, dict):
        raise SpecError(f"Tệp kế hoạch {path} phải là một bảng khóa: giá trị (YAML mapping).")
    if isinstance(data.get("tasks"), str):
        # Tasks may live in their own file, e.g. one written by `toolkit import-tasks`.
        tasks_path = path.parent / data["tasks"]
        try:
            data["tasks"] = read_yaml(tasks_path)
        except (OSError, yaml.YAMLError) as exc:
            raise SpecError(f"Tệp kế hoạch {path}, khóa tasks: không đọc được tệp nhiệm vụ {tasks_path}: {exc}") from None
    try:
        return Plan.model_validate(data, context={"path": path})
    except ValidationError as exc:
        raise spec_errors(exc, data, path) from None


__all__ = ["Plan", "bundled_examples", "load_plan", "resolve_plan_path"]
