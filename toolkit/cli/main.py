"""Command line: parse arguments, call one pipeline function, print a Vietnamese summary.

The pipeline is imported when a command runs, not with this module: `check` and `aggregate` first
start the workers that will read the returns (`toolkit.collect.start_readers`), which then boot on the
other core while the command imports the toolkit and loads its plan.

Example:
    toolkit demo
    toolkit templates --plan bao-thang-2022 --output output/bieu_mau
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from tqdm import tqdm

from toolkit import __version__
from toolkit.cli import i18n as cli_i18n
from toolkit.collect import start_readers
from toolkit.core.errors import ToolkitError
from toolkit.core.workers import OnProgress, no_progress
from toolkit.spec.bundled import bundled_examples

if TYPE_CHECKING:
    from toolkit.jobs.pipeline import CheckOutcome

cli_i18n.install()

PLAN_HELP = ("Kế hoạch: tệp Excel ke_hoach.xlsx (hoặc plan.yaml), thư mục chứa tệp đó, "
             "hoặc tên ví dụ có sẵn như bao-thang-2022.")
ROSTER_HELP = "Danh sách đơn vị (.csv hoặc .xlsx) dùng thay cho danh sách ghi trong kế hoạch."
OPTIONS = "[TÙY_CHỌN]"
QUIET_HELP = "Không hiện thanh tiến trình (dùng khi chạy bằng script)."

plan_option = click.option("--plan", "plan_ref", required=True, metavar="KẾ_HOẠCH", help=PLAN_HELP)
roster_option = click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="TỆP", help=ROSTER_HELP)
quiet_option = click.option("--quiet", is_flag=True, help=QUIET_HELP)


def _say(text: str) -> None:
    click.echo(text)


_STEPS = {"templates": "Tạo biểu mẫu", "returns": "Đọc báo cáo"}  # what the bar of each step says


def _progress_bars(quiet: bool) -> OnProgress:
    """The job's `on_progress`: one bar per step, closed when the step is done; none when quiet."""
    if quiet:
        return no_progress
    bars: dict[str, tqdm] = {}

    def show(step: str, done: int, total: int) -> None:
        bar = bars.get(step)
        if bar is None:
            bar = bars[step] = tqdm(total=total, desc=_STEPS[step], unit=" tệp")
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return show


def _pipeline():
    """toolkit.jobs.pipeline, imported when a command runs (see above)."""
    from toolkit.jobs import pipeline

    return pipeline


def _load(plan_ref: str, roster: Path | None, year: int | None = None):
    """Load plan and roster, and say which agency names in the task list matched no unit."""
    from toolkit.tasks.agencies import ALIAS_HINT

    plan, units = _pipeline().load(plan_ref, roster, year=year)
    # The plan, the roster and the modules live as long as the command: out of the cyclic collector's
    # sight, it no longer walks them at each full collection (half its time at province scale).
    gc.freeze()
    for note in units.unmatched_agencies:
        _say(f"Cảnh báo: {note}")
    if units.unmatched_agencies:
        _say(ALIAS_HINT)
    return plan, units


def _print_check(outcome: CheckOutcome) -> None:
    statuses = outcome.collection.statuses
    counts = {key: sum(1 for s in statuses if s.status == key) for key in ("da_nop", "co_loi", "chua_nop")}
    _say(
        f"Đơn vị phải nộp: {len(statuses)}; đã nộp hợp lệ: {counts['da_nop']}; "
        f"nộp nhưng có lỗi: {counts['co_loi']}; chưa nộp: {counts['chua_nop']}."
    )
    for path in outcome.reports:
        _say(f"  {path}")


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    options_metavar="[TÙY_CHỌN]",
    subcommand_metavar="LỆNH [THAM_SỐ]...",
)
@click.version_option(__version__, prog_name="toolkit")
def main() -> None:
    """Công cụ tạo biểu mẫu thu thập số liệu, kiểm tra báo cáo gửi về và tổng hợp phụ lục."""
    if sys.platform == "win32":  # a redirected Windows console is not UTF-8 by default
        for stream in (sys.stdout, sys.stderr):
            stream.reconfigure(encoding="utf-8")


