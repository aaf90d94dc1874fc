"""The plan workbook (ke_hoach.xlsx): its sheets and their columns, shared by the writer
(`toolkit.forms.plan_workbook`) and the reader (`toolkit.spec.plan_workbook`), so that what one
writes the other reads.

A table sheet has one header row (row 1) and one row per item; columns are found by header, in any
order, ignoring case, diacritics and spaces. The Thông tin sheet is a list of items (label in column
A, value in column B). Sheets whose name starts with "_" are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.core.text import fold


@dataclass(frozen=True)
class Column:
    header: str  # as the user sees it (and as the reader matches it, folded)
    key: str  # key of the plan dict the cell fills ("numerator"; "eligible.kind": nested)
    help: str  # Vietnamese input help shown on the header cell and when the cell is selected
    kind: str = "text"  # text | lines | code (one, from Danh mục) | codes (several) | integer | date | choice | bool
    choices: tuple[tuple[str, str], ...] = ()  # (what the user picks, what the plan stores)
    width: int = 16


@dataclass(frozen=True)
class Sheet:
    name: str
    purpose: str  # one line of the instructions sheet
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


YES_NO = (("Có", "true"), ("Không", "false"))
BLANK_IS_FILE = "(trang Đơn vị)"

INFO = Sheet("Thông tin", "văn bản, cơ quan ban hành, nơi tổng hợp, địa bàn, kỳ báo cáo, hạn nộp (mỗi dòng một mục, ghi ở cột B)", (
    Column("Mã kế hoạch", "code", "Mã ngắn, không dấu, không khoảng trắng, ví dụ bao-thang-2022; ghi vào mọi biểu mẫu."),
    Column("Loại văn bản", "document.type", "Ví dụ: Kế hoạch."),
    Column("Số văn bản", "document.number", "Để trống khi chưa ký."),
    Column("Ký hiệu", "document.symbol", "Ví dụ: KH-UBND."),
    Column("Ngày ban hành", "document.date", "Ngày dạng 29/4/2022; để trống khi chưa ký.", "date"),
    Column("Địa danh", "document.place", "Địa danh ghi ở dòng ngày tháng, ví dụ Bảo Thắng."),
    Column("Trích yếu", "document.title", "Trích yếu nội dung văn bản, như in trên văn bản."),
    Column("Cơ quan ban hành", "issuer.name", "Tên đầy đủ, ví dụ Ủy ban nhân dân huyện Bảo Thắng."),
    Column("Tên cơ quan ở góc trái", "issuer.header", "Mỗi dòng một ý (Alt+Enter để xuống dòng), ví dụ ỦY BAN NHÂN DÂN / HUYỆN BẢO THẮNG.", "lines"),
    Column("Khối chữ ký", "issuer.signature", "Mỗi dòng một ý, ví dụ TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH.", "lines"),
    Column("Người ký", "issuer.signer", "Họ tên người ký."),
    Column("Nơi tổng hợp", "collector", "Cơ quan nhận báo cáo của các đơn vị, ví dụ Phòng Giáo dục và Đào tạo."),
    Column("Địa bàn", "area.name", "Ví dụ: huyện Bảo Thắng, xã Long Hồ."),
    Column("Dòng tổng", "area.total_label", "Tên dòng tổng trong phụ lục, ví dụ Toàn huyện."),
    Column("Nhóm theo loại đơn vị", "area.group_kind", "Mã loại đơn vị dùng để chia theo xã (ví dụ xa); để trống nếu không chia.", "code"),
    Column("Loại kỳ", "period.kind", "Chọn trong danh sách.", "choice",
           (("Năm", "year"), ("Năm học", "school_year"), ("Nhiều giai đoạn", "multi"))),
    Column("Năm báo cáo", "period.year", "Năm (hoặc năm đầu của năm học) mà số liệu báo cáo, ví dụ 2022.", "integer"),
    Column("Năm của kết quả", "period.round", "Kế hoạch nhiều năm: năm mà kết quả lần này báo cáo; để trống: năm báo cáo.", "integer"),
    Column("Hạn đơn vị gửi", "deadlines.submission", "Ngày dạng 10/12/2022.", "date"),
    Column("Hạn báo cáo cấp trên", "deadlines.report", "Ngày dạng 20/12/2022.", "date"),
    Column("Loại báo cáo kết quả", "report.type", "Văn bản mà các phụ lục kết quả kèm theo; mặc định: Báo cáo."),
    Column("Số báo cáo", "report.number", "Để trống khi chưa ký: in “…”."),
    Column("Ký hiệu báo cáo", "report.symbol", "Ví dụ BC-UBND; để trống: BC- và phần sau ký hiệu kế hoạch."),
    Column("Ngày báo cáo", "report.date", "Ngày dạng 20/12/2022; để trống khi chưa ký.", "date"),
    Column("Cơ quan ban hành báo cáo", "report.issuer", "Để trống: cơ quan ban hành kế hoạch."),
    Column("Tệp danh sách đơn vị", "roster", "Để trống khi danh sách ghi ở trang Đơn vị; hoặc tên tệp .csv/.xlsx đặt cạnh tệp này."),
    Column("Tiêu đề bảng nhiệm vụ", "tasks.title", "Tiêu đề phụ lục nhiệm vụ, nếu có trang Nhiệm vụ."),
    Column("Dòng “Kèm theo” của bảng nhiệm vụ", "tasks.attached_to", "Ví dụ: (Kèm theo Kế hoạch số …/KH-UBND ngày … của …)."),
    Column("Đánh số nhiệm vụ", "tasks.numbering", "Theo từng nhóm (mỗi nhóm đánh lại từ 1) hoặc liên tục.", "choice",
           (("Theo từng nhóm", "per_group"), ("Liên tục", "continuous"))),
))

KIND_UNIT, KIND_LEVEL, KIND_PERIOD = "unit_kind", "level", "period"
LISTS = Sheet("Danh mục", "loại đơn vị, cấp học và các giai đoạn chỉ tiêu mà các trang khác dùng", (
    Column("Loại", "type", "Loại đơn vị, Cấp học hoặc Giai đoạn chỉ tiêu.", "choice",
           (("Loại đơn vị", KIND_UNIT), ("Cấp học", KIND_LEVEL), ("Giai đoạn chỉ tiêu", KIND_PERIOD)), 20),
    Column("Mã", "code", "Mã không dấu, ví dụ truong, xa, MN, THCS, 2025.", width=14),
    Column("Tên", "label", "Tên hiển thị, ví dụ Trường; Mầm non; Giai đoạn 2021-2025.", width=36),
    Column("Tên khi đếm", "plural", "Chỉ với loại đơn vị: từ dùng khi đếm, như trong “60/73 trường”.", width=16),
))

ROSTER = Sheet("Đơn vị", "danh sách các đơn vị báo cáo (hoặc ghi tên tệp danh sách ở trang Thông tin)", (
    Column("Mã đơn vị", "code", "Mã không dấu, không trùng; là tên tệp biểu mẫu của đơn vị.", width=22),
    Column("Tên đơn vị", "name", "Tên đầy đủ, ví dụ Trường Mầm non Bình Minh.", width=40),
    Column("Loại đơn vị", "kind", "Mã loại đơn vị ở trang Danh mục, ví dụ truong, xa.", "code", width=12),
    Column("Cấp học", "levels", "Mã cấp học, cách nhau bằng dấu ;, ví dụ TH;THCS.", "codes", width=12),
    Column("Thuộc xã", "commune", "Mã đơn vị của xã mà đơn vị thuộc về.", width=18),
    Column("Người liên hệ", "contact_name", "Họ tên người phụ trách báo cáo."),
    Column("Điện thoại", "phone", "Số điện thoại."),
    Column("Email", "email", "Địa chỉ thư điện tử."),
    Column("Nhãn", "tags", "Nhãn cách nhau bằng dấu ;, ví dụ DBKK (xã đặc biệt khó khăn).", "codes", width=12),
))

DIRECTIONS = ((">=", ">="), (">", ">"), ("<=", "<="), ("<", "<"))
RULES = (("Tỷ lệ (tử số/mẫu số)", "ratio"), ("Tổng", "sum"), ("Số đơn vị đạt", "count"), ("Tỷ lệ đơn vị đạt", "share"),
         ("Nội dung đơn vị báo cáo", "text"))
TARGET_HEADER = "Chỉ tiêu"  # then a level or a period code: "Chỉ tiêu MN", "Chỉ tiêu 2025", "Chỉ tiêu MN 2025"
TARGET_HELP = ("Chỉ tiêu như kế hoạch ghi: số (98 hoặc 98,5 hoặc 98,5%), hoặc lời như “trên 99,7%”, “60/73 trường”, "
               "“mức độ 3”.")
INDICATORS = Sheet("Chỉ tiêu", "mỗi dòng một chỉ tiêu: chọn mã trong danh mục chỉ tiêu chuẩn rồi ghi chỉ tiêu; "
                   "chỉ tiêu khác danh mục thì tự định nghĩa ở các cột bên phải", (
    Column("Phần", "section", "Tên phần của phụ lục, ví dụ I. Phổ cập giáo dục; để trống: như dòng trên.", width=24),
    Column("STT", "stt", "Số thứ tự để đối chiếu với văn bản; công cụ tự đánh số khi in.", width=6),
    Column("Tên chỉ tiêu", "name", "Như kế hoạch ghi; để trống: dùng tên trong danh mục.", width=44),
    Column("Mã danh mục", "catalogue", "Mã chỉ tiêu chuẩn (trang _danh_muc_chi_tieu); chỉ tiêu tự định nghĩa thì để trống.",
           "choice", width=20),
    Column("Mã chỉ tiêu", "code", "Để trống: dùng mã danh mục. Chỉ tiêu tự định nghĩa: mã không dấu, chữ in hoa.", width=20),
    Column("Đơn vị tính", "unit", "Ví dụ %, trường, xã, người.", width=10),
    Column("In chỉ tiêu là", "print", "Để trống; chỉ ghi khi phụ lục phải in chỉ tiêu khác cách công cụ tự viết.", width=16),
    Column("Thuộc chỉ tiêu", "part_of", "Chỉ tiêu “trong đó”: mã chỉ tiêu cha; phụ lục in ngay dưới chỉ tiêu cha.", width=14),
    Column("So sánh", "direction", ">= đạt khi từ chỉ tiêu trở lên; > khi trên; <= khi không quá; < khi dưới.", "choice", DIRECTIONS, 9),
    Column("Đơn vị báo cáo", "reporter", "Mã loại đơn vị nhập số liệu của chỉ tiêu (tự định nghĩa).", "code", width=12),
    Column("Cách tính", "rule", "Tỷ lệ, tổng, số hoặc tỷ lệ đơn vị đạt (tự định nghĩa).", "choice", RULES, 18),
    Column("Tử số", "numerator", "Mã số liệu cộng lại (A + B; GV[*].DAT_CHUAN), hoặc điều kiện đơn vị đạt (CHUAN_QG = Mức độ 1).", width=28),
    Column("Mẫu số", "denominator", "Mã số liệu của mẫu số (chỉ với cách tính tỷ lệ).", width=24),
    Column("Đếm loại đơn vị", "eligible.kind", "Với số/tỷ lệ đơn vị đạt: loại đơn vị được đếm.", "code", width=12),
    Column("Đếm đơn vị cấp học", "eligible.levels", "Chỉ đếm đơn vị dạy các cấp học này (cách nhau bằng ;).", "codes", width=12),
    Column("Đếm đơn vị có nhãn", "eligible.tags", "Chỉ đếm đơn vị mang nhãn này (cột Nhãn ở trang Đơn vị).", "codes", width=12),
    Column("Số chữ số thập phân", "decimals", "Mặc định 2.", "integer", width=10),
    Column("Nguồn", "source", "Mục của văn bản ghi chỉ tiêu, để đối chiếu.", width=24),
))

FIELD_KINDS = (("Số nguyên", "integer"), ("Lựa chọn", "choice"), ("Năm", "year"), ("Chữ", "text"), ("Bảng", "grid"))
FIELDS = Sheet("Số liệu", "các số liệu đơn vị nhập ngoài những số liệu danh mục chỉ tiêu đã có", (
    Column("Phần", "section", "Tên phần trong biểu mẫu, ví dụ I. Đội ngũ; để trống: như dòng trên.", width=20),
    Column("Mã", "code", "Mã không dấu, chữ in hoa, ví dụ PH_TONG.", width=20),
    Column("Tên", "label", "Tên số liệu như đơn vị thấy trong biểu mẫu.", width=44),
    Column("Kiểu", "kind", "Số nguyên, lựa chọn, năm, chữ hoặc bảng (dòng, cột ghi ở trang Bảng).", "choice", FIELD_KINDS, 12),
    Column("Đơn vị nhập", "reporter", "Mã loại đơn vị nhập số liệu này, ví dụ truong.", "code", width=12),
    Column("Cấp học", "levels", "Chỉ đơn vị dạy các cấp học này (cách nhau bằng ;); để trống: mọi đơn vị cùng loại.", "codes", width=12),
    Column("Chỉ các đơn vị", "units", "Mã các đơn vị nhập (cách nhau bằng ;); để trống: mọi đơn vị cùng loại.", "codes", width=14),
    Column("Đơn vị tính", "unit", "Ví dụ người, phòng.", width=10),
    Column("Các lựa chọn", "choices", "Với kiểu lựa chọn: các giá trị cách nhau bằng dấu ;, ví dụ Có;Không.", "codes", width=20),
    Column("Kiểm tra", "checks", "Mỗi dòng một điều kiện, ví dụ <= PH_TONG (Alt+Enter để xuống dòng).", "lines", width=24),
    Column("Bắt buộc", "required", "Có (mặc định) hoặc Không.", "bool", YES_NO, 9),
    Column("Bắt buộc khi", "required_if", "Điều kiện theo số liệu khác, ví dụ CHUAN_QG != Chưa đạt.", width=20),
    Column("Nhỏ nhất", "min", "Giá trị nhỏ nhất được nhập.", "integer", width=9),
    Column("Lớn nhất", "max", "Giá trị lớn nhất, hoặc “năm kế hoạch”.", "integer", width=9),
    Column("Ghi chú", "note", "Hướng dẫn thêm cho đơn vị nhập.", width=24),
))

GRID_PARTS = (("Dòng", "rows"), ("Cột", "columns"))
GRIDS = Sheet("Bảng", "dòng và cột của các số liệu kiểu bảng (ở trang Số liệu)", (
    Column("Mã bảng", "field", "Mã số liệu kiểu bảng ở trang Số liệu.", width=14),
    Column("Dòng hay cột", "part", "Dòng hoặc Cột.", "choice", GRID_PARTS, 12),
    Column("Mã", "key", "Mã không dấu, chữ in hoa, ví dụ MG5, TONG.", width=14),
    Column("Tên", "label", "Tên như đơn vị thấy.", width=36),
    Column("Cấp học", "level", "Chỉ với dòng: đơn vị dạy cấp học này mới có dòng.", "code", width=10),
))

TASKS = Sheet("Nhiệm vụ", "bảng phân công nhiệm vụ (dán từ Word được: cùng các cột với bảng của văn bản)", (
    Column("TT", "tt", "Số La Mã (I, II…) ở dòng nhóm nhiệm vụ; số thứ tự ở dòng nhiệm vụ.", width=6),
    Column("Nội dung nhiệm vụ", "content", "Tên nhóm (ở dòng nhóm) hoặc nội dung nhiệm vụ.", width=60),
    Column("Cơ quan chủ trì", "lead", "Như văn bản ghi.", width=26),
    Column("Cơ quan phối hợp", "coordinating", "Như văn bản ghi.", width=26),
    Column("Thời gian thực hiện", "timeframe", "Ví dụ Năm 2025, Thường xuyên.", width=16),
))

AGENCIES = Sheet("Tên gọi", "cách văn bản gọi đơn vị (để giao nhiệm vụ): tên khác của một đơn vị, hoặc cụm từ chỉ một nhóm", (
    Column("Cụm từ trong văn bản", "phrase", "Ví dụ Phòng Giáo dục; UBND các xã, phường.", width=36),
    Column("Mã đơn vị", "unit", "Tên khác của một đơn vị: mã đơn vị đó.", width=16),
    Column("Loại đơn vị", "kind", "Cụm từ chỉ nhóm: mã loại đơn vị được giao.", "code", width=12),
    Column("Cấp học", "levels", "Chỉ đơn vị dạy các cấp học này (cách nhau bằng ;).", "codes", width=12),
))

ANNEX_KINDS = (("Kết quả chỉ tiêu", "targets"), ("Chi tiết", "breakdown"), ("Nhiệm vụ", "tasks"), ("Tiến độ nhiệm vụ", "progress"),
               ("Chỉ tiêu của kế hoạch", "plan_targets"))
ANNEXES = Sheet("Phụ lục", "các phụ lục công cụ in ra: số, loại, tiêu đề, chỉ tiêu", (
    Column("Số phụ lục", "numeral", "Số La Mã: I, II…; để trống khi chỉ có một phụ lục.", width=8),
    Column("Loại", "kind", "Kết quả chỉ tiêu, chi tiết (theo xã hoặc cấp học), nhiệm vụ, tiến độ nhiệm vụ.", "choice", ANNEX_KINDS, 18),
    Column("Tiêu đề", "title", "Tiêu đề phụ lục, chữ in hoa như văn bản.", width=60),
    Column("Các chỉ tiêu", "indicators", "Mã chỉ tiêu cách nhau bằng dấu ;; để trống: mọi chỉ tiêu.", "codes", width=30),
    Column("Chi tiết theo", "by", "Với phụ lục chi tiết: Xã hoặc Cấp học.", "choice", (("Xã", "commune"), ("Cấp học", "level")), 10),
    Column("Cột số liệu", "fields", "Phụ lục chi tiết theo xã: mã các ô xã tự nhập (ví dụ PCGD_THCS).", "codes", width=20),
    Column("Có chữ ký", "signed", "Có: phụ lục kết thúc bằng địa danh, ngày và chữ ký (gửi riêng).", "bool", YES_NO, 9),
))

GUIDE_SHEET = "Hướng dẫn"
CATALOGUE_SHEET = "_danh_muc_chi_tieu"  # the standard indicators, for the "Mã danh mục" dropdown
CHOICES_SHEET = "_lists"
TABLES = (LISTS, ROSTER, INDICATORS, FIELDS, GRIDS, TASKS, AGENCIES, ANNEXES)
SHEETS = (GUIDE_SHEET, INFO.name, *(t.name for t in TABLES))
PLAN_YEAR_WORDS = ("năm kế hoạch", "plan year")


def same_header(a: str, b: str) -> bool:
    return fold(a).strip(" :.*") == fold(b).strip(" :.*")


def target_header(level: str | None = None, period: str | None = None) -> str:
    """'Chỉ tiêu', 'Chỉ tiêu MN', 'Chỉ tiêu 2025', 'Chỉ tiêu MN 2025'."""
    return " ".join(part for part in (TARGET_HEADER, level, period) if part)
