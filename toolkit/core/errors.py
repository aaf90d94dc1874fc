"""Fatal errors (exceptions), problem records and the one Vietnamese catalogue they are rendered through.

Exceptions stop a command: a broken plan or roster (`PlanError` carries every `Problem` found).
Problems in returned workbooks never raise; they become `Issue` records (`toolkit.collect.records`).
Both kinds have a stable English code and a Vietnamese message rendered from `CATALOGUE`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping


class ToolkitError(Exception):
    """Base of all fatal toolkit errors; the message is Vietnamese, for the user."""


class SpecError(ToolkitError):
    """The plan spec is invalid."""


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
    item: str = ""  # the code of the list entry the key is in ("PH_TAM" for fields[21].kind)

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
            parts.append(f"khóa {self.key}" + (f" ({self.item})" if self.item else ""))
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
        shown = "\n".join(f"  - {_without_file(p, heading)}" for p in errors[:50])
        more = f"\n  … và {len(errors) - 50} lỗi khác" if len(errors) > 50 else ""
        if not heading and len(errors) == 1:  # one problem needs no heading: "Không tìm thấy kế hoạch …"
            super().__init__(str(errors[0]))
        else:
            super().__init__(f"{heading or 'Kế hoạch có lỗi:'}\n{shown}{more}")


def _without_file(problem: Problem, heading: str) -> Problem:
    """The problem as listed under a heading: a file the heading already names is not repeated."""
    if problem.location.file and problem.location.file in heading:
        return replace(problem, location=replace(problem.location, file=""))
    return problem


class RosterError(PlanError):
    """A roster with problems (a `PlanError` whose problems are in the roster file)."""


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
    "check-broken": ("error", "{label}: {value} {relation} {other} ({other_value})."),
    # ---- Plan ----
    # The file (the location names it, with the line and column of a YAML mistake)
    "plan-not-found": ("error", "Không tìm thấy kế hoạch '{plan}': không có tệp này, cũng không phải ví dụ có sẵn ({examples})."),
    "plan-unreadable": ("error", "Không đọc được tệp ({detail})."),
    "plan-not-mapping": ("error", "Tệp kế hoạch phải là một bảng khóa: giá trị (YAML mapping), mỗi dòng dạng “khóa: giá trị”, ví dụ “code: ke-hoach-2025”."),
    "yaml-tab": ("error", "Dòng được thụt vào bằng phím Tab; hãy dùng dấu cách, không dùng phím Tab."),
    "yaml-colon": ("error", "Giá trị có dấu hai chấm “: ” ở giữa; hãy đặt giá trị trong dấu ngoặc kép, ví dụ title: \"Kế hoạch: năm 2025\"."),
    "yaml-unclosed-quote": ("error", "Dấu ngoặc kép mở ở dòng {opened} chưa được đóng; hãy thêm dấu ngoặc kép đóng ở cuối giá trị."),
    "yaml-indentation": ("error", "Thụt đầu dòng không khớp với các dòng trên; các khóa cùng cấp phải thẳng cột với nhau (mỗi cấp lùi vào 2 dấu cách)."),
    "yaml-duplicate-key": ("error", "Khóa '{key}' được ghi hai lần trong cùng một mục; hãy xóa một lần ghi."),
    "yaml-syntax": ("error", "Sai cú pháp YAML (trình đọc báo: {detail}); hãy so với tệp kế hoạch mẫu ở dòng này và dòng trên."),
    # The shape of a key's value
    "plan-missing-key": ("error", "Thiếu khóa bắt buộc '{key}'."),
    "plan-unknown-key": ("error", "Khóa '{key}' không được phép (kiểm tra chính tả)."),
    "plan-wrong-type": ("error", "Giá trị {value} không hợp lệ: {expected}."),
    "plan-not-allowed": ("error", "Giá trị {value} không được phép; phải là một trong: {allowed}."),
    "plan-invalid": ("error", "{detail}"),
    "plan-code-chars": ("error", "Mã '{code}' chỉ được gồm chữ in hoa không dấu, chữ số và dấu gạch dưới, không bắt đầu bằng chữ số."),
    "plan-code-like-cell": ("error", "Mã '{code}' trùng dạng địa chỉ ô của Excel (ví dụ TH1, GV2); hãy đặt tên khác, ví dụ '{code}_'."),
    "plan-code-too-long": ("error", "Mã '{code}' dài quá 200 ký tự."),
    "plan-grid-without-cells": ("error", "Trường '{field}' kiểu grid phải có 'rows' và 'columns'."),
    "plan-cells-not-grid": ("error", "Chỉ trường kiểu grid mới có 'rows'/'columns' (trường '{field}' kiểu {kind})."),
    "plan-choice-without-choices": ("error", "Trường '{field}' kiểu choice phải có 'choices'."),
    "plan-choices-too-long": ("error", "Danh sách lựa chọn của '{field}' dài {length} ký tự, quá 255 ký tự Excel cho phép; Excel sẽ báo lỗi tệp."),
    "plan-duplicate-cell-key": ("error", "Trường '{field}': mã '{key}' ghi hai lần trong '{part}'."),
    "plan-ratio-without-denominator": ("error", "Chỉ tiêu '{indicator}' (ratio) phải có 'denominator'."),
    "plan-without-eligible": ("error", "Chỉ tiêu '{indicator}' ({rule}) phải có 'eligible'."),
    # Expressions, checks and conditions
    "plan-bad-term": ("error", "Không hiểu thành phần '{part}' trong biểu thức '{text}'."),
    "plan-bad-comparison": ("error", "Điều kiện '{text}' phải có dạng 'A <= B' (các phép so sánh: <=, >=, <, >, =, !=)."),
    "plan-bad-condition": ("error", "Điều kiện '{text}' phải có dạng 'MÃ = giá trị', 'MÃ != giá trị' hoặc 'MÃ in (a; b)'."),
    "plan-grid-check-one-side": ("error", "Điều kiện trong bảng phải ghi đủ hai vế, ví dụ 'DAT_CHUAN <= TONG'."),
    "plan-not-grid-column": ("error", "'{name}' không phải cột của bảng '{grid}'."),
    "plan-unknown-field": ("error", "Số liệu '{field}' không có trong danh mục số liệu của kế hoạch (trang “Số liệu” của ke_hoach.xlsx; mục fields của plan.yaml)."),
    "plan-grid-needs-cell": ("error", "'{field}' là bảng, phải ghi rõ dòng và cột, ví dụ {field}[*].{column}."),
    "plan-not-a-grid": ("error", "'{field}' không phải bảng (grid)."),
    "plan-not-numeric": ("error", "'{field}' không phải trường số, không cộng được."),
    "plan-unknown-grid-column": ("error", "Bảng '{field}' không có cột '{column}'."),
    "plan-unknown-grid-row": ("error", "Bảng '{field}' không có dòng '{row}'."),
    "plan-unknown-choice": ("error", "'{value}' không phải lựa chọn của '{field}' ({choices})."),
    "plan-bad-year-value": ("error", "Giá trị so với '{field}' phải là năm hoặc 'plan year'."),
    # References between parts of the plan
    "plan-duplicate-field": ("error", "Mã trường '{code}' bị trùng."),
    "plan-duplicate-indicator": ("error", "Mã chỉ tiêu '{code}' bị trùng."),
    "plan-duplicate-name": ("error", "Tên ô '{name}' xuất hiện hai lần (trùng giữa một trường và một ô của bảng)."),
    "plan-deadline-order": ("error", "Hạn báo cáo cấp trên ({report}) sớm hơn hạn đơn vị gửi báo cáo ({submission})."),
    "plan-unknown-kind": ("error", "Loại đơn vị '{kind}' không có trong danh mục loại đơn vị của kế hoạch (trang “Danh mục” của ke_hoach.xlsx; mục unit_kinds của plan.yaml)."),
    "plan-unknown-level": ("error", "Cấp học '{level}' không có trong levels."),
    "plan-share-with-denominator": ("error", "Chỉ tiêu {rule} đếm đơn vị trong 'eligible', không dùng 'denominator'; hãy bỏ khóa này."),
    "plan-eligible-other-kind": ("error", "'{kind}' khác reporter '{reporter}'; chỉ đếm được các đơn vị tự báo cáo chỉ tiêu này."),
    "plan-field-of-other-reporter": ("error", "Trường '{field}' do loại đơn vị '{kind}' nhập, không phải '{reporter}' (reporter của chỉ tiêu)."),
    "plan-unknown-period": ("error", "Kỳ '{period}' không có trong period.targets ({periods})."),
    "plan-annex-same-file": ("error", "Hai phụ lục cùng ghi ra tệp {stem}; hãy đặt số phụ lục (numeral) khác nhau."),
    "plan-annex-needs-signature": ("error", "Cần khai báo issuer.signature (khối chữ ký, ví dụ [TM. ỦY BAN NHÂN DÂN, CHỦ TỊCH])."),
    "plan-annex-needs-group-kind": ("error", "Phụ lục theo xã cần khai báo area.group_kind (loại đơn vị dùng để nhóm, ví dụ xa)."),
    "plan-annex-fields-not-breakdown": ("error", "Chỉ phụ lục breakdown theo xã (by: commune) mới có cột trường số liệu."),
    "plan-annex-field-not-own": ("error", "'{field}' phải là một ô do chính xã nhập (reporter '{kind}'), không phải bảng."),
    "plan-unknown-indicator": ("error", "Chỉ tiêu '{indicator}' không có trong danh sách chỉ tiêu của kế hoạch (trang “Chỉ tiêu” của ke_hoach.xlsx; mục indicators của plan.yaml)."),
    "plan-text-needs-text-field": ("error", "Chỉ tiêu kiểu text lấy nội dung đơn vị báo cáo từ một trường kiểu text hoặc choice; '{field}' không phải số liệu như vậy (trang “Số liệu” của ke_hoach.xlsx; mục fields của plan.yaml)."),
    "plan-count-target-not-count": ("error", "Chỉ tiêu “{target}” đếm số đơn vị, chỉ dùng được cho chỉ tiêu count hoặc share (đếm đơn vị đạt điều kiện), không cho {rule}."),
    "plan-part-of-itself": ("error", "Chỉ tiêu '{indicator}': part_of không được là chính nó."),
    "plan-bad-target": ("error", "{place}{detail}"),
    "plan-text-with-denominator": ("error", "Chỉ tiêu kiểu text không có mẫu số; hãy bỏ khóa này."),
    # ---- Roster ----
    "roster-bad-format": ("error", "Danh sách đơn vị chỉ nhận tệp .csv hoặc .xlsx (tệp này có đuôi “{suffix}”)."),
    "roster-unreadable": ("error", "Không đọc được danh sách đơn vị ({detail})."),
    "roster-not-unicode": ("error", "Danh sách đơn vị không ở dạng chữ Unicode (UTF-8) nên không đọc được tiếng Việt. Hãy mở tệp bằng Excel, chọn Lưu thành (Save As) kiểu “CSV UTF-8 (Comma delimited)”, hoặc dùng tệp .xlsx, rồi chạy lại."),
    "roster-empty": ("error", "Danh sách đơn vị không có đơn vị nào."),
    "roster-missing-columns": ("error", "Danh sách đơn vị thiếu cột: {missing} (cần các cột {columns})."),
    "roster-bad-code": ("error", "Mã đơn vị '{code}' chỉ được gồm chữ không dấu, chữ số, '_', '-', '.'."),
    "roster-duplicate-code": ("error", "Mã đơn vị '{code}' trùng với dòng {first}."),
    "roster-no-name": ("error", "Đơn vị '{code}' chưa có tên."),
    "roster-unknown-kind": ("error", "Loại đơn vị '{kind}' không có trong kế hoạch ({kinds})."),
    "roster-unknown-level": ("error", "Cấp học '{level}' của đơn vị '{code}' không có trong kế hoạch ({levels})."),
    "roster-commune-ungrouped": ("error", "Đơn vị '{code}' ghi thuộc '{commune}' nhưng kế hoạch không chia đơn vị theo xã (area.group_kind để trống); hãy để trống cột commune."),
    "roster-unknown-commune": ("error", "Đơn vị '{code}' thuộc '{commune}' nhưng không có đơn vị loại '{kind}' nào mã này."),
    "roster-unused-tag": ("error", "Chỉ tiêu '{indicator}' tính các đơn vị có nhãn '{tag}', nhưng không đơn vị nào trong danh sách {roster} có nhãn này (cột tags)."),
    "roster-unknown-unit": ("error", "Trường '{field}' ghi đơn vị '{code}', không có trong danh sách {roster}."),
    "roster-unit-other-kind": ("error", "Trường '{field}': đơn vị '{code}' là loại '{kind}', không phải '{reporter}' (reporter)."),
    # ---- Targets ----
    "target-empty": ("error", "chỉ tiêu để trống; hãy ghi một số (98%), bỏ khóa này, hoặc ghi chỉ tiêu bằng lời."),
    "target-unreadable": ("error", "không đọc được chỉ tiêu “{text}”; hãy ghi theo một trong các dạng: 98%, ≥ 98%, "
                          "từ 98% trở lên, trên 99,7%, không quá 5%, dưới 5%, 60/73 trường, 100% (10/10 xã), "
                          "từ 10 đến 15 người, mức độ 3, hoặc một câu không có chữ số (chỉ tiêu không tính số)."),
    "target-range-reversed": ("error", "chỉ tiêu “{text}”: đầu dưới {low} lớn hơn đầu trên {high}; hãy ghi “từ {high} đến {low}”."),
    "target-count-too-large": ("error", "chỉ tiêu “{text}”: {part}/{whole} phải có số đơn vị đạt không quá tổng số (và tổng số khác 0)."),

    # ---- Plan workbook (ke_hoach.xlsx) ----
    "workbook-file-unreadable": ("error", "Không mở được tệp kế hoạch ({detail}); hãy mở bằng Excel hoặc LibreOffice và lưu lại dạng .xlsx."),
    "workbook-sheet-missing": ("error", "Thiếu trang “{sheet}” của mẫu kế hoạch; hãy tạo tệp mới bằng lệnh toolkit plan new rồi chép nội dung sang."),
    "workbook-sheet-unknown": ("warning", "Trang “{sheet}” không thuộc mẫu kế hoạch nên bị bỏ qua{hint} (đặt tên trang bắt đầu bằng “_” để công cụ bỏ qua mà không báo)."),
    "workbook-column-unknown": ("warning", "Cột “{found}” không thuộc mẫu nên bị bỏ qua{hint}."),
    "workbook-column-twice": ("error", "Cột “{found}” có hai lần (cột {other}); hãy xóa một cột."),
    "workbook-item-unknown": ("warning", "Mục “{found}” không thuộc mẫu nên bị bỏ qua{hint}."),
    "workbook-item-twice": ("error", "Mục “{found}” được ghi hai lần (lần đầu ở dòng {other}); hãy xóa một dòng."),
    "workbook-required": ("error", "Chưa ghi “{header}”; mục này bắt buộc."),
    "workbook-not-number": ("error", "“{value}” không phải là số; hãy ghi số, ví dụ 98 hoặc 98,5."),
    "workbook-not-integer": ("error", "“{value}” không phải là số nguyên; hãy ghi số nguyên, ví dụ 2025."),
    "workbook-not-date": ("error", "“{value}” không phải là ngày; hãy ghi ngày dạng 10/12/2024."),
    "workbook-not-choice": ("error", "“{value}” không có trong danh sách; hãy chọn một trong: {choices}."),
    "workbook-unknown-standard": ("error", "Mã “{value}” không có trong danh mục chỉ tiêu chuẩn (trang _danh_muc_chi_tieu){hint}; chỉ tiêu khác danh mục thì để trống cột này và tự định nghĩa ở các cột bên phải."),
    "workbook-grid-orphan": ("error", "Trang Bảng ghi dòng, cột cho “{value}” nhưng trang Số liệu không có số liệu mã này."),
    "workbook-task-before-group": ("error", "Nhiệm vụ nằm trước dòng nhóm đầu tiên; hãy thêm phía trên một dòng nhóm (cột TT ghi số La Mã, ví dụ I, cột Nội dung ghi tên nhóm)."),
    "workbook-agency-row": ("error", "Mỗi dòng ghi một trong hai: Mã đơn vị (tên khác của một đơn vị) hoặc Loại đơn vị (cụm từ chỉ một nhóm), không ghi cả hai, không bỏ trống cả hai."),
    "workbook-rule-broken": ("error", "{detail}."),
    "workbook-cell-invalid": ("error", "“{value}” không hợp lệ ({detail})."),
    # ---- returns: cells that cannot be read, moved cells, budgets, the folder ----
    "worker-died": ("error", "Chương trình đọc bảng tính dừng đột ngột khi đọc tệp này (tệp hỏng hoặc bị cố ý làm hỏng); đã bỏ qua tệp, các tệp khác vẫn được đọc. Đề nghị đơn vị gửi lại tệp."),
    "worker-timeout": ("error", "Đọc tệp quá {seconds} giây nên đã dừng (tệp quá lớn hoặc bị hỏng); đã bỏ qua tệp, các tệp khác vẫn được đọc. Đề nghị đơn vị gửi lại tệp."),
    "tied-copies": ("error", "Đơn vị {unit} gửi các tệp {files} cùng ghi thời điểm lưu {saved} nhưng số liệu khác nhau: không biết tệp nào là bản sau cùng nên chưa dùng tệp nào. Đề nghị đơn vị gửi lại một tệp."),
    "same-copy": ("warning", "Đơn vị {unit} gửi nhiều bản giống hệt nhau (cùng thời điểm lưu, cùng số liệu); dùng {used}, bỏ qua bản này."),
    "skipped-folder": ("warning", "Bỏ qua thư mục {folder} ({count} tệp): đây là thư mục kết quả do công cụ ghi ra, không phải báo cáo đơn vị gửi; nên để thư mục kết quả ngoài thư mục báo cáo nhận về."),
    "moved-cell": ("error", "{label} (mã {field}): ô này không còn ở chỗ của nó trong biểu mẫu (theo mã ẩn của dòng, ô phải ở {expected}); có thể dòng đã bị sắp xếp lại hoặc một cột, một ô đã bị xóa làm các ô dồn sang. Không dùng giá trị này để khỏi tính nhầm sang chỉ tiêu khác; đề nghị đơn vị nhập lại vào biểu mẫu gốc."),
    "deleted-cell": ("error", "Ô “{label}” (mã {field}) đã bị xóa khỏi tệp (xóa dòng, cột hoặc ô); coi như chưa nhập."),
    "unwritable-text": ("warning", "{label}: nội dung có {count} ký tự điều khiển hoặc ký tự không in được (thường do chép từ phần mềm khác); đã bỏ các ký tự này, giữ phần còn lại."),
    "unreadable-value": ("error", "{label}: giá trị \"{value}\" trong ô không đọc được thành số liệu; coi như chưa nhập."),
    # ---- Roll-up ----
    "rollup-missing-file": ("error", "Thư mục {folder} không có tệp {name} của một lần tổng hợp; hãy chạy lại lệnh tổng hợp (aggregate) cho phần này rồi chép cả thư mục kết quả."),
    "rollup-unreadable": ("error", "Không đọc được kết quả tổng hợp trong thư mục này ({detail}); tệp có thể đã bị sửa tay hoặc chép thiếu."),
    "rollup-other-plan": ("error", "Phần này là kết quả tổng hợp của kế hoạch {found}, không phải kế hoạch {expected}; không gộp."),
    "rollup-other-version": ("error", "Phần này được tổng hợp theo phiên bản {found} của kế hoạch, phiên bản hiện hành là {expected}; hãy tổng hợp lại phần này theo kế hoạch hiện hành."),
    "rollup-missing-columns": ("error", "Tệp thiếu cột {columns}; không phải tệp ket_qua.csv do công cụ ghi ra."),
    "rollup-other-indicators": ("error", "Các chỉ tiêu của phần này khác kế hoạch (chỉ tiêu không có trong kế hoạch: {unknown}; chỉ tiêu kế hoạch còn thiếu: {absent}); hãy tổng hợp lại phần này theo kế hoạch hiện hành."),
    "rollup-shared-units": ("error", "{count} đơn vị có trong cả hai phần {first} và {second} ({examples}); số liệu của các đơn vị này sẽ bị tính hai lần. Hãy bỏ các đơn vị đó khỏi danh sách đơn vị của một phần, tổng hợp lại phần đó rồi gộp."),
}


def render(code: str, /, **params: object) -> str:
    """Render the Vietnamese message of a catalogue code."""
    return CATALOGUE[code][1].format(**params)


def severity(code: str) -> str:
    """Return 'error' or 'warning' for a catalogue code."""
    return CATALOGUE[code][0]
