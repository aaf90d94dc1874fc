"""Roll-up: the results of several aggregations of one plan (its parts) added into one.

Each part is the output folder of `toolkit aggregate` (or of an earlier roll-up): its `ket_qua.csv`
and its `pham_vi.json`, the record of the plan, the plan's version and the units it covered. For the
whole area, each commune and each level, the parts' sums are added (Σnumerator, Σdenominator, units
expected, reported, excluded) and the value recomputed from them by the rule of one aggregation
(`result_from_sums`), so that rolling up equals aggregating every unit at once: a ratio is
Σnumerator ÷ Σdenominator of all units, never an average of the parts' percentages. Each part also
becomes a scope of its own ("part"). Only the parts' area, commune and level rows are read, so a
roll-up can itself be rolled up.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from toolkit.aggregate.compute import Result, result_from_sums
from toolkit.core.errors import Location, PlanError, Problem
from toolkit.core.files import atomic_write
from toolkit.spec.plan import Plan

COVERAGE_FILE = "pham_vi.json"
RESULTS_FILE = "ket_qua.csv"
SUMMED_SCOPES = ("district", "commune", "level")
NEEDED_COLUMNS = ("indicator", "scope", "scope_code", "scope_name", "numerator", "denominator",
                  "expected", "reported", "excluded")


def write_coverage(plan: Plan, units: list[str], output_dir: Path, parts: list[str] | None = None) -> Path:
    """pham_vi.json: which plan, which version of it, which units (codes) an output covers."""
    record = {"plan": plan.code, "version": plan.version, "units": sorted(units)}
    if parts is not None:
        record["parts"] = parts

    def write(temporary: str) -> None:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(record, handle, ensure_ascii=False, indent=1)

    return atomic_write(Path(output_dir) / COVERAGE_FILE, write)


@dataclass(frozen=True)
class Row:
    """What a roll-up reads of one row of ket_qua.csv: the scope and the sums behind the value."""

    indicator: str
    scope: str
    scope_code: str
    scope_name: str
    numerator: float  # 0 where the row has none (nobody reported)
    denominator: float
    expected: int
    reported: int
    excluded: int

    @classmethod
    def from_csv(cls, row: dict[str, str]) -> Row:
        number = lambda column: float(row[column]) if row[column] else 0.0  # noqa: E731
        return cls(row["indicator"], row["scope"], row["scope_code"], row["scope_name"], number("numerator"),
                   number("denominator"), *(int(number(c)) for c in ("expected", "reported", "excluded")))


@dataclass(frozen=True)
class Part:
    folder: Path
    code: str  # the part's scope code: its commune when it covers exactly one, else its folder's name
    name: str
    units: tuple[str, ...]
    rows: tuple[Row, ...]  # the area, commune and level rows of its ket_qua.csv


def read_parts(plan: Plan, folders: list[Path]) -> list[Part]:
    """Read and check every part; raise PlanError naming every problem (nothing is added from a
    part of another plan or version, and no unit may be counted twice)."""
    problems: list[Problem] = []
    parts = [part for folder in folders if (part := _read_part(plan, Path(folder), problems)) is not None]
    owner: dict[str, Part] = {}
    shared: dict[tuple[Path, Path], list[str]] = {}
    for part in parts:
        for unit in part.units:
            first = owner.setdefault(unit, part)
            if first is not part:
                shared.setdefault((first.folder, part.folder), []).append(unit)
    for (first, second), units in shared.items():
        problems.append(Problem("rollup-shared-units", Location(file=str(second / COVERAGE_FILE)),
                                {"count": len(units), "first": first, "second": second,
                                 "examples": ", ".join(units[:5]) + (", …" if len(units) > 5 else "")}))
    if problems:
        raise PlanError(problems, heading="Không tổng hợp được từ các phần:")
    return parts


def _read_part(plan: Plan, folder: Path, problems: list[Problem]) -> Part | None:
    coverage_path, results_path = folder / COVERAGE_FILE, folder / RESULTS_FILE
    for path in (results_path, coverage_path):
        if not path.is_file():
            problems.append(Problem("rollup-missing-file", Location(file=str(path)), {"folder": folder, "name": path.name}))
    if not (coverage_path.is_file() and results_path.is_file()):
        return None
    try:
        coverage = json.loads(coverage_path.read_text(encoding="utf-8"))
        units = tuple(str(code) for code in coverage["units"])
        found_plan, found_version = coverage["plan"], coverage["version"]
        with results_path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in NEEDED_COLUMNS if c not in (reader.fieldnames or [])]
            rows = [] if missing else [Row.from_csv(row) for row in reader if row["scope"] in SUMMED_SCOPES]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, csv.Error) as exc:
        problems.append(Problem("rollup-unreadable", Location(file=str(folder)), {"detail": exc}))
        return None
    where = Location(file=str(coverage_path))
    if found_plan != plan.code:
        problems.append(Problem("rollup-other-plan", where, {"found": found_plan, "expected": plan.code}))
        return None
    if found_version != plan.version:
        problems.append(Problem("rollup-other-version", where, {"found": found_version, "expected": plan.version}))
        return None
    where = Location(file=str(results_path))
    if missing:
        problems.append(Problem("rollup-missing-columns", where, {"columns": ", ".join(missing)}))
        return None
    present = {row.indicator for row in rows if row.scope == "district"}
    unknown = sorted({row.indicator for row in rows} - set(plan.indicator_by_code))
    absent = [code for code in plan.indicator_by_code if code not in present]
    if unknown or absent:  # the part was aggregated under other indicator definitions
        problems.append(Problem("rollup-other-indicators", where,
                                {"unknown": ", ".join(unknown) or "không", "absent": ", ".join(absent) or "không"}))
        return None
    communes = {(row.scope_code, row.scope_name) for row in rows if row.scope == "commune"}
    code, name = next(iter(communes)) if len(communes) == 1 else (folder.name, folder.name)
    return Part(folder, code, name, units, tuple(rows))


def roll_up(plan: Plan, parts: list[Part]) -> list[Result]:
    """Every indicator for the whole area, each part, each commune and each level, in plan order."""
    # indicator -> (scope, code) -> [name, Σnumerator, Σdenominator, expected, reported, excluded]
    sums: dict[str, dict[tuple[str, str], list]] = {code: {} for code in plan.indicator_by_code}
    for part in parts:
        for row in part.rows:
            keys = [(row.scope, row.scope_code, row.scope_name)]
            if row.scope == "district":
                keys.append(("part", part.code, part.name))
            for scope, code, name in keys:
                total = sums[row.indicator].setdefault((scope, code), [name, 0.0, 0.0, 0, 0, 0])
                for index, amount in enumerate((row.numerator, row.denominator, row.expected, row.reported, row.excluded), 1):
                    total[index] += amount
    scope_rank = {scope: rank for rank, scope in enumerate(("district", "part", "commune", "level"))}
    level_rank = {level: rank for rank, level in enumerate(plan.levels)}
    results = []
    for indicator in plan.indicators:
        found = sums[indicator.code]
        # Stable sort: parts and communes in the order the parts were given, levels in plan order.
        for scope, code in sorted(found, key=lambda key: (scope_rank[key[0]], level_rank.get(key[1], 0) if key[0] == "level" else 0)):
            name, numerator, denominator, expected, reported, excluded = found[(scope, code)]
            results.append(result_from_sums(plan, indicator, scope, code, name, code if scope == "level" else None,
                                            numerator, denominator, expected, reported, excluded))
    return results
