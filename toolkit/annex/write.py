"""Write every output of an aggregation: ket_qua.csv and each annex as .xlsx, .docx and .html."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Mapping

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


def results_rows(plan: Plan, results: list[Result]) -> tuple[list[str], list[list]]:
    """The columns and rows of the tidy long table of results (one row per indicator and scope), as a
    province rolls up: figures as floats, None where there is none."""
    periods = plan.period.target_periods if len(plan.period.target_periods) > 1 else []
    rows = []
    for r in results:
        verdict = judge(plan, r)
        judged = r.targets.get(verdict.period)  # the target of the round, or the later one it is read against
        rows.append([r.indicator.code, r.scope, r.scope_code, _figure(r.value), _figure(r.numerator),
                     _figure(r.denominator), _target_value(judged), verdict.achieved, r.expected, r.reported, r.excluded,
                     r.indicator.name, r.scope_name, r.indicator.unit, r.indicator.rule,
                     *[_target_value(r.targets.get(p.code)) for p in periods],
                     target_cell(plan, r, verdict.period).text, verdict.text])
    return RESULT_COLUMNS + [f"target_{p.code}" for p in periods] + JUDGED_COLUMNS, rows


def _figure(number: float | None) -> float | None:
    return None if number is None else float(number)


def _target_value(target: Target | None) -> float | None:
    return _figure(target.value) if target is not None else None


def write_results_csv(plan: Plan, results: list[Result], path: Path) -> Path:
    """ket_qua.csv (contract): values unrounded, percent for ratio and share; UTF-8 with BOM, as kiem_tra.csv."""
    columns, rows = results_rows(plan, results)

    def write(temporary: str) -> None:
        with open(temporary, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            # Names and codes may come from a roster or a plan: never a formula when opened (csv_cell).
            writer.writerows([csv_cell(value) if isinstance(value, str) else value for value in row] for row in rows)

    return atomic_write(path, write)


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
