"""The jobs a user runs, each one function over the pure core; the CLI only parses and prints."""

from __future__ import annotations

import datetime as dt
import importlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core.workers import OnProgress, no_progress
from toolkit.core.errors import PlanError
from toolkit.core.files import StagedOutputs, file_sha256
from toolkit.core.text import printable
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


def make_templates(plan: Plan, roster: Roster, output_dir: Path, *, password: str | None = None,
                   on_progress: OnProgress = no_progress) -> list[Path]:
    from toolkit.forms.writer import write_templates

    return write_templates(plan, roster, output_dir, password=password, on_progress=on_progress)


@dataclass
class CheckOutcome:
    collection: object  # toolkit.collect.folder.Collection
    reports: list[Path]


def check(
    plan: Plan, roster: Roster, workbooks_dir: Path, output_dir: Path, *, on_progress: OnProgress = no_progress,
    today: dt.date | None = None,
) -> CheckOutcome:
    """Read and check every returned workbook, and write the reports of the check (one set, with its run record)."""
    with StagedOutputs(output_dir) as stage:
        checked = _check(plan, roster, workbooks_dir, output_dir, stage.path, on_progress=on_progress, today=today)
        _commit(stage, "check", plan, roster, workbooks_dir, checked.collection)
    return CheckOutcome(checked.collection, [stage.final(path) for path in checked.reports])


def _check(plan: Plan, roster: Roster, workbooks_dir: Path, output_dir: Path, into: Path, *, on_progress: OnProgress,
           today: dt.date | None) -> CheckOutcome:
    from toolkit.collect.report import write_check_reports
    from toolkit.collect.folder import collect

    collection = collect(plan, roster, workbooks_dir, on_progress=on_progress, outputs=output_dir)
    return CheckOutcome(collection, write_check_reports(plan, roster, collection, into, today=today))


def _commit(stage: StagedOutputs, command: str, plan: Plan, roster: Roster, workbooks_dir: Path, collection) -> None:
    """Put a run's outputs in place, with the record of what they were made from."""
    workbooks_dir = Path(workbooks_dir)
    stage.commit({
        "command": command,
        "time": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "plan": {"code": plan.code, "version": plan.version, **_fingerprint(plan.path)},
        "roster": _fingerprint(roster.path),
        "workbooks": str(workbooks_dir),
        "inputs": {printable(path.relative_to(workbooks_dir).as_posix()): sha for path, sha in collection.files},
    })


def _fingerprint(path: Path) -> dict[str, str]:
    path = Path(path)
    return {"file": str(path), "sha256": file_sha256(path) if path.is_file() else ""}


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
    on_progress: OnProgress = no_progress,
    today: dt.date | None = None,
) -> AggregateOutcome:
    """Check the returns, compute every indicator and write the annexes (one set, with its run record)."""
    from toolkit.collect.folder import collect
    from toolkit.collect.report import start_check_reports

    # The annex writers (Word, numpy: a third of a second) are imported while the workers read the
    # returns, this process only waiting then; imported first, they held the reading back.
    writers = threading.Thread(target=_import_quietly, args=("toolkit.annex.write",), daemon=True)
    writers.start()
    with StagedOutputs(output_dir) as stage:
        collection = collect(plan, roster, workbooks_dir, on_progress=on_progress, outputs=output_dir)
        writers.join()
        from toolkit.aggregate.compute import compute
        from toolkit.aggregate.rollup import write_coverage
        from toolkit.annex.write import write_annexes

        # The feedback copies are written by a worker on the other core while the results and annexes
        # are made here.
        with start_check_reports(plan, roster, collection, stage.path, today=today) as pending:
            results = compute(plan, roster, collection.returns)
            template = docx_template or find_docx_template(plan.path)
            annexes = write_annexes(plan, roster, results, stage.path, docx_template=template, returns=collection.returns)
            # Which units and plan version these results cover, so that a roll-up can check its parts.
            annexes.insert(1, write_coverage(plan, [u.code for u in roster], stage.path))
            checked = CheckOutcome(collection, pending.wait())
        _commit(stage, "aggregate", plan, roster, workbooks_dir, checked.collection)
    reports = CheckOutcome(checked.collection, [stage.final(path) for path in checked.reports])
    return AggregateOutcome(reports, results, [stage.final(path) for path in annexes])


def _import_quietly(module: str) -> None:
    """Import `module` ahead of its use; if that fails, the import where it is used says why."""
    try:
        importlib.import_module(module)
    except Exception:
        pass


@dataclass
class RollupOutcome:
    parts: list  # toolkit.aggregate.rollup.Part
    results: list
    written: list[Path]


ROLLUP_ANNEX_KINDS = ("targets", "breakdown", "tasks")  # task progress needs the units' own returns


def rollup(plan: Plan, part_dirs: list[Path], output_dir: Path, *, docx_template: Path | None = None) -> RollupOutcome:
    """Add the outputs of several aggregations of the plan (its parts) into one ket_qua.csv and the annexes."""
    from toolkit.aggregate.rollup import read_parts, roll_up, write_coverage
    from toolkit.annex.write import annex_tables, write_annex_files, write_results_csv

    parts = read_parts(plan, part_dirs)
    results = roll_up(plan, parts)
    output_dir = Path(output_dir)
    written = [write_results_csv(plan, results, output_dir / "ket_qua.csv"),
               write_coverage(plan, [unit for part in parts for unit in part.units], output_dir,
                              parts=[str(part.folder) for part in parts])]
    tables = annex_tables(plan, Roster((), plan.roster_path), results, kinds=ROLLUP_ANNEX_KINDS)
    template = docx_template or find_docx_template(plan.path)
    written += write_annex_files(tables, output_dir, docx_template=template)
    return RollupOutcome(parts, results, written)


@dataclass
class DemoOutcome:
    templates: list[Path]
    returns: list[Path]
    aggregated: AggregateOutcome


def demo(output_dir: Path, *, on_progress: OnProgress = no_progress, year: int | None = None) -> DemoOutcome:
    """The whole pipeline on the bundled example, with realistic returns and planted mistakes."""
    from toolkit.forms.samples import make_returns

    plan, roster = load(resolve_plan_path("bao-thang-2022"), year=year)
    output_dir = Path(output_dir)
    templates = make_templates(plan, roster, output_dir / TEMPLATES_FOLDER, on_progress=on_progress)
    returns = make_returns(plan, roster, output_dir / TEMPLATES_FOLDER, output_dir / RETURNS_FOLDER, mistakes=True)
    # The plan's deadline lies in the past; judge lateness as of the day after it, as the PGD would.
    today = plan.deadlines.submission + dt.timedelta(days=1) if plan.deadlines.submission else None
    aggregated = aggregate(plan, roster, output_dir / RETURNS_FOLDER, output_dir, on_progress=on_progress, today=today)
    return DemoOutcome(templates, returns, aggregated)
