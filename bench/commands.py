"""Benchmark: whole commands on a province made of N copies of the example district.

For each size N (default 1, 24 and 120 copies), the roster is the example district's 98 units plus
N - 1 copies of its schools and communes, each copy with its own communes (87 units a copy). Real
templates are written, then filled with realistic mistakes in every copy (`make_returns(mistakes=True)`,
so feedback copies are written). Then, in the same run, timed as whole processes with wall time and
peak memory:

* `python -m toolkit templates`, `check` and `aggregate` of this code (and of `--baseline DIR`, a copy
  of the code to compare with, e.g. `git archive main | tar -x -C DIR`);
* the naive read: `openpyxl.load_workbook` per file and the value of each defined name (no checks);
* the calamine floor: python-calamine reading every sheet of every file;
* the aggregate's stages one by one (collect, check reports, compute, each annex format), so the
  share of each is visible.

Memory is the peak resident size of the whole process tree (main process and workers, sampled from
/proc every 0.1 s) and of its largest process (`wait4`). Each line ends with the growth per unit
against the smallest size, so a stage that is not linear shows up.

    python bench/commands.py [--sizes 1,24,120] [--baseline DIR] [--timeout 900] [--keep FOLDER [--reuse]]
                             [--only templates,naive,check,aggregate,stages] [--repeat 1]

With `--repeat N` each check and aggregate runs N times (alternating with the baseline's): the median
is printed, with the range; a shared or virtual machine varies by a second or more from run to run.

A killed command is printed with a negative time: it took at least that long.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))

from toolkit.jobs.pipeline import load_roster  # noqa: E402
from toolkit.spec.load import load_plan  # noqa: E402
from toolkit.spec.units import Roster  # noqa: E402

EXAMPLE = "bao-thang-2022"


MEASURES = ("templates", "naive", "check", "aggregate", "stages")


# The province


def province(folder: Path, copies: int) -> Path:
    """A copy of the example plan whose roster is the district plus `copies - 1` copies of its schools
    and communes (agencies stay single), every copy with its own communes; returns plan.yaml."""
    example = load_plan(EXAMPLE)
    shutil.copytree(example.path.parent, folder, dirs_exist_ok=True)
    with example.roster_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    copied = [row for row in rows if row["kind"] in ("truong", example.area.group_kind)]
    grown = list(rows)
    for copy in range(1, copies):
        grown += [{**row, "code": f"{row['code']}_K{copy}", "name": f"{row['name']} (bản {copy})",
                   "commune": f"{row['commune']}_K{copy}" if row["commune"] else ""} for row in copied]
    with (folder / "units.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(grown)
    return folder / "plan.yaml"


def _copy_of(code: str) -> int:
    head, _, tail = code.rpartition("_K")
    return int(tail) if head and tail.isdigit() else 0


def _returns_of_copy(job: tuple[str, str, str, int]) -> int:
    """One district's returns, mistakes included, in a folder of its own (as one copy would send)."""
    from toolkit.forms.samples import make_returns

    plan_path, templates, returns, copy = job
    plan = load_plan(plan_path)
    roster = load_roster(plan.roster_path, plan)
    units = Roster(tuple(u for u in roster if _copy_of(u.code) == copy), roster.path)
    return len(make_returns(plan, units, templates, Path(returns) / f"ban_{copy:03d}", seed=2022 + copy, mistakes=True))


def make_all_returns(plan_path: Path, templates: Path, returns: Path, copies: int) -> int:
    jobs = [(str(plan_path), str(templates), str(returns), copy) for copy in range(copies)]
    with ProcessPoolExecutor(2) as pool:
        return sum(pool.map(_returns_of_copy, jobs))


# Measuring a process tree


@dataclass
class Run:
    seconds: float
    tree_mb: float  # peak resident size of the process and its descendants together
    largest_mb: float  # peak resident size of its largest process
    finished: bool  # False: killed at the timeout
    output: str = ""


def _tree_rss_mb(root: int) -> float:
    children: dict[int, list[int]] = {}
    rss = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total / 2**20


