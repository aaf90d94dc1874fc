"""Benchmark: read and check N returned workbooks with `collect` vs a naive openpyxl loop.

Makes a synthetic district of N units from the bundled example (its 87 units plus copies of its
schools under new codes), writes a real template per unit, fills each with sample values, then
times, in the same run:

* `toolkit.collect.folder.collect` (python-calamine + names and guards from the file's XML, two worker processes, all checks);
* a naive loop: `openpyxl.load_workbook` per file, reading the same defined names (no checks).

Peak memory of `collect` is measured in a fresh process for 500 files and for all N, to show it
stays flat in the number of files.

    python bench/aggregate.py [--files 2000] [--keep FOLDER]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import openpyxl

from toolkit.collect.folder import collect
from toolkit.jobs.pipeline import load_roster
from toolkit.forms.samples import fill_workbook, sample_values
from toolkit.spec.load import load_plan
from toolkit.forms.writer import write_templates


def synthetic_plan(folder: Path, files: int):
    """The example plan with a roster grown to `files` units that fill something in."""
    example = load_plan("bao-thang-2022")
    shutil.copytree(example.path.parent, folder, dirs_exist_ok=True)
    with (folder / "units.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    roster = load_roster(example.roster_path, example)
    filling = [row for row in rows if example.input_names(roster.get(row["code"]))]
    schools = [row for row in filling if row["kind"] == "truong"]
    copies = []
    for index in range(files - len(filling)):
        school = schools[index % len(schools)]
        copies.append({**school, "code": f"{school['code']}_B{index // len(schools) + 1:03d}",
                       "name": f"{school['name']} (bản {index // len(schools) + 1})"})
    with (folder / "units.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows + copies)
    plan = load_plan(folder / "plan.yaml")
    return plan, load_roster(plan.roster_path, plan)


def _fill(job: tuple[str, str, str, int]) -> str:
    plan_path, template, target, seed = job
    plan = _fill_state.get("plan") or _fill_state.setdefault("plan", load_plan(plan_path))
    roster = _fill_state.get("roster") or _fill_state.setdefault("roster", load_roster(plan.roster_path, plan))
    unit = roster.get(Path(template).stem)
    return str(fill_workbook(template, sample_values(plan, unit, random.Random(seed)), target))


_fill_state: dict = {}


def make_returns_fast(plan, roster, templates: Path, returns: Path) -> list[Path]:
    """Fill every template with sample values, on both cores (openpyxl gains only from processes)."""
    returns.mkdir(parents=True, exist_ok=True)
    jobs = [(str(plan.path), str(t), str(returns / t.name), i) for i, t in enumerate(sorted(templates.glob("*.xlsx")))]
    with ProcessPoolExecutor(2) as pool:
        return [Path(p) for p in pool.map(_fill, jobs, chunksize=20)]


def naive_read(plan, roster, folder: Path) -> int:
    """What a script without this toolkit would do: openpyxl per file, value of each defined name."""
    count = 0
    for path in sorted(folder.glob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        unit = roster.get(book["_meta"]["B3"].value)
        values = {}
        for name in plan.input_names(unit):
            for sheet, cell in book.defined_names[name].destinations:
                values[name] = book[sheet][cell.replace("$", "")].value
        count += len(values) > 0
    return count


def measure_memory(plan_path: str, folder: str) -> tuple[float, float, float]:
    """Peak Python heap (tracemalloc) and peak resident size of `collect` in this process, and the
    peak resident size of its largest worker process, in MB."""
    plan = load_plan(plan_path)
    roster = load_roster(plan.roster_path, plan)
    tracemalloc.start()
    collect(plan, roster, folder)
    heap = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the pool has ended: its workers are reaped
    return heap, rss, workers


def in_fresh_process(function, *args):
    import multiprocessing

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_aggregate_"))
    try:
        started = time.perf_counter()
        plan, roster = synthetic_plan(work / "plan", args.files)
        templates = work / "templates"
        write_templates(plan, roster, templates)
        returns = make_returns_fast(plan, roster, templates, work / "returns")
        print(f"{len(returns)} filled workbooks made in {time.perf_counter() - started:.0f} s")

        started = time.perf_counter()
        collection = collect(plan, roster, work / "returns")
        fast = time.perf_counter() - started
        started = time.perf_counter()
        naive_count = naive_read(plan, roster, work / "returns")
        naive = time.perf_counter() - started
        assert len(collection.returns) == naive_count == len(returns), "both readers must read every file"
        print(f"collect (read + check):  {fast:7.2f} s  {len(returns) / fast:7.0f} files/s  "
              f"({len(collection.issues)} problems found)")
        print(f"naive openpyxl (read):   {naive:7.2f} s  {len(returns) / naive:7.0f} files/s")
        print(f"ratio: {naive / fast:.1f}x faster")

        subset = work / "returns_500"
        subset.mkdir(exist_ok=True)
        for path in returns[:500]:
            target = subset / path.name
            if not target.exists():
                target.hardlink_to(path)
        for label, folder in (("500", subset), (str(len(returns)), work / "returns")):
            heap, rss, workers = in_fresh_process(measure_memory, str(plan.path), str(folder))
            print(f"memory of collect, {label:>5} files: Python heap peak {heap:6.1f} MB, resident peak {rss:6.1f} MB, "
                  f"largest worker {workers:6.1f} MB")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
