"""Realistic filled returns, as schools and communes would send them, for the demo and tests.

Values satisfy every check of the spec (so that what the demo reports as wrong is only what
`make_returns` planted on purpose) and land near the example plan's targets.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl

from toolkit.spec.names import TASK_STATUSES, grid_name
from toolkit.spec.expressions import clause_holds
from toolkit.core.files import atomic_write
from toolkit.spec.plan import Plan
from toolkit.spec.units import Roster, Unit

# Share of the right-hand side a value takes when a check caps it (e.g. DAT_CHUAN <= TONG),
# tuned so the example's district results fall near its real targets.
SHARE = {
    "DAT_CHUAN": (0.80, 0.97), "TREN_CHUAN": (0.15, 0.30), "NU": (0.45, 0.52),
    "CBQL_LLCT": (0.7, 1.0), "DANG_VIEN": (0.50, 0.65), "MN_BAN_TRU": (0.95, 1.0), "MN_LAM_QUEN_NN": (0.25, 0.50),
    "HS_HOC_NGOAI_NGU": (0.97, 1.0), "TH_HOAN_THANH": (0.99, 1.0), "TH_HTT": (0.30, 0.45), "THCS_XET_TN": (0.97, 1.0),
    "THCS_TOT_NGHIEP": (0.98, 1.0), "THCS_TN_VAO_THPT": (0.68, 0.80), "THCS_TN_VAO_GDNN": (0.40, 0.75),
    "HS_BAN_TRU_CHO_O": (0.55, 0.90), "PH_KIEN_CO": (0.85, 1.0), "DIEM_TRUONG_XOA": (0.0, 0.6),
    "RL_0_2": (0.25, 0.38), "RL_3_5": (0.94, 0.99), "RL_5": (0.995, 1.0), "RL_6_LOP1": (0.995, 1.0),
    "RL_6_14": (0.995, 1.0), "RL": (0.97, 1.0), "TN_THCS_15_18": (0.92, 0.98), "BIET_CHU_15_60": (0.96, 0.99), "TE_KT_HOA_NHAP": (0.60, 0.85),
    "RL_DAT": (0.98, 1.0), "RL_KHA_TOT": (0.88, 0.98), "HT_DAT": (0.92, 1.0), "HT_KHA_TOT": (0.35, 0.6), "DAT": (0.97, 1.0),
    "HS_345_VE_TT": (0.9, 1.0), "TH_HT_CHUONG_TRINH": (0.98, 1.0),
}
# Fields that are a multiple of what they must be at least (e.g. DS_6_14 >= DS_6).
GROWTH = {"DS_6_14": (8.5, 9.5), "DS_15_60": (9.0, 13.0), "DS_3_5": (2.8, 3.2)}
BASE = {"TONG": (15, 60), "DS_0_2": (150, 600), "DS_5": (60, 220), "DS_6": (60, 220), "DS_15_18": (220, 800),
        "XMC_SO_NGUOI": (2, 15), "TE_KT": (10, 60),
        "HS_BAN_TRU_NHU_CAU": (0, 80), "PH_TONG": (8, 30), "DIEM_TRUONG_LE": (0, 3), "CBQL_TONG": (2, 3),
        "CBQL_DINH_MUC": (2, 3), "SO": (5, 25), "MH_SX_NN": (20, 40)}
# Counts that are 1 at a few schools and 0 elsewhere: chance of a 1.
RARE = {"PH_TAM": 0.1, "GV_THAC_SI_DANG_HOC": 0.15, "DIEM_TRUONG_XOA": 0.08}
WEIGHTS = {
    "CHUAN_QG": {"Chưa đạt": 0.18, "Mức độ 1": 0.6, "Mức độ 2": 0.22},
    "PCGD_THCS": {"Mức độ 2": 0.05, "Mức độ 3": 0.95}, "PCGD_TH": {"Mức độ 3": 1.0},
    "PCGD_MN4": {"Đạt": 0.5, "Chưa đạt": 0.5}, "PCGD_MN5": {"Đạt": 1.0}, "XMC": {"Mức độ 1": 0.3, "Mức độ 2": 0.7},
    "TTHTCD": {"Có": 1.0}, "TH_2BUOI": {"Có": 0.93, "Không": 0.07}, "MUC_DO": dict(zip(TASK_STATUSES, (0.5, 0.4, 0.1))),
    "CHUAN_QG_TRONG_NAM": {"Không": 0.86, "Công nhận mới": 0.07, "Công nhận lại": 0.07}, "CO_SO_DANG": {"Có": 1.0},
    "NTM_TC5": {"Đạt": 0.95, "Chưa đạt": 0.05}, "NTM_TC14": {"Đạt": 0.95, "Chưa đạt": 0.05},
    "HUONG_NGHIEP_SX": {"Có": 0.8, "Không": 0.2}, "GV_TU_VAN_HN": {"Có": 1.0},
}
RESULTS = ["Đã triển khai đầy đủ theo kế hoạch; tổ chức tuyên truyền, quán triệt đến toàn thể cán bộ.",
           "Đang triển khai, dự kiến hoàn thành trong quý IV.", "Đã ban hành kế hoạch, đang tổ chức thực hiện."]


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def sample_values(plan: Plan, unit: Unit, rng: random.Random) -> dict[str, object]:
    """Check-consistent, realistic values for every input of a unit's template."""
    values: dict[str, object] = {}
    fields = plan.fields_for(unit)
    # Grids first: one row at a time, columns after the ones their checks compare with.
    for field in (f for f in fields if f.kind == "grid"):
        caps = {c.left.terms[0].field: c.right.terms[0].field for c in field.parsed_checks if c.op in ("<=", "<")}
        for row in plan.rows_for(field, unit):
            for column in field.columns:
                name = grid_name(field.code, row.key, column.key)
                if column.key == "DTTS" and "DTTS" in caps:  # ethnic minority share is a trait of the commune, not of a class
                    centre = random.Random(unit.commune).uniform(0.2, 0.95)
                    values[name] = int(values[grid_name(field.code, row.key, caps[column.key])] * min(1.0, centre * rng.uniform(0.9, 1.1)))
                elif column.key in caps:
                    low, high = SHARE.get(column.key, (0.5, 1.0))
                    values[name] = int(values[grid_name(field.code, row.key, caps[column.key])] * rng.uniform(low, high))
                else:
                    low, high = BASE.get(column.key, (10, 60))
                    values[name] = rng.randint(low * (2 if field.code == "HS" else 1), high * (2 if field.code == "HS" else 1))
    # Then single values, each once what its checks refer to is known.
    pending = [f for f in fields if f.kind != "grid"]
    for _ in range(len(pending) + 1):
        for field in list(pending):
            value = _single(plan, unit, field, values, rng)
            if value is not _WAIT:
                pending.remove(field)
                if value is not None:
                    values[field.code] = value
    return values