def run(command: list[str], code: Path, timeout: float) -> Run:
    """Run a command with `code` first on the import path; wall time and peak memory of its tree."""
    environment = dict(os.environ, PYTHONPATH=str(code))
    started = time.perf_counter()
    # Run from inside `code`: `python -m` puts the working directory before PYTHONPATH, so a run from
    # another checkout would time that checkout instead (every path given is absolute).
    process = subprocess.Popen(command, env=environment, cwd=code, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    output: list[bytes] = []
    reader = threading.Thread(target=lambda: output.append(process.stdout.read()), daemon=True)
    reader.start()
    peak, finished = 0.0, True
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)  # wait4: the rusage of its tree's largest process
        if pid:
            break
        peak = max(peak, _tree_rss_mb(process.pid))
        if time.perf_counter() - started > timeout:
            os.killpg(process.pid, 9)
            _, status, usage = os.wait4(process.pid, 0)
            finished = False
            break
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    reader.join(5)
    text = b"".join(output).decode("utf-8", "replace")
    if finished and process.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{text[-3000:]}")
    return Run(seconds, peak, usage.ru_maxrss / 1024, finished, text)


# The reads to compare with


def naive_read(plan_path: str, folder: str) -> tuple[float, int]:
    """What a script without this toolkit would do: openpyxl per file, the value of each defined name."""
    import openpyxl

    plan = load_plan(plan_path)
    roster = load_roster(plan.roster_path, plan)
    started, count = time.perf_counter(), 0
    for path in sorted(Path(folder).rglob("*.xlsx")):
        try:
            book = openpyxl.load_workbook(path)
        except Exception:  # the lock file the sample returns include
            continue
        unit = roster.get(book["_meta"]["B3"].value)
        values = {}
        for name in plan.input_names(unit) if unit else []:
            if name in book.defined_names:
                for sheet, cell in book.defined_names[name].destinations:
                    values[name] = book[sheet][cell.replace("$", "")].value
        count += bool(values)
    return time.perf_counter() - started, count


def calamine_floor(folder: str) -> tuple[float, int]:
    """The least any reader of these files must do: python-calamine reading every sheet."""
    from python_calamine import CalamineWorkbook

    started, count = time.perf_counter(), 0
    for path in sorted(Path(folder).rglob("*.xlsx")):
        try:
            book = CalamineWorkbook.from_path(str(path))
        except Exception:
            continue
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
        count += 1
    return time.perf_counter() - started, count


def stages(plan_path: str, returns: str, output: str) -> None:
    """The aggregate's stages one after the other, each printed as it ends (JSON lines)."""
    from toolkit.aggregate.compute import compute
    from toolkit.annex.docx import write_annex_docx
    from toolkit.annex.html import write_annex_html
    from toolkit.annex.write import annex_tables, write_results_csv
    from toolkit.annex.xlsx import write_annex_xlsx
    from toolkit.collect.folder import collect
    from toolkit.collect.report import start_check_reports

    def lap(name: str, started: float) -> float:
        print(json.dumps({"stage": name, "seconds": time.perf_counter() - started}), flush=True)
        return time.perf_counter()

    from toolkit.collect import start_readers

    started = time.perf_counter()
    start_readers(returns)  # as the command does: the workers boot while the plan loads
    plan = load_plan(plan_path)
    roster = load_roster(plan.roster_path, plan)
    started = lap("load", started)
    collection = collect(plan, roster, returns)
    started = lap("collect", started)
    # As the aggregate does: the feedback copies are written by workers while the rest runs here.
    pending = start_check_reports(plan, roster, collection, output)
    started = lap("check reports (copies started)", started)
    results = compute(plan, roster, collection.returns)
    write_results_csv(plan, results, Path(output) / "ket_qua.csv")
    started = lap("compute", started)
    tables = annex_tables(plan, roster, results, collection.returns)
    started = lap("annex tables", started)
    for suffix, write in ((".xlsx", write_annex_xlsx), (".html", write_annex_html), (".docx", write_annex_docx)):
        for table in tables:
            write(table, Path(output) / f"{table.stem}{suffix}")
        started = lap(f"annexes {suffix}", started)
    with pending:
        pending.wait()
    lap("feedback copies (still to wait for)", started)


def stage_times(plan_path: Path, returns: Path, output: Path, timeout: float) -> dict[str, float]:
    """Stage -> seconds; a stage still running at the timeout is given as a negative lower bound."""
    result = run([sys.executable, str(Path(__file__).resolve()), "--stages", str(plan_path), str(returns), str(output)],
                 HERE, timeout)
    times, total = {}, 0.0
    for line in result.output.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            times[record["stage"]] = record["seconds"]
            total += record["seconds"]
    if not result.finished:
        times["(killed in the next stage)"] = -(result.seconds - total)
    return times