@main.command(options_metavar=OPTIONS)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), metavar="THƯ_MỤC")
@click.option("--example", default="bao-thang-2022", show_default=True, metavar="TÊN",
              help=f"Ví dụ có sẵn để chép vào: {', '.join(bundled_examples())}.")
def init(folder: Path, example: str) -> None:
    """Tạo thư mục làm việc (templates/, workbooks/, output/) kèm kế hoạch mẫu.

    Ví dụ: toolkit init "D:/Bao cao 2026" --example xa-phong-hai-2026
    """
    from toolkit.jobs.workspace import init_workspace

    created = _run(lambda: init_workspace(folder, example))
    _say(f"Đã tạo thư mục làm việc {folder} ({len(created)} tệp mới).")
    for path in created:
        _say(f"  {path}")


@main.command(options_metavar=OPTIONS)
@plan_option
@roster_option
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path), metavar="THƯ_MỤC", default=Path("output") / "bieu_mau", show_default=True, help="Thư mục ghi các biểu mẫu.")
@click.option("--password", default=None, metavar="MẬT_KHẨU", help="Mật khẩu bảo vệ trang tính (mặc định: không đặt mật khẩu).")
@quiet_option
def templates(plan_ref: str, roster: Path | None, output_dir: Path, password: str | None, quiet: bool) -> None:
    """Tạo một biểu mẫu Excel cho mỗi trường, xã, cơ quan phải báo cáo.

    Ví dụ: toolkit templates --plan bao-thang-2022 --output output/bieu_mau
    """
    def job():
        plan, units = _load(plan_ref, roster)
        return _pipeline().make_templates(plan, units, output_dir, password=password, on_progress=_progress_bars(quiet))

    paths = _run(job)
    _say(f"Đã tạo {len(paths)} biểu mẫu trong {output_dir}.")


AS_OF_HELP = "Tính số ngày trễ hạn đến ngày này, ví dụ 20/12/2022 (mặc định: hôm nay)."
YEAR_HELP = ("Năm báo cáo của kế hoạch nhiều năm, ví dụ 2024: chọn chỉ tiêu của giai đoạn chứa năm đó "
             "(mặc định: period.round, nếu không có thì period.year của kế hoạch).")
year_option = click.option("--year", type=click.IntRange(1900, 2200), metavar="NĂM", help=YEAR_HELP)


def _check_options(command):
    command = click.option("--as-of", type=click.DateTime(["%d/%m/%Y", "%Y-%m-%d"]), metavar="NGÀY", help=AS_OF_HELP)(command)
    command = click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path), metavar="THƯ_MỤC", default=Path("output"), show_default=True, help="Thư mục ghi kết quả.")(command)
    command = click.option("--workbooks", "workbooks_dir", type=click.Path(file_okay=False, path_type=Path), metavar="THƯ_MỤC", default=Path("workbooks"), show_default=True, help="Thư mục chứa các tệp đơn vị gửi về.")(command)
    return roster_option(plan_option(quiet_option(year_option(command))))


@main.command(options_metavar=OPTIONS)
@_check_options
def check(plan_ref: str, roster: Path | None, workbooks_dir: Path, output_dir: Path, quiet: bool, as_of,
          year: int | None) -> None:
    """Kiểm tra các tệp gửi về: ai đã nộp, ai chưa, tệp nào có lỗi ở ô nào.

    Ví dụ: toolkit check --plan bao-thang-2022 --workbooks workbooks --output output
    """
    def job():
        start_readers(workbooks_dir)
        plan, units = _load(plan_ref, roster, year)
        return _pipeline().check(plan, units, workbooks_dir, output_dir, on_progress=_progress_bars(quiet), today=as_of and as_of.date())

    _print_check(_run(job))