_WAIT = object()


def _single(plan: Plan, unit: Unit, field, values: dict, rng: random.Random):
    column = getattr(field, "column", field.code)
    if field.kind == "choice":
        return _pick(rng, WEIGHTS.get(column, {c: 1.0 for c in field.choices}))
    if field.kind == "text":
        return rng.choice(RESULTS) if column == "KET_QUA" or field.required else None
    if field.parsed_required_if is not None:
        clauses = field.parsed_required_if.clauses
        if any(c.field not in values for c in clauses):
            return _WAIT
        if not all(clause_holds(c, values[c.field], plan.plan_year) for c in clauses):
            return None
    if field.kind == "year":
        # A few schools are recognised in the plan year itself, the others earlier.
        return plan.plan_year if rng.random() < 0.06 else rng.randint(max(field.min or 2005, 2005), plan.plan_year - 1)
    if field.code == "NS_TONG":  # staff: every teacher and manager (a number or a grid by level), plus a few employees
        if "CBQL_TONG" in plan.field_by_code and "CBQL_TONG" not in values:
            return _WAIT
        staff = [n for n in values if n == "CBQL_TONG" or (n.startswith(("GV__", "CBQL__")) and n.endswith("__TONG"))]
        return sum(values[n] for n in staff) + rng.randint(2, 6)
    caps, floors = [], []
    for check, left, right, _ in plan.compared_names(field, unit):
        others = [n for n in left + right if n != field.code]
        if any(n not in values for n in others):
            return _WAIT
        right_sum = sum(values[n] for n in right) + check.right.constant
        rest = sum(values[n] for n in left if n != field.code)
        (caps if check.op in ("<=", "<") else floors).append(right_sum - rest)
    if caps:
        low, high = SHARE.get(field.code, (0.5, 1.0))
        value = round(max(0, min(caps)) * rng.uniform(low, high))
        return max([value, *floors]) if floors and max(floors) <= min(caps) else value
    if field.code in RARE:
        return int(rng.random() < RARE[field.code])
    if floors and max(floors) > 0:
        low, high = GROWTH.get(field.code, (1.0, 1.5))
        return int(max(floors) * rng.uniform(low, high)) + (1 if field.code in GROWTH else 0)
    low, high = BASE.get(field.code, (5, 40))
    top = field.max_value(plan.plan_year)
    if top is not None:  # a level written as a number ("mức độ 3" -> 0..3)
        low, high = min(low, top), min(high, top)
    return rng.randint(low, high)


