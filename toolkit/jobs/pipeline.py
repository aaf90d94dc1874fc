"""The jobs a user runs, each one function over the pure core; the CLI only parses and prints."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.spec.plan import Plan
from toolkit.spec.units import Roster
from toolkit.spec.roster import read_roster
from toolkit.tasks.agencies import assign_tasks
from toolkit.spec.load import load_plan, resolve_plan_path
from toolkit.jobs.workspace import find_docx_template

TEMPLATES_FOLDER = "bieu_mau"  # where `demo` writes the templates inside its output folder
RETURNS_FOLDER = "bao_cao_nhan_ve"  # where `demo` simulates what the units sent back


def load(plan_ref: str | Path, roster_path: str | Path | None = None, *, year: int | None = None) -> tuple[Plan, Roster]:
    """Load a plan (path or bundled name) and its roster (or the one given instead); `year`: the round
    reported on, when not the plan's own."""
    plan = load_plan(plan_ref, year=year)
    return plan, load_roster(roster_path or plan.roster_path, plan)


def load_roster(path: str | Path, plan: Plan) -> Roster:
    """Read and check the roster, then give each unit its tasks (once, for every later stage)."""
    return assign_tasks(plan, read_roster(path, plan))


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


def demo(output_dir: Path, *, progress: bool = True, year: int | None = None) -> DemoOutcome:
    """The whole pipeline on the bundled example, with realistic returns and planted mistakes."""
    from toolkit.forms.samples import make_returns

    plan, roster = load(resolve_plan_path("bao-thang-2022"), year=year)
    output_dir = Path(output_dir)
    templates = make_templates(plan, roster, output_dir / TEMPLATES_FOLDER, progress=progress)
    returns = make_returns(plan, roster, output_dir / TEMPLATES_FOLDER, output_dir / RETURNS_FOLDER, mistakes=True)
    # The plan's deadline lies in the past; judge lateness as of the day after it, as the PGD would.
    today = plan.deadlines.submission + dt.timedelta(days=1) if plan.deadlines.submission else None
    aggregated = aggregate(plan, roster, output_dir / RETURNS_FOLDER, output_dir, progress=progress, today=today)
    return DemoOutcome(templates, returns, aggregated)
