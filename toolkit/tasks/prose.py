"""Read the tasks a plan assigns in prose: its "TỔ CHỨC THỰC HIỆN" section, agency by agency.

Seeds 000 and 003 write it as numbered agency headings ("1. Phòng Giáo dục và Đào tạo", also
"4. Phòng Tài nguyên và Môi trường: Chủ trì, …" with the task on the same line) followed by dash
bullets or a paragraph. Each agency becomes a group, each bullet (or paragraph) a task the agency
leads, coordinated by the bodies it says it works with ("phối hợp với …"). Text extracted from a
PDF is wrapped: a line that starts no bullet continues the one before.
"""

from __future__ import annotations

import re

from toolkit.core.text import fold

# "III. TỔ CHỨC THỰC HIỆN", "#### **IV. TỔ CHỨC THỰC HIỆN**" (markdown), any case.
_SECTION = re.compile(r"[ivx]+\s*[.:)]\s*to chuc thuc hien\b")  # matched on folded text
_NEXT_SECTION = re.compile(r"[IVX]+\s*[.:)]\s+\S")
_AGENCY = re.compile(r"(\d{1,2})\s*[.)]\s+(.+)")
_BULLET = re.compile(r"(?:[-–+•]|[a-zđ]\))\s*(.*)")
# The plan's closing lines after the last agency ("Trên đây là Kế hoạch…", "Nơi nhận:").
_CLOSING = ("tren day la", "noi nhan", "ubnd huyen yeu cau", "uy ban nhan dan huyen yeu cau")
_REQUEST = re.compile(r"^đề nghị\s+", re.IGNORECASE)  # "Đề nghị Ủy ban MTTQ …": asked, not ordered
# "… phối hợp với Phòng GD&ĐT tham mưu …": the bodies named between "phối hợp với" and the next verb
# (or punctuation; "các tổ chức" is bodies, not a verb) coordinate the task; what names no unit is
# reported when the plan is loaded.
_VERBS = ("tham mưu", "triển khai", "hướng dẫn", "xây dựng", "kiểm tra", "tổ chức", "đề xuất", "thực hiện", "làm tốt",
          "trong", "mở", "điều tra", "chỉ đạo", "tuyên truyền", "giám sát", "rà soát", "đẩy mạnh", "tăng cường",
          "cân đối", "theo dõi", "để", "đối với", "dự kiến", "tiếp tục")
_COORDINATING = re.compile(r"phối hợp(?: chặt chẽ)? với\s+(.+?)(?=(?<!các)\s+(?:" + "|".join(_VERBS) + r")\b|[;.:(]|$)",
                           re.IGNORECASE)


def _roman(number: int) -> str:
    """1 -> 'I', 14 -> 'XIV': the group numerals of a task matrix."""
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    text = ""
    for value, letters in numerals:
        count, number = divmod(number, value)
        text += letters * count
    return text


def _plain(line: str) -> str:
    """A line without markdown heading marks and bold/italic stars, on single spaces."""
    line = re.sub(r"^\s*#+\s*", "", line)
    return " ".join(line.replace("*", "").split())


def _join(before: str, after: str) -> str:
    return f"{before} {after}".strip() if before else after


def prose_tasks(lines: list[str], wrapped: bool) -> dict | None:
    """{numbering, groups} from the prose section, or None when the text has no such section.

    `wrapped`: lines are wrapped text (a PDF extraction), so a line starting no bullet continues the
    previous one; otherwise (Word paragraphs) every paragraph starts a task of its own.
    """
    plain = [_plain(line) for line in lines]
    start = next((i for i, line in enumerate(plain) if _SECTION.match(fold(line))), None)
    if start is None:
        return None
    groups: list[dict] = []
    expected = 1  # agency headings are numbered 1, 2, 3…: a wrapped line starting "12." is not one
    heading_open = False  # the heading may wrap onto a line starting in lower case
    for line in plain[start + 1:]:
        if not line:
            continue
        folded = fold(line)
        if _NEXT_SECTION.match(line) or folded.startswith(_CLOSING):
            break
        agency = _AGENCY.fullmatch(line)
        if agency and int(agency.group(1)) == expected:
            expected += 1
            title, _, inline = agency.group(2).partition(":")
            groups.append({"numeral": _roman(len(groups) + 1), "title": title.strip(), "tasks": []})
            heading_open = not inline.strip()
            if inline.strip():
                groups[-1]["tasks"].append(inline.strip())
            continue
        if not groups:
            continue  # text between the section heading and the first agency
        tasks = groups[-1]["tasks"]
        bullet = _BULLET.fullmatch(line)
        if heading_open and not tasks and not bullet and line[:1].islower():
            groups[-1]["title"] = _join(groups[-1]["title"], line)
            continue
        heading_open = False
        if bullet:
            tasks.append(bullet.group(1))
        elif tasks and wrapped:
            tasks[-1] = _join(tasks[-1], line)
        else:
            tasks.append(line)
    if not groups:
        return None
    return {"numbering": "per_group", "groups": [_group(g) for g in groups]}


def _group(group: dict) -> dict:
    lead = _REQUEST.sub("", group["title"]).strip()
    lead = lead[:1].upper() + lead[1:]
    tasks = [{"tt": str(number), "content": content, "lead": lead, "coordinating": _coordinating(content), "timeframe": ""}
             for number, content in enumerate(group["tasks"], start=1)]
    return {"numeral": group["numeral"], "title": group["title"], "tasks": tasks}


def _coordinating(content: str) -> str:
    found = _COORDINATING.search(content)
    return found.group(1).strip(" ,") if found else ""
