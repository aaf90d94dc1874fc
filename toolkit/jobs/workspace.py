"""A PGD's working folder: `templates/` (plans, Word template), `workbooks/` (returns), `output/`."""

from __future__ import annotations

import shutil
from pathlib import Path

from toolkit.core.errors import ToolkitError
from toolkit.forms.plan_workbook import export_plan
from toolkit.spec.load import PLAN_WORKBOOK, bundled_examples, load_plan
from toolkit.spec.roster import read_roster

REPORT_TEMPLATES = Path(__file__).resolve().parents[1] / "report_templates"
DOCX_TEMPLATE_NAME = "phu_luc.docx"
EXAMPLE = "bao-thang-2022"

GUIDE = """\
THƯ MỤC LÀM VIỆC CỦA CÔNG CỤ TỔNG HỢP BÁO CÁO

templates/   Kế hoạch (tệp Excel ke_hoach.xlsx, gồm cả danh sách đơn vị) và mẫu Word của phụ lục (phu_luc.docx).
workbooks/   Chép vào đây mọi tệp các trường, xã gửi về (qua email, Zalo, USB); không cần đổi tên tệp.
output/      Công cụ ghi kết quả vào đây: biểu mẫu, báo cáo kiểm tra, phụ lục.

Các bước:
  0. Sửa kế hoạch templates/{example}/ke_hoach.xlsx bằng Excel hoặc LibreOffice, rồi kiểm tra:
     toolkit plan check --plan templates/{example}
  1. toolkit templates --plan templates/{example} --output output/bieu_mau
     (gửi mỗi đơn vị tệp <mã đơn vị>.xlsx của mình)
  2. toolkit check --plan templates/{example} --workbooks workbooks --output output
     (xem output/Kiem_tra.xlsx: ai đã nộp, ai chưa, tệp nào có lỗi ở ô nào)
  3. toolkit aggregate --plan templates/{example} --workbooks workbooks --output output
     (các phụ lục Phu_luc_I.docx, Phu_luc_I.xlsx… trong output/)
"""


def init_workspace(folder: str | Path, example: str = EXAMPLE) -> list[Path]:
    """Create a workspace with a bundled example plan as a plan workbook (its roster inside);
    never overwrite a file."""
    if example not in bundled_examples():
        raise ToolkitError(f"Không có ví dụ '{example}'; các ví dụ có sẵn: {', '.join(bundled_examples())}.")
    folder = Path(folder)
    created: list[Path] = []
    for name in ("templates", "workbooks", "output"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    workbook = folder / "templates" / example / PLAN_WORKBOOK
    if not workbook.exists():  # the plan as users edit it: one workbook, the roster on its Đơn vị sheet
        plan = load_plan(example)
        export_plan(plan, workbook, read_roster(plan.roster_path, plan))
        created.append(workbook)
    copies = []
    docx = REPORT_TEMPLATES / DOCX_TEMPLATE_NAME
    if docx.exists():
        copies.append((docx, folder / "templates" / DOCX_TEMPLATE_NAME))
    for source, target in copies:
        if source.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            created.append(target)
    guide = folder / "HUONG_DAN.txt"
    if not guide.exists():
        guide.write_text(GUIDE.format(example=example), encoding="utf-8-sig")
        created.append(guide)
    return created


def find_docx_template(plan_path: Path) -> Path | None:
    """The Word template beside the plan or in the workspace's templates/; None: the bundled one."""
    for folder in (plan_path.parent, plan_path.parent.parent):
        candidate = folder / DOCX_TEMPLATE_NAME
        if candidate.exists():
            return candidate
    return None