@main.command(options_metavar=OPTIONS)
@_check_options
@click.option("--docx-template", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="TỆP", help="Mẫu Word của phụ lục (mặc định: templates/phu_luc.docx nếu có, nếu không dùng mẫu có sẵn).")
def aggregate(plan_ref: str, roster: Path | None, workbooks_dir: Path, output_dir: Path, quiet: bool, as_of,
              year: int | None, docx_template: Path | None) -> None:
    """Kiểm tra rồi tổng hợp các tệp gửi về thành các phụ lục (Excel, Word, HTML).

    Ví dụ: toolkit aggregate --plan chi-lang-2021-2030 --year 2025 --workbooks workbooks --output output
    """
    def job():
        start_readers(workbooks_dir)
        plan, units = _load(plan_ref, roster, year)
        return _pipeline().aggregate(plan, units, workbooks_dir, output_dir, docx_template=docx_template, on_progress=_progress_bars(quiet),
                                  today=as_of and as_of.date())

    outcome = _run(job)
    _print_check(outcome.checked)
    _say("Các phụ lục:")
    for path in outcome.annexes:
        _say(f"  {path}")


@main.command(options_metavar=OPTIONS)
@plan_option
@click.argument("part_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="THƯ_MỤC_PHẦN...")
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path), metavar="THƯ_MỤC", required=True, help="Thư mục ghi kết quả gộp.")
@click.option("--docx-template", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="TỆP", help="Mẫu Word của phụ lục (mặc định: templates/phu_luc.docx nếu có, nếu không dùng mẫu có sẵn).")
def rollup(plan_ref: str, part_dirs: tuple[Path, ...], output_dir: Path, docx_template: Path | None) -> None:
    """Gộp kết quả tổng hợp của nhiều phần (mỗi xã, mỗi huyện cũ…) cùng một kế hoạch thành một kết quả chung.

    Mỗi THƯ_MỤC_PHẦN là thư mục kết quả của lệnh aggregate (có ket_qua.csv và pham_vi.json).

    Ví dụ: toolkit rollup --plan ke_hoach --output tong_hop ket_qua_xa_A ket_qua_xa_B
    """
    def job():
        pipeline = _pipeline()
        plan = pipeline.load_plan(plan_ref)
        return pipeline.rollup(plan, list(part_dirs), output_dir, docx_template=docx_template)

    outcome = _run(job)
    units = sum(len(part.units) for part in outcome.parts)
    _say(f"Đã gộp {len(outcome.parts)} phần ({units} đơn vị).")
    for path in outcome.written:
        _say(f"  {path}")


