"""Redraw docs/phu_luc_I.png, the README picture: page 1 of the example's Phụ lục I in Word format.

Realistic returns (toolkit.forms.samples) for every school and commune of bao-thang-2022, the
annexes written as the `aggregate` command writes them, the .docx printed to PDF by LibreOffice
and page 1 drawn at 60 dpi by pdftoppm (poppler-utils).

Run: python tools/make_annex_picture.py
"""

import random
import shutil
import subprocess
import tempfile
from pathlib import Path

from toolkit.aggregate.compute import compute
from toolkit.annex.write import write_annexes
from toolkit.collect.records import UnitReturn
from toolkit.jobs.pipeline import load_roster
from toolkit.forms.samples import sample_values
from toolkit.spec.load import load_plan

TARGET = Path(__file__).resolve().parents[1] / "docs" / "phu_luc_I.png"


def main() -> None:
    plan = load_plan("bao-thang-2022")
    roster = load_roster(plan.roster_path, plan)
    rng = random.Random(2022)
    returns = {u.code: UnitReturn(u, Path(f"{u.code}.xlsx"), sample_values(plan, u, rng))
               for u in roster if u.kind in ("truong", "xa")}
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        write_annexes(plan, roster, compute(plan, roster, returns), folder)
        subprocess.run([shutil.which("soffice") or "soffice", "--headless", "--norestore",
                        f"-env:UserInstallation=file://{folder}/profile", "--convert-to", "pdf",
                        "--outdir", str(folder), str(folder / "Phu_luc_I.docx")], check=True, capture_output=True)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                        str(folder / "Phu_luc_I.pdf"), str(folder / "page")], check=True)
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / "page.png", TARGET)
    print(TARGET)


if __name__ == "__main__":
    main()