# The report


def _mb(run_: Run) -> str:
    return f"{run_.tree_mb:6.0f} MB tree, {run_.largest_mb:5.0f} MB largest"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,24,120", help="copies of the example district, comma-separated")
    parser.add_argument("--baseline", type=Path, help="another copy of the code to time beside this one")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a command is killed")
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    parser.add_argument("--reuse", action="store_true", help="with --keep: use the returns already made there")
    parser.add_argument("--only", default=",".join(MEASURES), help=f"some of {','.join(MEASURES)}")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each check and aggregate (the median is printed)")
    parser.add_argument("--stages", nargs=3, metavar=("PLAN", "RETURNS", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stages:
        return stages(*args.stages)
    codes = {"new": HERE, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    work = (args.keep or Path(tempfile.mkdtemp(prefix="bench_commands_"))).resolve()  # commands run elsewhere
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
          f"codes: {', '.join(f'{k} = {v}' for k, v in codes.items())}", flush=True)
    first: dict[str, float] = {}  # measure -> seconds per unit at the smallest size
    try:
        for copies in [int(size) for size in args.sizes.split(",")]:
            folder = work / f"n{copies}"
            plan_path = province(folder / "plan", copies)
            units = sum(1 for _ in open(folder / "plan" / "units.csv", encoding="utf-8")) - 1
            print(f"\n== {copies} copies of the district: {units} units ==", flush=True)
            measures: dict[str, float] = {}

            def report(label: str, seconds: float, extra: str = "") -> None:
                measures[label] = seconds
                growth = ""
                if label in first and seconds > 0:
                    growth = f"  per unit x{seconds / units / first[label]:.2f} of the smallest size"
                print(f"  {label:<28}{seconds:8.1f} s  {extra}{growth}", flush=True)

            only = args.only.split(",")
            for name, code in codes.items() if "templates" in only else ():
                made = run([sys.executable, "-m", "toolkit", "templates", "--plan", str(plan_path),
                            "--output", str(folder / f"templates_{name}"), "--quiet"], code, args.timeout)
                report(f"templates ({name})", made.seconds if made.finished else -made.seconds,
                       f"{'' if made.finished else '(killed) '}{_mb(made)}")
            returns = folder / "returns"
            if not (args.reuse and returns.is_dir()):
                started = time.perf_counter()
                made = make_all_returns(plan_path, folder / "templates_new", returns, copies)
                print(f"  ({made} returns with mistakes made in {time.perf_counter() - started:.0f} s, not timed below)",
                      flush=True)
            naive = floor = None
            if "naive" in only:
                naive, read = naive_read(str(plan_path), str(returns))
                report("naive openpyxl read", naive, f"{read} files")
                floor, read = calamine_floor(str(returns))
                report("calamine floor", floor, f"{read} files")
            for command in [c for c in ("check", "aggregate") if c in only]:
                outcomes: dict[str, list[Run]] = {name: [] for name in codes}
                for _ in range(args.repeat):
                    for name, code in codes.items():
                        outcomes[name].append(run([sys.executable, "-m", "toolkit", command, "--plan", str(plan_path),
                                                   "--workbooks", str(returns), "--output", str(folder / f"{command}_{name}"),
                                                   "--quiet"], code, args.timeout))
                for name, runs in outcomes.items():
                    runs.sort(key=lambda r: r.seconds)
                    outcome = runs[len(runs) // 2]
                    spread = f" (median of {len(runs)}: {runs[0].seconds:.1f}-{runs[-1].seconds:.1f} s)" if len(runs) > 1 else ""
                    ratios = (f"; naive / this = {naive / outcome.seconds:.2f}x, this / calamine = {outcome.seconds / floor:.1f}x"
                              if naive else "")
                    report(f"{command} ({name})", outcome.seconds if outcome.finished else -outcome.seconds,
                           f"{'' if outcome.finished else '(killed) '}{_mb(outcome)}{ratios}{spread} ")
            if "stages" in only:
                times = stage_times(plan_path, returns, folder / "stages", args.timeout)
                whole = sum(abs(t) for t in times.values())
                for stage, seconds in times.items():
                    report(f"  stage {stage}", seconds, f"{100 * abs(seconds) / whole:5.1f}% ")
            if not first:
                first = {label: seconds / units for label, seconds in measures.items() if seconds > 0}
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
