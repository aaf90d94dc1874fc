"""Benchmark: loading a province-sized plan from its workbook vs from plan.yaml and a roster CSV.

    python bench/plan_workbook.py [--units N]

The bundled example with a synthetic roster of N units (bench/templates.py's), written once as a
plan workbook with the roster on its Đơn vị sheet; then `toolkit plan check` on each form, timed as
whole commands (both include checking the roster and giving units their tasks). Target: the
workbook costs at most 1.5× the YAML and CSV.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.templates import synthetic_roster  # noqa: E402
from toolkit.forms.plan_workbook import export_plan  # noqa: E402
from toolkit.jobs.pipeline import load_roster  # noqa: E402
from toolkit.spec.load import BUNDLED, load_plan  # noqa: E402

TARGET_RATIO = 1.5


def _timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "toolkit", *args], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=10_000)
    count = parser.parse_args().units
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        shutil.copyfile(BUNDLED / "bao-thang-2022" / "plan.yaml", folder / "plan.yaml")
        synthetic_roster(load_plan("bao-thang-2022"), count, folder)
        plan = load_plan(folder / "plan.yaml")
        export_plan(plan, folder / "ke_hoach.xlsx", load_roster(plan.roster_path, plan))
        yaml_seconds = _timed("plan", "check", "--plan", str(folder / "plan.yaml"))
        workbook_seconds = _timed("plan", "check", "--plan", str(folder / "ke_hoach.xlsx"))
    ratio = workbook_seconds / yaml_seconds
    print(f"{count} units: plan.yaml + units.csv {yaml_seconds:.1f} s, ke_hoach.xlsx {workbook_seconds:.1f} s "
          f"({ratio:.2f}×; target ≤ {TARGET_RATIO}×)")


if __name__ == "__main__":
    main()
