"""The small expression language of plan specs.

Sums (indicator numerators and denominators, sides of a check)::

    PH_KIEN_CO                      a single field
    THCS_TN_VAO_THPT + THCS_TN_VAO_GDNN
    GV[*].DAT_CHUAN                 column DAT_CHUAN over all rows of grid GV
    HS[K1;K2;K3].TONG               the listed rows only

Checks compare two sums; a check written on a field may omit its left side (``<= CBQL_TONG``),
which then is the field itself. Conditions select units for `count`/`share` indicators::

    PCGD_THCS in (Mức độ 1; Mức độ 2) and CHUAN_QG_NAM = plan year

Parsing is pure: names are checked against the plan by `toolkit.spec.references`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from toolkit.core.errors import render

COMPARISON_OPS = ("<=", ">=", "!=", "<", ">", "=")
PLAN_YEAR = "plan year"  # a condition value replaced by the plan's year

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_TERM = re.compile(
    rf"^(?P<field>{_NAME})(?:\[(?P<rows>\*|[A-Za-z0-9_]+(?:\s*;\s*[A-Za-z0-9_]+)*)\]\.(?P<column>{_NAME}))?$"
)
_COMPARISON = re.compile(r"^(?P<left>.*?)\s*(?P<op><=|>=|!=|<|>|=)\s*(?P<right>.+)$")
_CLAUSE_IN = re.compile(rf"^(?P<field>{_NAME})\s+in\s*\((?P<values>.+)\)$")
_CLAUSE_CMP = re.compile(rf"^(?P<field>{_NAME})\s*(?P<op>!=|=)\s*(?P<value>.+)$")


class ExpressionError(ValueError):
    """An expression could not be parsed: a catalogue code and the values its message names."""

    def __init__(self, code: str, /, **params: object):
        self.code, self.params = code, params
        super().__init__(render(code, **params))


@dataclass(frozen=True)
class Term:
    """One field, or one column of a grid over some (``rows``) or all (``rows is None``) rows."""

    field: str
    column: str | None = None
    rows: tuple[str, ...] | None = None

    @property
    def is_grid(self) -> bool:
        return self.column is not None


@dataclass(frozen=True)
class Sum:
    """A sum of terms and integer constants."""

    terms: tuple[Term, ...]
    constant: int
    text: str

    def fields(self) -> set[str]:
        return {term.field for term in self.terms}


@dataclass(frozen=True)
class Comparison:
    """``left op right``; ``left`` is None when it is the field the check is written on."""

    left: Sum | None
    op: str
    right: Sum
    text: str


@dataclass(frozen=True)
class Clause:
    field: str
    op: str  # '=', '!=' or 'in'
    values: tuple[str, ...]


@dataclass(frozen=True)
class Condition:
    """Clauses joined by 'and'."""

    clauses: tuple[Clause, ...]
    text: str

    def fields(self) -> set[str]:
        return {clause.field for clause in self.clauses}


# Parse


def parse_sum(text: str) -> Sum:
    """Parse ``A + B[*].C + 3``."""
    text = str(text).strip()
    terms: list[Term] = []
    constant = 0
    for part in text.split("+"):
        part = part.strip()
        if re.fullmatch(r"\d+", part):
            constant += int(part)
            continue
        match = _TERM.match(part)
        if not match:
            raise ExpressionError("plan-bad-term", part=part, text=text)
        rows = match["rows"]
        terms.append(
            Term(
                field=match["field"],
                column=match["column"],
                rows=None if rows in (None, "*") else tuple(r.strip() for r in rows.split(";")),
            )
        )
    return Sum(tuple(terms), constant, text)


def parse_comparison(text: str) -> Comparison:
    """Parse ``A + B <= C`` or, on a field, ``<= C``."""
    text = str(text).strip()
    match = _COMPARISON.match(text)
    if not match or match["op"] not in COMPARISON_OPS:
        raise ExpressionError("plan-bad-comparison", text=text)
    left = match["left"].strip()
    return Comparison(
        left=parse_sum(left) if left else None,
        op=match["op"],
        right=parse_sum(match["right"]),
        text=text,
    )


def parse_condition(text: str) -> Condition:
    """Parse ``F = Đạt``, ``F != X``, ``F in (A; B)``, joined by ``and``."""
    text = str(text).strip()
    clauses = []
    for part in re.split(r"\s+and\s+", text):
        part = part.strip()
        match = _CLAUSE_IN.match(part)
        if match:
            values = tuple(v.strip() for v in match["values"].split(";") if v.strip())
            clauses.append(Clause(match["field"], "in", values))
            continue
        match = _CLAUSE_CMP.match(part)
        if match:
            clauses.append(Clause(match["field"], match["op"], (match["value"].strip().strip("'\""),)))
            continue
        raise ExpressionError("plan-bad-condition", text=part)
    return Condition(tuple(clauses), text)


# Evaluate


def compare(left: float, op: str, right: float) -> bool:
    return {
        "<=": left <= right,
        ">=": left >= right,
        "<": left < right,
        ">": left > right,
        "=": left == right,
        "!=": left != right,
    }[op]


def clause_holds(clause: Clause, value: object, plan_year: int) -> bool:
    """Whether one unit's value satisfies a clause; `plan year` stands for the plan's year."""
    wanted = [str(plan_year) if v == PLAN_YEAR else v for v in clause.values]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    found = "" if value is None else str(value)
    if clause.op == "!=":
        return found not in wanted
    return found in wanted
