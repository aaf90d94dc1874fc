"""A commune's own plan after the 1/7/2025 reform (bundled xa-phong-hai-2026): no district anywhere.

The issuing body, its document symbol, the totals and the reporting units all come from the plan:
nothing the toolkit writes for a commune may say "huyện", "thị trấn" or name a PGD.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from toolkit.cli.main import main
from toolkit.jobs.pipeline import aggregate, load, make_templates
from toolkit.forms.samples import make_returns

DISTRICT_WORDS = re.compile(r"huyện|thị trấn|Phòng Giáo dục|PGD|Toàn huyện", re.IGNORECASE)


@pytest.fixture(scope="module")
def commune_round(tmp_path_factory):
    plan, roster = load("xa-phong-hai-2026")
    out = tmp_path_factory.mktemp("xa_phong_hai")
    templates = make_templates(plan, roster, out / "bieu_mau")
    make_returns(plan, roster, out / "bieu_mau", out / "workbooks", mistakes=False)
    outcome = aggregate(plan, roster, out / "workbooks", out / "output", today=dt.date(2026, 12, 11))
    return plan, roster, templates, outcome, out


def texts_of(path: Path) -> str:
    """Every text a person can see in an output file."""
    if path.suffix in (".xlsx", ".docx"):
        with zipfile.ZipFile(path) as archive:
            return "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))
    return path.read_text(encoding="utf-8-sig")


def test_nothing_written_for_a_commune_mentions_a_district(commune_round):
    _, _, templates, outcome, _ = commune_round
    outputs = [*templates, *outcome.checked.reports, *outcome.annexes]
    assert len(outputs) == 8 + 2 + 14  # 8 units' templates; kiem_tra.csv, Kiem_tra.xlsx; ket_qua.csv, pham_vi.json and 4 annexes × 3
    found = {path.name: DISTRICT_WORDS.findall(texts_of(path)) for path in outputs}
    assert {name: words for name, words in found.items() if words} == {}


def test_the_commune_issues_collects_and_totals(commune_round):
    _, _, _, outcome, _ = commune_round
    sheet = openpyxl.load_workbook(next(p for p in outcome.annexes if p.name == "Phu_luc_I.xlsx")).worksheets[0]
    assert sheet["A3"].value == ("(Kèm theo Báo cáo số …/BC-UBND ngày … tháng … năm 2026 "
                                 "của Ủy ban nhân dân xã Phong Hải)")  # results go with the year's report
    by_level = openpyxl.load_workbook(next(p for p in outcome.annexes if p.name == "Phu_luc_II.xlsx")).worksheets[0]
    names = [row[1].value for row in by_level.iter_rows(min_row=7) if row[1].value]
    assert names[:4] == ["Mầm non", "Tiểu học", "Trung học cơ sở", "Toàn xã"]
    assert not outcome.checked.collection.issues  # clean sample returns: nothing to report
    board = openpyxl.load_workbook(next(p for p in outcome.checked.reports if p.name == "Kiem_tra.xlsx"))["Tình trạng"]
    assert "Nơi nhận: Ủy ban nhân dân xã Phong Hải (qua Phòng Văn hóa - Xã hội)." in board["A2"].value


def test_only_the_office_keeping_the_survey_gets_it(commune_round):
    plan, roster, _, _, _ = commune_round
    assert [n for n in plan.input_names(roster.get("VHXH")) if n.startswith("HD__")] == [
        "HD__MN5__DS", "HD__MN5__RL", "HD__TH__DS", "HD__TH__RL", "HD__THCS__DS", "HD__THCS__RL"]
    assert not [n for n in plan.input_names(roster.get("TYT")) if n.startswith("HD__")]  # the health station: tasks only
    # "các trường mầm non" are the kindergartens only
    assert {u.code for u in roster if "NV02_01" in u.tasks} == {"TYT", "MN_HOA_SEN", "MN_SON_CA"}


def test_init_can_start_a_workspace_from_the_commune_example(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--example", "xa-phong-hai-2026"], catch_exceptions=False)
    assert result.exit_code == 0
    assert (tmp_path / "templates" / "xa-phong-hai-2026" / "ke_hoach.xlsx").exists()
    assert "xa-phong-hai-2026" in (tmp_path / "HUONG_DAN.txt").read_text(encoding="utf-8-sig")
