"""The jobs a user runs, each one function over the pure core; the CLI only parses and prints."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core.errors import PlanError
from toolkit.spec.plan import Plan
from toolkit.spec.units import Roster
from toolkit.spec.roster import read_roster
from toolkit.tasks.agencies import assign_tasks
from toolkit.spec.load import load_plan, resolve_plan_path
from toolkit.jobs.workspace import find_docx_template

TEMPLATES_FOLDER = "bieu_mau"  # where `demo` writes the templates inside its output folder
RETURNS_FOLDER = "bao_cao_nhan_ve"  # where `demo` simulates what the units sent back


def load(plan_ref: str | Path, roster_path: str | Path | None = None) -> tuple[Plan, Roster]:
    """Load a plan (path or bundled name) and its roster (or the one given instead)."""
    plan = load_plan(plan_ref)
    return plan, load_roster(roster_path or plan.roster_path, plan)


def load_roster(path: str | Path, plan: Plan) -> Roster:
    """Read and check the roster, then give each unit its tasks (once, for every later stage)."""
    return assign_tasks(plan, read_roster(path, plan))


def new_plan_workbook(path: Path, year: int | None = None) -> Path:
    """A new plan workbook with one worked row per sheet."""
    from toolkit.forms.plan_workbook import blank_rows, write_plan_workbook

    return write_plan_workbook(path, *blank_rows(year or dt.date.today().year))


def export_plan_workbook(plan_ref: str | Path, path: Path) -> Path:
    """Any plan (bundled, YAML or workbook) as a plan workbook, its roster on the Đơn vị sheet (or,
    when the roster file is not there yet, its name on the Thông tin sheet)."""
    from toolkit.forms.plan_workbook import export_plan

    plan = load_plan(plan_ref)
    return export_plan(plan, path, read_roster(plan.roster_path, plan) if plan.roster_path.exists() else None)


@dataclass
class PlanCheck:
    problems: list  # toolkit.core.errors.Problem: the workbook's warnings, or every error found
    errors: int
    plan: Plan | None = None
    roster: Roster | None = None


def check_plan(plan_ref: str | Path, roster_path: str | Path | None = None) -> PlanCheck:
    """Every problem of a plan and its roster, none of the work."""
    path = resolve_plan_path(plan_ref)
    problems = []
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from toolkit.spec.plan_workbook import check_plan_workbook

            plan, problems = check_plan_workbook(path)
            if plan is None:
                return PlanCheck(problems, sum(p.severity == "error" for p in problems))
        else:
            plan = load_plan(path)
        return PlanCheck(problems, 0, plan, load_roster(roster_path or plan.roster_path, plan))
    except PlanError as exc:
        return PlanCheck(problems + list(exc.problems), sum(p.severity == "error" for p in exc.problems))


def make_templates(plan: Plan, roster: Roster, output_dir: Path, *, password: str | None = None, progress: bool = True) -> list[Path]:
    from toolkit.forms.writer import write_templates

    return write_templates(plan, roster, output_dir, password=password, progress=progress)


@dataclass
class CheckOutcome:
    collection: object  # toolkit.collect.folder.Collection
    reports: list[Path]


def check(
    plan: Plan, roster: Roster, workbooks_dir: Path, output_dir: Path, *, progress: bool = True, today: dt.date | None = None
) -> CheckOutcome:
    """Read and check every returned workbook, and write the reports of the check."""
    from toolkit.collect.report import write_check_reports
    from toolkit.collect.folder import collect

    collection = collect(plan, roster, workbooks_dir, progress=progress)
    return CheckOutcome(collection, write_check_reports(plan, roster, collection, output_dir, today=today))


@dataclass
class AggregateOutcome:
    checked: CheckOutcome
    results: list
    annexes: list[Path] = field(default_factory=list)


def aggregate(
    plan: Plan,
    roster: Roster,
    workbooks_dir: Path,
    output_dir: Path,
    *,
    docx_template: Path | None = None,
    progress: bool = True,
    today: dt.date | None = None,
) -> AggregateOutcome:
    """Check the returns, compute every indicator and write the annexes."""
    from toolkit.aggregate.compute import compute
    from toolkit.annex.write import write_annexes

    checked = check(plan, roster, workbooks_dir, output_dir, progress=progress, today=today)
    results = compute(plan, roster, checked.collection.returns)
    template = docx_template or find_docx_template(plan.path)
    annexes = write_annexes(plan, roster, results, output_dir, docx_template=template, returns=checked.collection.returns)
    return AggregateOutcome(checked, results, annexes)


@dataclass
class DemoOutcome:
    templates: list[Path]
    returns: list[Path]
    aggregated: AggregateOutcome


def demo(output_dir: Path, *, progress: bool = True) -> DemoOutcome:
    """The whole pipeline on the bundled example, with realistic returns and planted mistakes."""
    from toolkit.forms.samples import make_returns

    plan, roster = load(resolve_plan_path("bao-thang-2022"))
    output_dir = Path(output_dir)
    templates = make_templates(plan, roster, output_dir / TEMPLATES_FOLDER, progress=progress)
    returns = make_returns(plan, roster, output_dir / TEMPLATES_FOLDER, output_dir / RETURNS_FOLDER, mistakes=True)
    # The plan's deadline lies in the past; judge lateness as of the day after it, as the PGD would.
    today = plan.deadlines.submission + dt.timedelta(days=1) if plan.deadlines.submission else None
    aggregated = aggregate(plan, roster, output_dir / RETURNS_FOLDER, output_dir, progress=progress, today=today)
    return DemoOutcome(templates, returns, aggregated)
