"""Fatal errors (exceptions) and the catalogue of problems found in returned workbooks.

Exceptions stop a command: a broken plan spec or roster. Problems in returned workbooks never
raise; they become `Issue` records (see `toolkit.report`), each with a stable English code and a
Vietnamese message rendered from the catalogue below.
"""

from __future__ import annotations


class ToolkitError(Exception):
    """Base of all fatal toolkit errors; the message is Vietnamese, for the user."""


class SpecError(ToolkitError):
    """The plan spec is invalid."""


class RosterError(ToolkitError):
    """The roster of units is invalid."""


class TasksImportError(ToolkitError):
    """A task matrix could not be imported."""


# Catalogue of problems in returned workbooks: code -> (severity, Vietnamese template).
# Templates are formatted with keyword arguments; every message names what it is about.
CATALOGUE: dict[str, tuple[str, str]] = {
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
}


def render(code: str, **params: object) -> str:
    """Render the Vietnamese message of a catalogue code."""
    return CATALOGUE[code][1].format(**params)


def severity(code: str) -> str:
    """Return 'error' or 'warning' for a catalogue code."""
    return CATALOGUE[code][0]