def fill_workbook(template_path: str | Path, values: dict[str, object], out_path: str | Path) -> Path:
    """A copy of a template with values written into its named cells (as a clerk would)."""
    book = openpyxl.load_workbook(template_path)
    for name, value in values.items():
        for sheet, cell in book.defined_names[name].destinations:
            book[sheet][cell.replace("$", "")].value = value
    return atomic_write(out_path, book.save)


def make_returns(plan: Plan, roster: Roster, templates_dir: str | Path, out_dir: str | Path, *, seed: int = 2022,
                 mistakes: bool = True, missing: tuple[str, ...] | None = None) -> list[Path]:
    """A realistic folder of returns from `<unit code>.xlsx` templates; deterministic for a seed.

    With `mistakes`, the problems PGDs meet every year are planted: a number typed as text, a
    value breaking a check, a blank required cell, a choice typed by hand, an older second copy,
    a file renamed to the school's name, a lock file and Thumbs.db. `missing` units send nothing
    (by default, with mistakes, 4 units picked by the seed).
    """
    rng = random.Random(seed)
    templates_dir, out_dir = Path(templates_dir), Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    units = [u for u in roster if (templates_dir / f"{u.code}.xlsx").exists()]
    if missing is None:
        missing = tuple(rng.sample([u.code for u in units], 4)) if mistakes else ()
    silent = set(missing)
    schools = [u for u in units if u.kind == "truong" and u.code not in silent]
    communes = [u for u in units if u.kind == plan.area.group_kind and u.code not in silent]
    planted = {}
    if mistakes and schools and communes:
        text_number, bad_check, blank, bad_choice, twice, renamed = (rng.choice(communes), *rng.sample(schools, 5))
        planted = {text_number.code: "text_number", bad_check.code: "bad_check", blank.code: "blank",
                   bad_choice.code: "bad_choice", twice.code: "twice", renamed.code: "renamed"}
    written = []
    for unit in units:
        if unit.code in silent:
            continue
        values = sample_values(plan, unit, rng)
        mistake = planted.get(unit.code)
        target = out_dir / f"{unit.code}.xlsx"
        if mistake == "text_number" and "DS_15_60" in values:
            values["DS_15_60"] = f"{max(values['DS_15_60'], 1000):,}".replace(",", ".")  # "4.512", typed as text
        elif mistake == "bad_check":
            level = next(level for level in ("TH", "THCS", "MN", "THPT") if f"GV__{level}__TONG" in values)
            values[f"GV__{level}__DAT_CHUAN"] = values[f"GV__{level}__TONG"] + 3
        elif mistake == "blank":
            values.pop("NS_TONG", None)
        elif mistake == "bad_choice":
            values["CHUAN_QG"] = "Đạt chuẩn mức 1"
        elif mistake == "renamed":
            target = out_dir / f"{unit.name}.xlsx"
        elif mistake == "twice":
            # An earlier draft sent the week before, then the corrected file.
            older = dict(values, NS_TONG=values.get("NS_TONG", 0) + 1)
            draft = fill_workbook(templates_dir / f"{unit.code}.xlsx", older, out_dir / f"{unit.code} (1).xlsx")
            set_saved_at(draft, dt.datetime.now() - dt.timedelta(days=7))
            written.append(draft)
        written.append(fill_workbook(templates_dir / f"{unit.code}.xlsx", values, target))
    if mistakes:
        (out_dir / f"~${units[0].code}.xlsx").write_bytes(b"\x00" * 165)  # Excel's lock file
        (out_dir / "Thumbs.db").write_bytes(b"\x00" * 64)
    return written


def set_saved_at(path: Path, moment: dt.datetime) -> Path:
    """Make a workbook look last saved at `moment`, in its own properties and on disk."""
    moment = moment if moment.tzinfo else moment.astimezone()
    stamp = moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    temporary = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]+(<)", rb"\g<1>" + stamp + rb"\g<2>", data)
            target.writestr(item, data)
    os.replace(temporary, path)
    os.utime(path, (moment.timestamp(), moment.timestamp()))
    return path
