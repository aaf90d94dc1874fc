"""The catalogue of standard indicators shipped with the toolkit (toolkit/catalogue/indicators.yaml).

Each entry is an indicator as a plan writes it (without targets) and the input fields it reads. A
plan workbook row that names a catalogue code gets the definition and its inputs; what the row
writes itself (label, section, unit, targets, …) wins.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from toolkit.spec.expressions import parse_comparison, parse_condition, parse_sum

CATALOGUE_FILE = Path(__file__).resolve().parents[1] / "catalogue" / "indicators.yaml"


@lru_cache(maxsize=1)
def _entries() -> tuple[dict[str, dict], dict[str, dict]]:
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return ({i["code"]: i for i in data["indicators"]}, {f["code"]: f for f in data["fields"]})


def standard_indicators() -> dict[str, dict]:
    """Catalogue code -> the indicator's definition (a plan dict entry, without targets)."""
    return _entries()[0]


def standard_fields() -> dict[str, dict]:
    """Field code -> the input field's definition (a plan dict entry)."""
    return _entries()[1]


def _reads(entry: dict) -> set[str]:
    """Field codes an indicator or a field definition refers to."""
    if "rule" in entry:  # an indicator
        if entry["rule"] in ("count", "share"):
            return parse_condition(entry["numerator"]).fields()
        return {f for key in ("numerator", "denominator") if entry.get(key) for f in parse_sum(entry[key]).fields()}
    found = set()
    if entry["kind"] != "grid":  # a grid's checks compare its own columns
        for check in entry.get("checks", []):
            comparison = parse_comparison(check)
            found |= {f for side in (comparison.left, comparison.right) if side for f in side.fields()}
    if entry.get("required_if"):
        found |= parse_condition(entry["required_if"]).fields()
    return found


def inputs_of(code: str) -> list[dict]:
    """The catalogue fields a standard indicator needs: those it reads, and those their checks read,
    in catalogue order."""
    fields = standard_fields()
    needed, pending = set(), set(_reads(standard_indicators()[code]))
    while pending:
        field = pending.pop()
        if field in fields and field not in needed:
            needed.add(field)
            pending |= _reads(fields[field])
    return [entry for field_code, entry in fields.items() if field_code in needed]
