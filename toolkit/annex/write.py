"""Write every output of an aggregation: ket_qua.csv and each annex as .xlsx, .docx and .html."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd

from toolkit.aggregate.compute import Result
from toolkit.aggregate.judging import judge
from toolkit.annex.docx import write_annex_docx
from toolkit.annex.html import write_annex_html
from toolkit.annex.tables import breakdown_table, plan_targets_table, target_cell, targets_table
from toolkit.annex.tasks import progress_table, tasks_table
from toolkit.annex.xlsx import write_annex_xlsx
from toolkit.collect.records import UnitReturn
from toolkit.annex.document import AnnexTable, annex_heading, signature_block
from toolkit.core.files import atomic_write
from toolkit.core.text import csv_cell
from toolkit.spec.plan import Plan
from toolkit.spec.targets import Target
from toolkit.spec.units import Roster

RESULT_COLUMNS = ["indicator", "scope", "scope_code", "value", "numerator", "denominator", "target", "achieved",
                  "expected", "reported", "excluded", "indicator_name", "scope_name", "unit", "rule"]
JUDGED_COLUMNS = ["target_text", "verdict"]  # after the per-period targets: added later, kept last


def results_frame(plan: Plan, results: list[Result]) -> pd.DataFrame:
    """The tidy long table of results (one row per indicator and scope), as a province rolls up."""
    periods = plan.period.target_periods
    rows = []
    for r in results:
        verdict = judge(plan, r)
        judged = r.targets.get(verdict.period)  # the target of the round, or the later one it is read against
        row = {"indicator": r.indicator.code, "scope": r.scope, "scope_code": r.scope_code, "value": r.value,
               "numerator": r.numerator, "denominator": r.denominator, "target": _target_value(judged),
               "achieved": verdict.achieved, "expected": r.expected, "reported": r.reported, "excluded": r.excluded,
               "indicator_name": r.indicator.name, "scope_name": r.scope_name, "unit": r.indicator.unit, "rule": r.indicator.rule,
               "target_text": target_cell(plan, r, verdict.period).text, "verdict": verdict.text}
        if len(periods) > 1:
            row.update({f"target_{p.code}": _target_value(r.targets.get(p.code)) for p in periods})
        rows.append(row)
    extra = [f"target_{p.code}" for p in periods] if len(periods) > 1 else []
    return pd.DataFrame(rows, columns=RESULT_COLUMNS + extra + JUDGED_COLUMNS)


def _target_value(target: Target | None) -> float | None:
    return target.value if target is not None else None


def write_results_csv(plan: Plan, results: list[Result], path: Path) -> Path:
    """ket_qua.csv (contract): values unrounded, percent for ratio and share; UTF-8 with BOM."""
    frame = results_frame(plan, results)
    text = frame.select_dtypes(include=["object", "string"]).columns  # names and codes, never the numbers
    frame[text] = frame[text].map(lambda value: csv_cell(value) if isinstance(value, str) else value)
    return atomic_write(path, lambda temporary: frame.to_csv(temporary, index=False, encoding="utf-8-sig"))


def write_annexes(plan: Plan, roster: Roster, results: list[Result], output_dir: str | Path, *,
                  docx_template: Path | None = None, returns: Mapping[str, UnitReturn] | None = None) -> list[Path]:
    """ket_qua.csv, then each annex of the plan in every format; return the paths written.

    Task annexes are always written, also before anyone reported; `returns` (unit code ->
    accepted UnitReturn) fills the progress annex.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    written = [write_results_csv(plan, results, output_dir / "ket_qua.csv")]
    tables = annex_tables(plan, roster, results, returns)
    return written + write_annex_files(tables, output_dir, docx_template=docx_template)


def annex_tables(plan: Plan, roster: Roster, results: list[Result], returns: Mapping[str, UnitReturn] | None = None,
                 *, kinds: tuple[str, ...] | None = None) -> list[AnnexTable]:
    """The table of every annex of the plan (of `kinds` only, if given), in plan order."""
    builders = {
        "targets": lambda annex: targets_table(plan, annex, results),
        "breakdown": lambda annex: breakdown_table(plan, annex, results, returns),
        "tasks": lambda annex: tasks_table(plan, annex),
        "progress": lambda annex: progress_table(plan, roster, annex, returns),
        "plan_targets": lambda annex: plan_targets_table(plan, annex),
    }
    tables = []
    for annex in plan.annexes:
        if kinds is None or annex.kind in kinds:
            table = builders[annex.kind](annex)
            table.heading = annex_heading(plan, annex)
            table.signature = signature_block(plan) if annex.signed else []
            tables.append(table)
    return tables


def write_annex_files(tables: list[AnnexTable], output_dir: Path, *, docx_template: Path | None = None) -> list[Path]:
    """Each table as <stem>.xlsx, .docx and .html in `output_dir`."""
    written = []
    for table in tables:
        written.append(write_annex_xlsx(table, output_dir / f"{table.stem}.xlsx"))
        written.append(write_annex_docx(table, output_dir / f"{table.stem}.docx", template=docx_template))
        written.append(write_annex_html(table, output_dir / f"{table.stem}.html"))
    return written