@main.command(name="import-tasks", options_metavar=OPTIONS)
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="TỆP")
@click.option("--output", "output_path", type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP", default=Path("plan-tasks.yaml"), show_default=True, help="Tệp YAML ghi danh sách nhiệm vụ.")
def import_tasks(source: Path, output_path: Path) -> None:
    """Nhập ma trận nhiệm vụ từ bảng Word (.docx), Excel (.xlsx) hoặc văn bản chép từ PDF (.txt); tệp văn
    bản hay Word không có bảng thì đọc mục “TỔ CHỨC THỰC HIỆN”: mỗi cơ quan một nhóm, mỗi dòng “- …” một nhiệm vụ.

    Ví dụ: toolkit import-tasks phu_luc_nhiem_vu.docx --output templates/plan-tasks.yaml
    """
    from toolkit.tasks.importer import dump_tasks_yaml
    from toolkit.tasks.importer import import_tasks as read_tasks

    tasks = _run(lambda: read_tasks(source))
    _run(lambda: dump_tasks_yaml(tasks, output_path))
    count = sum(len(group["tasks"]) for group in tasks["groups"])
    _say(f"Đã nhập {len(tasks['groups'])} nhóm, {count} nhiệm vụ vào {output_path}.")


@main.group(name="plan", options_metavar=OPTIONS, subcommand_metavar="LỆNH [THAM_SỐ]...")
def plan_group() -> None:
    """Kế hoạch dạng tệp Excel (ke_hoach.xlsx): tạo mới, xuất từ kế hoạch có sẵn, kiểm tra.

    Ví dụ: toolkit plan new --output ke_hoach.xlsx
    """


workbook_output = click.option("--output", "output_path", type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP",
                               default=Path("ke_hoach.xlsx"), show_default=True, help="Tệp Excel ghi kế hoạch.")


@plan_group.command(name="new", options_metavar=OPTIONS)
@workbook_output
@click.option("--year", type=int, default=None, metavar="NĂM", help="Năm của kế hoạch (mặc định: năm nay).")
def plan_new(output_path: Path, year: int | None) -> None:
    """Tạo tệp kế hoạch mới: trang hướng dẫn và một dòng mẫu ở mỗi trang để ghi đè.

    Ví dụ: toolkit plan new --output ke_hoach.xlsx
    """
    path = _run(lambda: _pipeline().new_plan_workbook(output_path, year))
    _say(f"Đã tạo tệp kế hoạch {path}. Mở bằng Excel hoặc LibreOffice, ghi kế hoạch, rồi chạy: "
         f"toolkit plan check --plan {path}")


@plan_group.command(name="export", options_metavar=OPTIONS)
@plan_option
@workbook_output
def plan_export(plan_ref: str, output_path: Path) -> None:
    """Ghi một kế hoạch có sẵn (ví dụ hoặc plan.yaml) thành tệp Excel, kèm danh sách đơn vị.

    Ví dụ: toolkit plan export --plan bao-thang-2022 --output ke_hoach.xlsx
    """
    path = _run(lambda: _pipeline().export_plan_workbook(plan_ref, output_path))
    _say(f"Đã ghi kế hoạch vào {path}.")


@plan_group.command(name="check", options_metavar=OPTIONS)
@plan_option
@roster_option
def plan_check(plan_ref: str, roster: Path | None) -> None:
    """Kiểm tra kế hoạch và danh sách đơn vị, báo mọi lỗi một lần (không tạo tệp nào).

    Ví dụ: toolkit plan check --plan ke_hoach.xlsx
    """
    outcome = _run(lambda: _pipeline().check_plan(plan_ref, roster))
    for problem in outcome.problems:
        _say(f"{'Lỗi' if problem.severity == 'error' else 'Cảnh báo'}: {problem}")
    if outcome.errors:
        raise click.ClickException(f"Kế hoạch có {outcome.errors} lỗi; hãy sửa rồi kiểm tra lại.")
    plan, units = outcome.plan, outcome.roster
    for note in units.unmatched_agencies:
        _say(f"Cảnh báo: {note}")
    _say(f"Kế hoạch {plan.code} hợp lệ: {len(plan.fields)} số liệu, {len(plan.indicators)} chỉ tiêu, "
         f"{len(plan.annexes)} phụ lục, {len(units)} đơn vị báo cáo.")


@main.command(options_metavar=OPTIONS)
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path), metavar="THƯ_MỤC", default=Path("output"), show_default=True, help="Thư mục ghi kết quả.")
@quiet_option
@year_option
def demo(output_dir: Path, quiet: bool, year: int | None) -> None:
    """Chạy thử toàn bộ quy trình trên ví dụ có sẵn (huyện Bảo Thắng, năm 2022).

    Ví dụ: toolkit demo --output output
    """
    outcome = _run(lambda: _pipeline().demo(output_dir, on_progress=_progress_bars(quiet), year=year))
    _say(f"Đã tạo {len(outcome.templates)} biểu mẫu và {len(outcome.returns)} tệp báo cáo giả lập đơn vị gửi về.")
    _print_check(outcome.aggregated.checked)
    _say("Các phụ lục:")
    for path in outcome.aggregated.annexes:
        _say(f"  {path}")


def _run(job):
    """Run one job; a fatal, expected problem becomes a Vietnamese message and exit code 1."""
    try:
        return job()
    except ToolkitError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"Không đọc/ghi được {exc.filename or ''}: {exc.strerror or exc}") from None
