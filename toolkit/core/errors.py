"""Fatal errors (exceptions), problem records and the one Vietnamese catalogue they are rendered through.

Exceptions stop a command: a broken plan or roster (`PlanError` carries every `Problem` found).
Problems in returned workbooks never raise; they become `Issue` records (`toolkit.collect.records`).
Both kinds have a stable English code and a Vietnamese message rendered from `CATALOGUE`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


class ToolkitError(Exception):
    """Base of all fatal toolkit errors; the message is Vietnamese, for the user."""


class SpecError(ToolkitError):
    """The plan spec is invalid."""


class RosterError(ToolkitError):
    """The roster of units is invalid."""


class TasksImportError(ToolkitError):
    """A task matrix could not be imported."""


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file and either a YAML key path (`fields[3].kind`, with the line when the
    parser knows it) or a workbook sheet, row (as the spreadsheet numbers it, header = 1) and column."""

    file: str = ""
    key: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""  # column letter ("D")
    header: str = ""  # that column's header ("Tử số")
    line: int | None = None  # in a text file (YAML), 1-based
    char: int | None = None  # column in that line, 1-based

    def describe(self) -> str:
        """'tệp ke_hoach.xlsx, trang Chỉ tiêu, dòng 12, cột D (Tử số)' / 'tệp plan.yaml, khóa fields[3].kind'."""
        parts = [f"tệp {self.file}"] if self.file else []
        if self.sheet:
            parts.append(f"trang {self.sheet}")
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        elif self.line is not None:
            parts.append(f"dòng {self.line}" + (f", cột {self.char}" if self.char is not None else ""))
        if self.column:
            parts.append(f"cột {self.column}" + (f" ({self.header})" if self.header else ""))
        elif self.header:
            parts.append(f"cột “{self.header}”")
        if self.key:
            parts.append(f"khóa {self.key}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One problem of a plan or a roster: a catalogue code, where it is, and the values its message names."""

    code: str
    location: Location = Location()
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return severity(self.code)

    @property
    def message(self) -> str:
        return render(self.code, **self.params)

    def __str__(self) -> str:
        where = self.location.describe()
        return f"{where}: {self.message}" if where else self.message


class PlanError(SpecError):
    """A plan or roster with problems; `problems` holds every one found, in the order found."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], heading: str = ""):
        self.problems = tuple(problems)
        errors = [p for p in self.problems if p.severity == "error"] or list(self.problems)
        shown = "\n".join(f"  - {p}" for p in errors[:50])
        more = f"\n  … và {len(errors) - 50} lỗi khác" if len(errors) > 50 else ""
        super().__init__(f"{heading or 'Kế hoạch có lỗi:'}\n{shown}{more}")


# The catalogue: code -> (severity, Vietnamese template), one section per stage. Templates are
# formatted with keyword arguments; every message names what it is about.
CATALOGUE: dict[str, tuple[str, str]] = {
    # ---- Returned workbooks ----
    # The file as a whole
    "not-a-workbook": ("error", "Tệp không phải bảng tính Excel/LibreOffice đọc được ({detail})."),
    "corrupt-file": ("error", "Tệp bị hỏng hoặc không đầy đủ, không mở được ({detail}). Đề nghị đơn vị gửi lại tệp."),
    "encrypted-file": ("error", "Tệp được đặt mật khẩu mở tệp; không đọc được. Đề nghị đơn vị gỡ mật khẩu rồi gửi lại."),
    "too-large": ("error", "Tệp có nội dung giải nén quá lớn ({detail}), có thể là tệp độc hại; đã bỏ qua."),
    "unsafe-xml": ("error", "Tệp chứa cấu trúc XML không an toàn ({detail}); đã bỏ qua."),
    "foreign-workbook": ("error", "Tệp không phải biểu mẫu do công cụ này tạo (không có trang thông tin ẩn và ô MA_DON_VI)."),
    "other-plan": ("error", "Biểu mẫu thuộc kế hoạch khác ({found}), không phải kế hoạch {expected}."),
    "outdated-template": ("error", "Biểu mẫu là phiên bản cũ ({found}); phiên bản hiện hành là {expected}. Đề nghị đơn vị nhập lại số liệu vào biểu mẫu mới."),
    "unknown-unit": ("error", "Mã đơn vị {unit} trong ô MA_DON_VI không có trong danh sách đơn vị."),
    "unit-mismatch": ("error", "Ô MA_DON_VI ghi {found} nhưng thông tin ẩn của biểu mẫu ghi {expected}; không xác định được đơn vị."),
    "duplicate-file": ("warning", "Đơn vị {unit} gửi nhiều tệp; dùng tệp lưu sau cùng {used}, bỏ qua tệp này."),
    "skipped-file": ("warning", "Bỏ qua tệp {detail}."),
    "missing-meta": ("error", "Tệp đã mất trang thông tin ẩn “_meta” của biểu mẫu nên không biết thuộc kế hoạch, phiên bản nào; đề nghị đơn vị nhập số liệu vào biểu mẫu gốc rồi gửi lại."),
    "no-unit-code": ("error", "Không xác định được đơn vị gửi tệp: ô MA_DON_VI để trống và thông tin ẩn của biểu mẫu không ghi mã đơn vị."),
    "future-save-time": ("warning", "Tệp ghi thời điểm lưu {saved}, muộn hơn thời điểm kiểm tra; đồng hồ máy tính của đơn vị có thể bị sai, nên việc chọn tệp lưu sau cùng có thể không đúng."),
    "not-submitted": ("error", "Đơn vị chưa gửi báo cáo."),
    "missing-name": ("error", "Không tìm thấy ô “{label}” (mã {field}) trong tệp, có thể dòng chứa ô đã bị xóa; coi như chưa nhập."),
    # One value
    "required": ("error", "Chưa nhập {label}."),
    "not-a-number": ("error", "{label}: \"{value}\" không phải là số."),
    "not-integer": ("error", "{label}: {value} phải là số nguyên."),
    "negative": ("error", "{label}: {value} không được là số âm."),
    "number-as-text": ("warning", "{label}: \"{value}\" được nhập dạng chữ, đã đọc là số {number}."),
    "formula": ("error", "{label}: ô chứa công thức; phải nhập trực tiếp số liệu (công cụ không dùng kết quả của công thức)."),
    "ambiguous-number": ("error", "{label}: \"{value}\" không rõ là {decimal} (dấu phẩy thập phân) hay {thousands} (dấu phẩy ngăn cách hàng nghìn); hãy nhập lại số, không gõ dấu phẩy."),
    "long-text": ("warning", "{label}: nội dung dài {length} ký tự, quá giới hạn {limit} ký tự của biểu mẫu; vẫn được giữ nguyên."),
    "bad-choice": ("error", "{label}: \"{value}\" không có trong danh sách được chọn ({choices})."),
    "bad-year": ("error", "{label}: năm {value} phải từ {low} đến {high}."),
    "out-of-range": ("error", "{label}: {value} phải từ {low} đến {high}."),
    "check-failed": ("error", "{label}: không thỏa điều kiện {rule} ({detail})."),
    "check-broken": ("error", "{label}: {value} {relation} {other} ({other_value})."),
    # ---- Targets ----
    "target-empty": ("error", "chỉ tiêu để trống; hãy ghi một số (98%), bỏ khóa này, hoặc ghi chỉ tiêu bằng lời."),
    "target-unreadable": ("error", "không đọc được chỉ tiêu “{text}”; hãy ghi theo một trong các dạng: 98%, ≥ 98%, "
                          "từ 98% trở lên, trên 99,7%, không quá 5%, dưới 5%, 60/73 trường, 100% (10/10 xã), "
                          "từ 10 đến 15 người, mức độ 3, hoặc một câu không có chữ số (chỉ tiêu không tính số)."),
    "target-range-reversed": ("error", "chỉ tiêu “{text}”: đầu dưới {low} lớn hơn đầu trên {high}; hãy ghi “từ {high} đến {low}”."),
    "target-count-too-large": ("error", "chỉ tiêu “{text}”: {part}/{whole} phải có số đơn vị đạt không quá tổng số (và tổng số khác 0)."),
}


def render(code: str, **params: object) -> str:
    """Render the Vietnamese message of a catalogue code."""
    return CATALOGUE[code][1].format(**params)


def severity(code: str) -> str:
    """Return 'error' or 'warning' for a catalogue code."""
    return CATALOGUE[code][0]
