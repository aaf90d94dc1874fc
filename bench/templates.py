"""Benchmark: templates for a synthetic roster of 2,000 units, one process vs two.

    python bench/templates.py [--units N]

The roster clones the bundled example's mix of schools and communes under new codes (agencies
have nothing to fill and are left out). Target: 2,000 templates in at most 30 s on a 2-core laptop.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toolkit.jobs.pipeline import load_roster  # noqa: E402
from toolkit.spec.load import load_plan  # noqa: E402
from toolkit.forms.writer import write_templates  # noqa: E402

TARGET_SECONDS, TARGET_UNITS = 30.0, 2000


def synthetic_roster(plan, count: int, folder: Path) -> Path:
    """A roster CSV of `count` units: the example's own units with anything to fill (the plan names
    some by code), then copies of its schools and communes, each copy listing its communes first, so
    a roster cut short still has every school's commune."""
    units = [u for u in load_roster(plan.roster_path, plan) if plan.input_names(u)]
    copied = sorted((u for u in units if u.kind in ("truong", plan.area.group_kind)), key=lambda u: u.kind != plan.area.group_kind)
    path = folder / "units.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "kind", "levels", "commune", "tags"])
        for i in range(count):
            if i < len(units):
                unit, suffix = units[i], ""
            else:
                unit, suffix = copied[(i - len(units)) % len(copied)], f"_K{(i - len(units)) // len(copied) + 1}"
            commune = f"{unit.commune}{suffix}" if unit.commune else ""
            name = f"{unit.name} (bản {suffix[2:]})" if suffix else unit.name
            writer.writerow([f"{unit.code}{suffix}", name, unit.kind, ";".join(unit.levels), commune, ";".join(unit.tags)])
    return path


def timed(plan, roster, workers: int, folder: Path) -> float:
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    written = write_templates(plan, roster, folder, workers=workers)
    elapsed = time.perf_counter() - start
    assert len(written) == len(roster), (len(written), len(roster))
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=TARGET_UNITS, help="units in the synthetic roster")
    args = parser.parse_args()
    plan = load_plan("bao-thang-2022")
    with tempfile.TemporaryDirectory(prefix="bench_templates_") as scratch:
        scratch = Path(scratch)
        roster = load_roster(synthetic_roster(plan, args.units, scratch), plan)
        kinds = {kind: len(roster.of_kind(kind)) for kind in ("truong", "xa")}
        print(f"{len(roster)} units ({kinds['truong']} schools, {kinds['xa']} communes), plan {plan.code}")
        results = {}
        for workers in (1, 2):
            seconds = timed(plan, roster, workers, scratch / f"out_{workers}")
            results[workers] = seconds
            print(f"workers={workers}: {seconds:6.2f} s, {len(roster) / seconds:7.1f} units/s")
        print(f"speed-up with 2 workers: {results[1] / results[2]:.2f}x")
        projected = results[2] * TARGET_UNITS / len(roster)
        verdict = "met" if projected <= TARGET_SECONDS else "NOT met"
        print(f"target {TARGET_UNITS} units in <= {TARGET_SECONDS:.0f} s with 2 workers: {verdict} "
              f"({projected:.1f} s for {TARGET_UNITS} units)")


if __name__ == "__main__":
    main()
